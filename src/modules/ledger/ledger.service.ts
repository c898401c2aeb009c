import type { z } from 'zod';
import type { AgreementTerms } from '../../contracts/chain-groups.js';
import type {
  AccountKind,
  AdjustmentBody,
  CreatePayoutBatchBody,
  LinePurpose,
  PartyKind,
  StatementCsvQuery,
  StatementQuery,
} from '../../contracts/ledger.js';
import type { LogEntry } from '../../contracts/log.js';
import type { Actor } from '../../platform/auth/actor.js';
import { fingerprint } from '../../platform/canonical-json.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { contributorsFrom } from './ledger.basis.js';
import { type LineFilter, ledgerRepository as repo } from './ledger.repository.js';
import {
  type Allocation,
  COCREATORS_UNASSIGNED,
  MAKER_COST_PENDING,
  MAKERS_UNASSIGNED,
  type Participant,
  type Party,
  PLATFORM,
  type Purpose,
  poolRoles,
  reverseCumulative,
  roleAmounts,
  SUSPENSE,
  splitSale,
  type WeightKind,
  weightParts,
} from './ledger.split.js';
import type { LedgerAccountsTable, LedgerLinesTable, LedgerPayoutsTable, LedgerSalesTable } from './ledger.tables.js';

/** What the ledger needs of other modules, all read through the caller's executor. */
export interface LedgerPorts {
  sharingBasis(
    ex: Executor,
    chainGroupId: string,
    version: number,
  ): Promise<{ terms: AgreementTerms; participants: Participant[] } | null>;
  creditsFor(
    ex: Executor,
    q: { needId: string; productId: string; partyIds: readonly string[] },
  ): Promise<{ size: number; entries: LogEntry[] }>;
  /** The log index of each order's order.paid entry. */
  paidIndexes(ex: Executor, orderIds: readonly string[]): Promise<Map<string, number>>;
  displayNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>>;
  organisationNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>>;
  organisationsOf(ex: Executor, memberId: string): Promise<string[]>;
  /** Locks the order (its aggregate lock, in the caller's transaction) and reads its buyer and state. */
  lockOrder(ex: Executor, orderId: string): Promise<{ memberId: string; state: string } | null>;
  productExists(id: string): Promise<boolean>;
}

export interface LedgerDeps {
  db: Database;
  clock: Clock;
  ports: LedgerPorts;
}

/** The events the ledger posts from. */
export const POSTED_EVENTS = ['order.paid', 'order.refunded', 'order.fulfilled', 'order.fulfilment-corrected'];

/** An allocation of a sale, what it was given and what refunds took back (stored on the sale). */
interface StoredPosition {
  party: Party;
  purpose: Purpose;
  role: string | null;
  gross: number;
  taken: number;
}

/** How a sale's pool was divided, for the parties' explanations. */
interface StoredBasis {
  logSize: number;
  chosenSolutionId: string | null;
  referrerId: string | null;
  pool: number;
  roles: {
    role: string;
    bps: number;
    amount: number;
    equal: boolean;
    holders: { kind: string; id: string; weight: number; parts: { kind: WeightKind; weight: number }[] }[];
  }[];
  /** party key → weight kind → log indexes. */
  evidence: Record<string, Record<string, number[]>>;
}

interface PostingLine {
  party: Party;
  account: AccountKind;
  amount: number;
  purpose: LinePurpose;
  role?: string | null;
}

interface Posting {
  kind: 'sale' | 'refund' | 'fulfilment' | 'payout' | 'payout-paid' | 'payout-failed' | 'adjustment';
  cause: { type: string; id: string };
  currency: string;
  orderId?: string | null;
  productId?: string | null;
  memo: string;
  postedBy?: string | null;
  /** When what it records happened (an event's time); default: now. Statements show and filter by it. */
  at?: string;
  /** The fingerprint of the request that asked for it (adjustments, by Idempotency-Key). */
  requestHash?: string;
  lines: PostingLine[];
}

const partyKey = (p: { kind: string; id: string }) => `${p.kind}:${p.id}`;
export const accountId = (p: { kind: string; id: string }, kind: AccountKind, currency: string) =>
  `${kind}:${p.kind}:${p.id}:${currency}`;

/** The account a part of a sale is credited to. */
function accountOf(a: { party: Party; purpose: Purpose }): AccountKind {
  if (a.party.kind === 'unassigned') return 'held';
  if (a.party.kind === 'platform') return a.purpose === 'platform-margin' ? 'margin' : 'fees';
  return a.purpose === 'referral-commission' ? 'commissions' : 'earnings';
}

/** The ids of the unassigned holdings and the platform's party, for checking adjustments. */
const UNASSIGNED_IDS: Partial<Record<PartyKind, string[]>> = {
  platform: [PLATFORM.id],
  unassigned: [MAKERS_UNASSIGNED.id, COCREATORS_UNASSIGNED.id, MAKER_COST_PENDING.id, SUSPENSE.id],
};

/** The accounts each kind of party has. */
const ACCOUNTS_OF: Record<PartyKind, AccountKind[]> = {
  member: ['earnings', 'commissions'],
  organisation: ['earnings'],
  platform: ['receivable', 'fees', 'margin', 'payouts-in-transit'],
  unassigned: ['held'],
};

/** A filter's period in the stored form (UTC, milliseconds), whatever offset it was given in. */
const period = <F extends { from?: string; to?: string }>(f: F): F => ({
  ...f,
  ...(f.from ? { from: new Date(f.from).toISOString() } : {}),
  ...(f.to ? { to: new Date(f.to).toISOString() } : {}),
});

/**
 * What lines add to the per-account-day totals and, on the parties' accounts (not the
 * receivable's payment lines), to their product's totals: one row per key.
 */
function totalsOf(lines: readonly Omit<LedgerLinesTable, 'id'>[]) {
  const days = new Map<
    string,
    { account_id: string; day: string; purpose: string; role: string; currency: string; amount: number }
  >();
  const products = new Map<string, { product_id: string; purpose: string; role: string; currency: string; amount: number }>();
  for (const l of lines) {
    const role = l.role ?? '';
    const day = l.posted_at.slice(0, 10);
    const dk = JSON.stringify([l.account_id, day, l.purpose, role]);
    const d = days.get(dk) ?? { account_id: l.account_id, day, purpose: l.purpose, role, currency: l.currency, amount: 0 };
    d.amount += l.amount;
    days.set(dk, d);
    if (l.product_id && l.purpose !== 'payment' && l.purpose !== 'payout') {
      const pk = JSON.stringify([l.product_id, l.purpose, role, l.currency]);
      const p = products.get(pk) ?? { product_id: l.product_id, purpose: l.purpose, role, currency: l.currency, amount: 0 };
      p.amount += l.amount;
      products.set(pk, p);
    }
  }
  return [[...days.values()], [...products.values()]] as const;
}

const parseCursor = (cursor: string | undefined) => (cursor ? decodeCursor(cursor, ['number'] as const)[0] : undefined);

/** Minor units as a decimal string for CSV (two decimals; JPY-like currencies are not used yet). */
const decimal = (minor: number) => {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // Quote what needs it, and neutralise cells a spreadsheet would run as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};
const csv = (rows: readonly (readonly (string | number | null)[])[]) =>
  `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

/**
 * The ledger (分账): double-entry accounts for every party and an append-only journal. Each paid
 * order is split by the agreement its campaign launched with (ledger.split.ts) and posted as one
 * entry whose lines add up to zero; refunds take back exactly their share; fulfilment moves the
 * makers' part to the maker who fulfilled; payouts move balances out. Every entry has one cause and
 * is posted once per cause.
 */
export class LedgerService {
  constructor(private readonly deps: LedgerDeps) {}

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  // ——— posting ———

  /**
   * Posts entries in the caller's transaction: the accounts they touch are created if new, locked in
   * id order, and every line records the account's balance after it. A cause posted before fails the
   * transaction with a unique violation (callers skip posted causes first; a race is retried).
   */
  private async post(trx: Executor, postings: readonly Posting[]): Promise<string[]> {
    const nowIso = this.nowIso();
    const kept = postings
      .map((p) => ({ ...p, lines: p.lines.filter((l) => l.amount !== 0) }))
      .filter((p) => {
        const sum = p.lines.reduce((s, l) => s + l.amount, 0);
        if (sum !== 0) throw new Error(`entry for ${p.cause.type} ${p.cause.id} does not balance: ${sum}`);
        return p.lines.length > 0;
      });
    if (kept.length === 0) return [];
    const ids = kept.map(() => newId('je', this.deps.clock.now()));
    await repo.insertEntries(
      trx,
      kept.map((p, i) => ({
        id: ids[i]!,
        kind: p.kind,
        cause_type: p.cause.type,
        cause_id: p.cause.id,
        currency: p.currency,
        order_id: p.orderId ?? null,
        product_id: p.productId ?? null,
        memo: p.memo,
        posted_by: p.postedBy ?? null,
        request_hash: p.requestHash ?? null,
        posted_at: p.at ?? nowIso,
      })),
    );
    const accounts = new Map<string, LedgerAccountsTable>();
    for (const p of kept) {
      for (const l of p.lines) {
        const id = accountId(l.party, l.account, p.currency);
        if (!accounts.has(id)) {
          accounts.set(id, {
            id,
            party_kind: l.party.kind,
            party_id: l.party.id,
            kind: l.account,
            currency: p.currency,
            debits: 0,
            credits: 0,
            balance: 0,
            created_at: nowIso,
            updated_at: nowIso,
          });
        }
      }
    }
    const locked = await repo.lockAccounts(trx, [...accounts.keys()], [...accounts.values()]);
    const state = new Map([...locked].map(([id, a]) => [id, { debits: Number(a.debits), credits: Number(a.credits) }]));
    const lines: Omit<LedgerLinesTable, 'id'>[] = [];
    kept.forEach((p, i) => {
      for (const l of p.lines) {
        const id = accountId(l.party, l.account, p.currency);
        const s = state.get(id)!;
        if (l.amount > 0) s.credits += l.amount;
        else s.debits -= l.amount;
        lines.push({
          entry_id: ids[i]!,
          account_id: id,
          entry_kind: p.kind,
          currency: p.currency,
          amount: l.amount,
          balance_after: s.credits - s.debits,
          purpose: l.purpose,
          role: l.role ?? null,
          product_id: p.productId ?? null,
          order_id: p.orderId ?? null,
          posted_at: p.at ?? nowIso,
        });
      }
    });
    await repo.insertLines(trx, lines);
    await repo.addTotals(trx, ...totalsOf(lines));
    for (const [id, s] of state) {
      const before = locked.get(id)!;
      if (Number(before.debits) === s.debits && Number(before.credits) === s.credits) continue;
      await repo.saveAccount(trx, id, {
        debits: s.debits,
        credits: s.credits,
        balance: s.credits - s.debits,
        updated_at: nowIso,
      });
    }
    return ids;
  }

  /**
   * The `ledger.postings` subscriber: posts every paid order (its split), refund (its reversal) and
   * fulfilment (the makers' part to the maker) of a batch in the delivery transaction. Events whose
   * cause is already posted are passed over, so a redelivered event posts nothing twice.
   */
  async onEvents(events: readonly DomainEvent[], trx: Executor): Promise<void> {
    const causeOf = (e: DomainEvent) => {
      const p = e.payload as { orderId: string; refundId?: string };
      if (e.type === 'order.paid') return { type: 'order.paid', id: p.orderId };
      if (e.type === 'order.refunded') return { type: 'refund', id: p.refundId ?? String(e.id) };
      if (e.type === 'order.fulfilled') return { type: 'order.fulfilled', id: p.orderId };
      return { type: 'order.fulfilment-corrected', id: String(e.id) };
    };
    const posted = await repo.postedCauses(trx, events.map(causeOf));
    const todo = events.filter((e) => {
      const c = causeOf(e);
      return !posted.has(`${c.type}\u0000${c.id}`);
    });
    if (todo.length === 0) return;
    const orderIds = todo.map((e) => (e.payload as { orderId: string }).orderId);
    const sales = await repo.findSales(trx, orderIds);
    const paidOrders = todo.filter((e) => e.type === 'order.paid').map((e) => (e.payload as { orderId: string }).orderId);
    const referrers = await repo.attributions(trx, paidOrders);
    const bases = new Map<string, Promise<Basis | null>>();
    const paidAt = await this.deps.ports.paidIndexes(trx, paidOrders);
    const newSales: LedgerSalesTable[] = [];
    const changed = new Set<string>();
    const postings: Posting[] = [];
    const saleParties: { party: string; order_id: string }[] = [];

    for (const e of todo) {
      const cause = causeOf(e);
      if (e.type === 'order.paid') {
        const p = e.payload as unknown as PaidPayload;
        if (p.total.amount === 0 || sales.has(p.orderId)) continue;
        const key = `${p.chainGroupId}:${p.agreementVersion}:${p.needId}:${p.productId}`;
        if (!bases.has(key)) bases.set(key, this.basisOf(trx, p));
        const found = await bases.get(key)!;
        const rawReferrer = referrers.get(p.orderId) ?? null;
        const referrerId = rawReferrer === p.memberId ? null : rawReferrer;
        // The contributions before the sale's own log entry count, whenever the sale is posted.
        const cut = found
          ? contributorsFrom(found.entries, { ...found.query, before: paidAt.get(p.orderId) ?? found.logSize })
          : null;
        const basis = found && cut ? { ...found, ...cut, logSize: paidAt.get(p.orderId) ?? found.logSize } : null;
        // A sale that cannot be split by its agreement (none, or in another currency) is held in
        // suspense for an operator, so that one bad event never stops the postings after it.
        const allocations: Allocation[] =
          basis && basis.terms.referenceUnitPrice.currency === p.total.currency
            ? splitSale({
                terms: basis.terms,
                paid: p.total,
                quantity: p.quantity,
                makerUnits: {},
                referrerId,
                participants: basis.participants,
                contributors: basis.contributors,
              })
            : [{ party: { ...SUSPENSE }, purpose: 'suspense', amount: p.total.amount }];
        const sale = this.saleRow(e, p, allocations, basis, referrerId);
        sales.set(p.orderId, sale);
        newSales.push(sale);
        postings.push({
          kind: 'sale',
          cause,
          at: e.occurredAt,
          currency: p.total.currency,
          orderId: p.orderId,
          productId: p.productId,
          memo: `Sale of order ${p.orderId}`,
          lines: [
            { party: PLATFORM, account: 'receivable', amount: -p.total.amount, purpose: 'payment' },
            ...allocations.map((a) => ({
              party: a.party,
              account: accountOf(a),
              amount: a.amount,
              purpose: a.purpose,
              role: a.role ?? null,
            })),
          ],
        });
        for (const a of allocations) {
          if (a.party.kind === 'member' || a.party.kind === 'organisation') {
            saleParties.push({ party: partyKey(a.party), order_id: p.orderId });
          }
        }
        continue;
      }
      const orderId = (e.payload as { orderId: string }).orderId;
      const sale = sales.get(orderId);
      // An order never posted (free, or captured after it was cancelled) has nothing to reverse or move.
      if (!sale) continue;
      const positions = JSON.parse(sale.positions) as StoredPosition[];
      if (e.type === 'order.refunded') {
        const amount = (e.payload as { amount: { amount: number } }).amount.amount;
        const paid = Number(sale.paid);
        const room = paid - Number(sale.refunded);
        const take = Math.min(amount, room);
        if (take <= 0) continue;
        const parts = reverseCumulative(
          positions.map((x) => allocationOf(x, x.gross)),
          positions.filter((x) => x.taken > 0).map((x) => allocationOf(x, x.taken)),
          take,
          paid,
        );
        for (const part of parts) {
          const pos = positions.find((x) => samePosition(x, part))!;
          pos.taken += part.amount;
        }
        postings.push({
          kind: 'refund',
          cause,
          at: e.occurredAt,
          currency: sale.currency,
          orderId,
          productId: sale.product_id,
          memo: `Refund ${cause.id} of order ${orderId}`,
          lines: [
            { party: PLATFORM, account: 'receivable', amount: take, purpose: 'payment' },
            ...parts.map((a) => ({
              party: a.party,
              account: accountOf(a),
              amount: -a.amount,
              purpose: a.purpose,
              role: a.role ?? null,
            })),
          ],
        });
        sale.refunded = Number(sale.refunded) + take;
      } else {
        const organisationId = (e.payload as { organisationId: string }).organisationId;
        const target: Party = { kind: 'organisation', id: organisationId };
        const lines: PostingLine[] = [];
        // Every maker-cost position not yet the maker's moves to it whole — what it was given and
        // what refunds took back — so later refunds stay proportional; only the net moves money.
        const mine = { party: target, purpose: 'maker-cost' as const };
        let moved = 0;
        let gross = 0;
        let taken = 0;
        for (const pos of positions) {
          if (pos.purpose !== 'maker-cost' || samePosition(pos, mine) || pos.gross === 0) continue;
          const net = pos.gross - pos.taken;
          if (net > 0) lines.push({ party: pos.party, account: accountOf(pos), amount: -net, purpose: 'maker-cost' });
          moved += net;
          gross += pos.gross;
          taken += pos.taken;
          pos.gross = 0;
          pos.taken = 0;
        }
        saleParties.push({ party: partyKey(target), order_id: orderId });
        if (gross === 0) continue;
        const kept = positions.filter((x) => x.gross > 0);
        const existing = kept.find((x) => samePosition(x, mine));
        if (existing) {
          existing.gross += gross;
          existing.taken += taken;
        } else {
          kept.push({ party: target, purpose: 'maker-cost', role: null, gross, taken });
        }
        positions.splice(0, positions.length, ...kept);
        if (moved > 0) lines.push({ party: target, account: 'earnings', amount: moved, purpose: 'maker-cost' });
        postings.push({
          kind: 'fulfilment',
          cause,
          at: e.occurredAt,
          currency: sale.currency,
          orderId,
          productId: sale.product_id,
          memo: `Makers' part of order ${orderId} to the maker that fulfilled it`,
          lines,
        });
      }
      sale.positions = JSON.stringify(positions);
      sale.updated_at = this.nowIso();
      changed.add(orderId);
    }

    await this.post(trx, postings);
    await repo.insertSales(trx, newSales);
    const inserted = new Set(newSales.map((s) => s.order_id));
    for (const orderId of changed) {
      const s = sales.get(orderId)!;
      if (inserted.has(orderId)) continue;
      await repo.updateSale(trx, orderId, { positions: s.positions, refunded: Number(s.refunded), updated_at: s.updated_at });
    }
    await repo.addSaleParties(trx, saleParties);
  }

  /** The terms, participants and the log entries crediting them that a sale of this campaign is split by. */
  private async basisOf(trx: Executor, p: PaidPayload): Promise<Basis | null> {
    if (p.agreementVersion === null) return null;
    const found = await this.deps.ports.sharingBasis(trx, p.chainGroupId, p.agreementVersion);
    if (!found) return null;
    const query = { needId: p.needId, productId: p.productId, partyIds: [...new Set(found.participants.map((x) => x.id))] };
    const credits = await this.deps.ports.creditsFor(trx, query);
    return { ...found, query, entries: credits.entries, logSize: credits.size };
  }

  private saleRow(
    e: DomainEvent,
    p: PaidPayload,
    allocations: readonly Allocation[],
    basis: SplitBasis | null,
    referrerId: string | null,
  ): LedgerSalesTable {
    const pool = allocations.filter((a) => a.purpose === 'cocreator-pool').reduce((s, a) => s + a.amount, 0);
    const roles = basis ? poolRoles(basis.terms, basis.participants, basis.contributors) : [];
    const amounts = roleAmounts(pool, roles);
    const evidence: StoredBasis['evidence'] = {};
    for (const r of roles) {
      for (const h of r.holders) {
        const byKind = basis?.evidence.get(h.party.id);
        if (byKind) evidence[partyKey(h.party)] = Object.fromEntries(byKind);
      }
    }
    const stored: StoredBasis = {
      logSize: basis?.logSize ?? 0,
      chosenSolutionId: basis?.chosenSolutionId ?? null,
      referrerId,
      pool,
      roles: roles.map((r) => ({
        role: r.role,
        bps: r.bps,
        amount: amounts.get(r.role) ?? 0,
        equal: r.equal,
        holders: r.holders.map((h) => ({
          kind: h.party.kind,
          id: h.party.id,
          weight: Number(h.weight),
          parts: basis ? weightParts(h.party.id, basis.terms, basis.contributors) : [],
        })),
      })),
      evidence,
    };
    return {
      order_id: p.orderId,
      payment_id: p.paymentId,
      campaign_id: p.campaignId,
      product_id: p.productId,
      need_id: p.needId,
      chain_group_id: p.chainGroupId,
      agreement_version: p.agreementVersion ?? 0,
      currency: p.total.currency,
      paid: p.total.amount,
      quantity: p.quantity,
      refunded: 0,
      positions: JSON.stringify(
        allocations.map(
          (a): StoredPosition => ({ party: a.party, purpose: a.purpose, role: a.role ?? null, gross: a.amount, taken: 0 }),
        ),
      ),
      basis: JSON.stringify(stored),
      posted_at: e.occurredAt,
      updated_at: this.nowIso(),
    };
  }

  // ——— attribution (the referral hook) ———

  /**
   * Attributes an order to the member who referred it, before its payment is posted: the split then
   * pays the agreement's referral commission to them. The referral module calls this; operators may
   * record one by hand. Refused for a self-referral, an unknown order or member, or once posted.
   */
  async attributeOrder(actor: Actor | null, orderId: string, referrerId: string, source = 'referral') {
    const nowIso = this.nowIso();
    return this.deps.db.transaction(async (trx) => {
      const order = await this.deps.ports.lockOrder(trx, orderId);
      if (!order) throw AppError.notFound('Order');
      if (order.memberId === referrerId) throw AppError.invalid('referrerId', 'a member does not refer their own order');
      if (!(await this.deps.ports.displayNames(trx, [referrerId])).has(referrerId)) {
        throw AppError.invalid('referrerId', 'is not a member');
      }
      if (!['pending_payment', 'authorised'].includes(order.state) || (await repo.findSales(trx, [orderId])).has(orderId)) {
        throw new AppError('conflict', `Orders are attributed before they are paid; this one is ${order.state}`);
      }
      try {
        const by = actor ? `operator:${actor.memberId}` : source;
        await repo.insertAttribution(trx, { order_id: orderId, referrer_id: referrerId, source: by, created_at: nowIso });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'The order is already attributed');
        throw err;
      }
      return { orderId, referrerId, createdAt: nowIso };
    });
  }

  // ——— who may see what ———

  private async requireViewer(ex: Executor, actor: Actor, kind: PartyKind, id: string): Promise<void> {
    if (actor.roles.includes('operator')) return;
    if (kind === 'member' && id === actor.memberId) return;
    if (kind === 'organisation' && (await this.deps.ports.organisationsOf(ex, actor.memberId)).includes(id)) return;
    throw new AppError(
      'forbidden',
      'Only the party itself (a member, or an organisation’s partners) and operators see its ledger',
    );
  }

  private async partyRef(ex: Executor, kind: PartyKind, id: string) {
    if (kind === 'member') return { kind, id, name: (await this.deps.ports.displayNames(ex, [id])).get(id) ?? '' };
    if (kind === 'organisation') return { kind, id, name: (await this.deps.ports.organisationNames(ex, [id])).get(id) ?? '' };
    return { kind, id, name: id };
  }

  private async names(ex: Executor, parties: readonly { kind: string; id: string }[]): Promise<Map<string, string>> {
    const members = await this.deps.ports.displayNames(
      ex,
      parties.filter((p) => p.kind === 'member').map((p) => p.id),
    );
    const orgs = await this.deps.ports.organisationNames(
      ex,
      parties.filter((p) => p.kind === 'organisation').map((p) => p.id),
    );
    return new Map(
      parties.map((p) => [
        partyKey(p),
        (p.kind === 'member' ? members.get(p.id) : p.kind === 'organisation' ? orgs.get(p.id) : p.id) ?? '',
      ]),
    );
  }

  private accountView(a: LedgerAccountsTable, name: string) {
    return {
      id: a.id,
      party: { kind: a.party_kind as PartyKind, id: a.party_id, name },
      kind: a.kind as AccountKind,
      currency: a.currency,
      debits: Number(a.debits),
      credits: Number(a.credits),
      balance: Number(a.balance),
    };
  }

  // ——— statements ———

  private async statementLines(
    ex: Executor,
    accounts: readonly LedgerAccountsTable[],
    f: LineFilter,
    limit: number | null,
    before?: number,
  ) {
    const kinds = new Map(accounts.map((a) => [a.id, a.kind as AccountKind]));
    const ids = accounts.filter((a) => !f.accountKind || a.kind === f.accountKind).map((a) => a.id);
    if (ids.length === 0) return [];
    const rows = await repo.lines(ex, ids, f, limit, before);
    return rows.map((r) => ({
      lineId: Number(r.id),
      entryId: r.entry_id,
      entryKind: r.entry_kind as Posting['kind'],
      postedAt: r.posted_at,
      accountKind: kinds.get(r.account_id)!,
      currency: r.currency,
      purpose: r.purpose as LinePurpose,
      role: r.role,
      productId: r.product_id,
      orderId: r.order_id,
      amount: Number(r.amount),
      balanceAfter: Number(r.balance_after),
      memo: r.memo,
    }));
  }

  /** A party's statement: its accounts and their lines newest first, each with the account's balance after it. */
  async statement(actor: Actor, kind: PartyKind, id: string, query: StatementQuery) {
    const ex = this.deps.db.kysely;
    await this.requireViewer(ex, actor, kind, id);
    const party = await this.partyRef(ex, kind, id);
    const accounts = await repo.accountsOfParty(ex, kind, id);
    const rows = await this.statementLines(ex, accounts, period(query), query.limit + 1, parseCursor(query.cursor));
    const page = pageOf(rows, query.limit, (r) => [r.lineId]);
    return { party, accounts: accounts.map((a) => this.accountView(a, party.name)), ...page };
  }

  /** The same statement as CSV (every line the filters select, newest first). */
  async statementCsv(actor: Actor, kind: PartyKind, id: string, filter: z.infer<typeof StatementCsvQuery>): Promise<string> {
    const ex = this.deps.db.kysely;
    await this.requireViewer(ex, actor, kind, id);
    const accounts = await repo.accountsOfParty(ex, kind, id);
    const rows = await this.statementLines(ex, accounts, period(filter), null);
    return csv([
      [
        'posted_at',
        'entry',
        'entry_kind',
        'account',
        'currency',
        'purpose',
        'role',
        'product',
        'order',
        'amount_minor',
        'amount',
        'balance_after_minor',
        'memo',
      ],
      ...rows.map((r) => [
        r.postedAt,
        r.entryId,
        r.entryKind,
        r.accountKind,
        r.currency,
        r.purpose,
        r.role,
        r.productId,
        r.orderId,
        r.amount,
        decimal(r.amount),
        r.balanceAfter,
        r.memo,
      ]),
    ]);
  }

  /** A party's earnings: balances per currency, totals by purpose and role, and net earnings per day. */
  async earnings(actor: Actor, kind: PartyKind, id: string) {
    const ex = this.deps.db.kysely;
    await this.requireViewer(ex, actor, kind, id);
    const party = await this.partyRef(ex, kind, id);
    const accounts = await repo.accountsOfParty(ex, kind, id);
    const earningIds = accounts.filter((a) => a.kind !== 'receivable' && a.kind !== 'payouts-in-transit').map((a) => a.id);
    const payouts = await repo.payoutTotals(ex, kind, id);
    const currencies = [...new Set([...accounts.map((a) => a.currency), ...payouts.map((p) => p.currency)])].sort();
    const balanceOf = (k: string, c: string) =>
      accounts.filter((a) => a.kind === k && a.currency === c).reduce((s, a) => s + Number(a.balance), 0);
    const payoutOf = (state: string, c: string) =>
      Number(payouts.find((p) => p.state === state && p.currency === c)?.amount ?? 0);
    return {
      party,
      balances: currencies.map((c) => ({
        currency: c,
        available: balanceOf('earnings', c) + balanceOf('commissions', c),
        earnings: balanceOf('earnings', c),
        commissions: balanceOf('commissions', c),
        inPayout: payoutOf('pending', c),
        paidOut: payoutOf('paid', c),
      })),
      byPurpose: (await repo.byPurpose(ex, earningIds)).map((r) => ({
        purpose: r.purpose as LinePurpose,
        role: r.role,
        currency: r.currency,
        amount: Number(r.amount),
      })),
      series: (await repo.daily(ex, earningIds)).map((r) => ({ day: r.day, currency: r.currency, amount: Number(r.amount) })),
    };
  }

  /** The sales a party has a part in, newest first, each with how its part was computed. */
  async sales(actor: Actor, kind: PartyKind, id: string, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    await this.requireViewer(ex, actor, kind, id);
    const key = partyKey({ kind, id });
    const rows = await repo.salesOfParty(ex, key, limit + 1, parseCursor(cursor));
    const page = pageOf(rows, limit, (r) => [Number(r.seq)]);
    return {
      items: page.items.map((s) => {
        const positions = (JSON.parse(s.positions) as StoredPosition[]).filter((x) => partyKey(x.party) === key);
        const basis = JSON.parse(s.basis) as StoredBasis;
        const evidence = basis.evidence[key] ?? {};
        return {
          orderId: s.order_id,
          productId: s.product_id,
          campaignId: s.campaign_id,
          postedAt: s.posted_at,
          paid: { amount: Number(s.paid), currency: s.currency },
          quantity: s.quantity,
          refunded: { amount: Number(s.refunded), currency: s.currency },
          agreementVersion: s.agreement_version,
          parts: positions
            .filter((x) => x.gross > 0)
            .map((x) => ({ purpose: x.purpose, role: x.role, amount: x.gross, reversed: x.taken })),
          pool: basis.pool,
          roles: basis.roles
            .filter((r) => r.holders.some((h) => partyKey(h) === key))
            .map((r) => {
              const mine = r.holders.find((h) => partyKey(h) === key)!;
              return {
                role: r.role,
                bps: r.bps,
                amount: r.amount,
                holders: r.holders.length,
                totalWeight: r.holders.reduce((sum, h) => sum + h.weight, 0),
                equal: r.equal,
                weight: mine.weight,
                contributions: mine.parts.map((x) => ({ kind: x.kind, weight: x.weight, entries: evidence[x.kind] ?? [] })),
              };
            }),
          logSize: basis.logSize,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  // ——— the operator's views ———

  /** Totals per account kind and the trial balance computed from every journal line (it must read zero). */
  async overview() {
    const ex = this.deps.db.kysely;
    const trial = await repo.trialBalance(ex);
    const lines = trial.reduce((sum, r) => sum + Number(r.lines), 0);
    return {
      trialBalance: trial.map((r) => ({
        currency: r.currency,
        debits: Number(r.debits),
        credits: Number(r.credits),
        difference: Number(r.credits) - Number(r.debits),
      })),
      kinds: (await repo.kindTotals(ex)).map((r) => ({
        kind: r.kind as AccountKind,
        currency: r.currency,
        accounts: Number(r.accounts),
        debits: Number(r.debits),
        credits: Number(r.credits),
        balance: Number(r.balance),
      })),
      entries: await repo.countEntries(ex),
      lines,
      sales: await repo.countSales(ex),
    };
  }

  /** One journal entry with its lines. */
  async getEntry(id: string) {
    const ex = this.deps.db.kysely;
    const e = await repo.findEntry(ex, id);
    if (!e) throw AppError.notFound('Journal entry');
    return {
      id: e.id,
      kind: e.kind as Posting['kind'],
      cause: { type: e.cause_type, id: e.cause_id },
      currency: e.currency,
      postedAt: e.posted_at,
      memo: e.memo,
      orderId: e.order_id,
      productId: e.product_id,
      lines: (await repo.linesOfEntry(ex, id)).map((l) => ({
        accountId: l.account_id,
        party: { kind: l.party_kind as PartyKind, id: l.party_id },
        accountKind: l.kind as AccountKind,
        purpose: l.purpose as LinePurpose,
        role: l.role,
        amount: Number(l.amount),
      })),
    };
  }

  /** What a product's sales have shared so far, by purpose and role, net of refunds (public). */
  async valueShared(productId: string) {
    if (!(await this.deps.ports.productExists(productId))) throw AppError.notFound('Product');
    const ex = this.deps.db.kysely;
    return {
      productId,
      sales: await repo.countSales(ex, productId),
      totals: (await repo.productTotals(ex, productId))
        .map((r) => ({ purpose: r.purpose as LinePurpose, role: r.role, currency: r.currency, amount: Number(r.amount) }))
        .filter((r) => r.amount !== 0),
    };
  }

  /**
   * An operator's correcting entry (corrections are new entries, never edits): lines that add up to
   * zero, on any parties' accounts, once per Idempotency-Key.
   */
  async adjust(actor: Actor, body: z.infer<typeof AdjustmentBody>, key: string | undefined) {
    if (!key) throw new AppError('bad_request', 'An adjustment needs an Idempotency-Key header');
    const sum = body.lines.reduce((s, l) => s + l.amount, 0);
    if (sum !== 0) throw AppError.invalid('lines', `must add up to zero; they add up to ${sum}`);
    const problems: { path: string; message: string }[] = [];
    const members = await this.deps.ports.displayNames(
      this.deps.db.kysely,
      body.lines.filter((l) => l.party.kind === 'member').map((l) => l.party.id),
    );
    const orgs = await this.deps.ports.organisationNames(
      this.deps.db.kysely,
      body.lines.filter((l) => l.party.kind === 'organisation').map((l) => l.party.id),
    );
    body.lines.forEach((l, i) => {
      if (l.amount === 0) problems.push({ path: `lines.${i}.amount`, message: 'an amount of zero moves nothing' });
      const known =
        l.party.kind === 'member'
          ? members.has(l.party.id)
          : l.party.kind === 'organisation'
            ? orgs.has(l.party.id)
            : (UNASSIGNED_IDS[l.party.kind] ?? []).includes(l.party.id);
      if (!known) problems.push({ path: `lines.${i}.party`, message: `is not a ${l.party.kind} the ledger knows` });
      if (!ACCOUNTS_OF[l.party.kind].includes(l.accountKind)) {
        problems.push({ path: `lines.${i}.accountKind`, message: `a ${l.party.kind} has no ${l.accountKind} account` });
      }
    });
    if (problems.length > 0) {
      throw new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });
    }
    const cause = { type: 'adjustment', id: `${actor.memberId}:${key}` };
    // The request's fingerprint is kept with the entry: a replay with another body is refused.
    const hash = fingerprint(body);
    const replay = async () => {
      const existing = (await repo.findEntryByCause(this.deps.db.kysely, cause.type, cause.id))!;
      if (existing.request_hash !== hash) {
        throw new AppError('idempotency_mismatch', 'This Idempotency-Key was used for another adjustment');
      }
      return { created: false, entry: await this.getEntry(existing.id) };
    };
    let id: string | null;
    try {
      id = await this.deps.db.transaction(async (trx) => {
        if ((await repo.postedCauses(trx, [cause])).size > 0) return null;
        const [entryId] = await this.post(trx, [
          {
            kind: 'adjustment',
            cause,
            currency: body.currency,
            memo: body.memo,
            postedBy: actor.memberId,
            requestHash: hash,
            lines: body.lines.map((l) => ({ party: l.party, account: l.accountKind, amount: l.amount, purpose: 'adjustment' })),
          },
        ]);
        return entryId!;
      });
    } catch (err) {
      // The same key sent twice at once: the other request posted it.
      if (isUniqueViolation(err)) return replay();
      throw err;
    }
    if (id) return { created: true, entry: await this.getEntry(id) };
    return replay();
  }

  // ——— payouts ———

  private async batchViews(
    ex: Executor,
    rows: readonly {
      id: string;
      currency: string;
      threshold: number;
      count: number;
      total: number;
      created_by: string;
      created_at: string;
    }[],
  ) {
    const states = await repo.batchStates(
      ex,
      rows.map((r) => r.id),
    );
    const n = (id: string, state: string) => Number(states.find((s) => s.batch_id === id && s.state === state)?.n ?? 0);
    return rows.map((b) => ({
      id: b.id,
      currency: b.currency,
      threshold: Number(b.threshold),
      createdBy: b.created_by,
      createdAt: b.created_at,
      count: b.count,
      total: { amount: Number(b.total), currency: b.currency },
      pending: n(b.id, 'pending'),
      paid: n(b.id, 'paid'),
      failed: n(b.id, 'failed'),
    }));
  }

  private async payoutViews(ex: Executor, rows: readonly LedgerPayoutsTable[]) {
    const names = await this.names(
      ex,
      rows.map((r) => ({ kind: r.party_kind, id: r.party_id })),
    );
    return rows.map((r) => ({
      id: r.id,
      batchId: r.batch_id,
      reference: r.reference,
      party: {
        kind: r.party_kind as PartyKind,
        id: r.party_id,
        name: names.get(partyKey({ kind: r.party_kind, id: r.party_id })) ?? '',
      },
      amount: { amount: Number(r.amount), currency: r.currency },
      state: r.state as 'pending' | 'paid' | 'failed',
      failureReason: r.failure_reason,
      createdAt: r.created_at,
      settledAt: r.settled_at,
    }));
  }

  /**
   * Creates a payout batch: every member and organisation whose available balance (earnings and
   * commissions) in the currency is at least the threshold gets a payout of all of it, moved to
   * payouts-in-transit. The accounts are locked while the batch is made, so two operators at once
   * never pay the same balance twice (the second finds it at zero). A conflict when nobody qualifies.
   */
  async createPayoutBatch(actor: Actor, body: z.infer<typeof CreatePayoutBatchBody>) {
    const nowIso = this.nowIso();
    const batchId = newId('pb', this.deps.clock.now());
    await this.deps.db.transaction(async (trx) => {
      const locked = await repo.lockAccounts(trx, await repo.payableAccounts(trx, body.currency, body.threshold));
      const byParty = new Map<string, LedgerAccountsTable[]>();
      for (const a of locked.values()) {
        const key = partyKey({ kind: a.party_kind, id: a.party_id });
        byParty.set(key, [...(byParty.get(key) ?? []), a]);
      }
      const payouts: LedgerPayoutsTable[] = [];
      const postings: Posting[] = [];
      for (const accounts of byParty.values()) {
        // What is available is what the accounts add up to, under their locks (a negative
        // commissions balance, after refunds, reduces it).
        const amount = accounts.reduce((s, a) => s + Number(a.balance), 0);
        if (amount < body.threshold) continue;
        const party: Party = { kind: accounts[0]!.party_kind as Party['kind'], id: accounts[0]!.party_id };
        const id = newId('po', this.deps.clock.now());
        const sources = accounts.filter((a) => Number(a.balance) !== 0);
        payouts.push({
          id,
          batch_id: batchId,
          reference: `CV-${id.slice(-12)}`,
          party_kind: party.kind,
          party_id: party.id,
          currency: body.currency,
          amount,
          sources: JSON.stringify(sources.map((a) => ({ accountId: a.id, kind: a.kind, amount: Number(a.balance) }))),
          state: 'pending',
          failure_reason: null,
          settled_by: null,
          created_at: nowIso,
          settled_at: null,
        });
        postings.push({
          kind: 'payout',
          cause: { type: 'payout', id },
          currency: body.currency,
          memo: `Payout ${id}`,
          postedBy: actor.memberId,
          lines: [
            ...sources.map((a) => ({
              party,
              account: a.kind as AccountKind,
              amount: -Number(a.balance),
              purpose: 'payout' as const,
            })),
            { party: PLATFORM, account: 'payouts-in-transit', amount, purpose: 'payout' },
          ],
        });
      }
      if (payouts.length === 0) {
        throw new AppError(
          'conflict',
          `No member or organisation has ${body.currency} ${decimal(body.threshold)} or more to pay out`,
        );
      }
      await repo.insertBatch(trx, {
        id: batchId,
        currency: body.currency,
        threshold: body.threshold,
        count: payouts.length,
        total: payouts.reduce((s, p) => s + p.amount, 0),
        created_by: actor.memberId,
        created_at: nowIso,
      });
      await repo.insertPayouts(trx, payouts);
      await this.post(trx, postings);
    });
    return this.getPayoutBatch(batchId);
  }

  async listPayoutBatches(limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listBatches(ex, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.batchViews(ex, page.items), nextCursor: page.nextCursor };
  }

  async getPayoutBatch(id: string) {
    const ex = this.deps.db.kysely;
    const b = await repo.findBatch(ex, id);
    if (!b) throw AppError.notFound('Payout batch');
    const [view] = await this.batchViews(ex, [b]);
    return { ...view!, payouts: await this.payoutViews(ex, await repo.payoutsOfBatch(ex, id)) };
  }

  /** The batch as CSV for the bank: one row per payout, with its reference to quote on the transfer. */
  async payoutBatchCsv(id: string): Promise<string> {
    const batch = await this.getPayoutBatch(id);
    return csv([
      ['reference', 'party_kind', 'party_id', 'party_name', 'currency', 'amount_minor', 'amount', 'state'],
      ...batch.payouts.map((p) => [
        p.reference,
        p.party.kind,
        p.party.id,
        p.party.name,
        p.amount.currency,
        p.amount.amount,
        decimal(p.amount.amount),
        p.state,
      ]),
    ]);
  }

  /**
   * Settles a pending payout: `paid` (the bank sent it: in-transit to the receivable) or `failed`
   * (the money goes back to the balances it came from). A conflict once settled.
   */
  async settlePayout(actor: Actor, id: string, outcome: { state: 'paid' } | { state: 'failed'; reason: string }) {
    const nowIso = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const p = await repo.findPayoutForUpdate(trx, id);
      if (!p) throw AppError.notFound('Payout');
      if (p.state !== 'pending') {
        throw new AppError('conflict', `The payout is already ${p.state}`, { extra: { state: p.state } });
      }
      const party: Party = { kind: p.party_kind as Party['kind'], id: p.party_id };
      const amount = Number(p.amount);
      const sources = JSON.parse(p.sources) as { accountId: string; kind: AccountKind; amount: number }[];
      await repo.updatePayout(trx, id, {
        state: outcome.state,
        failure_reason: outcome.state === 'failed' ? outcome.reason : null,
        settled_by: actor.memberId,
        settled_at: nowIso,
      });
      await this.post(trx, [
        {
          kind: outcome.state === 'paid' ? 'payout-paid' : 'payout-failed',
          cause: { type: `payout-${outcome.state}`, id },
          currency: p.currency,
          memo: outcome.state === 'paid' ? `Payout ${id} paid` : `Payout ${id} failed: ${outcome.reason}`,
          postedBy: actor.memberId,
          lines: [
            { party: PLATFORM, account: 'payouts-in-transit', amount: -amount, purpose: 'payout' },
            ...(outcome.state === 'paid'
              ? [{ party: PLATFORM, account: 'receivable' as const, amount, purpose: 'payout' as const }]
              : sources.map((s) => ({ party, account: s.kind, amount: s.amount, purpose: 'payout' as const }))),
          ],
        },
      ]);
    });
    const ex = this.deps.db.kysely;
    const [view] = await this.payoutViews(ex, [(await repo.findPayout(ex, id))!]);
    return view!;
  }
}

interface PaidPayload {
  orderId: string;
  campaignId: string;
  productId: string;
  memberId: string;
  needId: string;
  chainGroupId: string;
  agreementVersion: number | null;
  quantity: number;
  total: { amount: number; currency: string };
  paymentId: string;
}

interface Basis {
  terms: AgreementTerms;
  participants: Participant[];
  query: { needId: string; productId: string; partyIds: string[] };
  /** The log entries crediting the participants, and the log's size, when read. */
  entries: LogEntry[];
  logSize: number;
}

/** A basis cut off at one sale: the contributors before it. */
type SplitBasis = Basis & ReturnType<typeof contributorsFrom>;

function allocationOf(x: StoredPosition, amount: number): Allocation {
  return { party: x.party, purpose: x.purpose, ...(x.role === null ? {} : { role: x.role }), amount };
}

function samePosition(
  x: { party: Party; purpose: Purpose; role?: string | null },
  y: { party: Party; purpose: Purpose; role?: string | null },
) {
  return (
    x.party.kind === y.party.kind && x.party.id === y.party.id && x.purpose === y.purpose && (x.role ?? null) === (y.role ?? null)
  );
}
