import { type Kysely, sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { dialectOf } from '../db/dialect.js';
import type { EventSubscriptionsTable, EventsTables, OutboxEventsTable } from './events.tables.js';

const q = (ex: Executor) => ex as Kysely<EventsTables>;

export type OutboxRow = Omit<OutboxEventsTable, 'id' | 'txid'> & { id: number; txid: number };
export type Position = { txid: number; id: number };

/**
 * On PostgreSQL an event's id is taken when its row is written, not when its transaction commits,
 * so a reader ordering by id could pass an event whose transaction is still open and never see it.
 * Each row records its transaction id instead, and readers only take rows whose transaction is older
 * than the oldest one still running (pg_snapshot_xmin): those can no longer change. Positions are
 * (txid, id). SQLite has one writer at a time, so txid is always 0 and id order is commit order.
 *
 * Known limitation: PostgreSQL assigns a transaction id at the transaction's first write, not at commit,
 * so (txid, id) is not commit order. If transaction A writes anything, then B publishes an event for an
 * aggregate and commits, then A publishes for the same aggregate, A's event is delivered first
 * (see the `it.fails` case in event-bus.test.ts).
 */
function visibleLimit(ex: Executor) {
  return dialectOf(ex) === 'postgres' ? sql<number>`(pg_snapshot_xmin(pg_current_snapshot())::text::bigint)` : sql<number>`1`;
}

export const outboxRepository = {
  /** Inserts several events in one statement, in the given order. */
  /** Inserts in order, a thousand rows per statement (under both backends' limits on bound parameters). */
  async insertMany(ex: Executor, rows: Omit<OutboxEventsTable, 'id' | 'txid'>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      await q(ex)
        .insertInto('outbox_events')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
  },

  async insert(ex: Executor, row: Omit<OutboxEventsTable, 'id' | 'txid'>): Promise<number> {
    const r = await q(ex).insertInto('outbox_events').values(row).returning('id').executeTakeFirstOrThrow();
    return r.id;
  },

  async ensureSubscription(ex: Executor, name: string, now: string, startAtEnd: boolean): Promise<void> {
    let start: Position = { txid: 0, id: 0 };
    if (startAtEnd) start = (await this.highWaterMark(ex)) ?? start;
    await q(ex)
      .insertInto('event_subscriptions')
      .values({ name, last_txid: start.txid, last_id: start.id, attempts: 0, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  },

  /** A subscription's position, without locking it. */
  peekSubscription(ex: Executor, name: string) {
    return q(ex)
      .selectFrom('event_subscriptions')
      .select(['last_txid', 'last_id', 'retry_at'])
      .where('name', '=', name)
      .executeTakeFirst();
  },

  /** Locks a subscription for this transaction; undefined when another process holds it. */
  async claimSubscription(ex: Executor, name: string): Promise<EventSubscriptionsTable | undefined> {
    const base = q(ex).selectFrom('event_subscriptions').selectAll().where('name', '=', name);
    return dialectOf(ex) === 'postgres' ? base.forUpdate().skipLocked().executeTakeFirst() : base.executeTakeFirst();
  },

  /** The last event a reader may safely take now. */
  async highWaterMark(ex: Executor): Promise<Position | undefined> {
    return q(ex)
      .selectFrom('outbox_events')
      .select(['txid', 'id'])
      .where('txid', '<', visibleLimit(ex))
      .orderBy('txid', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  /**
   * Whether a committed event is held back by a transaction still in flight (on PostgreSQL, any
   * writing transaction on the server that began before it). Always false on SQLite.
   */
  async hasHeldBack(ex: Executor): Promise<boolean> {
    if (dialectOf(ex) !== 'postgres') return false;
    const row = await q(ex)
      .selectFrom('outbox_events')
      .select('id')
      .where('txid', '>=', visibleLimit(ex))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },

  async readAfter(ex: Executor, after: Position, upTo: Position, types: readonly string[] | undefined, limit: number) {
    let query = q(ex)
      .selectFrom('outbox_events')
      .selectAll()
      .where((eb) =>
        eb.and([
          eb.or([eb('txid', '>', after.txid), eb.and([eb('txid', '=', after.txid), eb('id', '>', after.id)])]),
          eb.or([eb('txid', '<', upTo.txid), eb.and([eb('txid', '=', upTo.txid), eb('id', '<=', upTo.id)])]),
        ]),
      );
    // An empty list matches nothing (and `IN ()` is a syntax error on PostgreSQL).
    if (types) query = types.length > 0 ? query.where('type', 'in', types) : query.where(sql<boolean>`1 = 0`);
    return (await query.orderBy('txid').orderBy('id').limit(limit).execute()) as OutboxRow[];
  },

  async saveProgress(ex: Executor, name: string, at: Position, now: string): Promise<void> {
    await q(ex)
      .updateTable('event_subscriptions')
      .set({ last_txid: at.txid, last_id: at.id, attempts: 0, last_error: null, retry_at: null, updated_at: now })
      .where('name', '=', name)
      .execute();
  },

  async saveFailure(ex: Executor, name: string, error: string, retryAt: string, now: string): Promise<void> {
    await q(ex)
      .updateTable('event_subscriptions')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, retry_at: retryAt, updated_at: now }))
      .where('name', '=', name)
      .execute();
  },

  async listSubscriptions(ex: Executor) {
    return q(ex).selectFrom('event_subscriptions').selectAll().orderBy('name').execute();
  },

  async listForAggregate(ex: Executor, aggregateType: string, aggregateId: string) {
    return (await q(ex)
      .selectFrom('outbox_events')
      .selectAll()
      .where('aggregate_type', '=', aggregateType)
      .where('aggregate_id', '=', aggregateId)
      .orderBy('id')
      .execute()) as OutboxRow[];
  },
};
