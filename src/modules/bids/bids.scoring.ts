import type { FieldProblem } from '../../platform/errors.js';

/** What the comparison needs of a bid. */
export interface Scorable {
  id: string;
  unitCost: { amount: number };
  leadTimeDays: number;
  sampleOffered: boolean;
  submittedAt: string;
}

export interface Scored<T> {
  rank: number;
  bid: T;
  cheapest: boolean;
  fastest: boolean;
  scoreBps: number;
}

/** `floor(weight × best / value)` with integers only, so the score is exact on every machine. */
const ratioBps = (weight: number, best: number, value: number) => Number((BigInt(weight) * BigInt(best)) / BigInt(value));

/**
 * Ranks bids for operators: cheapest and fastest marked (ties all marked), and a score in basis
 * points: `floor(6000 × cheapest / unitCost) + floor(3000 × fastest / leadTimeDays) + (sample ? 1000 : 0)`.
 * Ties in score go to the lower cost, then the shorter lead time, then the earlier submission.
 * Unit costs and lead times are at least 1.
 */
export function compareBids<T extends Scorable>(bids: readonly T[]): Scored<T>[] {
  if (bids.length === 0) return [];
  const cheapest = Math.min(...bids.map((b) => b.unitCost.amount));
  const fastest = Math.min(...bids.map((b) => b.leadTimeDays));
  return bids
    .map((bid) => ({
      bid,
      cheapest: bid.unitCost.amount === cheapest,
      fastest: bid.leadTimeDays === fastest,
      scoreBps:
        ratioBps(6000, cheapest, bid.unitCost.amount) +
        ratioBps(3000, fastest, bid.leadTimeDays) +
        (bid.sampleOffered ? 1000 : 0),
    }))
    .sort(
      (a, b) =>
        b.scoreBps - a.scoreBps ||
        a.bid.unitCost.amount - b.bid.unitCost.amount ||
        a.bid.leadTimeDays - b.bid.leadTimeDays ||
        a.bid.submittedAt.localeCompare(b.bid.submittedAt) ||
        a.bid.id.localeCompare(b.bid.id),
    )
    .map((s, i) => ({ rank: i + 1, ...s }));
}

/** What an award is checked against: the live bids of the call by id. */
export interface AwardableBid {
  minQuantity: number;
  maxQuantity: number;
}

/**
 * The problems of an award, field by field (empty when it holds): each bid live, named once, its
 * quantity within the bid's minimum and maximum; the total no more than wanted, and no less
 * unless `allowUndercover`.
 */
export function checkAwards(
  wanted: number,
  bids: ReadonlyMap<string, AwardableBid>,
  awards: readonly { bidId: string; quantity: number }[],
  allowUndercover: boolean,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const [i, a] of awards.entries()) {
    total += a.quantity;
    const bid = bids.get(a.bidId);
    if (seen.has(a.bidId)) {
      problems.push({ path: `awards.${i}.bidId`, message: 'is awarded twice' });
      continue;
    }
    seen.add(a.bidId);
    if (!bid) {
      problems.push({ path: `awards.${i}.bidId`, message: 'is not a live bid of this call' });
      continue;
    }
    if (a.quantity < bid.minQuantity) {
      problems.push({ path: `awards.${i}.quantity`, message: `is below the bid’s minimum of ${bid.minQuantity}` });
    } else if (a.quantity > bid.maxQuantity) {
      problems.push({ path: `awards.${i}.quantity`, message: `is above the bid’s maximum of ${bid.maxQuantity}` });
    }
  }
  if (total > wanted) {
    problems.push({ path: 'awards', message: `add up to ${total}, more than the ${wanted} wanted` });
  } else if (total < wanted && !allowUndercover) {
    problems.push({
      path: 'awards',
      message: `add up to ${total}, less than the ${wanted} wanted; set allowUndercover to award less`,
    });
  }
  return problems;
}
