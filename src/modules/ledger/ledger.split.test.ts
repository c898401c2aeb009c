import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgreementTerms } from '../../contracts/chain-groups.js';
import { validateTerms } from '../chain-groups/index.js';
import {
  type Allocation,
  type Contributors,
  largestRemainder,
  type Participant,
  type Purpose,
  reverse,
  reverseCumulative,
  type SaleInput,
  splitSale,
} from './ledger.split.js';

const weights = {
  needAuthor: 3,
  chosenSolutionAuthors: 3,
  earlySupporters: { first: 100, weight: 1 },
  pollVoters: 1,
  trialReviewers: 1,
};

/** The reference story's terms: a 375 ml bottle at 59.00, made for 33.00. */
function terms(t: Partial<AgreementTerms> = {}): AgreementTerms {
  return {
    referenceUnitPrice: { amount: 5900, currency: 'CNY' },
    makerUnitCost: { amount: 3300, currency: 'CNY' },
    platformFeeBps: 1000,
    referralCommissionBps: 500,
    pool: { mode: 'rest' },
    roleShares: { lead: 5000, creator: 5000 },
    contributionWeights: weights,
    ...t,
  };
}

const noContributors: Contributors = {
  needAuthor: [],
  chosenSolutionAuthors: [],
  earlySupporters: [],
  pollVoters: [],
  trialReviewers: [],
};

const story: Participant[] = [
  { kind: 'member', id: 'mem_lead', role: 'lead' },
  { kind: 'member', id: 'mem_solver', role: 'creator' },
  { kind: 'organisation', id: 'org_w1', role: 'maker' },
  { kind: 'organisation', id: 'org_w2', role: 'maker' },
];

function sale(s: Partial<SaleInput> = {}): SaleInput {
  return {
    terms: terms(),
    paid: { amount: 11_800, currency: 'CNY' },
    quantity: 2,
    makerUnits: { org_w1: 1, org_w2: 1 },
    referrerId: 'mem_ref',
    participants: story,
    contributors: { ...noContributors, needAuthor: ['mem_lead'], chosenSolutionAuthors: ['mem_solver'] },
    ...s,
  };
}

const total = (list: readonly { amount: number }[]) => list.reduce((s, a) => s + a.amount, 0);

/** Allocations as `kind:id purpose[/role]` → amount, for readable expectations. */
const table = (list: readonly Allocation[]) =>
  Object.fromEntries(
    list.map((a) => [`${a.party.kind}:${a.party.id} ${a.purpose}${a.role ? `/${a.role}` : ''}`, a.amount] as const),
  );

const identity = (a: Allocation) => JSON.stringify([a.party.kind, a.party.id, a.purpose, a.role ?? null]);

/** |x − num/den| < 1 for den > 0: x is the floor or the ceiling of num/den. */
const withinOne = (x: bigint | number, num: bigint, den: bigint) => {
  const d = BigInt(x) * den - num;
  return d > -den && d < den;
};

describe('largestRemainder', () => {
  const equal = (keys: string[]) => keys.map((key) => ({ key, weight: 1 }));

  it('gives 1 minor unit split three ways to the first key in code-unit order', () => {
    expect(largestRemainder(1, equal(['c', 'a', 'b']))).toEqual([
      { key: 'c', amount: 0 },
      { key: 'a', amount: 1 },
      { key: 'b', amount: 0 },
    ]);
  });

  it('splits 100 in 1:1:1 as 34/33/33, the extra unit to the first key', () => {
    expect(largestRemainder(100, equal(['a', 'b', 'c'])).map((p) => p.amount)).toEqual([34, 33, 33]);
    expect(largestRemainder(100, equal(['b', 'c', 'a']))).toEqual([
      { key: 'b', amount: 33 },
      { key: 'c', amount: 33 },
      { key: 'a', amount: 34 },
    ]);
  });

  it('gives the leftover units to the largest remainders first', () => {
    // exact 1.4 / 2.8 / 5.8: floors 1 + 2 + 5 = 8, two units left for .8 and .8
    const shares = [7, 14, 29].map((weight, i) => ({ key: `k${i}`, weight }));
    expect(largestRemainder(10, shares).map((p) => p.amount)).toEqual([1, 3, 6]);
  });

  it('breaks equal remainders by the larger weight before the key', () => {
    // 2 over 1:3 is 0.5 / 1.5: equal remainders, the larger weight takes the unit
    expect(
      largestRemainder(2, [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 3 },
      ]).map((p) => p.amount),
    ).toEqual([0, 2]);
  });

  it('orders keys by UTF-16 code units (uppercase before lowercase, astral characters before U+FF5E)', () => {
    expect(largestRemainder(1, equal(['a', 'B'])).map((p) => p.amount)).toEqual([0, 1]);
    expect(largestRemainder(1, equal(['\uff5e', '😀'])).map((p) => p.amount)).toEqual([0, 1]);
  });

  it('gives zero-weight keys nothing, even first in key order', () => {
    expect(largestRemainder(1, [{ key: 'a', weight: 0 }, ...equal(['b', 'c'])]).map((p) => p.amount)).toEqual([0, 1, 0]);
    expect(largestRemainder(0, equal(['a', 'b'])).map((p) => p.amount)).toEqual([0, 0]);
  });

  it('is exact with weights and products beyond 2^53', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const parts = largestRemainder(max, [
      { key: 'a', weight: 10n ** 16n + 1n },
      { key: 'b', weight: 10n ** 16n },
      { key: 'c', weight: Number.MAX_SAFE_INTEGER },
    ]);
    expect(total(parts)).toBe(max);
    const W = 2n * 10n ** 16n + 1n + BigInt(max);
    expect(withinOne(parts[0]!.amount, BigInt(max) * (10n ** 16n + 1n), W)).toBe(true);
  });

  it('refuses negative or fractional amounts and weights, duplicate keys, and all-zero weights', () => {
    expect(() => largestRemainder(-1, equal(['a']))).toThrow(RangeError);
    expect(() => largestRemainder(1.5, equal(['a']))).toThrow(RangeError);
    expect(() => largestRemainder(1, [{ key: 'a', weight: -1 }])).toThrow(RangeError);
    expect(() => largestRemainder(1, [{ key: 'a', weight: 0.5 }])).toThrow(RangeError);
    expect(() => largestRemainder(1, [{ key: 'a', weight: -1n }])).toThrow(RangeError);
    expect(() => largestRemainder(1, equal(['a', 'a']))).toThrow(/duplicate/);
    expect(() => largestRemainder(1, [{ key: 'a', weight: 0 }])).toThrow(/above 0/);
    expect(() => largestRemainder(1, [])).toThrow(/above 0/);
  });

  it('gives every part the floor or ceiling of its exact share, adding up to the total, whatever the order', () => {
    const weight = fc.oneof(
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.bigInt({ min: 0n, max: 10n ** 20n }),
    );
    const shares = fc
      .uniqueArray(fc.record({ key: fc.string({ maxLength: 3, unit: 'binary' }), weight }), {
        minLength: 1,
        maxLength: 12,
        selector: (s) => s.key,
      })
      .filter((list) => list.some((s) => BigInt(s.weight) > 0n));
    const amount = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(amount, shares, (t, list) => {
        const parts = largestRemainder(t, list);
        expect(total(parts)).toBe(t);
        const W = list.reduce((s, x) => s + BigInt(x.weight), 0n);
        parts.forEach((p, i) => {
          const w = BigInt(list[i]!.weight);
          expect(p.key).toBe(list[i]!.key);
          expect(Number.isSafeInteger(p.amount)).toBe(true);
          expect(withinOne(p.amount, BigInt(t) * w, W)).toBe(true);
          if (w === 0n) expect(p.amount).toBe(0);
          if ((BigInt(t) * w) % W === 0n) expect(BigInt(p.amount) * W).toBe(BigInt(t) * w);
        });
        const byKey = (ps: { key: string; amount: number }[]) => new Map(ps.map((p) => [p.key, p.amount]));
        expect(byKey(largestRemainder(t, [...list].reverse()))).toEqual(byKey(parts));
      }),
      { numRuns: 500 },
    );
  });
});

describe('splitSale', () => {
  it('pays the maker’s cost × quantity, the fee, the commission and the rest to the pool, at the reference price', () => {
    const out = splitSale(sale());
    expect(table(out)).toEqual({
      'organisation:org_w1 maker-cost': 3300,
      'organisation:org_w2 maker-cost': 3300,
      'platform:platform platform-fee': 1180,
      'member:mem_ref referral-commission': 590,
      'member:mem_lead cocreator-pool/lead': 1715,
      'member:mem_solver cocreator-pool/creator': 1715,
    });
    expect(total(out)).toBe(11_800);
  });

  it('leaves the commission in the pool when no referrer is attributed', () => {
    expect(table(splitSale(sale({ referrerId: null })))).toEqual({
      'organisation:org_w1 maker-cost': 3300,
      'organisation:org_w2 maker-cost': 3300,
      'platform:platform platform-fee': 1180,
      'member:mem_lead cocreator-pool/lead': 2010,
      'member:mem_solver cocreator-pool/creator': 2010,
    });
  });

  it('with a stated pool share, pays the rest to the platform as its margin and an uncharged commission to the pool', () => {
    const share = terms({ pool: { mode: 'share', bps: 2000 } });
    expect(table(splitSale(sale({ terms: share })))).toEqual({
      'organisation:org_w1 maker-cost': 3300,
      'organisation:org_w2 maker-cost': 3300,
      'platform:platform platform-fee': 1180,
      'member:mem_ref referral-commission': 590,
      'member:mem_lead cocreator-pool/lead': 1180,
      'member:mem_solver cocreator-pool/creator': 1180,
      'platform:platform platform-margin': 1070,
    });
    const unreferred = table(splitSale(sale({ terms: share, referrerId: null })));
    expect(unreferred['member:mem_lead cocreator-pool/lead']).toBe(1475);
    expect(unreferred['platform:platform platform-margin']).toBe(1070);
  });

  it('holds the makers’ part as unassigned before fulfilment, and the unfulfilled units’ part after a partial one', () => {
    const before = table(splitSale(sale({ makerUnits: {} })));
    expect(before['unassigned:makers-unassigned maker-cost']).toBe(6600);
    expect(Object.keys(before).filter((k) => k.startsWith('organisation:'))).toEqual([]);
    const partial = table(splitSale(sale({ makerUnits: { org_w1: 1 } })));
    expect(partial['organisation:org_w1 maker-cost']).toBe(3300);
    expect(partial['unassigned:makers-unassigned maker-cost']).toBe(3300);
  });

  it('pays the makers in proportion to the units each fulfilled', () => {
    const out = table(
      splitSale(sale({ quantity: 3, paid: { amount: 17_700, currency: 'CNY' }, makerUnits: { org_w2: 1, org_w1: 2 } })),
    );
    expect(out['organisation:org_w1 maker-cost']).toBe(6600);
    expect(out['organisation:org_w2 maker-cost']).toBe(3300);
  });

  it('scales every part proportionally when the total differs from quantity × reference price', () => {
    // an early-bird tier of 50.00 a bottle: 10000 over 33000 : 5900 : 2950 : 17150 of 59000
    expect(table(splitSale(sale({ paid: { amount: 10_000, currency: 'CNY' }, makerUnits: { org_w1: 2 } })))).toEqual({
      'organisation:org_w1 maker-cost': 5593,
      'platform:platform platform-fee': 1000,
      'member:mem_ref referral-commission': 500,
      // 2907 over 5000:5000 is 1453.5 each: the tie goes to the role first in code-unit order
      'member:mem_lead cocreator-pool/lead': 1453,
      'member:mem_solver cocreator-pool/creator': 1454,
    });
  });

  it('spreads the share of a role nobody holds over the other roles, in proportion to their shares', () => {
    const t = terms({ roleShares: { lead: 5000, creator: 3000, designer: 2000 } });
    expect(validateTerms(t, new Set(['lead', 'creator', 'designer']))).toEqual([]);
    const out = table(splitSale(sale({ terms: t })));
    // 3430 over 5:3 = 2143.75 / 1286.25
    expect(out['member:mem_lead cocreator-pool/lead']).toBe(2144);
    expect(out['member:mem_solver cocreator-pool/creator']).toBe(1286);
  });

  it('holds the pool as unassigned when no role with a share has a holder', () => {
    const out = table(splitSale(sale({ participants: [] })));
    expect(out['unassigned:cocreators-unassigned cocreator-pool']).toBe(3430);
    const zeroHeld = terms({ roleShares: { lead: 0, creator: 10_000 } });
    const onlyLead = table(splitSale(sale({ terms: zeroHeld, participants: [story[0]!] })));
    expect(onlyLead['unassigned:cocreators-unassigned cocreator-pool']).toBe(3430);
  });

  it('gives a role with a zero share nothing', () => {
    const out = table(splitSale(sale({ terms: terms({ roleShares: { lead: 10_000, creator: 0 } }) })));
    expect(out['member:mem_lead cocreator-pool/lead']).toBe(3430);
    expect(out['member:mem_solver cocreator-pool/creator']).toBeUndefined();
  });

  it('divides a role’s share by contribution weight, a zero-weighted kind counting for nothing', () => {
    const leads: Participant[] = [
      { kind: 'member', id: 'mem_lead', role: 'lead' },
      { kind: 'member', id: 'mem_voter', role: 'lead' },
      { kind: 'member', id: 'mem_tester', role: 'lead' },
      { kind: 'member', id: 'mem_late', role: 'lead' },
    ];
    const contributors: Contributors = {
      needAuthor: ['mem_lead'],
      chosenSolutionAuthors: [],
      earlySupporters: [
        { memberId: 'mem_voter', rank: 100 },
        { memberId: 'mem_late', rank: 101 },
      ],
      pollVoters: ['mem_voter', 'mem_voter'],
      trialReviewers: ['mem_tester'],
    };
    const t = terms({ roleShares: { lead: 10_000 }, contributionWeights: { ...weights, trialReviewers: 0 } });
    const out = table(splitSale(sale({ terms: t, participants: leads, contributors })));
    // 3430 over needAuthor 3 : (early supporter 1 + poll voter 1) 2 = 2058 / 1372
    expect(out).toMatchObject({ 'member:mem_lead cocreator-pool/lead': 2058, 'member:mem_voter cocreator-pool/lead': 1372 });
    expect(out['member:mem_tester cocreator-pool/lead']).toBeUndefined();
    expect(out['member:mem_late cocreator-pool/lead']).toBeUndefined();
  });

  it('shares a role equally when none of its holders has a weighted contribution', () => {
    const out = table(
      splitSale(
        sale({
          participants: [
            story[0]!,
            { kind: 'member', id: 'mem_b', role: 'creator' },
            { kind: 'member', id: 'mem_a', role: 'creator' },
          ],
          contributors: { ...noContributors, needAuthor: ['mem_lead'] },
        }),
      ),
    );
    expect(out['member:mem_a cocreator-pool/creator']).toBe(858);
    expect(out['member:mem_b cocreator-pool/creator']).toBe(857);
  });

  it('gives a party in two roles each role’s part, and a referrer who co-created both the commission and the pool', () => {
    const out = table(
      splitSale(
        sale({
          participants: [
            { kind: 'member', id: 'mem_lead', role: 'lead' },
            { kind: 'member', id: 'mem_lead', role: 'creator' },
          ],
          referrerId: 'mem_lead',
        }),
      ),
    );
    expect(out).toMatchObject({
      'member:mem_lead referral-commission': 590,
      'member:mem_lead cocreator-pool/lead': 1715,
      'member:mem_lead cocreator-pool/creator': 1715,
    });
  });

  it('holds what the maker’s cost comes out of while the terms have none', () => {
    expect(table(splitSale(sale({ terms: terms({ makerUnitCost: null }) })))).toEqual({
      'platform:platform platform-fee': 1180,
      'member:mem_ref referral-commission': 590,
      'unassigned:maker-cost-pending maker-cost-pending': 10_030,
    });
    const share = table(splitSale(sale({ terms: terms({ makerUnitCost: null, pool: { mode: 'share', bps: 2000 } }) })));
    expect(share['unassigned:maker-cost-pending maker-cost-pending']).toBe(7670);
    expect(share['member:mem_lead cocreator-pool/lead']).toBe(1180);
  });

  it('allocates nothing of a free order, and 1 minor unit to the largest share', () => {
    expect(splitSale(sale({ paid: { amount: 0, currency: 'CNY' } }))).toEqual([]);
    expect(table(splitSale(sale({ paid: { amount: 1, currency: 'CNY' }, quantity: 1, makerUnits: { org_w1: 1 } })))).toEqual({
      'organisation:org_w1 maker-cost': 1,
    });
  });

  it('refuses another currency, more units fulfilled than ordered, a quantity below 1 and a fractional amount', () => {
    expect(() => splitSale(sale({ paid: { amount: 11_800, currency: 'USD' } }))).toThrow(/USD/);
    expect(() => splitSale(sale({ makerUnits: { org_w1: 2, org_w2: 1 } }))).toThrow(/3 units of an order of 2/);
    expect(() => splitSale(sale({ quantity: 0 }))).toThrow(RangeError);
    expect(() => splitSale(sale({ paid: { amount: 0.5, currency: 'CNY' } }))).toThrow(RangeError);
    expect(() => splitSale(sale({ makerUnits: { org_w1: -1 } }))).toThrow(RangeError);
  });
});

describe('reverse', () => {
  const allocations = splitSale(sale());

  it('takes back every allocation exactly on a full refund', () => {
    expect(reverse(allocations, 11_800, 11_800)).toEqual(allocations);
  });

  it('takes back a partial refund in proportion, adding up to it', () => {
    const back = reverse(allocations, 5_900, 11_800);
    expect(total(back)).toBe(5_900);
    expect(table(back)).toMatchObject({ 'organisation:org_w1 maker-cost': 1650, 'platform:platform platform-fee': 590 });
  });

  it('restores zero exactly after refunds of one minor unit each', () => {
    const small = splitSale(sale({ paid: { amount: 1_001, currency: 'CNY' } }));
    const taken: Allocation[] = [];
    for (let i = 0; i < 1_001; i += 1) taken.push(...reverseCumulative(small, taken, 1, 1_001));
    expect(taken).toHaveLength(1_001);
    const back = new Map<string, number>();
    for (const a of taken) back.set(identity(a), (back.get(identity(a)) ?? 0) + a.amount);
    expect(small.map((a) => back.get(identity(a)))).toEqual(small.map((a) => a.amount));
  });

  it('never pays a party on a refund where plain cumulative targets would (the Alabama paradox)', () => {
    const four: Allocation[] = [4, 2, 17, 17].map((amount, i) => ({
      party: { kind: 'member', id: `mem_${i}` },
      purpose: 'cocreator-pool',
      role: 'lead',
      amount,
    }));
    // largest-remainder targets: 1/0/1/1 of 3 refunded, 0/0/2/2 of 4: mem_0 would get 1 back
    expect(
      largestRemainder(
        4,
        four.map((a) => ({ key: a.party.id, weight: a.amount })),
      ).map((p) => p.amount),
    ).toEqual([0, 0, 2, 2]);
    const first = reverse(four, 3, 40);
    expect(first.map((a) => [a.party.id, a.amount])).toEqual([
      ['mem_0', 1],
      ['mem_2', 1],
      ['mem_3', 1],
    ]);
    const second = reverseCumulative(four, first, 1, 40);
    expect(second.map((a) => [a.party.id, a.amount])).toEqual([['mem_2', 1]]);
    const rest = reverseCumulative(four, [...first, ...second], 36, 40);
    expect(rest.map((a) => a.amount)).toEqual([3, 2, 15, 16]);
  });

  it('refuses refunds beyond the paid total, unknown or over-taken allocations, and allocations not adding up', () => {
    expect(() => reverse(allocations, 11_801, 11_800)).toThrow(/exceed/);
    expect(() => reverseCumulative(allocations, reverse(allocations, 11_000, 11_800), 801, 11_800)).toThrow(/exceed/);
    const stranger: Allocation = { party: { kind: 'member', id: 'mem_x' }, purpose: 'referral-commission', amount: 1 };
    expect(() => reverseCumulative(allocations, [stranger], 1, 11_800)).toThrow(/not one of/);
    expect(() => reverseCumulative(allocations, [{ ...allocations[0]!, amount: 3301 }], 1, 11_800)).toThrow(/more than/);
    expect(() => reverse(allocations, 1, 11_799)).toThrow(/add up/);
    expect(() => reverse([...allocations, allocations[0]!], 1, 15_100)).toThrow(/twice/);
    expect(reverse(allocations, 0, 11_800)).toEqual([]);
  });
});

// ——— properties over random agreements, sales and refunds ———

const ROLES = ['lead', 'creator', 'designer', 'marketer', 'maker', 'retailer'];
const MEMBERS = ['mem_a', 'mem_b', 'mem_c', 'mem_d', 'mem_e', 'mem_f'];
const ORGS = ['org_a', 'org_b', 'org_c'];

/** Basis points that add up to exactly 10000 over the given roles. */
const roleSharesOf = (roles: string[], cuts: number[]) => {
  const points = [0, ...cuts.slice(0, roles.length - 1).sort((a, b) => a - b), 10_000];
  return Object.fromEntries(roles.map((r, i) => [r, points[i + 1]! - points[i]!]));
};

/** Terms that validateTerms accepts, and the roles held when they were agreed. */
const agreement = fc
  .record({
    price: fc.oneof(
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 100_000 }),
      fc.integer({ min: 1, max: 1_000_000_000_000 }),
    ),
    fee: fc.integer({ min: 0, max: 10_000 }),
    referral: fc.integer({ min: 0, max: 10_000 }),
    poolShare: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
    cost: fc.oneof(fc.constant(null), fc.constant('max' as const), fc.integer({ min: 0, max: 1_000_000 })),
    roles: fc.uniqueArray(fc.constantFrom(...ROLES), { minLength: 1, maxLength: 4 }),
    cuts: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 3, maxLength: 3 }),
    weights: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 5, maxLength: 5 }),
    first: fc.integer({ min: 0, max: 10 }),
  })
  .map((g): AgreementTerms => {
    const fee = g.fee;
    const referral = g.referral % (10_001 - fee);
    const poolBps = g.poolShare === undefined ? 0 : g.poolShare % (10_001 - fee - referral);
    const maxCost = Number((BigInt(g.price) * BigInt(10_000 - fee - referral - poolBps)) / 10_000n);
    const cost = g.cost === null ? null : g.cost === 'max' ? maxCost : Math.floor((maxCost * g.cost) / 1_000_000);
    const [needAuthor, chosen, early, voters, reviewers] = g.weights as [number, number, number, number, number];
    return {
      referenceUnitPrice: { amount: g.price, currency: 'CNY' },
      makerUnitCost: cost === null ? null : { amount: cost, currency: 'CNY' },
      platformFeeBps: fee,
      referralCommissionBps: referral,
      pool: g.poolShare === undefined ? { mode: 'rest' } : { mode: 'share', bps: poolBps },
      roleShares: roleSharesOf(g.roles, g.cuts),
      contributionWeights: {
        needAuthor: g.weights.every((w) => w === 0) ? 1 : needAuthor,
        chosenSolutionAuthors: chosen,
        earlySupporters: { first: g.first, weight: early },
        pollVoters: voters,
        trialReviewers: reviewers,
      },
    };
  });

const party = fc.oneof(
  fc.constantFrom(...MEMBERS).map((id) => ({ kind: 'member' as const, id })),
  fc.constantFrom(...ORGS).map((id) => ({ kind: 'organisation' as const, id })),
);

const saleInput = agreement.chain((t) => {
  const held = Object.keys(t.roleShares);
  return fc
    .record({
      quantity: fc.integer({ min: 1, max: 50 }),
      priced: fc.oneof(
        fc.constant('reference' as const),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      ),
      makers: fc.array(fc.tuple(fc.constantFrom(...ORGS), fc.integer({ min: 0, max: 50 })), { maxLength: 3 }),
      referrer: fc.option(fc.constantFrom(...MEMBERS, 'mem_outsider'), { nil: null }),
      // every role of the terms held at agreement time; some holders may have left since
      holders: fc.array(fc.tuple(party, fc.boolean()), { minLength: held.length, maxLength: held.length }),
      others: fc.array(fc.tuple(party, fc.constantFrom(...ROLES)), { maxLength: 5 }),
      needAuthor: fc.subarray([...MEMBERS, 'mem_outsider'], { maxLength: 2 }),
      chosenSolutionAuthors: fc.subarray([...MEMBERS, ...ORGS], { maxLength: 2 }),
      earlySupporters: fc.array(
        fc.record({ memberId: fc.constantFrom(...MEMBERS, 'mem_outsider'), rank: fc.integer({ min: 1, max: 15 }) }),
      ),
      pollVoters: fc.subarray(MEMBERS),
      trialReviewers: fc.subarray(MEMBERS),
    })
    .map((g): { input: SaleInput; agreedWith: Participant[] } => {
      const makerUnits: Record<string, number> = {};
      let left = g.quantity;
      for (const [id, units] of g.makers) {
        const u = Math.min(units, left);
        makerUnits[id] = (makerUnits[id] ?? 0) + u;
        left -= u;
      }
      const agreedWith: Participant[] = [
        ...held.map((role, i) => ({ ...g.holders[i]![0], role })),
        ...g.others.map(([p, role]) => ({ ...p, role })),
      ];
      const stayed = agreedWith.filter((_, i) => i >= held.length || g.holders[i]![1]);
      const amount = g.priced === 'reference' ? g.quantity * t.referenceUnitPrice.amount : g.priced;
      return {
        agreedWith,
        input: {
          terms: t,
          paid: { amount, currency: 'CNY' },
          quantity: g.quantity,
          makerUnits,
          referrerId: g.referrer,
          participants: stayed,
          contributors: {
            needAuthor: g.needAuthor,
            chosenSolutionAuthors: g.chosenSolutionAuthors,
            earlySupporters: g.earlySupporters,
            pollVoters: g.pollVoters,
            trialReviewers: g.trialReviewers,
          },
        },
      };
    });
});

/** The purposes' weights per unit, restated from the policy in the file's header. */
function modelWeights(t: AgreementTerms, attributed: boolean): Record<Exclude<Purpose, 'suspense'>, bigint> {
  const p = BigInt(t.referenceUnitPrice.amount);
  const bps = (n: number) => p * BigInt(n);
  const commission = attributed ? bps(t.referralCommissionBps) : 0n;
  const cost = t.makerUnitCost ? BigInt(t.makerUnitCost.amount) * 10_000n : null;
  const pool = t.pool.mode === 'share' ? bps(t.pool.bps) + bps(t.referralCommissionBps) - commission : null;
  const left = bps(10_000) - bps(t.platformFeeBps) - commission - (pool ?? 0n);
  return {
    'platform-fee': bps(t.platformFeeBps),
    'referral-commission': commission,
    'maker-cost': cost ?? 0n,
    'cocreator-pool': pool ?? (cost === null ? 0n : left - cost),
    'platform-margin': pool !== null && cost !== null ? left - cost : 0n,
    'maker-cost-pending': cost === null ? left : 0n,
  };
}

const sumOf = (list: readonly Allocation[], keep: (a: Allocation) => boolean) =>
  BigInt(list.filter(keep).reduce((s, a) => s + a.amount, 0));

describe('splitSale and reverse over random agreements', () => {
  it('allocates every captured payment fully, in positive integer parts, each within one minor unit of its share at its level', () => {
    fc.assert(
      fc.property(saleInput, ({ input, agreedWith }) => {
        const { terms: t, paid } = input;
        expect(validateTerms(t, new Set(agreedWith.map((p) => p.role)))).toEqual([]);
        const out = splitSale(input);
        expect(total(out)).toBe(paid.amount);
        for (const a of out) expect(Number.isSafeInteger(a.amount) && a.amount > 0).toBe(true);
        expect(new Set(out.map(identity)).size).toBe(out.length);

        // level 1: each purpose within one minor unit of its exact share of the total
        const w = modelWeights(t, input.referrerId !== null);
        const W = Object.values(w).reduce((s, x) => s + x, 0n);
        const purposeTotals = new Map<Purpose, bigint>();
        for (const purpose of Object.keys(w) as (keyof typeof w)[]) {
          const got = sumOf(out, (a) => a.purpose === purpose);
          purposeTotals.set(purpose, got);
          expect(withinOne(got, BigInt(paid.amount) * w[purpose], W), purpose).toBe(true);
        }
        if (input.referrerId === null) expect(out.some((a) => a.purpose === 'referral-commission')).toBe(false);

        // level 2: makers by units fulfilled, the rest unassigned
        const makers = purposeTotals.get('maker-cost')!;
        const units = Object.values(input.makerUnits).reduce((s, u) => s + u, 0);
        const q = BigInt(input.quantity);
        for (const [id, u] of Object.entries(input.makerUnits)) {
          expect(
            withinOne(
              sumOf(out, (a) => a.purpose === 'maker-cost' && a.party.id === id),
              makers * BigInt(u),
              q,
            ),
          ).toBe(true);
        }
        const unassigned = sumOf(out, (a) => a.party.id === 'makers-unassigned');
        expect(withinOne(unassigned, makers * BigInt(input.quantity - units), q)).toBe(true);

        // level 2: the pool between held roles by their shares; level 3: holders by contribution
        const pool = purposeTotals.get('cocreator-pool')!;
        const roles = Object.entries(t.roleShares).filter(([r]) => input.participants.some((p) => p.role === r));
        const heldBps = BigInt(roles.reduce((s, [, bps]) => s + bps, 0));
        if (heldBps === 0n) {
          expect(sumOf(out, (a) => a.party.id === 'cocreators-unassigned')).toBe(pool);
          return;
        }
        const c = input.contributors;
        const cw = t.contributionWeights;
        const weightOf = (id: string) =>
          BigInt(
            (c.needAuthor.includes(id) ? cw.needAuthor : 0) +
              (c.chosenSolutionAuthors.includes(id) ? cw.chosenSolutionAuthors : 0) +
              (c.earlySupporters.some((s) => s.memberId === id && s.rank <= cw.earlySupporters.first)
                ? cw.earlySupporters.weight
                : 0) +
              (c.pollVoters.includes(id) ? cw.pollVoters : 0) +
              (c.trialReviewers.includes(id) ? cw.trialReviewers : 0),
          );
        for (const [role, bps] of roles) {
          const share = sumOf(out, (a) => a.role === role);
          expect(withinOne(share, pool * BigInt(bps), heldBps), role).toBe(true);
          const holders = [
            ...new Map(input.participants.filter((p) => p.role === role).map((p) => [`${p.kind}:${p.id}`, p])).values(),
          ];
          const hw = holders.map((h) => weightOf(h.id));
          const equal = hw.every((x) => x === 0n);
          const HW = equal ? BigInt(holders.length) : hw.reduce((s, x) => s + x, 0n);
          holders.forEach((h, i) => {
            const got = sumOf(out, (a) => a.role === role && a.party.kind === h.kind && a.party.id === h.id);
            expect(withinOne(got, share * (equal ? 1n : hw[i]!), HW)).toBe(true);
          });
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('takes back refunds in any number of parts without going below zero, restoring every allocation exactly', () => {
    const refunds = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(0), fc.constant(1)), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(saleInput, refunds, fc.boolean(), ({ input }, fractions, tiny) => {
        const allocations = splitSale(input);
        const paid = input.paid.amount;
        const T = BigInt(paid);
        const taken: Allocation[] = [];
        const back = new Map<string, bigint>();
        let refunded = 0;
        // partial refunds (fractions of what is left, or single minor units), then the rest
        const steps = [...fractions.map((f) => (tiny ? Math.min(1, paid - refunded) : Math.floor((paid - refunded) * f))), -1];
        for (const step of steps) {
          const amount = step === -1 ? paid - refunded : Math.min(step, paid - refunded);
          const part = reverseCumulative(allocations, taken, amount, paid);
          expect(total(part)).toBe(amount);
          refunded += amount;
          for (const r of part) {
            expect(Number.isSafeInteger(r.amount) && r.amount > 0).toBe(true);
            back.set(identity(r), (back.get(identity(r)) ?? 0n) + BigInt(r.amount));
          }
          taken.push(...part);
          for (const a of allocations) {
            const b = back.get(identity(a)) ?? 0n;
            // never more than the party got, nor more than the ceiling of its exact cumulative share
            expect(b <= BigInt(a.amount)).toBe(true);
            expect(b * T < BigInt(a.amount) * BigInt(refunded) + T).toBe(true);
          }
        }
        expect(refunded).toBe(paid);
        for (const a of allocations) expect(back.get(identity(a)) ?? 0n).toBe(BigInt(a.amount));
        expect(back.size).toBe(allocations.length);
      }),
      { numRuns: 500 },
    );
  });

  it('splits a first refund as the plain largest-remainder split of the allocations', () => {
    fc.assert(
      fc.property(saleInput, fc.double({ min: 0, max: 1, noNaN: true }), ({ input }, f) => {
        const allocations = splitSale(input);
        fc.pre(allocations.length > 0);
        const amount = Math.floor(input.paid.amount * f);
        const plain = largestRemainder(
          amount,
          allocations.map((a) => ({ key: identity(a), weight: a.amount })),
        ).filter((p) => p.amount > 0);
        expect(reverse(allocations, amount, input.paid.amount).map((a) => [identity(a), a.amount])).toEqual(
          plain.map((p) => [p.key, p.amount]),
        );
      }),
      { numRuns: 300 },
    );
  });
});
