import type { AgreementTerms } from '../../contracts/chain-groups.js';
import type { FieldProblem } from '../../platform/errors.js';

export const BPS = 10_000;

const isBps = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= BPS;

/**
 * Checks the sums of an agreement's terms; returns one problem per bad field (empty when valid).
 *
 * - every basis-point figure is an integer in 0..10000;
 * - platform fee + referral commission (+ the pool, when it is a stated share) ≤ 10000;
 * - the role shares add up to exactly 10000, and each names a role some participant holds;
 * - the maker's unit cost is in the price's currency and, with the fees and the pool, fits in the
 *   reference price: cost × 10000 + price × (platform + referral + pool share) ≤ price × 10000;
 * - contribution weights are integers ≥ 0, at least one above 0.
 *
 * @example validateTerms(terms, new Set(['lead', 'creator'])) // → [{ path: 'roleShares', … }]
 */
export function validateTerms(terms: AgreementTerms, participantRoles: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });

  const fee = terms.platformFeeBps;
  const referral = terms.referralCommissionBps;
  const poolShare = terms.pool.mode === 'share' ? terms.pool.bps : 0;
  if (!isBps(fee)) bad('platformFeeBps', 'must be an integer from 0 to 10000');
  if (!isBps(referral)) bad('referralCommissionBps', 'must be an integer from 0 to 10000');
  if (terms.pool.mode === 'share' && !isBps(terms.pool.bps)) bad('pool.bps', 'must be an integer from 0 to 10000');
  const sharesOk = isBps(fee) && isBps(referral) && isBps(poolShare);
  if (sharesOk && fee + referral + poolShare > BPS) {
    bad(
      terms.pool.mode === 'share' ? 'pool.bps' : 'referralCommissionBps',
      `platform fee, referral commission${terms.pool.mode === 'share' ? ' and pool' : ''} add up to ${fee + referral + poolShare} basis points, more than 10000`,
    );
  }

  const roles = Object.entries(terms.roleShares);
  let roleSum = 0;
  let rolesOk = roles.length > 0;
  for (const [role, bps] of roles) {
    if (!isBps(bps)) {
      bad(`roleShares.${role}`, 'must be an integer from 0 to 10000');
      rolesOk = false;
    } else if (!participantRoles.has(role)) {
      bad(`roleShares.${role}`, 'no participant has this role');
    }
    roleSum += Number(bps);
  }
  if (roles.length === 0) bad('roleShares', 'must name at least one role');
  else if (rolesOk && roleSum !== BPS) bad('roleShares', `add up to ${roleSum} basis points; they must add up to exactly 10000`);

  const price = terms.referenceUnitPrice.amount;
  const cost = terms.makerUnitCost;
  if (cost) {
    if (cost.currency !== terms.referenceUnitPrice.currency) {
      bad('makerUnitCost.currency', `must be the reference price's currency, ${terms.referenceUnitPrice.currency}`);
    } else if (cost.amount > price) {
      bad('makerUnitCost', 'is more than the reference unit price');
    } else if (
      sharesOk &&
      fee + referral + poolShare <= BPS &&
      cost.amount * BPS + price * (fee + referral + poolShare) > price * BPS
    ) {
      bad('makerUnitCost', 'with the platform fee, referral commission and pool, is more than the reference unit price');
    }
  }

  const w = terms.contributionWeights;
  const weights: [string, number][] = [
    ['contributionWeights.needAuthor', w.needAuthor],
    ['contributionWeights.chosenSolutionAuthors', w.chosenSolutionAuthors],
    ['contributionWeights.earlySupporters.weight', w.earlySupporters.weight],
    ['contributionWeights.pollVoters', w.pollVoters],
    ['contributionWeights.trialReviewers', w.trialReviewers],
  ];
  let weightsOk = true;
  for (const [path, n] of weights) {
    if (!Number.isInteger(n) || n < 0) {
      bad(path, 'must be an integer of 0 or more');
      weightsOk = false;
    }
  }
  if (!Number.isInteger(w.earlySupporters.first) || w.earlySupporters.first < 0) {
    bad('contributionWeights.earlySupporters.first', 'must be an integer of 0 or more');
  }
  if (weightsOk && weights.every(([, n]) => n === 0)) bad('contributionWeights', 'at least one weight must be above 0');
  return problems;
}
