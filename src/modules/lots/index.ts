import type { HttpApp } from '../../platform/http/server.js';
import { lotsRoutes } from './lots.routes.js';
import { type LotsDeps, LotsService } from './lots.service.js';

export type { FulfilmentTake, ShipmentView } from './lots.service.js';
export { LotsService };

/**
 * Lots (批次): the batches makers produce against their awarded bids, each with its QA result and
 * its shipments (to the brand's warehouse, say). Orders are fulfilled from recorded lots that passed
 * QA, through `service.takeForFulfilment(trx, …)` inside the orders module's transaction, so a lot
 * never fulfils more units than it holds.
 */
export function createLotsModule(deps: LotsDeps): { service: LotsService; routes: (app: HttpApp) => void } {
  const service = new LotsService(deps);
  return { service, routes: lotsRoutes(service) };
}
