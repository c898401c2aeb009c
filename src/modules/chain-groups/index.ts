import type { HttpApp } from '../../platform/http/server.js';
import { chainGroupsRoutes } from './chain-groups.routes.js';
import { type ChainGroupsDeps, ChainGroupsService } from './chain-groups.service.js';

export { validateTerms } from './chain-groups.agreement.js';
export type { AgreementView, PartyAcceptance } from './chain-groups.service.js';
export { ChainGroupsService };

/**
 * Chain groups (链群): members and partner organisations formed around an accepted need, holding the
 * versioned value-sharing agreement (分成) that every party accepts. Campaigns launch only on an
 * agreement accepted by all: `service.agreementForLaunch(trx, chainGroupId)`.
 */
export function createChainGroupsModule(deps: ChainGroupsDeps): {
  service: ChainGroupsService;
  routes: (app: HttpApp) => void;
} {
  const service = new ChainGroupsService(deps);
  return { service, routes: chainGroupsRoutes(service) };
}
