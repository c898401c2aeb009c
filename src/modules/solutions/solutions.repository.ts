import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { SolutionsTable, SolutionsTables } from './solutions.tables.js';

const q = (ex: Executor) => ex as Kysely<SolutionsTables>;

export const solutionsRepository = {
  async insert(ex: Executor, row: SolutionsTable): Promise<void> {
    await q(ex).insertInto('solutions').values(row).execute();
    await q(ex)
      .insertInto('solution_versions')
      .values({ solution_id: row.id, version: row.version, title: row.title, body: row.body, created_at: row.created_at })
      .execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('solutions').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'solutions', [id]);
    return forUpdate(ex, q(ex).selectFrom('solutions').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Writes a new version and makes it current. */
  async revise(ex: Executor, id: string, version: number, title: string, body: string, now: string): Promise<void> {
    await q(ex).insertInto('solution_versions').values({ solution_id: id, version, title, body, created_at: now }).execute();
    await q(ex).updateTable('solutions').set({ version, title, body, updated_at: now }).where('id', '=', id).execute();
  },

  listVersions(ex: Executor, id: string) {
    return q(ex).selectFrom('solution_versions').selectAll().where('solution_id', '=', id).orderBy('version', 'desc').execute();
  },

  async listForNeed(ex: Executor, needId: string, sort: 'top' | 'new', limit: number, before?: readonly (string | number)[]) {
    let query = q(ex).selectFrom('solutions').selectAll().where('need_id', '=', needId);
    if (sort === 'new') {
      if (before) query = query.where('id', '<', before[0] as string);
      return query.orderBy('id', 'desc').limit(limit).execute();
    }
    if (before) {
      const [votes, id] = before as [number, string];
      query = query.where((eb) =>
        eb.or([eb('vote_count', '<', votes), eb.and([eb('vote_count', '=', votes), eb('id', '<', id)])]),
      );
    }
    return query.orderBy('vote_count', 'desc').orderBy('id', 'desc').limit(limit).execute();
  },

  listByAuthor(ex: Executor, authorId: string, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('solutions').selectAll().where('author_id', '=', authorId);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async insertVote(ex: Executor, solutionId: string, memberId: string, now: string): Promise<boolean> {
    const r = await q(ex)
      .insertInto('solution_votes')
      .values({ solution_id: solutionId, member_id: memberId, created_at: now })
      .onConflict((oc) => oc.columns(['solution_id', 'member_id']).doNothing())
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async deleteVote(ex: Executor, solutionId: string, memberId: string): Promise<boolean> {
    const r = await q(ex)
      .deleteFrom('solution_votes')
      .where('solution_id', '=', solutionId)
      .where('member_id', '=', memberId)
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async addToVoteCount(ex: Executor, id: string, by: number): Promise<number> {
    const r = await q(ex)
      .updateTable('solutions')
      .set((eb) => ({ vote_count: eb('vote_count', '+', by) }))
      .where('id', '=', id)
      .returning('vote_count')
      .executeTakeFirstOrThrow();
    return r.vote_count;
  },

  async votedAmong(ex: Executor, memberId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await q(ex)
      .selectFrom('solution_votes')
      .select('solution_id')
      .where('member_id', '=', memberId)
      .where('solution_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.solution_id));
  },

  /** Moves a need's solutions to another need; returns how many moved. */
  async moveToNeed(ex: Executor, fromNeedId: string, intoNeedId: string): Promise<number> {
    const r = await q(ex)
      .updateTable('solutions')
      .set({ need_id: intoNeedId })
      .where('need_id', '=', fromNeedId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
