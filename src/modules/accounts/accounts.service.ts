import { createHash, randomBytes } from 'node:crypto';
import type { Actor, Authenticator, Role } from '../../platform/auth/actor.js';
import { batched } from '../../platform/batching.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { uniquely } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { newId } from '../../platform/ids.js';
import type { RateLimiter } from '../../platform/rate-limit/rate-limiter.js';
import { accountsRepository as repo } from './accounts.repository.js';
import { hashPassword, needsRehash, passwordWeakness, verifyPassword } from './passwords.js';

export interface AccountsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  rateLimiter: RateLimiter;
  config: {
    scryptLogN: number;
    sessionTtlDays: number;
    rateLimit: { perIp: number; perAccount: number; windowSeconds: number };
  };
}

export interface MemberView {
  id: string;
  displayName: string;
  roles: Role[];
}

export interface NewSession {
  /** The secret that goes in the cookie; only its hash is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

const TOUCH_EVERY_MS = 60 * 60 * 1000;
const TOKEN_PREFIX = 'cvt_';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = (bytes: number) => randomBytes(bytes).toString('base64url');
const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Roles every member has, plus the ones granted. */
function rolesFrom(granted: string[]): Role[] {
  const set = new Set<Role>(['member']);
  for (const r of granted) if (r === 'partner' || r === 'operator') set.add(r);
  return [...set];
}

/** Accounts: members, passwords, sessions, API tokens and roles. */
export class AccountsService implements Authenticator {
  private dummyHash: Promise<string> | undefined;
  /** Every request resolves its caller; concurrent requests share one query. */
  private readonly sessionsByHash = batched(async (hashes: readonly string[]) => {
    const found = await repo.findSessionsWithRoles(this.deps.db.kysely, hashes);
    return hashes.map((h) => found.get(h) ?? null);
  });
  private readonly tokensByHash = batched(async (hashes: readonly string[]) => {
    const found = await repo.findTokensWithRoles(this.deps.db.kysely, hashes);
    return hashes.map((h) => found.get(h) ?? null);
  });
  /** The last-use marks of the tokens first used together, written with one statement. */
  private readonly touchTokens = batched(async (ids: readonly string[]) => {
    await repo.touchTokens(this.deps.db.kysely, ids, this.now.toISOString());
    return ids.map(() => undefined);
  });
  /** Sessions' sliding expiry, likewise. */
  private readonly touchSessions = batched(async (ids: readonly string[]) => {
    const now = this.now;
    const expires = new Date(now.getTime() + this.deps.config.sessionTtlDays * 86_400_000);
    await repo.touchSessions(this.deps.db.kysely, ids, now.toISOString(), expires.toISOString());
    return ids.map(() => undefined);
  });

  constructor(private readonly deps: AccountsDeps) {}

  private get now() {
    return this.deps.clock.now();
  }

  private async view(ex: Executor, member: { id: string; display_name: string }): Promise<MemberView> {
    return { id: member.id, displayName: member.display_name, roles: rolesFrom(await repo.rolesOf(ex, member.id)) };
  }

  /** Creates a member account. Throws `conflict` for a taken email, `validation` for a weak password. */
  async register(input: { email: string; password: string; displayName: string }, ip: string): Promise<MemberView> {
    const { rateLimit } = this.deps.config;
    const window = rateLimit.windowSeconds;
    await this.deps.rateLimiter.hit({ key: `auth:ip:${ip}`, max: rateLimit.perIp, windowSeconds: window });
    await this.deps.rateLimiter.hit({
      key: `auth:register:${normaliseEmail(input.email)}`,
      max: rateLimit.perAccount,
      windowSeconds: window,
    });
    return this.createMember(input);
  }

  /** Creates a member without rate limiting (CLI, seed). Optionally grants extra roles. */
  async createMember(
    input: { email: string; password: string; displayName: string },
    extraRoles: Role[] = [],
  ): Promise<MemberView> {
    const email = normaliseEmail(input.email);
    const displayName = input.displayName.trim();
    if (!displayName) throw AppError.invalid('displayName', 'must not be blank');
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw AppError.invalid('password', weakness);
    const hash = await hashPassword(input.password, this.deps.config.scryptLogN);
    const now = this.now.toISOString();
    const id = newId('mem', this.now);
    await uniquely(
      () =>
        this.deps.db.transaction(async (trx) => {
          await repo.insertMember(trx, {
            id,
            email,
            display_name: displayName,
            password_hash: hash,
            created_at: now,
            updated_at: now,
          });
          for (const role of extraRoles) if (role !== 'member') await repo.grantRole(trx, id, role, now);
          await this.deps.events.publish(trx, {
            type: 'member.registered',
            aggregateType: 'member',
            aggregateId: id,
            actorId: id,
            payload: { memberId: id },
          });
        }),
      { path: 'email', message: 'is already registered', detail: 'An account with this email already exists' },
    );
    return { id, displayName, roles: rolesFrom(extraRoles) };
  }

  /** A password hash made with today's parameters, for importing accounts in bulk (demo seed, imports). */
  hashForImport(password: string): Promise<string> {
    return hashPassword(password, this.deps.config.scryptLogN);
  }

  /** Creates a member from an already hashed password (bulk import); same checks as registration otherwise. */
  async importMember(input: { email: string; displayName: string; passwordHash: string }): Promise<MemberView> {
    const email = normaliseEmail(input.email);
    const now = this.now.toISOString();
    const id = newId('mem', this.now);
    await this.deps.db.transaction(async (trx) => {
      await repo.insertMember(trx, {
        id,
        email,
        display_name: input.displayName,
        password_hash: input.passwordHash,
        created_at: now,
        updated_at: now,
      });
      await this.deps.events.publish(trx, {
        type: 'member.registered',
        aggregateType: 'member',
        aggregateId: id,
        actorId: id,
        payload: { memberId: id },
      });
    });
    return { id, displayName: input.displayName, roles: ['member'] };
  }

  /**
   * Checks an email and password, rate-limited per IP and per account.
   * @throws AppError `unauthorized` on bad credentials, `rate_limited` when over budget.
   */
  async checkCredentials(emailInput: string, password: string, ip: string): Promise<MemberView> {
    const { rateLimit } = this.deps.config;
    const email = normaliseEmail(emailInput);
    const accountLimit = { key: `auth:account:${email}`, max: rateLimit.perAccount, windowSeconds: rateLimit.windowSeconds };
    await this.deps.rateLimiter.hit({ key: `auth:ip:${ip}`, max: rateLimit.perIp, windowSeconds: rateLimit.windowSeconds });
    // Counted before the (slow) check, atomically, so parallel guesses cannot slip past the limit;
    // given back when the password is right, so only failures fill the window.
    await this.deps.rateLimiter.hit(accountLimit);
    const member = await repo.findMemberByEmail(this.deps.db.kysely, email);
    // Unknown emails cost the same as known ones, so timing does not reveal which accounts exist.
    this.dummyHash ??= hashPassword('not-a-real-password', this.deps.config.scryptLogN);
    const ok = await verifyPassword(password, member?.password_hash ?? (await this.dummyHash));
    if (!member || !ok) throw new AppError('unauthorized', 'Email or password is wrong');
    await this.deps.rateLimiter.refund(accountLimit);
    if (needsRehash(member.password_hash, this.deps.config.scryptLogN)) {
      const hash = await hashPassword(password, this.deps.config.scryptLogN);
      await repo.updatePasswordHash(this.deps.db.kysely, member.id, hash, this.now.toISOString());
    }
    return this.view(this.deps.db.kysely, member);
  }

  /** Starts a browser session for a member. */
  async startSession(memberId: string, userAgent: string | undefined): Promise<NewSession> {
    const token = secret(32);
    const csrfToken = secret(24);
    const now = this.now;
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionTtlDays * 86_400_000);
    await repo.insertSession(this.deps.db.kysely, {
      id: newId('ses', now),
      token_hash: sha256(token),
      member_id: memberId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      user_agent: userAgent?.slice(0, 300) ?? null,
    });
    return { token, csrfToken, expiresAt };
  }

  /** Ends the session the cookie carries (if any). */
  async endSession(token: string): Promise<void> {
    await repo.deleteSessionByHash(this.deps.db.kysely, sha256(token));
  }

  async fromSessionToken(token: string): Promise<Actor | null> {
    const found = await this.sessionsByHash(sha256(token));
    const now = this.now;
    if (!found || found.row.expires_at <= now.toISOString()) return null;
    const session = found.row;
    // Sliding expiry, written at most once an hour per session.
    if (now.getTime() - Date.parse(session.last_seen_at) > TOUCH_EVERY_MS) await this.touchSessions(session.id);
    return {
      memberId: session.member_id,
      roles: rolesFrom(found.roles),
      via: 'session',
      csrfToken: session.csrf_token,
    };
  }

  async fromBearerToken(token: string): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const found = await this.tokensByHash(sha256(token));
    if (!found || found.row.revoked_at) return null;
    const row = found.row;
    const now = this.now;
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) await this.touchTokens(row.id);
    return { memberId: row.member_id, roles: rolesFrom(found.roles), via: 'token' };
  }

  /** Issues a bearer token for API clients; the secret is shown once and stored hashed. */
  async issueToken(memberId: string, name: string): Promise<{ id: string; token: string; name: string; createdAt: string }> {
    const token = TOKEN_PREFIX + secret(32);
    const now = this.now.toISOString();
    const id = newId('tok', this.now);
    await repo.insertToken(this.deps.db.kysely, {
      id,
      token_hash: sha256(token),
      member_id: memberId,
      name,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    });
    return { id, token, name, createdAt: now };
  }

  /** A member's tokens, newest first, without their secrets. */
  async listTokens(memberId: string) {
    const rows = await repo.listTokens(this.deps.db.kysely, memberId);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** Revokes one of the caller's tokens; it stops working at once, in every process. */
  async revokeToken(memberId: string, tokenId: string): Promise<void> {
    if (!(await repo.revokeToken(this.deps.db.kysely, memberId, tokenId, this.now.toISOString()))) {
      throw AppError.notFound('Token');
    }
  }

  /** The signed-in member's own account. */
  async getMe(memberId: string) {
    const member = await repo.findMember(this.deps.db.kysely, memberId);
    if (!member) throw AppError.notFound('Member');
    return { ...(await this.view(this.deps.db.kysely, member)), email: member.email, createdAt: member.created_at };
  }

  /** A member by id, or not_found. */
  async getMember(ex: Executor, memberId: string): Promise<MemberView> {
    const member = await repo.findMember(ex, memberId);
    if (!member) throw AppError.notFound('Member');
    return this.view(ex, member);
  }

  /** Display names by member id, for modules that show who did what. */
  async displayNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await repo.listMembersByIds(ex, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  /** Members by display name (for @mentions). */
  async membersByDisplayName(ex: Executor, names: readonly string[]) {
    const rows = await repo.listMembersByDisplayNames(ex, [...new Set(names)]);
    return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
  }

  /** Grants a role inside the caller's transaction (organisations grant `partner`). */
  async grantRole(trx: Executor, memberId: string, role: Exclude<Role, 'member'>): Promise<void> {
    await repo.grantRole(trx, memberId, role, this.now.toISOString());
  }

  async revokeRole(trx: Executor, memberId: string, role: Exclude<Role, 'member'>): Promise<void> {
    await repo.revokeRole(trx, memberId, role);
  }

  /** Makes an operator account, or grants the role to an existing account with that email. */
  async createOperator(email: string, password: string, displayName = 'Operator'): Promise<MemberView> {
    const existing = await repo.findMemberByEmail(this.deps.db.kysely, normaliseEmail(email));
    if (existing) {
      await repo.grantRole(this.deps.db.kysely, existing.id, 'operator', this.now.toISOString());
      return this.view(this.deps.db.kysely, existing);
    }
    return this.createMember({ email, password, displayName }, ['operator']);
  }

  /** Whether any account exists (the demo seed only fills an empty database). */
  hasMembers(): Promise<boolean> {
    return repo.anyMember(this.deps.db.kysely);
  }

  /** Deletes expired sessions; run by the maintenance loop. */
  async pruneSessions(): Promise<void> {
    await repo.deleteExpiredSessions(this.deps.db.kysely, this.now.toISOString());
  }
}
