import type { HttpApp } from '../../platform/http/server.js';
import { bidsRoutes } from './bids.routes.js';
import { type BidsDeps, BidsService } from './bids.service.js';

export type { BidView, CallView } from './bids.service.js';
export { BidsService };

/**
 * Bids (抢单): operators open calls for production on accepted needs, partner organisations bid,
 * operators compare and award; awarded organisations join the need's chain group as makers.
 */
export function createBidsModule(deps: BidsDeps): { service: BidsService; routes: (app: HttpApp) => void } {
  const service = new BidsService(deps);
  return { service, routes: bidsRoutes(service) };
}
