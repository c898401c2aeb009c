/**
 * Splitting a captured payment by the value-sharing agreement (分成) its campaign launched with, and
 * taking the split back on refunds. Pure integer arithmetic on minor units: no I/O, no clock.
 *
 * ## Rounding
 *
 * Every division is a **largest-remainder** split (`largestRemainder`): each part is the floor of
 * its exact share, and the minor units left over go one each to the parts with the largest
 * fractional remainders. Equal remainders are ordered by the larger weight first, then by the key
 * in UTF-16 code-unit order (JavaScript's `<` on strings). The parts add up to the whole exactly,
 * each is the floor or the ceiling of its exact share, and a zero weight gets 0. Products are
 * computed with BigInt, so weights and totals may be as large as the terms allow.
 *
 * ## The split (`splitSale`)
 *
 * The agreement states its figures per unit at the reference price P. The paid total is divided
 * in the proportions those figures give one unit, so a price tier above or below P (or a
 * discount) scales every part alike; at exactly quantity × P each part is exactly what the terms
 * say (the maker gets cost × quantity to the minor unit). The split is made in levels, each a
 * largest-remainder split of the level above, so every part is within one minor unit of its exact
 * share of what its level divides:
 *
 * 1. **The purposes**, in basis points of P:
 *    - `maker-cost`: makerUnitCost / P;
 *    - `platform-fee`: platformFeeBps;
 *    - `referral-commission`: referralCommissionBps, only when the order is attributed to a
 *      referrer. Without one the commission is not charged and stays with the co-creators (in the
 *      pool), never with the platform: the platform gains nothing from an order nobody referred;
 *    - `cocreator-pool`: with `pool.mode` 'rest', what is left of P after the cost, the fee and the
 *      commission charged; with 'share', pool.bps (plus the uncharged commission);
 *    - `platform-margin` (only with 'share'): what is left of P after cost, fee, commission and the
 *      stated pool: the operator's, as the seller of record, under terms every party accepted;
 *    - `maker-cost-pending`: when makerUnitCost is still null (no bid awarded), the maker's part is
 *      not known, so nothing is guessed: what the cost would come out of (the cost and the rest in
 *      'rest' mode, the cost and the margin in 'share' mode) is held by the unassigned party
 *      `maker-cost-pending`, to be allocated once the cost is known.
 * 2. **The makers' part** goes to the awarded makers in proportion to the units each fulfilled.
 *    Units not fulfilled yet (all of them, before fulfilment) are held by the unassigned party
 *    `makers-unassigned`, to be moved to the maker who fulfils them later.
 * 3. **The pool** is divided between the roles of `roleShares` (the chain group's participant
 *    roles, as validateTerms checks them) by their basis points. A role nobody holds any more
 *    (its holders left after the version was agreed) takes no share: the pool is divided between
 *    the roles that have holders in proportion to their shares, so the co-creators keep all of it.
 *    When no role with a share above zero has a holder, the pool is held by the unassigned party
 *    `cocreators-unassigned`.
 * 4. **A role's share** is divided between its holders (members or organisations) by contribution
 *    weight, from the contribution log entries of the need and product: each kind a holder has
 *    counts its weight once — `needAuthor` (need.raised; a merged need credits both authors),
 *    `chosenSolutionAuthors` (solution.proposed of the solution need.solution-chosen chose),
 *    `earlySupporters.weight` when the holder's need.supported rank ≤ `earlySupporters.first`,
 *    `pollVoters` (poll.ballot-cast in the need's polls), `trialReviewers`
 *    (trial.feedback-given). A holder with no weighted contribution gets nothing of the role's
 *    share while another holder has some; when no holder of the role has any, they share it
 *    equally (the role's share was agreed for them). A party in several roles gets each role's part
 *    as its own allocation (with `role` set); a referrer who is also a co-creator gets both.
 *    Contributors who hold no role (a supporter who is not a participant) get nothing of the pool:
 *    the terms divide it between participant roles only, and every holder accepted them; paying
 *    the wider community would take a role for it in the terms.
 *
 * Parts of zero are left out of the result. The result adds up to the paid total exactly.
 *
 * ## Refunds (`reverse`, `reverseCumulative`)
 *
 * A refund takes back from every allocation its share of the refund. Over several partial refunds
 * the aim is the cumulative proportional share (allocation × refunded so far / paid total), but
 * plain largest-remainder targets of the cumulative amount are not monotone (Hamilton's method has
 * the Alabama paradox: allocations 4/2/17/17 of 40 give targets 1/0/1/1 at 3 refunded and 0/0/2/2
 * at 4, so a party would be *paid* by a refund). So each refund is itself a largest-remainder split,
 * of the refund amount, weighted by how far each allocation is behind its cumulative target after
 * this refund (0 for one already at or past it). Hence, over any sequence of refunds:
 * every step's parts are ≥ 0 and add up to the refund; no allocation is ever taken back beyond the
 * ceiling of its exact cumulative share, so never beyond what it was given; when no allocation is
 * already past its exact share after the refund (the usual case), each part is the floor or the
 * ceiling of what brings its allocation to that share, so the cumulative amounts stay within one
 * minor unit of it; and once the whole paid total is refunded, in one part or many, every
 * allocation is taken back exactly. The first refund is the plain largest-remainder split of it.
 */
import type { AgreementTerms } from '../../contracts/chain-groups.js';
import type { Money } from '../../contracts/common.js';

const BPS = 10_000n;

/** One key's weight in a largest-remainder split: an integer ≥ 0 (a bigint for large ones). */
export interface Share {
  key: string;
  weight: number | bigint;
}

/** One key's part of a largest-remainder split, in minor units. */
export interface Part {
  key: string;
  amount: number;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function toBigWeight(w: number | bigint, key: string): bigint {
  if (typeof w === 'bigint') {
    if (w < 0n) throw new RangeError(`weight of ${key} must be 0 or more`);
    return w;
  }
  if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`weight of ${key} must be a safe integer of 0 or more`);
  return BigInt(w);
}

function requireAmount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a safe integer of 0 or more, not ${n}`);
}

/** The core of `largestRemainder`, on bigints; `total` and the parts in minor units. */
function splitBig(total: bigint, shares: readonly { key: string; weight: bigint }[]): bigint[] {
  const sum = shares.reduce((s, x) => s + x.weight, 0n);
  if (sum === 0n) throw new RangeError('at least one weight must be above 0');
  const rows = shares.map((s, index) => ({ index, key: s.key, weight: s.weight, rest: (total * s.weight) % sum }));
  const parts = shares.map((s) => (total * s.weight) / sum);
  let left = total - parts.reduce((s, x) => s + x, 0n);
  rows.sort((a, b) =>
    a.rest !== b.rest ? (a.rest > b.rest ? -1 : 1) : a.weight !== b.weight ? (a.weight > b.weight ? -1 : 1) : byKey(a.key, b.key),
  );
  // left < shares.length, and only non-zero remainders come first: zero weights never get a unit.
  for (const row of rows) {
    if (left === 0n) break;
    parts[row.index]! += 1n;
    left -= 1n;
  }
  return parts;
}

/**
 * Splits `total` minor units over `shares` in proportion to their weights, by largest remainder:
 * each part is the floor or the ceiling of its exact share, the parts add up to `total` exactly,
 * and a zero weight gets 0. The units left after the floors go to the largest fractional
 * remainders; equal remainders go to the larger weight first, then to the key first in UTF-16
 * code-unit order. The result follows the order of `shares`, and does not depend on it.
 *
 * Throws a RangeError for a negative or fractional total or weight, a duplicate key, or weights
 * that are all zero.
 *
 * @example largestRemainder(100, [{ key: 'a', weight: 1 }, { key: 'b', weight: 1 }, { key: 'c', weight: 1 }])
 * // → [{ key: 'a', amount: 34 }, { key: 'b', amount: 33 }, { key: 'c', amount: 33 }]
 */
export function largestRemainder(total: number, shares: readonly Share[]): Part[] {
  requireAmount(total, 'total');
  const seen = new Set<string>();
  const big = shares.map((s) => {
    if (seen.has(s.key)) throw new RangeError(`duplicate key ${s.key}`);
    seen.add(s.key);
    return { key: s.key, weight: toBigWeight(s.weight, s.key) };
  });
  const parts = splitBig(BigInt(total), big);
  return shares.map((s, i) => ({ key: s.key, amount: Number(parts[i]) }));
}

// ——— the split ———

export type PartyKind = 'member' | 'organisation' | 'platform' | 'unassigned';

/** Who an allocation is for; `unassigned` parties hold money to be allocated later. */
export interface Party {
  kind: PartyKind;
  id: string;
}

export type Purpose =
  | 'maker-cost'
  | 'platform-fee'
  | 'referral-commission'
  | 'cocreator-pool'
  | 'platform-margin'
  | 'maker-cost-pending'
  /** A sale that could not be split (its agreement missing, another currency): held until an operator resolves it. */
  | 'suspense';

/** One party's part of a payment, in minor units of the payment's currency. */
export interface Allocation {
  party: Party;
  purpose: Purpose;
  /** The participant role the part is for, on `cocreator-pool` parts of members and organisations. */
  role?: string;
  amount: number;
}

/** The platform operator's party. */
export const PLATFORM: Readonly<Party> = Object.freeze({ kind: 'platform', id: 'platform' });
/** Holds the makers' part of units not fulfilled yet. */
export const MAKERS_UNASSIGNED: Readonly<Party> = Object.freeze({ kind: 'unassigned', id: 'makers-unassigned' });
/** Holds the pool when no role with a share has a holder. */
export const COCREATORS_UNASSIGNED: Readonly<Party> = Object.freeze({ kind: 'unassigned', id: 'cocreators-unassigned' });
/** Holds a sale that could not be split by its agreement, for an operator to resolve. */
export const SUSPENSE: Readonly<Party> = Object.freeze({ kind: 'unassigned', id: 'suspense' });
/** Holds what the maker's cost would come out of while the terms have no maker cost. */
export const MAKER_COST_PENDING: Readonly<Party> = Object.freeze({ kind: 'unassigned', id: 'maker-cost-pending' });

/**
 * The contributors to the need and product, by kind of contribution, as read from the contribution
 * log: party ids (member ids; an organisation's id for a solution it proposed).
 */
export interface Contributors {
  /** need.raised (and the author of a need merged into it). */
  needAuthor: readonly string[];
  /** solution.proposed of the solution need.solution-chosen chose. */
  chosenSolutionAuthors: readonly string[];
  /** need.supported, with its `data.rank` (1 for the first supporter). */
  earlySupporters: readonly { memberId: string; rank: number }[];
  /** poll.ballot-cast in the need's polls (not withdrawn). */
  pollVoters: readonly string[];
  /** trial.feedback-given on the product. */
  trialReviewers: readonly string[];
}

/** A chain group party holding a role (the launch agreement's parties). */
export interface Participant {
  kind: 'member' | 'organisation';
  id: string;
  role: string;
}

export interface SaleInput {
  /** The terms of the agreement version the campaign launched with (valid by validateTerms). */
  terms: AgreementTerms;
  /** The order's captured total, in the reference price's currency. */
  paid: Money;
  /** Units ordered, ≥ 1. */
  quantity: number;
  /** Organisation id → units it fulfilled of this order; adding up to at most `quantity`; {} before fulfilment. */
  makerUnits: Readonly<Record<string, number>>;
  /** The member the order is attributed to, or null. */
  referrerId: string | null;
  participants: readonly Participant[];
  contributors: Contributors;
}

const partyKey = (p: Party) => `${p.kind}:${p.id}`;

/** Per-unit weights of the purposes, in minor units × basis points of the reference price. */
function purposeWeights(terms: AgreementTerms, attributed: boolean): [Purpose, bigint][] {
  const price = BigInt(terms.referenceUnitPrice.amount);
  const whole = price * BPS;
  const fee = price * BigInt(terms.platformFeeBps);
  const commission = price * BigInt(terms.referralCommissionBps);
  const charged = attributed ? commission : 0n;
  const uncharged = commission - charged;
  const stated = terms.pool.mode === 'share' ? price * BigInt(terms.pool.bps) : null;
  const cost = terms.makerUnitCost === null ? null : BigInt(terms.makerUnitCost.amount) * BPS;

  const w: [Purpose, bigint][] = [
    ['platform-fee', fee],
    ['referral-commission', charged],
  ];
  if (stated === null) {
    const rest = whole - fee - charged;
    if (cost === null) w.push(['maker-cost-pending', rest]);
    else w.push(['maker-cost', cost], ['cocreator-pool', rest - cost]);
  } else {
    const rest = whole - fee - commission - stated;
    w.push(['cocreator-pool', stated + uncharged]);
    if (cost === null) w.push(['maker-cost-pending', rest]);
    else w.push(['maker-cost', cost], ['platform-margin', rest - cost]);
  }
  if (w.some(([, x]) => x < 0n)) {
    throw new RangeError('the maker cost, fees and pool are more than the reference price (validateTerms refuses such terms)');
  }
  return w;
}

export type WeightKind = 'needAuthor' | 'chosenSolutionAuthors' | 'earlySupporters' | 'pollVoters' | 'trialReviewers';

/** The kinds of contribution a holder has that carry a weight, each counted once, with their weights. */
export function weightParts(id: string, terms: AgreementTerms, c: Contributors): { kind: WeightKind; weight: number }[] {
  const w = terms.contributionWeights;
  const parts: { kind: WeightKind; weight: number }[] = [];
  if (c.needAuthor.includes(id)) parts.push({ kind: 'needAuthor', weight: w.needAuthor });
  if (c.chosenSolutionAuthors.includes(id)) parts.push({ kind: 'chosenSolutionAuthors', weight: w.chosenSolutionAuthors });
  if (c.earlySupporters.some((s) => s.memberId === id && s.rank >= 1 && s.rank <= w.earlySupporters.first)) {
    parts.push({ kind: 'earlySupporters', weight: w.earlySupporters.weight });
  }
  if (c.pollVoters.includes(id)) parts.push({ kind: 'pollVoters', weight: w.pollVoters });
  if (c.trialReviewers.includes(id)) parts.push({ kind: 'trialReviewers', weight: w.trialReviewers });
  return parts.filter((p) => p.weight > 0);
}

/** A role of the pool with its holders and their contribution weights (`equal`: none has any, so 1 each). */
export interface PoolRole {
  role: string;
  bps: number;
  holders: { party: Party; weight: bigint }[];
  equal: boolean;
}

/**
 * The roles of `terms.roleShares` that have holders, each holder (once) with its contribution
 * weight — what the pool is divided by (see this file's header). Explanations of a split read it.
 */
export function poolRoles(terms: AgreementTerms, participants: readonly Participant[], contributors: Contributors): PoolRole[] {
  return Object.entries(terms.roleShares)
    .map(([role, bps]) => {
      const seen = new Set<string>();
      const holders = participants.filter((p) => {
        const key = partyKey(p);
        if (p.role !== role || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const weighted = holders.map((h) => weightParts(h.id, terms, contributors).reduce((s, x) => s + BigInt(x.weight), 0n));
      const equal = weighted.every((w) => w === 0n);
      return {
        role,
        bps,
        holders: holders.map((h, j) => ({ party: { kind: h.kind, id: h.id } as Party, weight: equal ? 1n : weighted[j]! })),
        equal,
      };
    })
    .filter((r) => r.holders.length > 0);
}

function makerAllocations(amount: bigint, input: SaleInput): Allocation[] {
  const makers = Object.entries(input.makerUnits).sort(([a], [b]) => byKey(a, b));
  let fulfilled = 0;
  for (const [id, units] of makers) {
    requireAmount(units, `units of ${id}`);
    fulfilled += units;
  }
  if (fulfilled > input.quantity) throw new RangeError(`makers fulfilled ${fulfilled} units of an order of ${input.quantity}`);
  const parties: { party: Party; weight: bigint }[] = makers.map(([id, units]) => ({
    party: { kind: 'organisation', id },
    weight: BigInt(units),
  }));
  if (fulfilled < input.quantity) parties.push({ party: { ...MAKERS_UNASSIGNED }, weight: BigInt(input.quantity - fulfilled) });
  const parts = splitBig(
    amount,
    parties.map((p) => ({ key: partyKey(p.party), weight: p.weight })),
  );
  return parties.map((p, i) => ({ party: p.party, purpose: 'maker-cost', amount: Number(parts[i]) }));
}

function poolAllocations(amount: bigint, input: SaleInput): Allocation[] {
  const roles = poolRoles(input.terms, input.participants, input.contributors);
  if (roles.every((r) => r.bps === 0)) {
    return [{ party: { ...COCREATORS_UNASSIGNED }, purpose: 'cocreator-pool', amount: Number(amount) }];
  }
  const roleParts = splitBig(
    amount,
    roles.map((r) => ({ key: r.role, weight: BigInt(r.bps) })),
  );
  return roles.flatMap((r, i) => {
    const share = roleParts[i]!;
    if (share === 0n) return [];
    const parts = splitBig(
      share,
      r.holders.map((h) => ({ key: partyKey(h.party), weight: h.weight })),
    );
    return r.holders.map(
      (h, j): Allocation => ({ party: { ...h.party }, purpose: 'cocreator-pool', role: r.role, amount: Number(parts[j]) }),
    );
  });
}

/** How the pool of a sale is divided between roles (the first level of `poolAllocations`), for explanations. */
export function roleAmounts(pool: number, roles: readonly PoolRole[]): Map<string, number> {
  if (roles.every((r) => r.bps === 0)) return new Map();
  const parts = largestRemainder(
    pool,
    roles.map((r) => ({ key: r.role, weight: r.bps })),
  );
  return new Map(parts.map((p) => [p.key, p.amount]));
}

/**
 * Splits a captured payment by the agreement's terms into allocations that add up to the paid
 * total exactly (the policies and rounding are in this file's header). Parts of zero are left out.
 *
 * Throws a RangeError when the paid currency is not the terms' currency, the quantity is not a
 * whole number ≥ 1, the amount is negative or fractional, makers fulfilled more units than ordered,
 * or the terms do not fit in the reference price.
 *
 * @example splitSale({ terms, paid: { amount: 11_800, currency: 'CNY' }, quantity: 2, makerUnits: { org_a: 2 },
 *   referrerId: null, participants, contributors })
 * // → [{ party: { kind: 'organisation', id: 'org_a' }, purpose: 'maker-cost', amount: 6600 }, …]
 */
export function splitSale(input: SaleInput): Allocation[] {
  const { terms, paid, quantity } = input;
  if (paid.currency !== terms.referenceUnitPrice.currency) {
    throw new RangeError(`paid in ${paid.currency}, but the terms are in ${terms.referenceUnitPrice.currency}`);
  }
  requireAmount(paid.amount, 'paid amount');
  if (!Number.isSafeInteger(quantity) || quantity < 1)
    throw new RangeError(`quantity must be a whole number ≥ 1, not ${quantity}`);

  const weights = purposeWeights(terms, input.referrerId !== null);
  const parts = splitBig(
    BigInt(paid.amount),
    weights.map(([key, weight]) => ({ key, weight })),
  );
  const amountOf = (purpose: Purpose) => parts[weights.findIndex(([p]) => p === purpose)] ?? 0n;

  const out: Allocation[] = [
    ...makerAllocations(amountOf('maker-cost'), input),
    { party: { ...PLATFORM }, purpose: 'platform-fee', amount: Number(amountOf('platform-fee')) },
    ...(input.referrerId === null
      ? []
      : [
          {
            party: { kind: 'member', id: input.referrerId },
            purpose: 'referral-commission',
            amount: Number(amountOf('referral-commission')),
          } satisfies Allocation,
        ]),
    ...poolAllocations(amountOf('cocreator-pool'), input),
    { party: { ...PLATFORM }, purpose: 'platform-margin', amount: Number(amountOf('platform-margin')) },
    { party: { ...MAKER_COST_PENDING }, purpose: 'maker-cost-pending', amount: Number(amountOf('maker-cost-pending')) },
  ];
  return out.filter((a) => a.amount > 0);
}

// ——— refunds ———

/** The identity of an allocation: party, purpose and role. */
const allocationKey = (a: Allocation) => JSON.stringify([a.party.kind, a.party.id, a.purpose, a.role ?? null]);

/**
 * The first (or only) refund of a payment: what `refundAmount` takes back from each allocation,
 * in proportion, by largest remainder. Same as `reverseCumulative(allocations, [], …)`.
 *
 * @example reverse(splitSale(input), 590, 11_800) // → a twentieth of every allocation, adding up to 590
 */
export function reverse(allocations: readonly Allocation[], refundAmount: number, paidTotal: number): Allocation[] {
  return reverseCumulative(allocations, [], refundAmount, paidTotal);
}

/**
 * What a refund takes back from each allocation of a payment, given what earlier refunds took back
 * (`reversedBefore`: their results, concatenated). The parts are ≥ 0, add up to `refundAmount`
 * exactly, never take an allocation below zero, and when the refunds reach the paid total every
 * allocation has been taken back exactly (see this file's header for the rule). Parts of zero are
 * left out; amounts are positive, what is taken back.
 *
 * Throws a RangeError when the allocations do not add up to `paidTotal`, an allocation appears
 * twice, `reversedBefore` names an allocation not in the payment or takes back more than it got,
 * or the refunds would come to more than the paid total.
 *
 * @example const first = reverseCumulative(allocations, [], 1_000, 11_800);
 * const second = reverseCumulative(allocations, first, 10_800, 11_800); // the rest: all back to zero
 */
export function reverseCumulative(
  allocations: readonly Allocation[],
  reversedBefore: readonly Allocation[],
  refundAmount: number,
  paidTotal: number,
): Allocation[] {
  requireAmount(refundAmount, 'refund amount');
  requireAmount(paidTotal, 'paid total');
  const index = new Map<string, number>();
  let sum = 0;
  allocations.forEach((a, i) => {
    requireAmount(a.amount, 'allocation amount');
    const key = allocationKey(a);
    if (index.has(key)) throw new RangeError(`allocation ${key} appears twice`);
    index.set(key, i);
    sum += a.amount;
  });
  if (sum !== paidTotal) throw new RangeError(`the allocations add up to ${sum}, not the paid total ${paidTotal}`);

  const taken = allocations.map(() => 0n);
  let before = 0;
  for (const r of reversedBefore) {
    requireAmount(r.amount, 'reversed amount');
    const i = index.get(allocationKey(r));
    if (i === undefined) throw new RangeError(`reversed allocation ${allocationKey(r)} is not one of the payment's`);
    taken[i]! += BigInt(r.amount);
    if (taken[i]! > BigInt(allocations[i]!.amount)) throw new RangeError(`more than ${allocationKey(r)} got was taken back`);
    before += r.amount;
  }
  if (before + refundAmount > paidTotal) {
    throw new RangeError(`refunds of ${before + refundAmount} would exceed the paid total ${paidTotal}`);
  }
  if (refundAmount === 0) return [];

  // How far each allocation is behind its exact cumulative share after this refund, times the total.
  const total = BigInt(paidTotal);
  const after = BigInt(before + refundAmount);
  const behind = allocations.map((a, i) => {
    const d = BigInt(a.amount) * after - taken[i]! * total;
    return d > 0n ? d : 0n;
  });
  const parts = splitBig(
    BigInt(refundAmount),
    allocations.map((a, i) => ({ key: allocationKey(a), weight: behind[i]! })),
  );
  return allocations.map((a, i) => ({ ...a, party: { ...a.party }, amount: Number(parts[i]) })).filter((a) => a.amount > 0);
}
