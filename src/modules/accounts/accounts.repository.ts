import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AccountsTables, ApiTokensTable, MembersTable, SessionsTable } from './accounts.tables.js';

const q = (ex: Executor) => ex as Kysely<AccountsTables>;

/** Folds rows of a LEFT JOIN on member_roles (one row per role) into one record with its roles, by key. */
function groupRoles<R extends { role: string | null }>(rows: R[], keyOf: (row: R) => string) {
  const out = new Map<string, { row: Omit<R, 'role'>; roles: string[] }>();
  for (const { role, ...row } of rows) {
    const key = keyOf({ role, ...row } as R);
    const entry = out.get(key) ?? { row, roles: [] };
    if (role) entry.roles.push(role);
    out.set(key, entry);
  }
  return out;
}

export const accountsRepository = {
  async insertMember(ex: Executor, row: MembersTable): Promise<void> {
    await q(ex).insertInto('members').values(row).execute();
  },

  async anyMember(ex: Executor): Promise<boolean> {
    return (await q(ex).selectFrom('members').select('id').limit(1).executeTakeFirst()) !== undefined;
  },

  findMemberByEmail(ex: Executor, email: string) {
    return q(ex).selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst();
  },

  findMember(ex: Executor, id: string) {
    return q(ex).selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
  },

  listMembersByIds(ex: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('members').select(['id', 'display_name']).where('id', 'in', ids).execute();
  },

  listMembersByDisplayNames(ex: Executor, names: readonly string[]) {
    if (names.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('members').select(['id', 'display_name']).where('display_name', 'in', names).execute();
  },

  async updatePasswordHash(ex: Executor, id: string, hash: string, now: string): Promise<void> {
    await q(ex).updateTable('members').set({ password_hash: hash, updated_at: now }).where('id', '=', id).execute();
  },

  async rolesOf(ex: Executor, memberId: string): Promise<string[]> {
    const rows = await q(ex).selectFrom('member_roles').select('role').where('member_id', '=', memberId).execute();
    return rows.map((r) => r.role);
  },

  async grantRole(ex: Executor, memberId: string, role: string, now: string): Promise<void> {
    await q(ex)
      .insertInto('member_roles')
      .values({ member_id: memberId, role, granted_at: now })
      .onConflict((oc) => oc.columns(['member_id', 'role']).doNothing())
      .execute();
  },

  async revokeRole(ex: Executor, memberId: string, role: string): Promise<void> {
    await q(ex).deleteFrom('member_roles').where('member_id', '=', memberId).where('role', '=', role).execute();
  },

  async insertSession(ex: Executor, row: SessionsTable): Promise<void> {
    await q(ex).insertInto('sessions').values(row).execute();
  },

  /** Sessions by token hash with their members' granted roles, in one query (this runs on every request). */
  async findSessionsWithRoles(ex: Executor, tokenHashes: readonly string[]) {
    const rows = await q(ex)
      .selectFrom('sessions')
      .leftJoin('member_roles', 'member_roles.member_id', 'sessions.member_id')
      .selectAll('sessions')
      .select('member_roles.role')
      .where('sessions.token_hash', 'in', tokenHashes)
      .execute();
    return groupRoles(rows, (r) => r.token_hash);
  },

  /** API tokens by hash with their members' granted roles, in one query (this runs on every request). */
  async findTokensWithRoles(ex: Executor, tokenHashes: readonly string[]) {
    const rows = await q(ex)
      .selectFrom('api_tokens')
      .leftJoin('member_roles', 'member_roles.member_id', 'api_tokens.member_id')
      .selectAll('api_tokens')
      .select('member_roles.role')
      .where('api_tokens.token_hash', 'in', tokenHashes)
      .execute();
    return groupRoles(rows, (r) => r.token_hash);
  },

  async touchSessions(ex: Executor, ids: readonly string[], lastSeen: string, expires: string): Promise<void> {
    await q(ex)
      .updateTable('sessions')
      .set({ last_seen_at: lastSeen, expires_at: expires })
      .where('id', 'in', [...new Set(ids)])
      .execute();
  },

  async deleteSessionByHash(ex: Executor, tokenHash: string): Promise<void> {
    await q(ex).deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  },

  async deleteExpiredSessions(ex: Executor, now: string): Promise<void> {
    await q(ex).deleteFrom('sessions').where('expires_at', '<', now).execute();
  },

  async insertToken(ex: Executor, row: ApiTokensTable): Promise<void> {
    await q(ex).insertInto('api_tokens').values(row).execute();
  },

  listTokens(ex: Executor, memberId: string) {
    return q(ex)
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
      .where('member_id', '=', memberId)
      .orderBy('id', 'desc')
      .execute();
  },

  async touchTokens(ex: Executor, ids: readonly string[], now: string): Promise<void> {
    await q(ex)
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', 'in', [...new Set(ids)])
      .execute();
  },

  /** Revokes a member's token; returns false when there is no such live token. */
  async revokeToken(ex: Executor, memberId: string, id: string, now: string): Promise<boolean> {
    const r = await q(ex)
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('member_id', '=', memberId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
