import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { CommunitiesTable, CommunitiesTables } from './communities.tables.js';

const q = (ex: Executor) => ex as Kysely<CommunitiesTables>;

export const communitiesRepository = {
  async insert(ex: Executor, row: CommunitiesTable): Promise<void> {
    await q(ex).insertInto('communities').values(row).execute();
  },

  find(ex: Executor, idOrSlug: string) {
    return q(ex)
      .selectFrom('communities')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
      .executeTakeFirst();
  },

  /** Locks the row for the transaction (PostgreSQL) and returns it. */
  async update(ex: Executor, id: string, set: Partial<Omit<CommunitiesTable, 'id'>>) {
    return q(ex).updateTable('communities').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  },

  /** Communities oldest first (stable order), keyset after an id. */
  list(ex: Executor, limit: number, afterId?: string) {
    let query = q(ex).selectFrom('communities').selectAll();
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  },

  /** Locks the community for this transaction; false when it does not exist. */
  async lock(ex: Executor, id: string): Promise<boolean> {
    await lockAggregates(ex, 'communities', [id]);
    const row = await forUpdate(ex, q(ex).selectFrom('communities').select('id').where('id', '=', id)).executeTakeFirst();
    return row !== undefined;
  },

  /** Adds a membership (caller holds the lock); false when already a member. */
  async addMember(ex: Executor, communityId: string, memberId: string, now: string): Promise<boolean> {
    const inserted = await q(ex)
      .insertInto('community_members')
      .values({ community_id: communityId, member_id: memberId, joined_at: now })
      .onConflict((oc) => oc.columns(['community_id', 'member_id']).doNothing())
      .returning('member_id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /** Removes a membership (caller holds the lock); false when not a member. */
  async removeMember(ex: Executor, communityId: string, memberId: string): Promise<boolean> {
    const deleted = await q(ex)
      .deleteFrom('community_members')
      .where('community_id', '=', communityId)
      .where('member_id', '=', memberId)
      .returning('member_id')
      .executeTakeFirst();
    return deleted !== undefined;
  },

  async addToMemberCount(ex: Executor, communityId: string, by: number): Promise<number> {
    const r = await q(ex)
      .updateTable('communities')
      .set((eb) => ({ member_count: eb('member_count', '+', by) }))
      .where('id', '=', communityId)
      .returning('member_count')
      .executeTakeFirstOrThrow();
    return r.member_count;
  },

  async memberCount(ex: Executor, communityId: string): Promise<number> {
    const r = await q(ex).selectFrom('communities').select('member_count').where('id', '=', communityId).executeTakeFirst();
    return r?.member_count ?? 0;
  },

  /** The (member, community) memberships of the given members. */
  membershipsOf(ex: Executor, memberIds: readonly string[]) {
    return q(ex)
      .selectFrom('community_members')
      .select(['member_id', 'community_id'])
      .where('member_id', 'in', memberIds)
      .execute();
  },

  async joinedAmong(ex: Executor, memberId: string, communityIds: readonly string[]): Promise<Set<string>> {
    if (communityIds.length === 0) return new Set();
    const rows = await q(ex)
      .selectFrom('community_members')
      .select('community_id')
      .where('member_id', '=', memberId)
      .where('community_id', 'in', communityIds)
      .execute();
    return new Set(rows.map((r) => r.community_id));
  },
};
