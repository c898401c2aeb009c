export const roles = ['member', 'partner', 'operator'] as const;
export type Role = (typeof roles)[number];

/** Who is calling: resolved once per request from the session cookie or the bearer token. */
export interface Actor {
  memberId: string;
  roles: Role[];
  via: 'session' | 'token';
  /** The session's CSRF token, when signed in by cookie. */
  csrfToken?: string;
}

/**
 * Who may call a route. Every route under /api states one (checked when the route is registered):
 * `public` — anyone; `member` — anyone signed in; a role or a list of roles — signed in with one of them.
 * Finer rules (the owner of an order, the lead of a chain group) are checked by services.
 */
export type Access = 'public' | Role | readonly Role[];

/** Resolves actors; the accounts module provides it. */
export interface Authenticator {
  fromSessionToken(token: string): Promise<Actor | null>;
  fromBearerToken(token: string): Promise<Actor | null>;
}

export function allows(access: Access, actor: Actor | null): 'ok' | 'unauthorized' | 'forbidden' {
  if (access === 'public') return 'ok';
  if (!actor) return 'unauthorized';
  const needed: readonly Role[] = typeof access === 'string' ? [access] : access;
  return needed.some((r) => actor.roles.includes(r)) ? 'ok' : 'forbidden';
}
