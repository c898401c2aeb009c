import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import { searchIndex } from '../../platform/search/search.repository.js';
import type { NeedSupportsTable, NeedsTable, NeedsTables } from './needs.tables.js';

const q = (ex: Executor) => ex as Kysely<NeedsTables>;
const search = searchIndex('needs_search');

export interface NeedFilter {
  communityId?: string;
  sceneId?: string;
  authorId?: string;
  stage?: string;
  q?: string;
}

export type NeedSort =
  | { by: 'new'; before?: string }
  | { by: 'top'; before?: readonly [number, string] }
  | { by: 'hot'; asOf: number; before?: readonly [number, string] };

/**
 * Hot ranking, as on Hacker News: (supports + 1) / (age in hours + 2)^1.5, evaluated at a fixed
 * instant `asOf` (seconds) that the cursor carries, so paging a hot list stays consistent.
 */
function hotScore(asOf: number) {
  // Needs raised after asOf (while someone pages an older list) count as brand new, not negative age.
  return sql<number>`(CAST(support_count + 1 AS DOUBLE PRECISION) / power(CAST(CASE WHEN created_epoch < ${asOf} THEN ${asOf} - created_epoch ELSE 0 END AS DOUBLE PRECISION) / 3600.0 + 2.0, 1.5))`;
}

export const needsRepository = {
  async insert(ex: Executor, row: NeedsTable): Promise<void> {
    await q(ex).insertInto('needs').values(row).execute();
    await search.put(ex, row.id, [row.title, row.body]);
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('needs').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findMany(ex: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('needs').select(['id', 'chosen_solution_id']).where('id', 'in', ids).execute();
  },

  /** Reads and locks a need for the transaction. */
  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'needs', [id]);
    return forUpdate(ex, q(ex).selectFrom('needs').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Reads and locks several needs, in id order (so two batches cannot deadlock). */
  async findManyForUpdate(ex: Executor, ids: readonly string[]) {
    await lockAggregates(ex, 'needs', ids);
    return forUpdate(ex, q(ex).selectFrom('needs').selectAll().where('id', 'in', ids).orderBy('id')).execute();
  },

  /** Inserts supports in one statement; returns the (need, member) pairs that were new. */
  async insertSupports(ex: Executor, rows: NeedSupportsTable[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await q(ex)
      .insertInto('need_supports')
      .values(rows)
      .onConflict((oc) => oc.columns(['need_id', 'member_id']).doNothing())
      .returning(['need_id', 'member_id'])
      .execute();
    return new Set(inserted.map((r) => `${r.need_id} ${r.member_id}`));
  },

  async update(ex: Executor, id: string, set: Partial<Omit<NeedsTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('needs').set(set).where('id', '=', id).execute();
  },

  /** Adds to the support and intent counters; returns the new support count. */
  async addSupport(
    ex: Executor,
    id: string,
    supports: number,
    intentSupporters: number,
    intentQuantity: number,
  ): Promise<number> {
    const r = await q(ex)
      .updateTable('needs')
      .set((eb) => ({
        support_count: eb('support_count', '+', supports),
        intent_supporters: eb('intent_supporters', '+', intentSupporters),
        intent_quantity: eb('intent_quantity', '+', intentQuantity),
      }))
      .where('id', '=', id)
      .returning('support_count')
      .executeTakeFirstOrThrow();
    return r.support_count;
  },

  /**
   * Adds to several needs' counters in one statement; returns each need's new support count.
   * `by` maps a need id to [supports, intent supporters, intent quantity].
   */
  async addSupports(ex: Executor, by: ReadonlyMap<string, readonly [number, number, number]>): Promise<Map<string, number>> {
    if (by.size === 0) return new Map();
    const ids = [...by.keys()];
    const delta = (k: 0 | 1 | 2) => {
      return sql<number>`CASE id ${sql.join(
        ids.map((id) => sql`WHEN ${id} THEN ${by.get(id)![k]}`),
        sql` `,
      )} ELSE 0 END`;
    };
    const rows = await q(ex)
      .updateTable('needs')
      .set((eb) => ({
        support_count: eb('support_count', '+', delta(0)),
        intent_supporters: eb('intent_supporters', '+', delta(1)),
        intent_quantity: eb('intent_quantity', '+', delta(2)),
      }))
      .where('id', 'in', ids)
      .returning(['id', 'support_count'])
      .execute();
    return new Map(rows.map((r) => [r.id, r.support_count]));
  },

  async addToCounts(ex: Executor, id: string, by: { solutions?: number; comments?: number }): Promise<void> {
    await q(ex)
      .updateTable('needs')
      .set((eb) => ({
        solution_count: eb('solution_count', '+', by.solutions ?? 0),
        comment_count: eb('comment_count', '+', by.comments ?? 0),
      }))
      .where('id', '=', id)
      .execute();
  },

  async list(ex: Executor, filter: NeedFilter, sort: NeedSort, nowIso: string, limit: number) {
    let query = q(ex).selectFrom('needs').selectAll();
    if (filter.communityId) query = query.where('community_id', '=', filter.communityId);
    if (filter.sceneId) query = query.where('scene_id', '=', filter.sceneId);
    if (filter.authorId) query = query.where('author_id', '=', filter.authorId);
    // A need whose deadline has passed is expired the moment it is read, before the worker records it.
    if (filter.stage === 'open') {
      query = query.where('stage', '=', 'open').where('milestone_deadline', '>', nowIso);
    } else if (filter.stage === 'expired') {
      query = query.where((eb) =>
        eb.or([eb('stage', '=', 'expired'), eb.and([eb('stage', '=', 'open'), eb('milestone_deadline', '<=', nowIso)])]),
      );
    } else if (filter.stage) {
      query = query.where('stage', '=', filter.stage);
    } else {
      query = query.where('stage', '<>', 'merged');
    }
    if (filter.q) {
      const cond = search.matches(ex, 'needs.id', filter.q);
      if (!cond) return [];
      query = query.where(cond);
    }
    if (sort.by === 'new') {
      if (sort.before) query = query.where('id', '<', sort.before);
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map((r) => ({ ...r, score: 0 }));
    }
    if (sort.by === 'top') {
      const b = sort.before;
      if (b) {
        query = query.where((eb) =>
          eb.or([eb('support_count', '<', b[0]), eb.and([eb('support_count', '=', b[0]), eb('id', '<', b[1])])]),
        );
      }
      return (await query.orderBy('support_count', 'desc').orderBy('id', 'desc').limit(limit).execute()).map((r) => ({
        ...r,
        score: 0,
      }));
    }
    const score = hotScore(sort.asOf);
    const b = sort.before;
    let ranked = query.select(score.as('score'));
    if (b) ranked = ranked.where((eb) => eb.or([eb(score, '<', b[0]), eb.and([eb(score, '=', b[0]), eb('id', '<', b[1])])]));
    return ranked.orderBy(score, 'desc').orderBy('id', 'desc').limit(limit).execute();
  },

  /** Inserts a support; false when the member already supports the need. */
  async insertSupport(ex: Executor, row: NeedSupportsTable): Promise<boolean> {
    const r = await q(ex)
      .insertInto('need_supports')
      .values(row)
      .onConflict((oc) => oc.columns(['need_id', 'member_id']).doNothing())
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  findSupport(ex: Executor, needId: string, memberId: string) {
    return q(ex)
      .selectFrom('need_supports')
      .selectAll()
      .where('need_id', '=', needId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
  },

  async setSupportIntent(
    ex: Executor,
    needId: string,
    memberId: string,
    intent: Pick<NeedSupportsTable, 'intent_quantity' | 'intent_max_unit_price' | 'intent_currency'>,
  ) {
    await q(ex)
      .updateTable('need_supports')
      .set(intent)
      .where('need_id', '=', needId)
      .where('member_id', '=', memberId)
      .execute();
  },

  /** Deletes a support and returns it, or undefined when there was none. */
  deleteSupport(ex: Executor, needId: string, memberId: string) {
    return q(ex)
      .deleteFrom('need_supports')
      .where('need_id', '=', needId)
      .where('member_id', '=', memberId)
      .returningAll()
      .executeTakeFirst();
  },

  async supportedAmong(ex: Executor, memberId: string, needIds: readonly string[]) {
    if (needIds.length === 0) return new Map<string, NeedSupportsTable>();
    const rows = await q(ex)
      .selectFrom('need_supports')
      .selectAll()
      .where('member_id', '=', memberId)
      .where('need_id', 'in', needIds)
      .execute();
    return new Map(rows.map((r) => [r.need_id, r]));
  },

  /** Those of these members who support the need with a purchase intent. */
  async withIntentAmong(ex: Executor, needId: string, memberIds: readonly string[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set();
    const rows = await q(ex)
      .selectFrom('need_supports')
      .select('member_id')
      .where('need_id', '=', needId)
      .where('member_id', 'in', memberIds)
      .where('intent_quantity', 'is not', null)
      .execute();
    return new Set(rows.map((r) => r.member_id));
  },

  /** Supporters in the order they came, with their rank (1 = first) among the current supporters. */
  async listSupporters(ex: Executor, needId: string, limit: number, after?: readonly [string, string]) {
    const ranked = q(ex)
      .selectFrom('need_supports')
      .selectAll()
      .select(sql<number>`row_number() over (order by created_at, member_id)`.as('rank'))
      .where('need_id', '=', needId);
    let query = q(ex).selectFrom(ranked.as('s')).selectAll();
    if (after) {
      query = query.where((eb) =>
        eb.or([eb('s.created_at', '>', after[0]), eb.and([eb('s.created_at', '=', after[0]), eb('s.member_id', '>', after[1])])]),
      );
    }
    const rows = await query.orderBy('s.created_at').orderBy('s.member_id').limit(limit).execute();
    return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
  },

  /** The needs a member supports, most recent support first. */
  async listSupportedBy(ex: Executor, memberId: string, limit: number, before?: readonly [string, string]) {
    let query = q(ex)
      .selectFrom('need_supports')
      .innerJoin('needs', 'needs.id', 'need_supports.need_id')
      .selectAll('needs')
      .select('need_supports.created_at as supported_at')
      .where('need_supports.member_id', '=', memberId);
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('need_supports.created_at', '<', before[0]),
          eb.and([eb('need_supports.created_at', '=', before[0]), eb('need_supports.need_id', '<', before[1])]),
        ]),
      );
    }
    return query.orderBy('need_supports.created_at', 'desc').orderBy('need_supports.need_id', 'desc').limit(limit).execute();
  },

  /**
   * Copies the supports of `fromId` to `intoId` for members who do not support it yet (never its
   * author); returns how many were added.
   */
  async uniteSupports(ex: Executor, fromId: string, intoId: string, intoAuthorId: string): Promise<number> {
    const r = await q(ex)
      .insertInto('need_supports')
      .columns(['need_id', 'member_id', 'created_at', 'intent_quantity', 'intent_max_unit_price', 'intent_currency'])
      .expression((eb) =>
        eb
          .selectFrom('need_supports as s')
          .select([
            sql.lit(intoId).as('need_id'),
            's.member_id',
            's.created_at',
            's.intent_quantity',
            's.intent_max_unit_price',
            's.intent_currency',
          ])
          .where('s.need_id', '=', fromId)
          .where('s.member_id', '<>', intoAuthorId)
          .where((w) =>
            w.not(
              w.exists(
                w
                  .selectFrom('need_supports as t')
                  .select('t.member_id')
                  .where('t.need_id', '=', intoId)
                  .whereRef('t.member_id', '=', 's.member_id'),
              ),
            ),
          ),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  },

  /** Sets a need's counters from its support rows (exact; the caller holds the need's lock). */
  async recount(ex: Executor, id: string): Promise<number> {
    const agg = await q(ex)
      .selectFrom('need_supports')
      .select((eb) => [
        eb.fn.countAll<number>().as('supports'),
        eb.fn.count<number>('intent_quantity').as('intent_supporters'),
        eb.fn.coalesce(eb.fn.sum<number>('intent_quantity'), sql.lit(0)).as('intent_quantity'),
      ])
      .where('need_id', '=', id)
      .executeTakeFirstOrThrow();
    const counts = {
      support_count: Number(agg.supports),
      intent_supporters: Number(agg.intent_supporters),
      intent_quantity: Number(agg.intent_quantity),
    };
    await q(ex).updateTable('needs').set(counts).where('id', '=', id).execute();
    return counts.support_count;
  },

  /**
   * Open needs whose deadline has passed, locked for the transaction in id order (the order every
   * other writer locks needs in); rows another process holds are left for its next run.
   */
  overdue(ex: Executor, nowIso: string, limit: number) {
    return forUpdate(
      ex,
      q(ex)
        .selectFrom('needs')
        .selectAll()
        .where('stage', '=', 'open')
        .where('milestone_deadline', '<=', nowIso)
        .orderBy('id')
        .limit(limit),
      { skipLocked: true },
    ).execute();
  },
};
