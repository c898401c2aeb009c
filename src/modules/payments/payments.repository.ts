import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { PaymentsTable, PaymentsTables, RefundsTable } from './payments.tables.js';

const q = (ex: Executor) => ex as Kysely<PaymentsTables>;

export const paymentsRepository = {
  /** Inserts payments in one statement, skipping any whose (member, key) is taken; returns the ids inserted. */
  async insertMany(ex: Executor, rows: readonly PaymentsTable[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await q(ex)
      .insertInto('payments')
      .values([...rows])
      .onConflict((oc) => oc.columns(['member_id', 'idempotency_key']).doNothing())
      .returning('id')
      .execute();
    return new Set(inserted.map((r) => r.id));
  },

  /** The payments already made with these (member, Idempotency-Key) pairs. */
  async findByKeys(ex: Executor, pairs: readonly { memberId: string; key: string }[]): Promise<Map<string, PaymentsTable>> {
    if (pairs.length === 0) return new Map();
    const rows = await q(ex)
      .selectFrom('payments')
      .selectAll()
      .where('member_id', 'in', [...new Set(pairs.map((p) => p.memberId))])
      .where('idempotency_key', 'in', [...new Set(pairs.map((p) => p.key))])
      .execute();
    return new Map(rows.map((r) => [`${r.member_id}\u0000${r.idempotency_key}`, r]));
  },

  /** Locks payments in id order. */
  async lockMany(ex: Executor, ids: readonly string[]): Promise<Map<string, PaymentsTable>> {
    if (ids.length === 0) return new Map();
    await lockAggregates(ex, 'payments', ids);
    const rows = await forUpdate(
      ex,
      q(ex)
        .selectFrom('payments')
        .selectAll()
        .where('id', 'in', [...new Set(ids)])
        .orderBy('id'),
    ).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  /** Moves payments to `state` in one statement, each with its provider reference. */
  async settleMany(
    ex: Executor,
    state: 'authorised' | 'captured',
    refs: ReadonlyMap<string, string | null>,
    nowIso: string,
  ): Promise<void> {
    if (refs.size === 0) return;
    const ids = [...refs.keys()];
    const refCases = sql.join(
      [...refs].map(([id, ref]) => sql`when ${id} then ${ref}`),
      sql` `,
    );
    await q(ex)
      .updateTable('payments')
      .set((eb) => ({
        state,
        provider_ref: sql<string | null>`case id ${refCases} else provider_ref end`,
        next_action: null,
        failure_reason: null,
        claimed_until: null,
        updated_at: nowIso,
        ...(state === 'captured'
          ? { captured_at: nowIso, authorised_at: eb.fn.coalesce('authorised_at', eb.val(nowIso)) }
          : { authorised_at: nowIso }),
      }))
      .where('id', 'in', ids)
      .execute();
  },

  listForOrders(ex: Executor, orderIds: readonly string[]) {
    if (orderIds.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('payments')
      .selectAll()
      .where('order_id', 'in', [...orderIds])
      .orderBy('id')
      .execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'payments', [id]);
    return forUpdate(ex, q(ex).selectFrom('payments').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  listForOrder(ex: Executor, orderId: string) {
    return q(ex).selectFrom('payments').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  },

  /** Payments by state and provider, oldest first (the operator's desk of transfers to confirm). */
  list(ex: Executor, filter: { state?: string; provider?: string }, limit: number, afterId?: string) {
    let query = q(ex).selectFrom('payments').selectAll();
    if (filter.state) query = query.where('state', '=', filter.state as PaymentsTable['state']);
    if (filter.provider) query = query.where('provider', '=', filter.provider);
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  },

  async update(ex: Executor, id: string, set: Partial<Omit<PaymentsTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('payments').set(set).where('id', '=', id).execute();
  },

  /** Asks the operations job to capture or void every payment of a campaign in one state. */
  async requestForCampaign(
    ex: Executor,
    campaignId: string,
    state: PaymentsTable['state'],
    operation: 'capture' | 'void',
    reason: string,
    nowIso: string,
  ): Promise<number> {
    const r = await q(ex)
      .updateTable('payments')
      .set({ pending_operation: operation, operation_reason: reason, retry_at: nowIso, attempts: 0, updated_at: nowIso })
      .where('campaign_id', '=', campaignId)
      .where('state', '=', state)
      // A void already asked for (a pledge withdrawn before the deadline) is not turned into a capture.
      .where('pending_operation', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  listForCampaign(ex: Executor, campaignId: string, state: PaymentsTable['state']) {
    return q(ex).selectFrom('payments').selectAll().where('campaign_id', '=', campaignId).where('state', '=', state).execute();
  },

  /** Claims payments with an operation due, for `leaseUntil`. */
  async claimOperations(ex: Executor, nowIso: string, leaseUntil: string, limit: number): Promise<PaymentsTable[]> {
    const due = forUpdate(
      ex,
      q(ex)
        .selectFrom('payments')
        .select('id')
        .where('pending_operation', 'is not', null)
        .where('retry_at', '<=', nowIso)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowIso)]))
        .orderBy('retry_at')
        .limit(limit),
      { skipLocked: true },
    );
    return q(ex).updateTable('payments').set({ claimed_until: leaseUntil }).where('id', 'in', due).returningAll().execute();
  },

  /** Claims payments still pending at the provider since before `olderThan` (not manual ones: operators confirm those). */
  async claimUnresolved(ex: Executor, olderThan: string, nowIso: string, leaseUntil: string, limit: number) {
    const due = forUpdate(
      ex,
      q(ex)
        .selectFrom('payments')
        .select('id')
        .where('state', '=', 'pending')
        .where('provider', '!=', 'manual')
        // One being voided is the operations' to finish: asking the provider to charge it again would be wrong.
        .where('pending_operation', 'is', null)
        .where('created_at', '<=', olderThan)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowIso)]))
        .orderBy('created_at')
        .limit(limit),
      { skipLocked: true },
    );
    return q(ex).updateTable('payments').set({ claimed_until: leaseUntil }).where('id', 'in', due).returningAll().execute();
  },

  // Refunds

  async insertRefund(ex: Executor, row: RefundsTable): Promise<boolean> {
    const r = await q(ex)
      .insertInto('refunds')
      .values(row)
      .onConflict((oc) => oc.columns(['requested_by', 'idempotency_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async insertRefunds(ex: Executor, rows: readonly RefundsTable[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await q(ex)
        .insertInto('refunds')
        .values(rows.slice(i, i + 500))
        .execute();
    }
  },

  findRefund(ex: Executor, id: string) {
    return q(ex).selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findRefundForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'refunds', [id]);
    return forUpdate(ex, q(ex).selectFrom('refunds').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  findRefundByKey(ex: Executor, requestedBy: string, key: string) {
    return q(ex)
      .selectFrom('refunds')
      .selectAll()
      .where('requested_by', '=', requestedBy)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  },

  refundsOf(ex: Executor, paymentIds: readonly string[]) {
    if (paymentIds.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('refunds')
      .selectAll()
      .where('payment_id', 'in', [...paymentIds])
      .orderBy('id')
      .execute();
  },

  async updateRefund(ex: Executor, id: string, set: Partial<Omit<RefundsTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('refunds').set(set).where('id', '=', id).execute();
  },

  async claimRefunds(ex: Executor, nowIso: string, leaseUntil: string, limit: number): Promise<RefundsTable[]> {
    const due = forUpdate(
      ex,
      q(ex)
        .selectFrom('refunds')
        .select('id')
        .where('state', '=', 'pending')
        .where('retry_at', '<=', nowIso)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowIso)]))
        .orderBy('retry_at')
        .limit(limit),
      { skipLocked: true },
    );
    return q(ex).updateTable('refunds').set({ claimed_until: leaseUntil }).where('id', 'in', due).returningAll().execute();
  },

  // Webhook events (replay protection)

  /** Records webhook event ids in one statement; returns those not taken before (the others are replays). */
  async takeWebhookEvents(
    ex: Executor,
    events: readonly { provider: string; eventId: string; type: string }[],
    nowIso: string,
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await q(ex)
      .insertInto('payment_webhook_events')
      .values(events.map((e) => ({ provider: e.provider, event_id: e.eventId, type: e.type, received_at: nowIso })))
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning(['provider', 'event_id'])
      .execute();
    return new Set(rows.map((r) => `${r.provider}\u0000${r.event_id}`));
  },
};
