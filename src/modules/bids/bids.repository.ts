import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { BidCallsTable, BidsTable, BidsTables } from './bids.tables.js';

const q = (ex: Executor) => ex as Kysely<BidsTables>;

export type CallState = 'open' | 'closed' | 'awarded';

export const bidsRepository = {
  async insertCall(ex: Executor, row: BidCallsTable): Promise<void> {
    await q(ex).insertInto('bid_calls').values(row).execute();
  },

  findCall(ex: Executor, id: string) {
    return q(ex).selectFrom('bid_calls').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findCallForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'bid_calls', [id]);
    return forUpdate(ex, q(ex).selectFrom('bid_calls').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  findOpenCallForNeed(ex: Executor, needId: string) {
    return q(ex)
      .selectFrom('bid_calls')
      .selectAll()
      .where('need_id', '=', needId)
      .where('status', '=', 'open')
      .executeTakeFirst();
  },

  findCalls(ex: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('bid_calls').selectAll().where('id', 'in', ids).execute();
  },

  /** Newest first; `state` is judged at `now` (a call whose deadline passed is closed). */
  listCalls(ex: Executor, limit: number, now: string, filter: { needId?: string; state?: CallState }, beforeId?: string) {
    let query = q(ex).selectFrom('bid_calls').selectAll();
    if (filter.needId) query = query.where('need_id', '=', filter.needId);
    if (filter.state === 'awarded') query = query.where('status', '=', 'awarded');
    if (filter.state === 'open') query = query.where('status', '=', 'open').where('deadline', '>', now);
    if (filter.state === 'closed') query = query.where('status', '=', 'open').where('deadline', '<=', now);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async updateCall(
    ex: Executor,
    id: string,
    set: Pick<BidCallsTable, 'status' | 'awarded_by' | 'awarded_at' | 'awarded_quantity'>,
  ): Promise<void> {
    await q(ex).updateTable('bid_calls').set(set).where('id', '=', id).execute();
  },

  async insertBid(ex: Executor, row: BidsTable): Promise<void> {
    await q(ex).insertInto('bids').values(row).execute();
  },

  async updateBid(ex: Executor, id: string, set: Partial<Omit<BidsTable, 'id' | 'call_id' | 'organisation_id'>>): Promise<void> {
    await q(ex).updateTable('bids').set(set).where('id', '=', id).execute();
  },

  findBid(ex: Executor, callId: string, organisationId: string) {
    return q(ex)
      .selectFrom('bids')
      .selectAll()
      .where('call_id', '=', callId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
  },

  /** One bid by its id; with `lock`, its row is locked for the transaction. */
  findBidById(ex: Executor, id: string, lock = false) {
    const query = q(ex).selectFrom('bids').selectAll().where('id', '=', id);
    return (lock ? forUpdate(ex, query) : query).executeTakeFirst();
  },

  /** A call's bids in submission order, optionally only those of some organisations. */
  listBids(ex: Executor, callId: string, organisationIds?: readonly string[]) {
    if (organisationIds?.length === 0) return Promise.resolve([]);
    let query = q(ex).selectFrom('bids').selectAll().where('call_id', '=', callId);
    if (organisationIds) query = query.where('organisation_id', 'in', organisationIds);
    return query.orderBy('created_at').orderBy('id').execute();
  },

  /** Bids of these organisations, newest first. */
  listBidsOf(ex: Executor, organisationIds: readonly string[], limit: number, beforeId?: string) {
    if (organisationIds.length === 0) return Promise.resolve([]);
    let query = q(ex).selectFrom('bids').selectAll().where('organisation_id', 'in', organisationIds);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },
};
