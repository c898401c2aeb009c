import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAwards, compareBids } from './bids.scoring.js';

const bid = fc.record({
  unitCost: fc.record({ amount: fc.integer({ min: 1, max: 1_000_000_000_000 }) }),
  leadTimeDays: fc.integer({ min: 1, max: 3650 }),
  sampleOffered: fc.boolean(),
  submittedAt: fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Date(1_700_000_000_000 + n).toISOString()),
});
const bids = fc
  .array(bid, { minLength: 1, maxLength: 12 })
  .map((list) => list.map((b, i) => ({ ...b, id: `bid_${String(i).padStart(3, '0')}` })));

/** The score computed another way: exact rationals with BigInt, floored. */
function modelScore(
  b: { unitCost: { amount: number }; leadTimeDays: number; sampleOffered: boolean },
  cheapest: number,
  fastest: number,
) {
  const cost = (6000n * BigInt(cheapest)) / BigInt(b.unitCost.amount);
  const lead = (3000n * BigInt(fastest)) / BigInt(b.leadTimeDays);
  return Number(cost + lead) + (b.sampleOffered ? 1000 : 0);
}

describe('compareBids', () => {
  it('scores every bid exactly by the documented formula, within 0..10000, ranked best first', () => {
    fc.assert(
      fc.property(bids, (list) => {
        const scored = compareBids(list);
        const cheapest = Math.min(...list.map((b) => b.unitCost.amount));
        const fastest = Math.min(...list.map((b) => b.leadTimeDays));
        expect(scored.map((s) => s.rank)).toEqual(list.map((_, i) => i + 1));
        expect(new Set(scored.map((s) => s.bid.id)).size).toBe(list.length);
        for (const s of scored) {
          expect(s.scoreBps).toBe(modelScore(s.bid, cheapest, fastest));
          expect(s.scoreBps).toBeGreaterThanOrEqual(0);
          expect(s.scoreBps).toBeLessThanOrEqual(10_000);
          expect(s.cheapest).toBe(s.bid.unitCost.amount === cheapest);
          expect(s.fastest).toBe(s.bid.leadTimeDays === fastest);
          if (s.cheapest && s.fastest) expect(s.scoreBps).toBe(s.bid.sampleOffered ? 10_000 : 9_000);
        }
        for (let i = 1; i < scored.length; i++) expect(scored[i - 1]!.scoreBps).toBeGreaterThanOrEqual(scored[i]!.scoreBps);
      }),
    );
  });

  it('ranks the same bids the same way whatever order they come in', () => {
    fc.assert(
      fc.property(
        bids.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([list, shuffled]) => {
          expect(compareBids(shuffled).map((s) => s.bid.id)).toEqual(compareBids(list).map((s) => s.bid.id));
        },
      ),
    );
  });

  it('never scores a bid lower for a lower cost or a shorter lead time', () => {
    fc.assert(
      fc.property(bids, fc.nat(), fc.integer({ min: 1, max: 1000 }), (list, pick, by) => {
        const i = pick % list.length;
        const before = compareBids(list).find((s) => s.bid.id === list[i]!.id)!.scoreBps;
        const better = list.map((b, j) =>
          j === i
            ? { ...b, unitCost: { amount: Math.max(1, b.unitCost.amount - by) }, leadTimeDays: Math.max(1, b.leadTimeDays - by) }
            : b,
        );
        expect(compareBids(better).find((s) => s.bid.id === list[i]!.id)!.scoreBps).toBeGreaterThanOrEqual(before);
      }),
    );
  });
});

describe('checkAwards', () => {
  const live = fc
    .array(
      fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3000 })).map(([min, extra]) => ({
        minQuantity: min,
        maxQuantity: min + extra,
      })),
      { minLength: 1, maxLength: 5 },
    )
    .map((list) => new Map(list.map((b, i) => [`bid_${i}`, b])));

  it('accepts exactly the awards within each bid’s range that add up to the wanted quantity (or less with the flag)', () => {
    fc.assert(
      fc.property(
        live,
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6000 })), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (bidsById, wanted, raw, allowUndercover) => {
          const awards = raw.map(([i, quantity]) => ({ bidId: `bid_${i}`, quantity }));
          const problems = checkAwards(wanted, bidsById, awards, allowUndercover);
          const total = awards.reduce((s, a) => s + a.quantity, 0);
          const ids = awards.map((a) => a.bidId);
          const valid =
            new Set(ids).size === ids.length &&
            awards.every((a) => {
              const b = bidsById.get(a.bidId);
              return b !== undefined && a.quantity >= b.minQuantity && a.quantity <= b.maxQuantity;
            }) &&
            total <= wanted &&
            (allowUndercover || total === wanted);
          expect(problems.length === 0).toBe(valid);
          for (const p of problems) expect(p.path).toMatch(/^awards(\.\d+\.(bidId|quantity))?$/);
        },
      ),
    );
  });
});
