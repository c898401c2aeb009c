import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { CampaignsTables, OrdersTable } from './campaigns.tables.js';

const q = (ex: Executor) => ex as Kysely<CampaignsTables>;

export const ordersRepository = {
  /** The orders already made with these (member, Idempotency-Key) pairs. */
  async findByKeys(ex: Executor, pairs: readonly { memberId: string; key: string }[]): Promise<Map<string, OrdersTable>> {
    if (pairs.length === 0) return new Map();
    const rows = await q(ex)
      .selectFrom('orders')
      .selectAll()
      .where('member_id', 'in', [...new Set(pairs.map((p) => p.memberId))])
      .where('idempotency_key', 'in', [...new Set(pairs.map((p) => p.key))])
      .execute();
    return new Map(rows.map((r) => [`${r.member_id}\u0000${r.idempotency_key}`, r]));
  },

  /** Units each of these members holds in the campaign's orders (cancelled and restocked ones left out). */
  async memberUnits(ex: Executor, campaignId: string, memberIds: readonly string[]): Promise<Map<string, number>> {
    if (memberIds.length === 0) return new Map();
    const rows = await q(ex)
      .selectFrom('orders')
      .select(['member_id', (eb) => eb.fn.sum<number>('quantity').as('units')])
      .where('campaign_id', '=', campaignId)
      .where('member_id', 'in', [...new Set(memberIds)])
      .where('restocked', '=', 0)
      .groupBy('member_id')
      .execute();
    return new Map(rows.map((r) => [r.member_id, Number(r.units)]));
  },

  /**
   * Inserts orders in one statement; a row whose (member, key) is already taken — by a transaction
   * that committed meanwhile — is skipped. Returns the ids inserted.
   */
  async insertMany(ex: Executor, rows: readonly OrdersTable[]): Promise<Set<string>> {
    const ids = new Set<string>();
    // 500 rows of 34 columns per statement: under SQLite's limit of 32,766 bound parameters.
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await q(ex)
        .insertInto('orders')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['member_id', 'idempotency_key']).doNothing())
        .returning('id')
        .execute();
      for (const r of inserted) ids.add(r.id);
    }
    return ids;
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'orders', [id]);
    return forUpdate(ex, q(ex).selectFrom('orders').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Locks orders in id order (so two transactions never wait on each other in a circle). */
  async lockMany(ex: Executor, ids: readonly string[]): Promise<Map<string, OrdersTable>> {
    if (ids.length === 0) return new Map();
    await lockAggregates(ex, 'orders', ids);
    const rows = await forUpdate(
      ex,
      q(ex)
        .selectFrom('orders')
        .selectAll()
        .where('id', 'in', [...new Set(ids)])
        .orderBy('id'),
    ).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  /** Marks orders as having a payment under way, holding their units at least until `until`. */
  async holdForPayment(ex: Executor, ids: readonly string[], until: string, nowIso: string): Promise<void> {
    if (ids.length === 0) return;
    await q(ex)
      .updateTable('orders')
      .set({
        payment_pending: 1,
        expires_at: sql<string>`case when expires_at > ${until} then expires_at else ${until} end`,
        updated_at: nowIso,
      })
      .where('id', 'in', [...ids])
      .execute();
  },

  /** Locks the orders still in one of `states`, skipping rows another transaction holds (PostgreSQL). */
  lockInStates(ex: Executor, ids: readonly string[], states: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return forUpdate(
      ex,
      q(ex)
        .selectFrom('orders')
        .selectAll()
        .where('id', 'in', [...ids])
        .where('state', 'in', [...states])
        .orderBy('id'),
      { skipLocked: true },
    ).execute();
  },

  async update(ex: Executor, id: string, set: Partial<Omit<OrdersTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('orders').set(set).where('id', '=', id).execute();
  },

  async updateMany(ex: Executor, ids: readonly string[], set: Partial<Omit<OrdersTable, 'id'>>): Promise<void> {
    if (ids.length === 0) return;
    await q(ex)
      .updateTable('orders')
      .set(set)
      .where('id', 'in', [...ids])
      .execute();
  },

  /** A member's orders, newest first. */
  listOfMember(
    ex: Executor,
    memberId: string,
    filter: { state?: string; campaignId?: string },
    limit: number,
    beforeId?: string,
  ) {
    let query = q(ex).selectFrom('orders').selectAll().where('member_id', '=', memberId);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.campaignId) query = query.where('campaign_id', '=', filter.campaignId);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Orders of some campaigns (undefined: of all), oldest first (the order they are fulfilled in). */
  listOfCampaigns(
    ex: Executor,
    campaignIds: readonly string[] | undefined,
    filter: { states?: readonly string[] },
    limit: number,
    afterId?: string,
  ) {
    if (campaignIds?.length === 0) return Promise.resolve([]);
    let query = q(ex).selectFrom('orders').selectAll();
    if (campaignIds) query = query.where('campaign_id', 'in', [...campaignIds]);
    if (filter.states) query = query.where('state', 'in', [...filter.states]);
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  },

  /** Pending orders whose reservation lapsed, oldest first. */
  async lapsed(ex: Executor, nowIso: string, limit: number): Promise<{ id: string; campaign_id: string }[]> {
    return q(ex)
      .selectFrom('orders')
      .select(['id', 'campaign_id'])
      .where('state', '=', 'pending_payment')
      .where('expires_at', '<=', nowIso)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  },

  /** Ids of a campaign's orders in these states. */
  async idsInStates(ex: Executor, campaignId: string, states: readonly string[]): Promise<string[]> {
    const rows = await q(ex)
      .selectFrom('orders')
      .select('id')
      .where('campaign_id', '=', campaignId)
      .where('state', 'in', [...states])
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  },

  /** Delivered orders not completed since `beforeIso`. */
  async deliveredBefore(ex: Executor, beforeIso: string, limit: number): Promise<string[]> {
    const rows = await q(ex)
      .selectFrom('orders')
      .select('id')
      .where('state', '=', 'delivered')
      .where('delivered_at', '<=', beforeIso)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Orders and units of a campaign by state. */
  async countByState(ex: Executor, campaignId: string) {
    const rows = await q(ex)
      .selectFrom('orders')
      .select(['state', (eb) => eb.fn.countAll<number>().as('orders'), (eb) => eb.fn.sum<number>('quantity').as('units')])
      .where('campaign_id', '=', campaignId)
      .groupBy('state')
      .execute();
    return rows.map((r) => ({ state: r.state, orders: Number(r.orders), units: Number(r.units) }));
  },

  /** Units held (not restocked) and their totals, counted from the orders: the audit of the stock counters. */
  async held(ex: Executor, campaignId: string) {
    const row = await q(ex)
      .selectFrom('orders')
      .select([
        (eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), sql<number>`0`).as('units'),
        (eb) => eb.fn.coalesce(eb.fn.sum<number>('total'), sql<number>`0`).as('amount'),
      ])
      .where('campaign_id', '=', campaignId)
      .where('restocked', '=', 0)
      .executeTakeFirstOrThrow();
    return { units: Number(row.units), amount: Number(row.amount) };
  },

  /** Units placed per interval (by creation time) and paid per interval (by payment time). */
  async series(ex: Executor, campaignId: string, prefixLength: number) {
    const placed = await q(ex)
      .selectFrom('orders')
      .select([
        sql<string>`substr(created_at, 1, ${sql.lit(prefixLength)})`.as('at'),
        (eb) => eb.fn.sum<number>('quantity').as('units'),
      ])
      .where('campaign_id', '=', campaignId)
      .groupBy('at')
      .orderBy('at')
      .execute();
    const paid = await q(ex)
      .selectFrom('orders')
      .select([
        sql<string>`substr(paid_at, 1, ${sql.lit(prefixLength)})`.as('at'),
        (eb) => eb.fn.sum<number>('quantity').as('units'),
        (eb) => eb.fn.sum<number>('total').as('amount'),
      ])
      .where('campaign_id', '=', campaignId)
      .where('paid_at', 'is not', null)
      .groupBy('at')
      .orderBy('at')
      .execute();
    return {
      placed: placed.map((r) => ({ at: r.at, units: Number(r.units) })),
      paid: paid.map((r) => ({ at: r.at, units: Number(r.units), amount: Number(r.amount) })),
    };
  },

  /**
   * Of these members, those who paid for the product after `afterIso` in another campaign than
   * `exceptCampaignId`: trial conversions.
   */
  async boughtAfter(
    ex: Executor,
    productId: string,
    exceptCampaignId: string,
    members: readonly { id: string; after: string }[],
  ) {
    if (members.length === 0) return new Set<string>();
    const rows = await q(ex)
      .selectFrom('orders')
      .select(['member_id', (eb) => eb.fn.max<string>('paid_at').as('last_paid')])
      .where('product_id', '=', productId)
      .where('campaign_id', '!=', exceptCampaignId)
      .where('trial', '=', 0)
      .where('paid_at', 'is not', null)
      .where(
        'member_id',
        'in',
        members.map((m) => m.id),
      )
      .groupBy('member_id')
      .execute();
    const after = new Map(members.map((m) => [m.id, m.after]));
    return new Set(rows.filter((r) => r.last_paid > (after.get(r.member_id) ?? '')).map((r) => r.member_id));
  },
};
