import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { searchIndex } from '../../platform/search/search.repository.js';
import type { ScenesTable, ScenesTables } from './scenes.tables.js';

const q = (ex: Executor) => ex as Kysely<ScenesTables>;
const search = searchIndex('scenes_search');

export interface SceneFilter {
  communityId?: string;
  authorId?: string;
  q?: string;
}

export const scenesRepository = {
  async insert(ex: Executor, row: ScenesTable): Promise<void> {
    await q(ex).insertInto('scenes').values(row).execute();
    await search.put(ex, row.id, [row.title, row.persona, row.goal, row.pain, row.context, ...JSON.parse(row.tags)]);
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('scenes').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest first; ids are time-ordered, so keyset on id never skips or repeats under inserts. */
  async list(ex: Executor, filter: SceneFilter, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('scenes').selectAll();
    if (filter.communityId) query = query.where('community_id', '=', filter.communityId);
    if (filter.authorId) query = query.where('author_id', '=', filter.authorId);
    if (filter.q) {
      const cond = search.matches(ex, 'scenes.id', filter.q);
      if (!cond) return [];
      query = query.where(cond);
    }
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async addToNeedCount(ex: Executor, id: string, by: number): Promise<void> {
    await q(ex)
      .updateTable('scenes')
      .set((eb) => ({ need_count: eb('need_count', '+', by) }))
      .where('id', '=', id)
      .execute();
  },
};
