import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { CampaignsTable, CampaignsTables } from './campaigns.tables.js';

const q = (ex: Executor) => ex as Kysely<CampaignsTables>;

/** The stock counters a campaign keeps on its row, changed together under the row's lock. */
export type StockCounters = Pick<CampaignsTable, 'sold' | 'sold_amount' | 'tier_sold' | 'first_claim_sold' | 'state'>;

export const campaignsRepository = {
  async insert(ex: Executor, row: CampaignsTable): Promise<void> {
    await q(ex).insertInto('campaigns').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'campaigns', [id]);
    return forUpdate(ex, q(ex).selectFrom('campaigns').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Locks campaigns in id order (so two transactions never wait on each other in a circle). */
  async lockMany(ex: Executor, ids: readonly string[]): Promise<Map<string, CampaignsTable>> {
    if (ids.length === 0) return new Map();
    await lockAggregates(ex, 'campaigns', ids);
    const rows = await forUpdate(
      ex,
      q(ex)
        .selectFrom('campaigns')
        .selectAll()
        .where('id', 'in', [...ids])
        .orderBy('id'),
    ).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  async findMany(ex: Executor, ids: readonly string[]): Promise<Map<string, CampaignsTable>> {
    if (ids.length === 0) return new Map();
    const rows = await q(ex)
      .selectFrom('campaigns')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  /** Ids of the campaigns of these chain groups' products. */
  async idsOfChainGroups(ex: Executor, chainGroupIds: readonly string[]): Promise<string[]> {
    if (chainGroupIds.length === 0) return [];
    const rows = await q(ex)
      .selectFrom('campaigns')
      .select('id')
      .where('chain_group_id', 'in', [...chainGroupIds])
      .execute();
    return rows.map((r) => r.id);
  },

  /**
   * Newest first, by product, mode and state as of `nowIso` (the recorded state with the clock
   * applied, as `effectiveState` does, so a list never waits for the job that records it).
   */
  list(
    ex: Executor,
    filter: { productId?: string; state?: string; mode?: string; chainGroupIds?: readonly string[]; withDrafts?: boolean },
    nowIso: string,
    limit: number,
    beforeId?: string,
  ) {
    let query = q(ex).selectFrom('campaigns').selectAll();
    if (filter.productId) query = query.where('product_id', '=', filter.productId);
    if (filter.mode) query = query.where('mode', '=', filter.mode);
    if (filter.chainGroupIds) query = query.where('chain_group_id', 'in', [...filter.chainGroupIds]);
    if (!filter.withDrafts) query = query.where('state', '!=', 'draft');
    const state = filter.state;
    if (state === 'draft' || state === 'settled') query = query.where('state', '=', state);
    else if (state === 'scheduled') query = query.where('state', '=', 'scheduled').where('starts_at', '>', nowIso);
    else if (state === 'live' || state === 'sold_out') {
      const full = state === 'sold_out';
      query = query
        .where('ends_at', '>', nowIso)
        .where((eb) =>
          eb.or([
            eb('state', '=', state),
            eb.and([
              eb('state', '=', 'scheduled'),
              eb('starts_at', '<=', nowIso),
              full ? eb('sold', '>=', eb.ref('quantity')) : eb('sold', '<', eb.ref('quantity')),
            ]),
          ]),
        );
    } else if (state === 'ended') {
      query = query.where((eb) =>
        eb.or([
          eb('state', '=', 'ended'),
          eb.and([eb('state', 'in', ['scheduled', 'live', 'sold_out']), eb('ends_at', '<=', nowIso)]),
        ]),
      );
    }
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async update(ex: Executor, id: string, set: Partial<Omit<CampaignsTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('campaigns').set(set).where('id', '=', id).execute();
  },

  async setStock(ex: Executor, id: string, stock: StockCounters, nowIso: string): Promise<void> {
    await q(ex)
      .updateTable('campaigns')
      .set({ ...stock, updated_at: nowIso })
      .where('id', '=', id)
      .execute();
  },

  /**
   * Campaigns whose recorded state is behind the clock or that may be ready to settle: scheduled
   * ones past their start, live or sold-out ones past their end, ended ones not settled yet.
   */
  async due(ex: Executor, nowIso: string, limit: number): Promise<string[]> {
    const rows = await q(ex)
      .selectFrom('campaigns')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'scheduled'), eb('starts_at', '<=', nowIso)]),
          eb.and([eb('state', 'in', ['live', 'sold_out']), eb('ends_at', '<=', nowIso)]),
          eb.and([eb('state', '=', 'ended'), eb('mode', '!=', 'trial')]),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },
};
