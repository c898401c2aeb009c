import type { HttpApp } from '../../platform/http/server.js';
import { ledgerRoutes } from './ledger.routes.js';
import { type LedgerDeps, LedgerService, POSTED_EVENTS } from './ledger.service.js';

export type { LedgerPorts } from './ledger.service.js';
export { LedgerService, POSTED_EVENTS };

/**
 * The ledger (分账): double-entry accounts for every party (members, organisations, the platform)
 * and an append-only journal. Every paid order is split by the agreement its campaign launched with
 * — maker's cost, platform fee, referral commission, the co-creators' pool by role and by weights
 * read from the contribution log — refunds take back exactly their share, and payouts move balances
 * to the bank. Statements, earnings with the reasons for each share, and the trial balance.
 */
export function createLedgerModule(deps: LedgerDeps): { service: LedgerService; routes: (app: HttpApp) => void } {
  const service = new LedgerService(deps);
  return { service, routes: ledgerRoutes(service) };
}
