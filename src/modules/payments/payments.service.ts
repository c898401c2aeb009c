import type { Logger } from 'pino';
import type { CreatePaymentBody, RefundBody } from '../../contracts/payments.js';
import type { Actor } from '../../platform/auth/actor.js';
import { BatchConflict, oneByOneOnConflict, serialBatched } from '../../platform/batching.js';
import { fingerprint } from '../../platform/canonical-json.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { DomainEvent, EventBus, NewEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { OrdersService } from '../campaigns/index.js';
import { paymentsRepository as repo } from './payments.repository.js';
import type { PaymentState, PaymentsTable, RefundsTable } from './payments.tables.js';
import type {
  ChargeResult,
  NextAction,
  PaymentProvider,
  ProviderEvent,
  RefundResult,
  SimulateOptions,
} from './providers/provider.js';

export interface PaymentsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  log: Logger;
  orders: Pick<
    OrdersService,
    | 'startPayments'
    | 'holdForPayments'
    | 'recordPayments'
    | 'recordPayment'
    | 'refundable'
    | 'recordRefund'
    | 'getOrder'
    | 'lockCampaigns'
    | 'lockOrders'
  >;
  providers: readonly PaymentProvider[];
}

const LEASE_MS = 60_000;
/** Payment batches in flight at once per process, per step (start, record, webhooks): they touch per-order rows only. */
const PAYMENT_BATCHES = 4;
const MAX_BACKOFF_MS = 10 * 60_000;
/** A payment still pending at the provider this long after it started is asked about again. */
const RECONCILE_AFTER_MS = 60_000;

interface StartJob {
  actor: Actor;
  orderId: string;
  body: CreatePaymentBody;
  key: string;
  hash: string;
  provider: PaymentProvider;
}

/** An authorisation or a capture of a payment with nothing else asked of it: recorded set-based, touching no stock. */
function isHot(p: PaymentsTable, result: ChargeResult): boolean {
  const to = result.status;
  return (to === 'authorised' || to === 'captured') && MOVES[p.state].includes(to) && !p.pending_operation;
}

const backoff = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));

function refundView(r: RefundsTable) {
  return {
    id: r.id,
    paymentId: r.payment_id,
    orderId: r.order_id,
    amount: { amount: Number(r.amount), currency: r.currency },
    reason: r.reason,
    state: r.state,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The payment states a provider's answer may move a payment to, from each state. */
const MOVES: Record<PaymentState, readonly ChargeResult['status'][]> = {
  pending: ['authorised', 'captured', 'failed', 'voided'],
  authorised: ['captured', 'voided', 'failed'],
  captured: [],
  failed: [],
  voided: [],
};

/**
 * Payments (支付): charges through a provider for an order, idempotent by the caller's key;
 * authorisations captured or voided when a crowdfunding goal is decided; refunds in full or in
 * part; signed provider webhooks, each taken once. Provider calls happen outside transactions:
 * the intent is recorded first, the provider is called with Covalue's id as its idempotency key,
 * and the answer (or the webhook saying the same) is recorded after.
 */
export class PaymentsService {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(private readonly deps: PaymentsDeps) {
    this.byName = new Map(deps.providers.map((p) => [p.name, p]));
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private provider(name: string, path = 'provider'): PaymentProvider {
    const p = this.byName.get(name);
    if (!p) throw AppError.invalid(path, `is not offered here (offered: ${[...this.byName.keys()].join(', ')})`);
    return p;
  }

  private event(type: string, p: PaymentsTable, actorId: string | null, payload: Record<string, unknown> = {}): NewEvent {
    return {
      type,
      aggregateType: 'payment',
      aggregateId: p.id,
      actorId,
      payload: {
        paymentId: p.id,
        orderId: p.order_id,
        campaignId: p.campaign_id,
        memberId: p.member_id,
        provider: p.provider,
        amount: { amount: Number(p.amount), currency: p.currency },
        ...payload,
      },
    };
  }

  /** The providers members may pay with, and what each can do. */
  providers() {
    return {
      items: [...this.byName.values()].map((p) => ({
        name: p.name,
        authorisation: p.capabilities.authorisation,
        webhooks: p.capabilities.webhooks,
        operatorConfirms: p.capabilities.operatorConfirms,
      })),
    };
  }

  /** Shapes payments for the API, with their refunds (read unless given: a new payment has none). */
  private async views(ex: Executor, rows: readonly PaymentsTable[], known?: RefundsTable[]) {
    const refunds =
      known ??
      (await repo.refundsOf(
        ex,
        rows.map((r) => r.id),
      ));
    return rows.map((p) => ({
      id: p.id,
      orderId: p.order_id,
      provider: p.provider as 'manual' | 'simulated',
      state: p.state,
      amount: { amount: Number(p.amount), currency: p.currency },
      refunded: { amount: Number(p.refunded_amount), currency: p.currency },
      captureMode: (p.capture === 1 ? 'capture' : 'authorise') as 'capture' | 'authorise',
      providerRef: p.provider_ref,
      nextAction: p.next_action ? (JSON.parse(p.next_action) as NextAction) : null,
      failureReason: p.failure_reason,
      pendingOperation: p.pending_operation,
      refunds: refunds.filter((r) => r.payment_id === p.id).map(refundView),
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      authorisedAt: p.authorised_at,
      capturedAt: p.captured_at,
      voidedAt: p.voided_at,
    }));
  }

  private async view(id: string) {
    const ex = this.deps.db.kysely;
    return (await this.views(ex, [(await repo.find(ex, id))!]))[0]!;
  }

  /**
   * The buyer pays for a pending order with a provider. The same Idempotency-Key and body return the
   * payment already made; the key with another body is a 422. While one payment of the order is
   * under way another is refused (409), except a bank transfer not made yet, which it replaces.
   * A crowdfunding order's payment is authorised only, and captured once the goal is met.
   * Payments arriving together are started, and their answers recorded, in one transaction each.
   */
  async createPayment(actor: Actor, orderId: string, body: CreatePaymentBody, key: string) {
    const hash = fingerprint({ orderId, provider: body.provider, simulate: body.simulate ?? null });
    const provider = this.provider(body.provider);
    if (body.simulate && provider.name !== 'simulated') throw AppError.invalid('simulate', 'is for the simulated provider only');
    const { row, created } = await this.startBatched({ actor, orderId, body, key, hash, provider });
    if (!created) return { payment: await this.view(row.id), replayed: true };
    const result = await provider
      .charge({
        paymentId: row.id,
        orderId,
        amount: Number(row.amount),
        currency: row.currency,
        capture: row.capture === 1,
        description: `Covalue order ${orderId}`,
        simulate: body.simulate,
      })
      .catch((err: unknown) => {
        // Left pending: the reconciliation job asks the provider again (same id, so never charged twice).
        this.deps.log.warn({ err, paymentId: row.id }, 'payment provider call failed; the payment stays pending');
        return null;
      });
    const done = result ? await this.recordBatched({ paymentId: row.id, result, actorId: actor.memberId }) : row;
    return { payment: (await this.views(this.deps.db.kysely, [done], []))[0]!, replayed: false };
  }

  private readonly startBatched = serialBatched<StartJob, { row: PaymentsTable; created: boolean }>(
    () => 'start',
    (jobs) => oneByOneOnConflict(jobs, (some) => this.startMany(some)),
    { maxBatchSize: 200, concurrency: PAYMENT_BATCHES },
  );

  private readonly recordBatched = serialBatched<
    { paymentId: string; result: ChargeResult; actorId: string | null },
    PaymentsTable
  >(
    () => 'record',
    (jobs) =>
      this.deps.db.transaction(async (trx) => {
        const locked = await repo.lockMany(
          trx,
          jobs.map((j) => j.paymentId),
        );
        return this.applyMany(
          trx,
          jobs.map((j) => ({ p: locked.get(j.paymentId)!, result: j.result, actorId: j.actorId })),
        );
      }),
    { maxBatchSize: 200, concurrency: PAYMENT_BATCHES },
  );

  /** Starts the payments of a batch: replays answered, orders checked and held, new payments written, in one transaction. */
  private startMany(jobs: readonly StartJob[]) {
    return this.deps.db.transaction(async (trx) => {
      const now = this.deps.clock.now();
      const nowIso = now.toISOString();
      type Out = { row: PaymentsTable; created: boolean } | Error;
      const out: (Out | undefined)[] = new Array(jobs.length);
      const mismatch = (id: string) =>
        new AppError('idempotency_mismatch', 'This Idempotency-Key was used with another request', { extra: { paymentId: id } });
      // The first use of each key in the batch; repeats answer like it at the end.
      const firstOfKey = new Map<string, number>();
      const todo: number[] = [];
      for (const [i, job] of jobs.entries()) {
        const k = `${job.actor.memberId}\u0000${job.key}`;
        if (!firstOfKey.has(k)) {
          firstOfKey.set(k, i);
          todo.push(i);
        }
      }
      // Payments still under way on these orders are locked before the orders (payment, then order).
      const earlier = await repo.listForOrders(
        trx,
        todo.map((i) => jobs[i]!.orderId),
      );
      const underWay = [
        ...(
          await repo.lockMany(
            trx,
            earlier.filter((p) => p.state === 'pending').map((p) => p.id),
          )
        ).values(),
      ].filter((p) => p.state === 'pending');
      const toPay = await this.deps.orders.startPayments(
        trx,
        todo.map((i) => ({ actor: jobs[i]!.actor, orderId: jobs[i]!.orderId })),
      );
      // Replays: a key already used by this member answers with its payment (same body) or a 422.
      // Looked up once the orders are locked, so a payment another process committed meanwhile is seen.
      const late = await repo.findByKeys(
        trx,
        todo.map((i) => ({ memberId: jobs[i]!.actor.memberId, key: jobs[i]!.key })),
      );
      const rows: PaymentsTable[] = [];
      const replaced: PaymentsTable[] = [];
      const held: { orderId: string; holdMinutes: number }[] = [];
      for (const [n, i] of todo.entries()) {
        const job = jobs[i]!;
        const order = toPay[n]!;
        const raced = late.get(`${job.actor.memberId}\u0000${job.key}`);
        if (raced) {
          out[i] = raced.request_hash === job.hash ? { row: raced, created: false } : mismatch(raced.id);
          continue;
        }
        if (order instanceof Error) {
          out[i] = order;
          continue;
        }
        const others = underWay.filter((p) => p.order_id === order.orderId);
        const busy = others.find((p) => p.provider !== 'manual');
        if (busy) {
          out[i] = new AppError('conflict', 'A payment of this order is under way: wait for its outcome', {
            extra: { paymentId: busy.id },
          });
          continue;
        }
        replaced.push(...others);
        held.push({ orderId: order.orderId, holdMinutes: job.provider.capabilities.holdMinutes });
        const row: PaymentsTable = {
          id: newId('pay', now),
          order_id: order.orderId,
          campaign_id: order.campaignId,
          member_id: job.actor.memberId,
          provider: job.provider.name,
          // A provider that cannot hold money takes it at once (refunded if a crowdfunding goal is missed).
          capture: order.capture || !job.provider.capabilities.authorisation ? 1 : 0,
          state: 'pending',
          amount: order.amount,
          currency: order.currency,
          refunded_amount: 0,
          provider_ref: null,
          next_action: null,
          failure_reason: null,
          pending_operation: null,
          operation_reason: null,
          attempts: 0,
          retry_at: null,
          claimed_until: null,
          last_error: null,
          simulate: job.body.simulate ? JSON.stringify(job.body.simulate) : null,
          idempotency_key: job.key,
          request_hash: job.hash,
          created_at: nowIso,
          updated_at: nowIso,
          authorised_at: null,
          captured_at: null,
          voided_at: null,
        };
        rows.push(row);
        out[i] = { row, created: true };
      }
      const inserted = await repo.insertMany(trx, rows);
      if (inserted.size < rows.length) throw new BatchConflict();
      await this.deps.orders.holdForPayments(trx, held);
      // A bank transfer not made yet is replaced by the new payment.
      for (const p of replaced)
        await repo.update(trx, p.id, { state: 'voided', voided_at: nowIso, next_action: null, updated_at: nowIso });
      await this.deps.events.publishMany(
        trx,
        replaced.map((p) => this.event('payment.voided', p, p.member_id, { reason: 'replaced' })),
      );
      for (const [i, job] of jobs.entries()) {
        if (out[i] !== undefined) continue;
        const first = out[firstOfKey.get(`${job.actor.memberId}\u0000${job.key}`)!]!;
        out[i] =
          first instanceof Error
            ? first
            : first.row.request_hash === job.hash
              ? { row: first.row, created: false }
              : mismatch(first.row.id);
      }
      return out as Out[];
    });
  }

  /** Records a provider's answer on a payment it locks; returns the payment as it is then. */
  private async applyTo(trx: Executor, paymentId: string, result: ChargeResult, actorId: string | null) {
    const p = await repo.findForUpdate(trx, paymentId);
    return p ? this.apply(trx, p, result, actorId) : undefined;
  }

  /**
   * Records providers' answers on locked payments: authorisations and captures of payments with no
   * operation pending (the common case) in one statement per state, with their orders in one, and all
   * their events in one; anything else one by one.
   */
  private async applyMany(
    trx: Executor,
    items: readonly { p: PaymentsTable; result: ChargeResult; actorId: string | null }[],
  ): Promise<PaymentsTable[]> {
    const nowIso = this.nowIso();
    const out: PaymentsTable[] = new Array(items.length);
    const hot: number[] = [];
    const slow: number[] = [];
    for (const [i, x] of items.entries()) (isHot(x.p, x.result) ? hot : slow).push(i);
    // The others may return stock (a void, a failed capture): their campaigns are locked before any order.
    if (slow.length > 0)
      await this.deps.orders.lockCampaigns(
        trx,
        slow.map((i) => items[i]!.p.campaign_id),
      );
    for (const i of slow) out[i] = await this.apply(trx, items[i]!.p, items[i]!.result, items[i]!.actorId);
    if (hot.length === 0) return out;
    const events: NewEvent[] = [];
    for (const state of ['authorised', 'captured'] as const) {
      const mine = hot.filter((i) => items[i]!.result.status === state);
      await repo.settleMany(
        trx,
        state,
        new Map(mine.map((i) => [items[i]!.p.id, items[i]!.result.providerRef ?? items[i]!.p.provider_ref])),
        nowIso,
      );
      for (const i of mine) {
        const { p, result, actorId } = items[i]!;
        out[i] = {
          ...p,
          state,
          provider_ref: result.providerRef ?? p.provider_ref,
          next_action: null,
          failure_reason: null,
          claimed_until: null,
          updated_at: nowIso,
          authorised_at: p.authorised_at ?? nowIso,
          captured_at: state === 'captured' ? nowIso : p.captured_at,
        };
        events.push(this.event(`payment.${state}`, p, actorId));
      }
    }
    const taken = await this.deps.orders.recordPayments(
      trx,
      hot.map((i) => ({
        orderId: items[i]!.p.order_id,
        outcome: items[i]!.result.status as 'authorised' | 'captured',
        paymentId: items[i]!.p.id,
        provider: items[i]!.p.provider,
        actorId: items[i]!.actorId,
      })),
      events,
    );
    await this.deps.events.publishMany(trx, events);
    for (const [n, i] of hot.entries()) if (!taken[n]) out[i] = await this.notTaken(trx, out[i]!);
    return out;
  }

  /** The order could not take the money (it was cancelled meanwhile): refund what was captured, void what is held. */
  private async notTaken(trx: Executor, p: PaymentsTable): Promise<PaymentsTable> {
    const nowIso = this.nowIso();
    if (p.state === 'captured') {
      this.deps.log.warn({ paymentId: p.id, orderId: p.order_id }, 'money captured for a cancelled order: refunding it');
      await this.requestRefund(trx, p, { reason: 'order-cancelled', restock: false, cancelReason: null });
      return p;
    }
    const voiding = {
      pending_operation: 'void' as const,
      operation_reason: 'order-cancelled',
      retry_at: nowIso,
      updated_at: nowIso,
    };
    await repo.update(trx, p.id, voiding);
    return { ...p, ...voiding };
  }

  /**
   * Moves a locked payment as the provider says (a repeated or stale answer changes nothing) and
   * tells the order. Money captured for an order that was cancelled meanwhile is refunded; an
   * authorisation for one is voided.
   */
  private async apply(trx: Executor, p: PaymentsTable, result: ChargeResult, actorId: string | null): Promise<PaymentsTable> {
    const nowIso = this.nowIso();
    const to = result.status;
    if (to === 'pending') {
      // A late "still pending" says nothing new about a payment that has concluded.
      if (p.state !== 'pending') return p;
      const nextAction = result.nextAction ? JSON.stringify(result.nextAction) : p.next_action;
      if (result.providerRef === p.provider_ref && nextAction === p.next_action) return p;
      const set = { provider_ref: result.providerRef ?? p.provider_ref, next_action: nextAction, updated_at: nowIso };
      await repo.update(trx, p.id, set);
      return { ...p, ...set };
    }
    if (!MOVES[p.state].includes(to)) {
      // The operation asked for is moot once the payment is final (e.g. voiding a failed charge).
      if (p.pending_operation && (p.state === 'captured' || p.state === 'failed' || p.state === 'voided')) {
        const set = { pending_operation: null, claimed_until: null, updated_at: nowIso };
        await repo.update(trx, p.id, set);
        return { ...p, ...set };
      }
      return p;
    }
    const satisfied =
      (p.pending_operation === 'capture' && (to === 'captured' || to === 'failed' || to === 'voided')) ||
      (p.pending_operation === 'void' && to !== 'authorised');
    const set = {
      state: to,
      provider_ref: result.providerRef ?? p.provider_ref,
      next_action: null,
      failure_reason: result.failureReason ?? null,
      ...(to === 'authorised' ? { authorised_at: nowIso } : {}),
      ...(to === 'captured' ? { captured_at: nowIso, authorised_at: p.authorised_at ?? nowIso } : {}),
      ...(to === 'voided' ? { voided_at: nowIso } : {}),
      ...(satisfied ? { pending_operation: null, operation_reason: null, attempts: 0, retry_at: null, last_error: null } : {}),
      claimed_until: null,
      updated_at: nowIso,
    };
    await repo.update(trx, p.id, set);
    const next: PaymentsTable = { ...p, ...set };
    await this.deps.events.publish(
      trx,
      this.event(`payment.${to}`, p, actorId, to === 'failed' ? { failureReason: result.failureReason ?? null } : {}),
    );
    const taken = await this.deps.orders.recordPayment(trx, p.order_id, to, {
      paymentId: p.id,
      provider: p.provider,
      reason: p.operation_reason ?? undefined,
      actorId,
    });
    return taken ? next : this.notTaken(trx, next);
  }

  /** Queues a refund of everything not yet refunded (or asked to be) on a locked captured payment. */
  private async requestRefund(
    trx: Executor,
    p: PaymentsTable,
    what: { reason: string; restock: boolean; cancelReason: string | null },
  ): Promise<void> {
    const asked = (await repo.refundsOf(trx, [p.id]))
      .filter((r) => r.state !== 'failed')
      .reduce((sum, r) => sum + Number(r.amount), 0);
    const amount = Number(p.amount) - asked;
    if (amount <= 0) return;
    const nowIso = this.nowIso();
    const refund = this.refundRow(p, amount, what, null, nowIso);
    await repo.insertRefunds(trx, [refund]);
    await this.deps.events.publish(
      trx,
      this.event('refund.requested', p, null, { refundId: refund.id, refundAmount: amount, reason: what.reason }),
    );
  }

  private refundRow(
    p: PaymentsTable,
    amount: number,
    what: { reason: string; restock: boolean; cancelReason: string | null },
    by: { actorId: string; key: string | null; hash: string | null } | null,
    nowIso: string,
  ): RefundsTable {
    return {
      id: newId('rf', this.deps.clock.now()),
      payment_id: p.id,
      order_id: p.order_id,
      amount,
      currency: p.currency,
      reason: what.reason,
      state: 'pending',
      restock: what.restock ? 1 : 0,
      cancel_reason: what.cancelReason,
      provider_ref: null,
      failure_reason: null,
      requested_by: by?.actorId ?? null,
      idempotency_key: by?.key ?? null,
      request_hash: by?.hash ?? null,
      attempts: 0,
      retry_at: nowIso,
      claimed_until: null,
      last_error: null,
      created_at: nowIso,
      updated_at: nowIso,
    };
  }

  /** Records a provider's answer on a refund (and, once it succeeded, on its payment and order). */
  private async applyRefund(trx: Executor, refundId: string, result: RefundResult): Promise<void> {
    const nowIso = this.nowIso();
    // Locks in the order every path takes: payment, campaign, order, then the refund itself.
    const found = await repo.findRefund(trx, refundId);
    if (found?.state !== 'pending') return;
    const p = (await repo.findForUpdate(trx, found.payment_id))!;
    if (result.status === 'succeeded') {
      await this.deps.orders.lockCampaigns(trx, [p.campaign_id]);
      await this.deps.orders.lockOrders(trx, [p.order_id]);
    }
    const r = await repo.findRefundForUpdate(trx, refundId);
    if (r?.state !== 'pending') return;
    if (result.status === 'pending') {
      if (result.providerRef && result.providerRef !== r.provider_ref) {
        await repo.updateRefund(trx, r.id, { provider_ref: result.providerRef, updated_at: nowIso });
      }
      return;
    }
    await repo.updateRefund(trx, r.id, {
      state: result.status,
      provider_ref: result.providerRef ?? r.provider_ref,
      failure_reason: result.failureReason ?? null,
      claimed_until: null,
      updated_at: nowIso,
    });
    if (result.status === 'failed') {
      await this.deps.events.publish(
        trx,
        this.event('refund.failed', p, null, { refundId: r.id, failureReason: result.failureReason ?? null }),
      );
      return;
    }
    const refundedTotal = Number(p.refunded_amount) + Number(r.amount);
    await repo.update(trx, p.id, { refunded_amount: refundedTotal, updated_at: nowIso });
    await this.deps.events.publish(
      trx,
      this.event('payment.refunded', p, r.requested_by, {
        refundId: r.id,
        refundAmount: { amount: Number(r.amount), currency: r.currency },
        refundedTotal: { amount: refundedTotal, currency: r.currency },
        reason: r.reason,
      }),
    );
    await this.deps.orders.recordRefund(trx, r.order_id, {
      refundId: r.id,
      amount: Number(r.amount),
      refundedTotal,
      restock: r.restock === 1,
      cancelReason: r.cancel_reason,
      requestedBy: r.requested_by,
    });
  }

  /** One payment, for its payer and operators. */
  async getPayment(actor: Actor, id: string) {
    const row = await repo.find(this.deps.db.kysely, id);
    if (!row) throw AppError.notFound('Payment');
    if (row.member_id !== actor.memberId && !actor.roles.includes('operator')) {
      throw new AppError('forbidden', 'This is another member’s payment');
    }
    return this.view(id);
  }

  /** An order's payments, oldest first, for whoever may see the order. */
  async listForOrder(actor: Actor, orderId: string) {
    const order = await this.deps.orders.getOrder(actor, orderId);
    if (order.memberId !== actor.memberId && !actor.roles.includes('operator')) {
      throw new AppError('forbidden', 'Only the buyer and operators see an order’s payments');
    }
    const ex = this.deps.db.kysely;
    return { items: await this.views(ex, await repo.listForOrder(ex, orderId)) };
  }

  /** Payments by state and provider, oldest first: the operators' desk of bank transfers to confirm. */
  async listPayments(filter: { state?: string; provider?: string }, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, filter, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /** An operator confirms that a bank transfer arrived (captured), or that it never will (failed). */
  async decideManual(actor: Actor, id: string, decision: 'confirm' | 'reject', reason?: string) {
    await this.deps.db.transaction(async (trx) => {
      const p = await repo.findForUpdate(trx, id);
      if (!p) throw AppError.notFound('Payment');
      if (!this.byName.get(p.provider)?.capabilities.operatorConfirms) {
        throw new AppError('conflict', 'Only payments by bank transfer are confirmed by an operator');
      }
      if (p.state === 'voided' && decision === 'confirm') {
        // The money came after the order lapsed (or was cancelled): it cannot buy the units any more,
        // so it is recorded as taken and refunded in full.
        const late = {
          state: 'captured' as const,
          captured_at: this.nowIso(),
          next_action: null,
          pending_operation: null,
          updated_at: this.nowIso(),
        };
        await repo.update(trx, p.id, late);
        await this.deps.events.publish(trx, this.event('payment.captured', p, actor.memberId, { late: true }));
        await this.requestRefund(trx, { ...p, ...late }, { reason: 'late-transfer', restock: false, cancelReason: null });
        return;
      }
      if (p.state !== 'pending')
        throw new AppError('conflict', `The payment is ${p.state} already`, { extra: { state: p.state } });
      await this.apply(
        trx,
        p,
        decision === 'confirm'
          ? { status: 'captured', providerRef: p.provider_ref }
          : { status: 'failed', providerRef: p.provider_ref, failureReason: reason ?? 'the transfer did not arrive' },
        actor.memberId,
      );
    });
    return this.view(id);
  }

  /**
   * An operator refunds an order's captured payment, in full (the default) or in part. Refunded in
   * full, the order ends refunded and its units return to stock when `restock` says so (default:
   * when it has not shipped). The optional Idempotency-Key makes a retried request safe.
   */
  async refund(actor: Actor, orderId: string, body: RefundBody, key?: string) {
    const hash = key
      ? fingerprint({ orderId, amount: body.amount ?? null, reason: body.reason, restock: body.restock ?? null })
      : null;
    const nowIso = this.nowIso();
    const { refund, created } = await this.deps.db.transaction(async (trx) => {
      if (key) {
        const existing = await repo.findRefundByKey(trx, actor.memberId, key);
        if (existing) {
          if (existing.request_hash !== hash) {
            throw new AppError('idempotency_mismatch', 'This Idempotency-Key was used with another request', {
              extra: { refundId: existing.id },
            });
          }
          return { refund: existing, created: false };
        }
      }
      const captured = (await repo.listForOrder(trx, orderId)).find((p) => p.state === 'captured');
      if (!captured) {
        await this.deps.orders.refundable(trx, orderId);
        throw new AppError('conflict', 'Nothing was captured on this order: there is nothing to refund');
      }
      const p = (await repo.findForUpdate(trx, captured.id))!;
      const order = await this.deps.orders.refundable(trx, orderId);
      const asked = (await repo.refundsOf(trx, [p.id]))
        .filter((r) => r.state !== 'failed')
        .reduce((s, r) => s + Number(r.amount), 0);
      const available = Number(p.amount) - asked;
      if (available <= 0) throw new AppError('conflict', 'The payment is refunded in full already (or is being refunded)');
      if (body.amount && body.amount.currency !== p.currency) throw AppError.invalid('amount.currency', `must be ${p.currency}`);
      const amount = body.amount?.amount ?? available;
      if (amount > available) throw AppError.invalid('amount.amount', `at most ${available} is left to refund`);
      const row = this.refundRow(
        p,
        amount,
        { reason: body.reason, restock: body.restock ?? !order.fulfilled, cancelReason: null },
        { actorId: actor.memberId, key: key ?? null, hash },
        nowIso,
      );
      if (!(await repo.insertRefund(trx, row)))
        throw new AppError('conflict', 'This Idempotency-Key is being used right now: try again');
      await this.deps.events.publish(
        trx,
        this.event('refund.requested', p, actor.memberId, { refundId: row.id, refundAmount: amount, reason: body.reason }),
      );
      return { refund: row, created: true };
    });
    if (created) await this.executeRefund(refund);
    return { refund: refundView((await repo.findRefund(this.deps.db.kysely, refund.id))!), replayed: !created };
  }

  /** Asks the provider for a refund and records its answer; a failure to reach it leaves the refund for the job. */
  private async executeRefund(r: RefundsTable): Promise<void> {
    const p = (await repo.find(this.deps.db.kysely, r.payment_id))!;
    const provider = this.byName.get(p.provider);
    if (!provider) return;
    try {
      const result = await provider.refund({
        refundId: r.id,
        paymentId: p.id,
        providerRef: p.provider_ref,
        amount: Number(r.amount),
        currency: r.currency,
      });
      await this.deps.db.transaction((trx) => this.applyRefund(trx, r.id, result));
    } catch (err) {
      await this.deps.db.transaction(async (trx) => {
        const attempts = r.attempts + 1;
        await repo.updateRefund(trx, r.id, {
          attempts,
          retry_at: new Date(this.deps.clock.now().getTime() + backoff(attempts)).toISOString(),
          last_error: String((err as Error).message ?? err).slice(0, 500),
          claimed_until: null,
        });
      });
      this.deps.log.warn({ err, refundId: r.id }, 'refund failed at the provider; will retry');
    }
  }

  /**
   * Takes a provider's webhook: the signature and its age are checked by the provider's adapter,
   * each event id is taken once (a replay is refused), and the event must match the payment it names
   * (provider, amount, currency). Refusals are 400 `webhook-rejected` and change nothing.
   */
  async handleWebhook(providerName: string, headers: Record<string, string | string[] | undefined>, rawBody: string) {
    const provider = this.byName.get(providerName);
    if (!provider?.capabilities.webhooks) throw AppError.notFound(`Webhooks of provider ${providerName}`);
    const event = provider.parseWebhook({ headers, rawBody, now: this.deps.clock.now() });
    return this.webhookBatched({ providerName, event });
  }

  private readonly webhookBatched = serialBatched<
    { providerName: string; event: ProviderEvent },
    { received: true; eventId: string }
  >(
    () => 'webhooks',
    (jobs) => this.takeWebhooks(jobs),
    { maxBatchSize: 200, concurrency: PAYMENT_BATCHES },
  );

  /** Takes a batch of checked webhooks in one transaction: each must match its payment and be new; the rest are refused. */
  private takeWebhooks(jobs: readonly { providerName: string; event: ProviderEvent }[]) {
    return this.deps.db.transaction(async (trx) => {
      const nowIso = this.nowIso();
      const rejected = (why: string) => new AppError('webhook_rejected', `Webhook refused: ${why}`);
      const out: ({ received: true; eventId: string } | AppError)[] = new Array(jobs.length);
      const payments = await repo.lockMany(
        trx,
        jobs.map((j) => j.event.paymentId),
      );
      const valid: number[] = [];
      for (const [i, { providerName, event }] of jobs.entries()) {
        const p = payments.get(event.paymentId);
        if (!p || p.provider !== providerName) out[i] = rejected(`no payment ${event.paymentId} with ${providerName}`);
        else if (event.currency !== p.currency || (event.type.startsWith('charge.') && event.amount !== Number(p.amount))) {
          out[i] = rejected(`${event.amount} ${event.currency} is not what payment ${p.id} is for`);
        } else if (event.type.startsWith('refund.') && !event.refundId) out[i] = rejected('a refund event without its refund');
        else valid.push(i);
      }
      const key = (i: number) => `${jobs[i]!.providerName}\u0000${jobs[i]!.event.id}`;
      const fresh = await repo.takeWebhookEvents(
        trx,
        valid.map((i) => ({ provider: jobs[i]!.providerName, eventId: jobs[i]!.event.id, type: jobs[i]!.event.type })),
        nowIso,
      );
      // A payment's events in this batch are applied in the order they came, each on the payment as the one before left it.
      const current = new Map(payments);
      const firstPerPayment: number[] = [];
      const later: number[] = [];
      const taken = new Set<string>();
      for (const i of valid) {
        if (!fresh.has(key(i)) || taken.has(key(i))) {
          out[i] = rejected(`event ${jobs[i]!.event.id} was taken before (a replay)`);
          continue;
        }
        taken.add(key(i));
        out[i] = { received: true, eventId: jobs[i]!.event.id };
        const e = jobs[i]!.event;
        if (e.type.startsWith('refund.')) later.push(i);
        else if (firstPerPayment.some((f) => jobs[f]!.event.paymentId === e.paymentId)) later.push(i);
        else firstPerPayment.push(i);
      }
      const chargeResult = (e: ProviderEvent): ChargeResult => ({
        status: e.type.slice('charge.'.length) as ChargeResult['status'],
        providerRef: e.providerRef,
        failureReason: e.failureReason ?? null,
      });
      // Refunds, repeated events and answers other than a plain authorisation or capture may return
      // stock: all their campaigns are locked, in id order, before any order is.
      const mayRestock = [
        ...later,
        ...firstPerPayment.filter((i) => !isHot(current.get(jobs[i]!.event.paymentId)!, chargeResult(jobs[i]!.event))),
      ];
      if (mayRestock.length > 0) {
        await this.deps.orders.lockCampaigns(
          trx,
          mayRestock.map((i) => current.get(jobs[i]!.event.paymentId)!.campaign_id),
        );
      }
      const applied = await this.applyMany(
        trx,
        firstPerPayment.map((i) => ({
          p: current.get(jobs[i]!.event.paymentId)!,
          result: chargeResult(jobs[i]!.event),
          actorId: null,
        })),
      );
      for (const [n, i] of firstPerPayment.entries()) current.set(jobs[i]!.event.paymentId, applied[n]!);
      for (const i of later) {
        const e = jobs[i]!.event;
        if (e.type.startsWith('refund.')) {
          await this.applyRefund(trx, e.refundId!, {
            status: e.type === 'refund.succeeded' ? 'succeeded' : 'failed',
            providerRef: null,
            failureReason: e.failureReason ?? null,
          });
        } else {
          current.set(e.paymentId, await this.apply(trx, current.get(e.paymentId)!, chargeResult(e), null));
        }
      }
      return out;
    });
  }

  // ── Reactions to other modules' events (in the event worker's transaction) ─────────────────────

  /** An order was cancelled: void what is held, refund what was captured. */
  async onOrderCancelled(event: DomainEvent, trx: Executor): Promise<void> {
    const { orderId, reason } = event.payload as { orderId: string; reason: string };
    const nowIso = this.nowIso();
    for (const found of await repo.listForOrder(trx, orderId)) {
      const p = (await repo.findForUpdate(trx, found.id))!;
      if ((p.state === 'pending' || p.state === 'authorised') && p.pending_operation !== 'void') {
        await repo.update(trx, p.id, {
          pending_operation: 'void',
          operation_reason: reason,
          retry_at: nowIso,
          attempts: 0,
          updated_at: nowIso,
        });
      } else if (p.state === 'captured') {
        await this.requestRefund(trx, p, { reason: `order-${reason}`, restock: false, cancelReason: null });
      }
    }
  }

  /** A crowdfunding campaign ended: capture its pledges when the goal is met, else void or refund them. */
  async onCampaignEnded(event: DomainEvent, trx: Executor): Promise<void> {
    const { campaignId, mode, outcome } = event.payload as { campaignId: string; mode: string; outcome: string | null };
    if (mode !== 'crowdfunding') return;
    const nowIso = this.nowIso();
    if (outcome === 'goal-met') {
      await repo.requestForCampaign(trx, campaignId, 'authorised', 'capture', 'goal-met', nowIso);
      return;
    }
    await repo.requestForCampaign(trx, campaignId, 'authorised', 'void', 'goal-missed', nowIso);
    for (const p of await repo.listForCampaign(trx, campaignId, 'captured')) {
      const locked = (await repo.findForUpdate(trx, p.id))!;
      await this.requestRefund(trx, locked, { reason: 'goal-missed', restock: true, cancelReason: 'goal-missed' });
    }
  }

  // ── Background work ────────────────────────────────────────────────────────────────────────────

  /**
   * Runs what is due with the providers: captures and voids asked for (crowdfunding settlement,
   * cancellations), refunds queued, and payments whose result never arrived (asked again by the
   * same id). Each is claimed for a minute, so several processes share the work; a failure is
   * retried with backoff.
   */
  async processDue(limit = 100): Promise<number> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const lease = new Date(now.getTime() + LEASE_MS).toISOString();
    let done = 0;

    const ops = await this.deps.db.transaction((trx) => repo.claimOperations(trx, nowIso, lease, limit));
    for (const p of ops) {
      const provider = this.byName.get(p.provider);
      if (!provider) continue;
      try {
        const result =
          p.pending_operation === 'capture'
            ? await provider.capture({
                paymentId: p.id,
                providerRef: p.provider_ref,
                amount: Number(p.amount),
                currency: p.currency,
              })
            : await provider.void({ paymentId: p.id, providerRef: p.provider_ref });
        await this.deps.db.transaction((trx) => this.applyTo(trx, p.id, result, null));
        done++;
      } catch (err) {
        await this.retryLater(p, err);
      }
    }

    const refunds = await this.deps.db.transaction((trx) => repo.claimRefunds(trx, nowIso, lease, limit));
    for (const r of refunds) {
      await this.executeRefund(r);
      done++;
    }

    const stale = new Date(now.getTime() - RECONCILE_AFTER_MS).toISOString();
    const unresolved = await this.deps.db.transaction((trx) => repo.claimUnresolved(trx, stale, nowIso, lease, limit));
    for (const p of unresolved) {
      const provider = this.byName.get(p.provider);
      if (!provider) continue;
      try {
        const result = p.provider_ref
          ? await provider.retrieve(p.id, p.provider_ref)
          : await provider.charge({
              paymentId: p.id,
              orderId: p.order_id,
              amount: Number(p.amount),
              currency: p.currency,
              capture: p.capture === 1,
              description: `Covalue order ${p.order_id}`,
              simulate: p.simulate ? (JSON.parse(p.simulate) as SimulateOptions) : undefined,
            });
        await this.deps.db.transaction((trx) => this.applyTo(trx, p.id, result, null));
        done++;
      } catch (err) {
        this.deps.log.warn({ err, paymentId: p.id }, 'reconciling a pending payment failed; will retry');
      }
    }
    return done;
  }

  private async retryLater(p: PaymentsTable, err: unknown): Promise<void> {
    const attempts = p.attempts + 1;
    await this.deps.db.transaction((trx) =>
      repo.update(trx, p.id, {
        attempts,
        retry_at: new Date(this.deps.clock.now().getTime() + backoff(attempts)).toISOString(),
        last_error: String((err as Error).message ?? err).slice(0, 500),
        claimed_until: null,
      }),
    );
    this.deps.log.warn(
      { err, paymentId: p.id, operation: p.pending_operation, attempts },
      'payment operation failed; will retry',
    );
  }
}
