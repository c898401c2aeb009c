import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { CommentsTable, CommentsTables } from './comments.tables.js';

const q = (ex: Executor) => ex as Kysely<CommentsTables>;

export type CommentTarget = { needId: string } | { solutionId: string };

export const commentsRepository = {
  async insert(ex: Executor, row: CommentsTable): Promise<void> {
    await q(ex).insertInto('comments').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'comments', [id]);
    return forUpdate(ex, q(ex).selectFrom('comments').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  async update(ex: Executor, id: string, set: Partial<Omit<CommentsTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('comments').set(set).where('id', '=', id).execute();
  },

  /** Top-level comments of a target, oldest first, keyset after an id. */
  listTopLevel(ex: Executor, target: CommentTarget, limit: number, afterId?: string) {
    let query = q(ex).selectFrom('comments').selectAll().where('parent_id', 'is', null);
    query = 'needId' in target ? query.where('need_id', '=', target.needId) : query.where('solution_id', '=', target.solutionId);
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  },

  listReplies(ex: Executor, parentIds: readonly string[]) {
    if (parentIds.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('comments').selectAll().where('parent_id', 'in', parentIds).orderBy('id').execute();
  },

  /** How many of a need's comments are not deleted. */
  async countLive(ex: Executor, needId: string): Promise<number> {
    const r = await q(ex)
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('need_id', '=', needId)
      .where('deleted', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Moves a merged need's comments to its target; returns how many moved. */
  async moveToNeed(ex: Executor, fromNeedId: string, intoNeedId: string): Promise<number> {
    const r = await q(ex)
      .updateTable('comments')
      .set({ need_id: intoNeedId })
      .where('need_id', '=', fromNeedId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
