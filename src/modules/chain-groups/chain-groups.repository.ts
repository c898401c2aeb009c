import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type {
  AgreementAcceptancesTable,
  AgreementVersionsTable,
  ChainGroupsTable,
  ChainGroupsTables,
} from './chain-groups.tables.js';

const q = (ex: Executor) => ex as Kysely<ChainGroupsTables>;

export const chainGroupsRepository = {
  async insert(ex: Executor, row: ChainGroupsTable): Promise<void> {
    await q(ex).insertInto('chain_groups').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('chain_groups').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'chain_groups', [id]);
    return forUpdate(ex, q(ex).selectFrom('chain_groups').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  findActiveForNeed(ex: Executor, needId: string) {
    return q(ex)
      .selectFrom('chain_groups')
      .selectAll()
      .where('need_id', '=', needId)
      .where('status', '=', 'active')
      .executeTakeFirst();
  },

  /** Newest first, optionally of one need. */
  list(ex: Executor, limit: number, needId?: string, beforeId?: string) {
    let query = q(ex).selectFrom('chain_groups').selectAll();
    if (needId) query = query.where('need_id', '=', needId);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async update(
    ex: Executor,
    id: string,
    set: Partial<Pick<ChainGroupsTable, 'agreement_version' | 'party_revision' | 'updated_at'>>,
  ): Promise<void> {
    await q(ex).updateTable('chain_groups').set(set).where('id', '=', id).execute();
  },

  listMembers(ex: Executor, chainGroupId: string) {
    return q(ex)
      .selectFrom('chain_group_members')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .orderBy('added_at')
      .orderBy('member_id')
      .execute();
  },

  listOrganisations(ex: Executor, chainGroupId: string) {
    return q(ex)
      .selectFrom('chain_group_organisations')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .orderBy('added_at')
      .orderBy('organisation_id')
      .execute();
  },

  /** Ids of the group's organisations in one role. */
  async organisationsInRole(ex: Executor, chainGroupId: string, role: string): Promise<string[]> {
    const rows = await q(ex)
      .selectFrom('chain_group_organisations')
      .select('organisation_id')
      .where('chain_group_id', '=', chainGroupId)
      .where('role', '=', role)
      .orderBy('organisation_id')
      .execute();
    return rows.map((r) => r.organisation_id);
  },

  /** Ids of the groups where any of these organisations holds the role. */
  async groupsWithOrganisations(ex: Executor, organisationIds: readonly string[], role: string): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows = await q(ex)
      .selectFrom('chain_group_organisations')
      .select('chain_group_id')
      .distinct()
      .where('organisation_id', 'in', organisationIds)
      .where('role', '=', role)
      .execute();
    return rows.map((r) => r.chain_group_id);
  },

  findMember(ex: Executor, chainGroupId: string, memberId: string) {
    return q(ex)
      .selectFrom('chain_group_members')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
  },

  findOrganisation(ex: Executor, chainGroupId: string, organisationId: string) {
    return q(ex)
      .selectFrom('chain_group_organisations')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
  },

  /** Adds a member or changes their role. */
  async putMember(ex: Executor, chainGroupId: string, memberId: string, role: string, now: string): Promise<void> {
    await q(ex)
      .insertInto('chain_group_members')
      .values({ chain_group_id: chainGroupId, member_id: memberId, role, added_at: now })
      .onConflict((oc) => oc.columns(['chain_group_id', 'member_id']).doUpdateSet({ role }))
      .execute();
  },

  async putOrganisation(ex: Executor, chainGroupId: string, organisationId: string, role: string, now: string): Promise<void> {
    await q(ex)
      .insertInto('chain_group_organisations')
      .values({ chain_group_id: chainGroupId, organisation_id: organisationId, role, added_at: now })
      .onConflict((oc) => oc.columns(['chain_group_id', 'organisation_id']).doUpdateSet({ role }))
      .execute();
  },

  async removeMember(ex: Executor, chainGroupId: string, memberId: string): Promise<void> {
    await q(ex)
      .deleteFrom('chain_group_members')
      .where('chain_group_id', '=', chainGroupId)
      .where('member_id', '=', memberId)
      .execute();
  },

  async removeOrganisation(ex: Executor, chainGroupId: string, organisationId: string): Promise<void> {
    await q(ex)
      .deleteFrom('chain_group_organisations')
      .where('chain_group_id', '=', chainGroupId)
      .where('organisation_id', '=', organisationId)
      .execute();
  },

  async insertVersion(ex: Executor, row: AgreementVersionsTable): Promise<void> {
    await q(ex).insertInto('agreement_versions').values(row).execute();
  },

  findVersion(ex: Executor, chainGroupId: string, version: number) {
    return q(ex)
      .selectFrom('agreement_versions')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .where('version', '=', version)
      .executeTakeFirst();
  },

  listVersions(ex: Executor, chainGroupId: string) {
    return q(ex)
      .selectFrom('agreement_versions')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .orderBy('version', 'desc')
      .execute();
  },

  /** Acceptances that count: of this version, given since the parties last changed. */
  listAcceptances(ex: Executor, chainGroupId: string, version: number, partyRevision: number) {
    return q(ex)
      .selectFrom('agreement_acceptances')
      .selectAll()
      .where('chain_group_id', '=', chainGroupId)
      .where('version', '=', version)
      .where('party_revision', '=', partyRevision)
      .execute();
  },

  /** The parties that accepted a version, at any party revision. */
  partiesThatAccepted(ex: Executor, chainGroupId: string, version: number) {
    return q(ex)
      .selectFrom('agreement_acceptances')
      .select(['party_kind', 'party_id'])
      .distinct()
      .where('chain_group_id', '=', chainGroupId)
      .where('version', '=', version)
      .execute();
  },

  async insertAcceptance(ex: Executor, row: AgreementAcceptancesTable): Promise<void> {
    await q(ex).insertInto('agreement_acceptances').values(row).execute();
  },
};
