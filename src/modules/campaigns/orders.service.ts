import type { FulfilBody, PlaceOrderBody, Shipping } from '../../contracts/campaigns.js';
import type { Actor } from '../../platform/auth/actor.js';
import { BatchConflict, oneByOneOnConflict, serialBatched } from '../../platform/batching.js';
import { fingerprint } from '../../platform/canonical-json.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus, NewEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { ChainGroupsService } from '../chain-groups/index.js';
import type { LotsService } from '../lots/index.js';
import type { NeedsService } from '../needs/index.js';
import type { OrganisationsService } from '../organisations/index.js';
import type { CampaignFacts, LaunchFacts } from './campaigns.facts.js';
import { campaignsRepository as campaigns } from './campaigns.repository.js';
import {
  allocate,
  effectiveState,
  firstClaimActive,
  heldForSupporters,
  publicStartsAt,
  release,
  type StoredLine,
  stockState,
  supportersOnly,
} from './campaigns.rules.js';
import type { CampaignsTable, OrdersTable } from './campaigns.tables.js';
import { ordersRepository as repo } from './orders.repository.js';
import { trialsRepository } from './trials.repository.js';

export interface OrdersDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  needs: Pick<NeedsService, 'supportersWithIntent'>;
  chainGroups: Pick<ChainGroupsService, 'makersOf' | 'groupsMadeBy'>;
  organisations: Pick<OrganisationsService, 'idsOfMember'>;
  /** Orders are fulfilled from recorded lots: the units are taken from the lot in the fulfilment's transaction. */
  lots: Pick<LotsService, 'takeForFulfilment'>;
  config: { autoCompleteDays: number };
  facts: CampaignFacts;
}

export type OrderState =
  | 'pending_payment'
  | 'authorised'
  | 'paid'
  | 'fulfilled'
  | 'delivered'
  | 'completed'
  | 'cancelled'
  | 'refunded';

/** What a payment provider said about an order's payment. */
export type PaymentOutcome = 'authorised' | 'captured' | 'failed' | 'voided';

/** What the payments module needs to charge an order. */
export interface OrderToPay {
  orderId: string;
  campaignId: string;
  memberId: string;
  amount: number;
  currency: string;
  /** false: authorise only (crowdfunding), captured when the goal is met. */
  capture: boolean;
}

interface PlaceJob {
  memberId: string;
  campaignId: string;
  body: PlaceOrderBody;
  key: string;
  hash: string;
}

interface Placed {
  row: OrdersTable;
  campaign: CampaignsTable;
  replayed: boolean;
}

/** A new order of a campaign: what is given, and nothing yet for the rest of its life. */
function newOrderRow(
  c: CampaignsTable,
  nowIso: string,
  given: Pick<
    OrdersTable,
    'member_id' | 'quantity' | 'lines' | 'total' | 'state' | 'capture' | 'idempotency_key' | 'request_hash'
  > &
    Partial<OrdersTable>,
): OrdersTable {
  return {
    id: newId('ord', new Date(nowIso)),
    campaign_id: c.id,
    product_id: c.product_id,
    currency: c.currency,
    refunded_amount: 0,
    restocked: 0,
    first_claim: 0,
    trial: 0,
    expires_at: null,
    payment_pending: 0,
    shipping: null,
    maker_organisation_id: null,
    lot: null,
    carrier: null,
    tracking_number: null,
    fulfilled_by: null,
    fulfilled_at: null,
    paid_at: null,
    delivered_at: null,
    completed_at: null,
    cancelled_at: null,
    cancel_reason: null,
    created_at: nowIso,
    updated_at: nowIso,
    ...given,
  };
}

const soldOut = () => new AppError('sold_out', 'Sold out: every unit is taken', { extra: { remaining: 0 } });

const keyOf = (memberId: string, key: string) => `${memberId}\u0000${key}`;
const parseLines = (row: Pick<OrdersTable, 'lines'>) => JSON.parse(row.lines) as StoredLine[];

/** The stock counters of a campaign row as numbers, to change in memory under the row's lock. */
function countersOf(c: CampaignsTable) {
  return {
    sold: c.sold,
    soldAmount: Number(c.sold_amount),
    tierSold: JSON.parse(c.tier_sold) as number[],
    firstClaimSold: c.first_claim_sold,
  };
}
type Counters = ReturnType<typeof countersOf>;

/** Orders (订单): placed against a campaign's stock, paid, fulfilled by its makers, delivered, completed; or cancelled and refunded. */
export class OrdersService {
  constructor(private readonly deps: OrdersDeps) {}

  private async factsOf(ex: Executor, campaignId: string): Promise<LaunchFacts> {
    return (await this.deps.facts.of(ex, campaignId))!;
  }

  /** One batch per campaign in flight per process: the campaign's lock is taken once per batch (ADR 0003). */
  private readonly placeBatched = serialBatched<PlaceJob, Placed>(
    (job) => job.campaignId,
    (jobs) => oneByOneOnConflict(jobs, (some) => this.placeBatch(some)),
    { maxBatchSize: 200 },
  );

  private event(type: string, row: OrdersTable, actorId: string | null, payload: Record<string, unknown>): NewEvent {
    return {
      type,
      aggregateType: 'order',
      aggregateId: row.id,
      actorId,
      payload: { orderId: row.id, campaignId: row.campaign_id, productId: row.product_id, memberId: row.member_id, ...payload },
    };
  }

  /** Shapes orders for the API, with their campaign's title and mode and whether trial feedback is due. */
  async views(ex: Executor, rows: readonly OrdersTable[], known?: CampaignsTable) {
    const byId = known ? new Map([[known.id, known]]) : new Map<string, CampaignsTable>();
    const missing = rows.map((r) => r.campaign_id).filter((id) => !byId.has(id));
    for (const [id, c] of await campaigns.findMany(ex, missing)) byId.set(id, c);
    const trialIds = rows.filter((r) => r.trial === 1).map((r) => r.id);
    const withFeedback = trialIds.length > 0 ? await trialsRepository.withFeedback(ex, trialIds) : new Set<string>();
    return rows.map((r) => {
      const c = byId.get(r.campaign_id);
      return {
        id: r.id,
        campaignId: r.campaign_id,
        campaignTitle: c?.title ?? '',
        mode: (c?.mode ?? 'presale') as 'presale' | 'crowdfunding' | 'flash' | 'trial',
        productId: r.product_id,
        memberId: r.member_id,
        quantity: r.quantity,
        lines: parseLines(r).map((l) => ({
          tier: l.tier,
          unitPrice: { amount: l.unitPrice, currency: r.currency },
          quantity: l.quantity,
        })),
        total: { amount: Number(r.total), currency: r.currency },
        refunded: { amount: Number(r.refunded_amount), currency: r.currency },
        state: r.state as OrderState,
        expiresAt: r.state === 'pending_payment' ? r.expires_at : null,
        firstClaim: r.first_claim === 1,
        trial: r.trial === 1,
        shipping: r.shipping ? (JSON.parse(r.shipping) as Shipping) : null,
        fulfilment:
          r.fulfilled_at && r.maker_organisation_id
            ? {
                organisationId: r.maker_organisation_id,
                lot: r.lot ?? '',
                carrier: r.carrier ?? '',
                trackingNumber: r.tracking_number ?? '',
                fulfilledAt: r.fulfilled_at,
              }
            : null,
        paidAt: r.paid_at,
        deliveredAt: r.delivered_at,
        completedAt: r.completed_at,
        cancelledAt: r.cancelled_at,
        cancelReason: r.cancel_reason,
        feedbackDue: r.trial === 1 && ['fulfilled', 'delivered', 'completed'].includes(r.state) && !withFeedback.has(r.id),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      };
    });
  }

  private async view(ex: Executor, row: OrdersTable, campaign?: CampaignsTable) {
    return (await this.views(ex, [row], campaign))[0]!;
  }

  /**
   * A member orders units of a live campaign. Orders arriving together are placed in one
   * transaction: the campaign's row is locked once, each order is checked in arrival order
   * (state, first claim, per-member limit, stock) and the accepted ones are written with one
   * statement each for orders, stock and events. The same Idempotency-Key and body return the
   * order already placed (`replayed`); the key with another body is a 422.
   * @example await orders.placeOrder(actor, campaignId, { quantity: 2 }, 'key-1')
   */
  async placeOrder(actor: Actor, campaignId: string, body: PlaceOrderBody, key: string) {
    const hash = fingerprint({ campaignId, quantity: body.quantity, shipping: body.shipping ?? null });
    const placed = await this.placeBatched({ memberId: actor.memberId, campaignId, body, key, hash });
    return { order: await this.view(this.deps.db.kysely, placed.row, placed.campaign), replayed: placed.replayed };
  }

  private placeBatch(jobs: readonly PlaceJob[]): Promise<(Placed | Error)[]> {
    return this.deps.db.transaction(async (trx) => {
      const now = this.deps.clock.now();
      const nowIso = now.toISOString();
      const out: (Placed | Error | undefined)[] = new Array(jobs.length);

      // Replays: a key already used by this member answers with its order (same body) or a 422.
      const replay = (row: OrdersTable, job: PlaceJob): Placed | AppError =>
        row.request_hash === job.hash
          ? ({ row, replayed: true } as Placed)
          : new AppError('idempotency_mismatch', 'This Idempotency-Key was used with another request', {
              extra: { orderId: row.id },
            });
      // The first use of each key in the batch; repeats answer like it at the end.
      const firstOfKey = new Map<string, number>();
      const todo: number[] = [];
      for (const [i, job] of jobs.entries()) {
        const k = keyOf(job.memberId, job.key);
        if (!firstOfKey.has(k)) {
          firstOfKey.set(k, i);
          todo.push(i);
        }
      }

      // A look before locking: a campaign that takes no orders now (not live, or nothing left) answers
      // at once, without queueing behind the buyers who hold its lock.
      const wanted = [...new Set(todo.map((i) => jobs[i]!.campaignId))].sort();
      const seen = await campaigns.findMany(trx, wanted);
      const open: string[] = [];
      for (const id of wanted) {
        const c = seen.get(id);
        if (!c) continue;
        const refusal = this.refusal(c, effectiveState(c, nowIso)) ?? (c.sold >= c.quantity ? soldOut() : null);
        if (refusal) for (const i of todo) if (jobs[i]!.campaignId === id) out[i] = refusal;
        if (!refusal) open.push(id);
      }
      const locked = await campaigns.lockMany(trx, open);
      // Replays: a key already used by this member answers with its order (same body) or a 422. Looked
      // up once the locks are held, so an order another process committed meanwhile is seen too; a
      // replay's answer replaces any refusal given above.
      if (todo.length > 0) {
        const late = await repo.findByKeys(
          trx,
          todo.map((i) => jobs[i]!),
        );
        for (const i of todo) {
          const row = late.get(keyOf(jobs[i]!.memberId, jobs[i]!.key));
          if (row) out[i] = replay(row, jobs[i]!);
        }
      }
      const rows: OrdersTable[] = [];
      const events: NewEvent[] = [];
      for (const [campaignId, c] of locked) {
        const mine = todo.filter((i) => out[i] === undefined && jobs[i]!.campaignId === campaignId);
        const members = mine.map((i) => jobs[i]!.memberId);
        const state = effectiveState(c, nowIso);
        const refusal = this.refusal(c, state);
        if (refusal) {
          for (const i of mine) out[i] = refusal;
          continue;
        }
        if (c.state === 'scheduled') {
          // Live by the clock before the job recorded it: record it here, with its event, so the stock's state follows.
          await campaigns.update(trx, c.id, { state: 'live', updated_at: nowIso });
          c.state = 'live';
          events.push(this.campaignEvent('campaign.live', c, { productId: c.product_id, mode: c.mode, startsAt: c.starts_at }));
        }
        const held = c.per_member_limit !== null ? await repo.memberUnits(trx, c.id, members) : new Map<string, number>();
        const claim = firstClaimActive(c, nowIso);
        const supporters = claim ? await this.deps.needs.supportersWithIntent(trx, c.need_id, members) : new Set<string>();
        const stock = countersOf(c);
        const before = stock.sold;
        for (const i of mine) {
          const job = jobs[i]!;
          const result = this.take(c, stock, held, supporters.has(job.memberId), job, nowIso);
          if (result instanceof AppError) {
            out[i] = result;
            continue;
          }
          const row = newOrderRow(c, nowIso, {
            member_id: job.memberId,
            quantity: job.body.quantity,
            lines: JSON.stringify(result.lines),
            total: result.total,
            state: 'pending_payment',
            capture: c.mode === 'crowdfunding' ? 'authorise' : 'capture',
            idempotency_key: job.key,
            request_hash: job.hash,
            first_claim: result.firstClaim ? 1 : 0,
            expires_at: new Date(now.getTime() + c.payment_timeout_minutes * 60_000).toISOString(),
            shipping: job.body.shipping ? JSON.stringify(job.body.shipping) : null,
          });
          rows.push(row);
          out[i] = { row, campaign: c, replayed: false };
          events.push(
            this.event('order.placed', row, job.memberId, {
              needId: c.need_id,
              chainGroupId: c.chain_group_id,
              agreementVersion: c.agreement_version,
              mode: c.mode,
              quantity: row.quantity,
              lines: result.lines,
              total: { amount: result.total, currency: c.currency },
              firstClaim: result.firstClaim,
              expiresAt: row.expires_at,
            }),
          );
        }
        if (stock.sold === before) continue;
        const next = { ...stock, state: stockState(c, stock.sold) };
        const soldOut = next.state === 'sold_out' && c.state !== 'sold_out';
        await campaigns.setStock(trx, c.id, this.storedCounters(next), nowIso);
        Object.assign(c, this.storedCounters(next), { updated_at: nowIso });
        if (soldOut) events.push(this.campaignEvent('campaign.sold-out', c, { productId: c.product_id, quantity: c.quantity }));
      }
      for (const i of todo) if (out[i] === undefined && !seen.has(jobs[i]!.campaignId)) out[i] = AppError.notFound('Campaign');

      const inserted = await repo.insertMany(trx, rows);
      if (inserted.size < rows.length) throw new BatchConflict();
      await this.deps.events.publishMany(trx, events);

      // Repeats of a key within the batch answer like replays of its first use.
      for (const [i, job] of jobs.entries()) {
        if (out[i] !== undefined) continue;
        const first = out[firstOfKey.get(keyOf(job.memberId, job.key))!]!;
        out[i] =
          first instanceof Error
            ? first
            : first.row.request_hash === job.hash
              ? { ...first, replayed: true }
              : new AppError('idempotency_mismatch', 'This Idempotency-Key was used with another request', {
                  extra: { orderId: first.row.id },
                });
      }
      // Replayed orders need their campaign for the view.
      const need = out.filter((o): o is Placed => o !== undefined && !(o instanceof Error) && o.campaign === undefined);
      if (need.length > 0) {
        const found = await campaigns.findMany(
          trx,
          need.map((p) => p.row.campaign_id),
        );
        for (const p of need) p.campaign = locked.get(p.row.campaign_id) ?? found.get(p.row.campaign_id)!;
      }
      return out as (Placed | Error)[];
    });
  }

  private campaignEvent(type: string, c: CampaignsTable, payload: Record<string, unknown>): NewEvent {
    return { type, aggregateType: 'campaign', aggregateId: c.id, actorId: null, payload: { campaignId: c.id, ...payload } };
  }

  private storedCounters(s: Counters & { state: string }) {
    return {
      sold: s.sold,
      sold_amount: s.soldAmount,
      tier_sold: JSON.stringify(s.tierSold),
      first_claim_sold: s.firstClaimSold,
      state: s.state,
    };
  }

  /** Why a campaign in this state takes no orders, or null when it does. */
  private refusal(c: CampaignsTable, state: string): AppError | null {
    if (c.mode === 'trial') {
      return new AppError('conflict', 'A trial takes applications, not orders: apply for a sample instead', {
        extra: { reason: 'is-trial' },
      });
    }
    if (state === 'draft' || state === 'scheduled') {
      return new AppError('not_live', `The campaign is not live yet: it starts at ${c.starts_at}`, {
        extra: { state, startsAt: c.starts_at },
      });
    }
    if (state === 'ended' || state === 'settled') {
      return new AppError('not_live', `The campaign has ended (${c.ends_at})`, { extra: { state, endsAt: c.ends_at } });
    }
    return null;
  }

  /** Checks one order against the campaign's rules and takes its units from `stock`, or says why not. */
  private take(
    c: CampaignsTable,
    stock: Counters,
    held: Map<string, number>,
    supporter: boolean,
    job: PlaceJob,
    nowIso: string,
  ): AppError | { lines: StoredLine[]; total: number; firstClaim: boolean } {
    const want = job.body.quantity;
    if (!supporter && supportersOnly(c, nowIso)) {
      return new AppError(
        'not_live',
        `Until ${publicStartsAt(c)} only members who supported the need with a purchase intent may order`,
        { extra: { state: 'live', publicStartsAt: publicStartsAt(c), firstClaim: true } },
      );
    }
    const remaining = c.quantity - stock.sold;
    const held4supporters = supporter ? 0 : heldForSupporters({ ...c, first_claim_sold: stock.firstClaimSold }, nowIso);
    const available = Math.max(0, remaining - held4supporters);
    const taken = available >= want ? allocate(JSON.parse(c.price_tiers), stock.tierSold, c.quantity, want) : null;
    // Sold out is said first: it is the news that matters, whatever the member already holds.
    if (!taken) {
      return available === 0
        ? soldOut()
        : new AppError('sold_out', `Only ${available} left: order ${available} or fewer`, { extra: { remaining: available } });
    }
    if (c.per_member_limit !== null) {
      const already = held.get(job.memberId) ?? 0;
      if (already + want > c.per_member_limit) {
        return new AppError(
          'limit_exceeded',
          `At most ${c.per_member_limit} per member: you hold ${already}, so ${Math.max(0, c.per_member_limit - already)} more at most`,
          { extra: { limit: c.per_member_limit, alreadyOrdered: already } },
        );
      }
    }
    const firstClaim = supporter && firstClaimActive({ ...c, first_claim_sold: stock.firstClaimSold }, nowIso);
    stock.sold += want;
    stock.soldAmount += taken.total;
    stock.tierSold = taken.tierSold;
    if (firstClaim) stock.firstClaimSold += want;
    if (c.per_member_limit !== null) held.set(job.memberId, (held.get(job.memberId) ?? 0) + want);
    return { lines: taken.lines, total: taken.total, firstClaim };
  }

  /**
   * Gives orders' units back to the campaign's stock (the campaign is locked by the caller) and marks
   * them restocked. Orders already restocked are left as they are.
   */
  private async restock(trx: Executor, c: CampaignsTable, orders: readonly OrdersTable[], nowIso: string): Promise<void> {
    const back = orders.filter((o) => o.restocked === 0);
    if (back.length === 0) return;
    const s = countersOf(c);
    for (const o of back) {
      s.sold -= o.quantity;
      s.soldAmount -= Number(o.total);
      s.tierSold = release(s.tierSold, parseLines(o));
      if (o.first_claim === 1) s.firstClaimSold -= o.quantity;
    }
    const stored = this.storedCounters({ ...s, state: stockState(c, s.sold) });
    await campaigns.setStock(trx, c.id, stored, nowIso);
    Object.assign(c, stored, { updated_at: nowIso });
    await repo.updateMany(
      trx,
      back.map((o) => o.id),
      { restocked: 1 },
    );
    for (const o of back) o.restocked = 1;
  }

  /** Cancels locked orders of a locked campaign: units back to stock, one event each. */
  private async cancelLocked(
    trx: Executor,
    c: CampaignsTable,
    orders: readonly OrdersTable[],
    reason: string,
    actorId: string | null,
    nowIso: string,
  ): Promise<void> {
    if (orders.length === 0) return;
    await this.restock(trx, c, orders, nowIso);
    await repo.updateMany(
      trx,
      orders.map((o) => o.id),
      {
        state: 'cancelled',
        cancelled_at: nowIso,
        cancel_reason: reason,
        payment_pending: 0,
        expires_at: null,
        updated_at: nowIso,
      },
    );
    await this.deps.events.publishMany(
      trx,
      orders.map((o) =>
        this.event('order.cancelled', o, actorId, {
          reason,
          chainGroupId: c.chain_group_id,
          agreementVersion: c.agreement_version,
          from: o.state,
          quantity: o.quantity,
          total: { amount: Number(o.total), currency: o.currency },
        }),
      ),
    );
    for (const o of orders) Object.assign(o, { state: 'cancelled', cancelled_at: nowIso, cancel_reason: reason });
  }

  /** Locks an order's campaign, then the order (always in this order, so no two transactions wait in a circle). */
  private async lockOrderAndCampaign(trx: Executor, orderId: string): Promise<{ order: OrdersTable; campaign: CampaignsTable }> {
    const pre = await repo.find(trx, orderId);
    if (!pre) throw AppError.notFound('Order');
    const campaign = await campaigns.findForUpdate(trx, pre.campaign_id);
    const order = await repo.findForUpdate(trx, orderId);
    if (!campaign || !order) throw AppError.notFound('Order');
    return { order, campaign };
  }

  /**
   * Locks campaigns in id order, for a caller that will then lock some of their orders in any order
   * (the campaign's lock is always taken before its orders').
   */
  async lockCampaigns(trx: Executor, campaignIds: readonly string[]): Promise<void> {
    await campaigns.lockMany(trx, [...new Set(campaignIds)].sort());
  }

  /** Locks orders in id order (their campaigns first, when the caller will change their stock). */
  async lockOrders(trx: Executor, orderIds: readonly string[]): Promise<void> {
    await repo.lockMany(trx, orderIds);
  }

  private async lockOrder(trx: Executor, orderId: string): Promise<OrdersTable> {
    const order = await repo.findForUpdate(trx, orderId);
    if (!order) throw AppError.notFound('Order');
    return order;
  }

  private requireOwnerOrOperator(actor: Actor, order: OrdersTable): void {
    if (order.member_id !== actor.memberId && !actor.roles.includes('operator')) {
      throw new AppError('forbidden', 'This is another member’s order');
    }
  }

  /** The maker organisations the actor may fulfil this campaign's orders for (all of them for operators). */
  private async makerOrganisations(ex: Executor, actor: Actor, chainGroupId: string): Promise<string[]> {
    const makers = await this.deps.chainGroups.makersOf(ex, chainGroupId);
    if (actor.roles.includes('operator')) return makers;
    const mine = new Set(await this.deps.organisations.idsOfMember(ex, actor.memberId));
    return makers.filter((m) => mine.has(m));
  }

  /** One order: for its owner, operators, and the makers of its campaign's product. */
  async getOrder(actor: Actor, id: string) {
    const ex = this.deps.db.kysely;
    const row = await repo.find(ex, id);
    if (!row) throw AppError.notFound('Order');
    if (row.member_id !== actor.memberId && !actor.roles.includes('operator')) {
      // A maker sees the orders it has to ship, or has shipped; not the others' carts.
      const c = (await campaigns.find(ex, row.campaign_id))!;
      const toShip = ['paid', 'fulfilled', 'delivered', 'completed'].includes(row.state);
      if (!toShip || (await this.makerOrganisations(ex, actor, c.chain_group_id)).length === 0) {
        throw new AppError('forbidden', 'This is another member’s order');
      }
    }
    return this.view(ex, row);
  }

  /** The caller's orders, newest first. */
  async listMyOrders(actor: Actor, filter: { state?: string; campaignId?: string }, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listOfMember(ex, actor.memberId, filter, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /** A campaign's orders, oldest first, for operators. */
  async listCampaignOrders(campaignId: string, filter: { state?: string }, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const c = await campaigns.find(ex, campaignId);
    if (!c) throw AppError.notFound('Campaign');
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listOfCampaigns(
      ex,
      [campaignId],
      { states: filter.state ? [filter.state] : undefined },
      limit + 1,
      after,
    );
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items, c), nextCursor: page.nextCursor };
  }

  /**
   * Orders a maker has to fulfil (paid), has shipped (fulfilled) or delivered: those of the campaigns
   * whose product's chain group has one of the caller's organisations as a maker. Operators see all
   * orders in the state.
   */
  async listFulfilmentQueue(actor: Actor, filter: { state: string; campaignId?: string }, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    let campaignIds: string[] | undefined;
    if (!actor.roles.includes('operator')) {
      const mine = await this.deps.organisations.idsOfMember(ex, actor.memberId);
      campaignIds = await campaigns.idsOfChainGroups(ex, await this.deps.chainGroups.groupsMadeBy(ex, mine));
    }
    if (filter.campaignId) {
      if (campaignIds && !campaignIds.includes(filter.campaignId)) {
        throw new AppError('forbidden', 'Only the makers of this campaign’s product and operators see its fulfilment queue');
      }
      campaignIds = [filter.campaignId];
    }
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listOfCampaigns(ex, campaignIds, { states: [filter.state] }, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /**
   * The owner or an operator cancels an order that has not shipped: its units go back to stock at
   * once; an authorisation is voided and captured money refunded by the payments module (which
   * follows `order.cancelled`). Cancelling a cancelled order changes nothing.
   */
  async cancelOrder(actor: Actor, id: string) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const { order, campaign } = await this.lockOrderAndCampaign(trx, id);
      this.requireOwnerOrOperator(actor, order);
      if (order.state === 'cancelled') return;
      if (!['pending_payment', 'authorised', 'paid'].includes(order.state)) {
        throw new AppError(
          'conflict',
          order.state === 'refunded'
            ? 'The order was refunded'
            : 'The order has shipped: it can no longer be cancelled, ask for a refund instead',
          { extra: { state: order.state } },
        );
      }
      const byOwner = !actor.roles.includes('operator');
      const state = effectiveState(campaign, nowIso);
      if (byOwner && campaign.mode === 'crowdfunding' && (state === 'ended' || state === 'settled')) {
        throw new AppError('conflict', 'The campaign has ended and its goal is decided: a pledge can no longer be withdrawn', {
          extra: { reason: 'campaign-ended', state },
        });
      }
      const reason = order.member_id === actor.memberId ? 'by-member' : 'by-operator';
      await this.cancelLocked(trx, campaign, [order], reason, actor.memberId, nowIso);
    });
    return this.getOrder(actor, id);
  }

  /** The owner sets or changes where to deliver, until the order ships. */
  async setShipping(actor: Actor, id: string, shipping: Shipping) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, id);
      if (order.member_id !== actor.memberId) throw new AppError('forbidden', 'Only the buyer sets the delivery address');
      if (!['pending_payment', 'authorised', 'paid'].includes(order.state)) {
        throw new AppError('conflict', `The order is ${order.state}: its address can no longer change`, {
          extra: { state: order.state },
        });
      }
      await repo.update(trx, id, { shipping: JSON.stringify(shipping), updated_at: nowIso });
    });
    return this.getOrder(actor, id);
  }

  /**
   * A maker records the lot the units come from and the shipment (carrier, tracking number); the
   * order becomes fulfilled. The lot must be one the organisation recorded for the product, passed
   * QA, with the order's units left (422 naming `lot` otherwise); they are taken from it. A
   * fulfilled order's lot and tracking may be corrected the same way: the units move to the new lot.
   */
  async fulfilOrder(actor: Actor, id: string, body: FulfilBody) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, id);
      const c = (await campaigns.find(trx, order.campaign_id))!;
      const allowed = await this.makerOrganisations(trx, actor, c.chain_group_id);
      if (allowed.length === 0)
        throw new AppError('forbidden', 'Only the makers of this product and operators fulfil its orders');
      const organisationId = body.organisationId ?? (allowed.length === 1 ? allowed[0]! : undefined);
      if (!organisationId) throw AppError.invalid('organisationId', 'name the maker organisation the units come from');
      if (!allowed.includes(organisationId)) {
        throw AppError.invalid('organisationId', 'is not a maker of this product you act for');
      }
      if (order.state !== 'paid' && order.state !== 'fulfilled') {
        throw new AppError('conflict', `Only paid orders are fulfilled; this one is ${order.state}`, {
          extra: { state: order.state },
        });
      }
      const correction = order.state === 'fulfilled';
      const lotId = await this.deps.lots.takeForFulfilment(trx, {
        productId: order.product_id,
        organisationId,
        lotNumber: body.lot,
        quantity: order.quantity,
        ...(correction && order.maker_organisation_id && order.lot
          ? { previous: { organisationId: order.maker_organisation_id, lotNumber: order.lot } }
          : {}),
      });
      await repo.update(trx, id, {
        state: 'fulfilled',
        maker_organisation_id: organisationId,
        lot: body.lot,
        carrier: body.carrier,
        tracking_number: body.trackingNumber,
        fulfilled_by: actor.memberId,
        fulfilled_at: correction ? order.fulfilled_at : nowIso,
        updated_at: nowIso,
      });
      await this.deps.events.publish(
        trx,
        this.event(correction ? 'order.fulfilment-corrected' : 'order.fulfilled', order, actor.memberId, {
          chainGroupId: c.chain_group_id,
          organisationId,
          lot: body.lot,
          lotId,
          carrier: body.carrier,
          trackingNumber: body.trackingNumber,
          quantity: order.quantity,
        }),
      );
    });
    return this.getOrder(actor, id);
  }

  /**
   * Locks an order in the caller's transaction (as paying it does) and reads its buyer and state;
   * null for an unknown order.
   */
  async lockBuyer(trx: Executor, orderId: string): Promise<{ memberId: string; state: string } | null> {
    const o = await repo.findForUpdate(trx, orderId);
    return o ? { memberId: o.member_id, state: o.state } : null;
  }

  /** A maker or an operator records that the carrier delivered a fulfilled order. */
  async deliverOrder(actor: Actor, id: string) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, id);
      const c = (await campaigns.find(trx, order.campaign_id))!;
      if ((await this.makerOrganisations(trx, actor, c.chain_group_id)).length === 0) {
        throw new AppError('forbidden', 'Only the makers of this product and operators record deliveries');
      }
      if (order.state === 'delivered') return;
      if (order.state !== 'fulfilled') {
        throw new AppError('conflict', `Only shipped orders are delivered; this one is ${order.state}`, {
          extra: { state: order.state },
        });
      }
      await repo.update(trx, id, { state: 'delivered', delivered_at: nowIso, updated_at: nowIso });
      await this.deps.events.publish(
        trx,
        this.event('order.delivered', order, actor.memberId, {
          quantity: order.quantity,
          chainGroupId: c.chain_group_id,
          agreementVersion: c.agreement_version,
        }),
      );
    });
    return this.getOrder(actor, id);
  }

  /** The buyer (or an operator) confirms a shipped order arrived as it should: completed. */
  async completeOrder(actor: Actor, id: string) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, id);
      this.requireOwnerOrOperator(actor, order);
      if (order.state === 'completed') return;
      await this.completeLocked(trx, order, actor.memberId, nowIso);
    });
    return this.getOrder(actor, id);
  }

  private async completeLocked(trx: Executor, order: OrdersTable, actorId: string | null, nowIso: string): Promise<void> {
    if (order.state !== 'fulfilled' && order.state !== 'delivered') {
      throw new AppError('conflict', `Only shipped orders are completed; this one is ${order.state}`, {
        extra: { state: order.state },
      });
    }
    await repo.update(trx, order.id, {
      state: 'completed',
      delivered_at: order.delivered_at ?? nowIso,
      completed_at: nowIso,
      updated_at: nowIso,
    });
    const c = await this.factsOf(trx, order.campaign_id);
    const about = { quantity: order.quantity, chainGroupId: c.chain_group_id, agreementVersion: c.agreement_version };
    await this.deps.events.publishMany(trx, [
      ...(order.state === 'fulfilled' ? [this.event('order.delivered', order, actorId, about)] : []),
      this.event('order.completed', order, actorId, about),
    ]);
    order.state = 'completed';
  }

  /** Completes a locked trial order when its feedback arrives (the sample has evidently arrived). */
  async completeForFeedback(trx: Executor, orderId: string, actorId: string): Promise<void> {
    const order = await this.lockOrder(trx, orderId);
    if (order.state === 'fulfilled' || order.state === 'delivered') {
      await this.completeLocked(trx, order, actorId, this.deps.clock.now().toISOString());
    }
  }

  /**
   * Cancels pending orders whose reservation lapsed (unpaid within the campaign's payment timeout,
   * or a started payment that never concluded), returning their units. Safe in several processes
   * at once: rows another transaction holds are skipped this time.
   */
  async expireLapsed(limit = 500): Promise<number> {
    const nowIso = this.deps.clock.now().toISOString();
    const lapsed = await repo.lapsed(this.deps.db.kysely, nowIso, limit);
    const byCampaign = new Map<string, typeof lapsed>();
    for (const o of lapsed) byCampaign.set(o.campaign_id, [...(byCampaign.get(o.campaign_id) ?? []), o]);
    let expired = 0;
    for (const [campaignId, orders] of byCampaign) {
      expired += await this.deps.db.transaction(async (trx) => {
        const c = await campaigns.findForUpdate(trx, campaignId);
        if (!c) return 0;
        const rows = (
          await repo.lockInStates(
            trx,
            orders.map((o) => o.id),
            ['pending_payment'],
          )
        ).filter((o) => o.expires_at !== null && o.expires_at <= nowIso);
        await this.cancelLocked(trx, c, rows, 'expired', null, nowIso);
        return rows.length;
      });
    }
    return expired;
  }

  /** Completes orders delivered more than the configured number of days ago. */
  async completeDelivered(limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    const before = new Date(now.getTime() - this.deps.config.autoCompleteDays * 86_400_000).toISOString();
    const ids = await repo.deliveredBefore(this.deps.db.kysely, before, limit);
    if (ids.length === 0) return 0;
    return this.deps.db.transaction(async (trx) => {
      const rows = await repo.lockInStates(trx, ids, ['delivered']);
      for (const o of rows) await this.completeLocked(trx, o, null, now.toISOString());
      return rows.length;
    });
  }

  /** Cancels every pending order of a locked campaign (a crowdfunding deadline passed before they were paid). */
  async cancelPendingIn(trx: Executor, c: CampaignsTable, reason: string): Promise<number> {
    const ids = await repo.idsInStates(trx, c.id, ['pending_payment']);
    const rows = await repo.lockInStates(trx, ids, ['pending_payment']);
    // Rows a payment is recording right now are waited for, not skipped: the deadline takes them all.
    const skipped = ids.filter((id) => !rows.some((r) => r.id === id));
    for (const id of skipped) {
      const row = await repo.findForUpdate(trx, id);
      if (row?.state === 'pending_payment') rows.push(row);
    }
    await this.cancelLocked(trx, c, rows, reason, null, this.deps.clock.now().toISOString());
    return rows.length;
  }

  /** Orders of a campaign by state: `{ state: { orders, units } }`. */
  async countByState(ex: Executor, campaignId: string) {
    return Object.fromEntries(
      (await repo.countByState(ex, campaignId)).map((r) => [r.state, { orders: r.orders, units: r.units }]),
    );
  }

  /**
   * Checks the campaign's stock counters against its orders: the units and money held by orders not
   * restocked must equal `sold` and `soldAmount`, and sold + remaining = quantity with 0 ≤ sold ≤ quantity.
   */
  async auditStock(campaignId: string) {
    const ex = this.deps.db.kysely;
    const c = await campaigns.find(ex, campaignId);
    if (!c) throw AppError.notFound('Campaign');
    const held = await repo.held(ex, campaignId);
    const tierSold = JSON.parse(c.tier_sold) as number[];
    return {
      campaignId,
      quantity: c.quantity,
      sold: c.sold,
      remaining: c.quantity - c.sold,
      soldAmount: Number(c.sold_amount),
      heldByOrders: held.units,
      amountByOrders: held.amount,
      tierSold,
      consistent:
        held.units === c.sold &&
        held.amount === Number(c.sold_amount) &&
        c.sold >= 0 &&
        c.sold <= c.quantity &&
        tierSold.reduce((a, b) => a + b, 0) === c.sold,
    };
  }

  // ── For the payments module, inside its transactions ──────────────────────────────────────────

  /**
   * Locks orders for payments about to start, in one statement for all: each caller must own its
   * order and it must be pending payment and not lapsed (an AppError for that one otherwise).
   * Nothing is written: `holdForPayments` marks the ones the payments go ahead for.
   */
  async startPayments(trx: Executor, items: readonly { actor: Actor; orderId: string }[]): Promise<(OrderToPay | AppError)[]> {
    const nowIso = this.deps.clock.now().toISOString();
    const orders = await repo.lockMany(
      trx,
      items.map((x) => x.orderId),
    );
    const taken = new Set<string>();
    return items.map((item): OrderToPay | AppError => {
      const order = orders.get(item.orderId);
      if (!order) return AppError.notFound('Order');
      if (order.member_id !== item.actor.memberId) return new AppError('forbidden', 'Only the buyer pays for an order');
      if (order.state !== 'pending_payment') {
        return new AppError('conflict', `The order is ${order.state}: there is nothing to pay`, {
          extra: { state: order.state },
        });
      }
      if (order.expires_at !== null && order.expires_at <= nowIso) {
        return new AppError('conflict', 'The order’s reservation lapsed: its units went back to stock; order again', {
          extra: { state: 'pending_payment', expiresAt: order.expires_at },
        });
      }
      if (taken.has(order.id)) {
        return new AppError('conflict', 'A payment of this order is under way: wait for its outcome', {
          extra: { orderId: order.id },
        });
      }
      taken.add(order.id);
      return {
        orderId: order.id,
        campaignId: order.campaign_id,
        memberId: order.member_id,
        amount: Number(order.total),
        currency: order.currency,
        capture: order.capture !== 'authorise',
      };
    });
  }

  /** Marks locked orders as having a payment under way, their units held for the provider's hold at least. */
  async holdForPayments(trx: Executor, items: readonly { orderId: string; holdMinutes: number }[]): Promise<void> {
    const now = this.deps.clock.now();
    const byHold = new Map<string, string[]>();
    for (const x of items) {
      const until = new Date(now.getTime() + x.holdMinutes * 60_000).toISOString();
      byHold.set(until, [...(byHold.get(until) ?? []), x.orderId]);
    }
    for (const [until, ids] of byHold) await repo.holdForPayment(trx, ids, until, now.toISOString());
  }

  /**
   * Records that payments were authorised or captured, for many orders at once: one statement per
   * outcome, and the orders' events added to `events` for the caller to publish with its own. Returns,
   * per item, false when the order can no longer take the money (cancelled meanwhile): captured money
   * must then be refunded, an authorisation voided. Told twice (a webhook after the synchronous
   * answer), an order changes nothing.
   */
  async recordPayments(
    trx: Executor,
    items: readonly {
      orderId: string;
      outcome: 'authorised' | 'captured';
      paymentId: string;
      provider: string;
      actorId: string | null;
    }[],
    events: NewEvent[],
  ): Promise<boolean[]> {
    const nowIso = this.deps.clock.now().toISOString();
    const orders = await repo.lockMany(
      trx,
      items.map((x) => x.orderId),
    );
    const to = { authorised: [] as string[], captured: [] as string[] };
    const out: boolean[] = [];
    for (const item of items) {
      const order = orders.get(item.orderId);
      if (!order) {
        out.push(false);
        continue;
      }
      const from = order.state;
      const takes = from === 'pending_payment' || (item.outcome === 'captured' && from === 'authorised');
      out.push(takes || (from !== 'cancelled' && from !== 'refunded'));
      if (!takes) continue;
      to[item.outcome].push(order.id);
      order.state = item.outcome === 'captured' ? 'paid' : 'authorised';
      const c = await this.factsOf(trx, order.campaign_id);
      events.push(
        this.event(item.outcome === 'captured' ? 'order.paid' : 'order.authorised', order, item.actorId, {
          needId: c.need_id,
          chainGroupId: c.chain_group_id,
          agreementVersion: c.agreement_version,
          mode: c.mode,
          quantity: order.quantity,
          lines: parseLines(order),
          total: { amount: Number(order.total), currency: order.currency },
          paymentId: item.paymentId,
          provider: item.provider,
          from,
        }),
      );
    }
    await repo.updateMany(trx, to.captured, {
      state: 'paid',
      payment_pending: 0,
      expires_at: null,
      paid_at: nowIso,
      updated_at: nowIso,
    });
    await repo.updateMany(trx, to.authorised, { state: 'authorised', payment_pending: 0, expires_at: null, updated_at: nowIso });
    return out;
  }

  /**
   * Records what the provider said of an order's payment. Returns false when the order can no
   * longer take it (cancelled or lapsed meanwhile): captured money must then be refunded, an
   * authorisation voided.
   */
  async recordPayment(
    trx: Executor,
    orderId: string,
    outcome: PaymentOutcome,
    meta: { paymentId: string; provider: string; reason?: string; actorId: string | null },
  ): Promise<boolean> {
    const nowIso = this.deps.clock.now().toISOString();
    if (outcome === 'voided') {
      const { order, campaign } = await this.lockOrderAndCampaign(trx, orderId);
      if (order.state === 'authorised') {
        await this.cancelLocked(trx, campaign, [order], meta.reason ?? 'payment-voided', meta.actorId, nowIso);
      } else if (order.state === 'pending_payment') {
        await repo.update(trx, orderId, { payment_pending: 0, updated_at: nowIso });
      }
      return true;
    }
    if (outcome === 'failed') {
      // A capture that failed (an authorisation that expired, say) ends the pledge: units back, member told.
      if ((await repo.find(trx, orderId))?.state === 'authorised') {
        const { order, campaign } = await this.lockOrderAndCampaign(trx, orderId);
        if (order.state === 'authorised') await this.cancelLocked(trx, campaign, [order], 'payment-failed', meta.actorId, nowIso);
        return true;
      }
      const order = await this.lockOrder(trx, orderId);
      if (order.state === 'pending_payment') await repo.update(trx, orderId, { payment_pending: 0, updated_at: nowIso });
      return true;
    }
    const events: NewEvent[] = [];
    const [taken] = await this.recordPayments(
      trx,
      [{ orderId, outcome, paymentId: meta.paymentId, provider: meta.provider, actorId: meta.actorId }],
      events,
    );
    await this.deps.events.publishMany(trx, events);
    return taken!;
  }

  /** What a refund may take from an order: it must have captured money (paid or later, or cancelled after paying). */
  async refundable(
    trx: Executor,
    orderId: string,
  ): Promise<{ state: OrderState; fulfilled: boolean; total: number; currency: string }> {
    const order = await this.lockOrder(trx, orderId);
    return {
      state: order.state as OrderState,
      fulfilled: order.fulfilled_at !== null,
      total: Number(order.total),
      currency: order.currency,
    };
  }

  /**
   * Records money refunded on an order (the running total). Refunded in full, the order ends
   * refunded — or cancelled, with `cancelReason`, when the refund undoes a cancellation or a missed
   * goal — and its units go back to stock when `restock` says so.
   */
  async recordRefund(
    trx: Executor,
    orderId: string,
    refund: {
      refundId: string;
      amount: number;
      refundedTotal: number;
      restock: boolean;
      cancelReason: string | null;
      requestedBy: string | null;
    },
  ): Promise<void> {
    const nowIso = this.deps.clock.now().toISOString();
    const { order, campaign } = await this.lockOrderAndCampaign(trx, orderId);
    const full = refund.refundedTotal >= Number(order.total);
    await repo.update(trx, orderId, { refunded_amount: refund.refundedTotal, updated_at: nowIso });
    await this.deps.events.publish(
      trx,
      this.event('order.refunded', order, refund.requestedBy, {
        refundId: refund.refundId,
        amount: { amount: refund.amount, currency: order.currency },
        refundedTotal: { amount: refund.refundedTotal, currency: order.currency },
        full,
        chainGroupId: campaign.chain_group_id,
        agreementVersion: campaign.agreement_version,
      }),
    );
    if (!full || order.state === 'cancelled' || order.state === 'refunded') {
      if (full && refund.restock) await this.restock(trx, campaign, [order], nowIso);
      return;
    }
    if (refund.cancelReason) {
      await this.cancelLocked(trx, campaign, [order], refund.cancelReason, null, nowIso);
      return;
    }
    if (refund.restock) await this.restock(trx, campaign, [order], nowIso);
    await repo.update(trx, orderId, { state: 'refunded', updated_at: nowIso });
  }

  /** Creates the free orders of a trial's winners in a locked campaign, taking their units from its stock. */
  async createTrialOrders(
    trx: Executor,
    c: CampaignsTable,
    winners: readonly { memberId: string; applicationId: string }[],
    actorId: string,
  ): Promise<OrdersTable[]> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const stock = countersOf(c);
    const rows: OrdersTable[] = [];
    for (const w of winners) {
      const taken = allocate(JSON.parse(c.price_tiers), stock.tierSold, c.quantity, 1);
      if (!taken)
        throw new AppError('sold_out', `Only ${c.quantity - stock.sold} samples are left`, {
          extra: { remaining: c.quantity - stock.sold },
        });
      stock.sold += 1;
      stock.soldAmount += taken.total;
      stock.tierSold = taken.tierSold;
      rows.push(
        newOrderRow(c, nowIso, {
          member_id: w.memberId,
          quantity: 1,
          lines: JSON.stringify(taken.lines),
          total: taken.total,
          state: 'paid',
          capture: 'none',
          idempotency_key: `trial:${w.applicationId}`,
          request_hash: fingerprint({ trial: w.applicationId }),
          trial: 1,
          paid_at: nowIso,
        }),
      );
    }
    const events: NewEvent[] = [];
    if (c.state === 'scheduled' && effectiveState(c, nowIso) !== 'scheduled') {
      // Live by the clock before the job recorded it (as in placeBatch).
      c.state = 'live';
      events.push(this.campaignEvent('campaign.live', c, { productId: c.product_id, mode: c.mode, startsAt: c.starts_at }));
    }
    const stored = this.storedCounters({ ...stock, state: stockState(c, stock.sold) });
    if (stored.state === 'sold_out' && c.state !== 'sold_out') {
      events.push(this.campaignEvent('campaign.sold-out', c, { productId: c.product_id, quantity: c.quantity }));
    }
    await campaigns.setStock(trx, c.id, stored, nowIso);
    Object.assign(c, stored);
    const inserted = await repo.insertMany(trx, rows);
    if (inserted.size < rows.length) throw new AppError('conflict', 'One of these applicants already has a sample');
    await this.deps.events.publishMany(trx, [
      ...events,
      ...rows.map((r) =>
        this.event('order.placed', r, actorId, {
          needId: c.need_id,
          chainGroupId: c.chain_group_id,
          agreementVersion: c.agreement_version,
          mode: 'trial',
          quantity: 1,
          lines: parseLines(r),
          total: { amount: 0, currency: c.currency },
          firstClaim: false,
          trial: true,
        }),
      ),
    ]);
    return rows;
  }
}
