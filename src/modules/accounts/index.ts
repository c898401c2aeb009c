import type { HttpApp } from '../../platform/http/server.js';
import { accountsRoutes } from './accounts.routes.js';
import { type AccountsDeps, AccountsService } from './accounts.service.js';

export type { MemberView } from './accounts.service.js';
export { AccountsService };

/**
 * Accounts: registration, sign-in, sessions, API tokens and roles. Its service is also the
 * request authenticator.
 */
export function createAccountsModule(deps: AccountsDeps): { service: AccountsService; routes: (app: HttpApp) => void } {
  const service = new AccountsService(deps);
  return { service, routes: accountsRoutes(service) };
}
