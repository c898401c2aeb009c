import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgreementTerms } from '../../contracts/chain-groups.js';
import { validateTerms } from './chain-groups.agreement.js';

const participantRoles = new Set(['lead', 'creator', 'designer', 'maker']);
const weights = {
  needAuthor: 5,
  chosenSolutionAuthors: 3,
  earlySupporters: { first: 100, weight: 1 },
  pollVoters: 1,
  trialReviewers: 0,
};

/** Mostly basis points in range, sometimes just outside it or not an integer. */
const bps = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -500, max: 10_500 }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 10_000, noNaN: true }) },
);

/** Role shares that often add up to exactly 10000 (one role takes the rest), sometimes not. */
const roleShares = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom('lead', 'creator', 'designer', 'maker', 'investor'), { maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 4, maxLength: 4 }),
    fc.boolean(),
    bps,
  )
  .map(([roles, raw, balance, odd]) => {
    const shares: Record<string, number> = {};
    let left = 10_000;
    roles.forEach((role, i) => {
      const last = i === roles.length - 1;
      const share = last && balance ? left : Math.min(raw[i]!, Math.max(left, 0));
      shares[role] = share;
      left -= share;
    });
    if (roles.length > 0 && !balance && raw[0]! % 5 === 0) shares[roles[0]!] = odd;
    return shares;
  });

const isBps = (n: number) => Number.isInteger(n) && n >= 0 && n <= 10_000;

function terms(t: Partial<AgreementTerms>): AgreementTerms {
  return {
    referenceUnitPrice: { amount: 12_800, currency: 'CNY' },
    makerUnitCost: null,
    platformFeeBps: 1_000,
    referralCommissionBps: 500,
    pool: { mode: 'rest' },
    roleShares: { lead: 10_000 },
    contributionWeights: weights,
    ...t,
  };
}

describe('validateTerms', () => {
  it('accepts a bps table exactly when every figure is 0..10000, fee + referral + pool share ≤ 10000 and role shares add to 10000 over held roles', () => {
    fc.assert(
      fc.property(
        bps,
        bps,
        fc.option(bps, { nil: undefined }),
        roleShares,
        (platformFeeBps, referralCommissionBps, poolBps, shares) => {
          const pool = poolBps === undefined ? ({ mode: 'rest' } as const) : ({ mode: 'share', bps: poolBps } as const);
          const problems = validateTerms(
            terms({ platformFeeBps, referralCommissionBps, pool, roleShares: shares }),
            participantRoles,
          );
          const values = Object.values(shares);
          const expected =
            isBps(platformFeeBps) &&
            isBps(referralCommissionBps) &&
            (poolBps === undefined || isBps(poolBps)) &&
            platformFeeBps + referralCommissionBps + (poolBps ?? 0) <= 10_000 &&
            values.length > 0 &&
            values.every(isBps) &&
            values.reduce((a, b) => a + b, 0) === 10_000 &&
            Object.keys(shares).every((r) => participantRoles.has(r));
          expect(problems.length === 0, JSON.stringify(problems)).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('accepts a maker cost exactly when it and the fees and pool fit in the reference price, in its currency', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_100_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        fc.constantFrom('CNY', 'CNY', 'CNY', 'USD'),
        (price, cost, fee, referral, poolBps, currency) => {
          const pool = poolBps === undefined ? ({ mode: 'rest' } as const) : ({ mode: 'share', bps: poolBps } as const);
          const problems = validateTerms(
            terms({
              referenceUnitPrice: { amount: price, currency: 'CNY' },
              makerUnitCost: { amount: cost, currency },
              platformFeeBps: fee,
              referralCommissionBps: referral,
              pool,
            }),
            participantRoles,
          );
          const bpsTotal = fee + referral + (poolBps ?? 0);
          const expected = bpsTotal <= 10_000 && currency === 'CNY' && cost * 10_000 + price * bpsTotal <= price * 10_000;
          expect(problems.length === 0, JSON.stringify(problems)).toBe(expected);
          if (bpsTotal <= 10_000 && !expected) {
            expect(problems.map((p) => p.path)).toEqual([currency === 'CNY' ? 'makerUnitCost' : 'makerUnitCost.currency']);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('needs at least one contribution weight above zero', () => {
    const zero = {
      needAuthor: 0,
      chosenSolutionAuthors: 0,
      earlySupporters: { first: 50, weight: 0 },
      pollVoters: 0,
      trialReviewers: 0,
    };
    expect(validateTerms(terms({ contributionWeights: zero }), participantRoles).map((p) => p.path)).toEqual([
      'contributionWeights',
    ]);
    expect(validateTerms(terms({ contributionWeights: { ...zero, trialReviewers: 1 } }), participantRoles)).toEqual([]);
  });
});
