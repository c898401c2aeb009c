import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { dialectOf } from '../../platform/db/dialect.js';
import type { OrganisationsTable, OrganisationsTables } from './organisations.tables.js';

const q = (ex: Executor) => ex as Kysely<OrganisationsTables>;

export const organisationsRepository = {
  async insert(ex: Executor, row: OrganisationsTable): Promise<void> {
    await q(ex).insertInto('organisations').values(row).execute();
  },

  listNames(ex: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Keyset page by name then id. */
  list(ex: Executor, limit: number, after?: readonly [string, string]) {
    let query = q(ex).selectFrom('organisations').selectAll();
    if (after) {
      query = query.where((eb) =>
        eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]),
      );
    }
    return query.orderBy('name').orderBy('id').limit(limit).execute();
  },

  listOfMember(ex: Executor, memberId: string) {
    return q(ex)
      .selectFrom('organisations')
      .innerJoin('organisation_members', 'organisation_members.organisation_id', 'organisations.id')
      .selectAll('organisations')
      .where('organisation_members.member_id', '=', memberId)
      .orderBy('organisations.name')
      .execute();
  },

  listMembers(ex: Executor, organisationId: string) {
    return q(ex)
      .selectFrom('organisation_members')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('added_at')
      .execute();
  },

  /**
   * Serialises changes to one member's partnerships until the transaction ends, so that counting
   * the remaining ones (to revoke the role) and adding one cannot interleave. SQLite has one writer.
   */
  async lockMemberships(ex: Executor, memberId: string): Promise<void> {
    if (dialectOf(ex) !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtextextended(${`organisation_members:${memberId}`}, 0))`.execute(ex);
  },

  /** Adds a partner; false when they already were one. */
  async addMember(ex: Executor, organisationId: string, memberId: string, now: string): Promise<boolean> {
    const r = await q(ex)
      .insertInto('organisation_members')
      .values({ organisation_id: organisationId, member_id: memberId, added_at: now })
      .onConflict((oc) => oc.columns(['organisation_id', 'member_id']).doNothing())
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  /** Removes a partner; false when they were not one. */
  async removeMember(ex: Executor, organisationId: string, memberId: string): Promise<boolean> {
    const r = await q(ex)
      .deleteFrom('organisation_members')
      .where('organisation_id', '=', organisationId)
      .where('member_id', '=', memberId)
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async countMemberships(ex: Executor, memberId: string): Promise<number> {
    const r = await q(ex)
      .selectFrom('organisation_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('member_id', '=', memberId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async isMember(ex: Executor, organisationId: string, memberId: string): Promise<boolean> {
    const r = await q(ex)
      .selectFrom('organisation_members')
      .select('member_id')
      .where('organisation_id', '=', organisationId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return r !== undefined;
  },
};
