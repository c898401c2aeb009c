import type { HttpApp } from '../../platform/http/server.js';
import { needsRoutes } from './needs.routes.js';
import { type NeedsDeps, NeedsService } from './needs.service.js';

export type { NeedStage, NeedsPorts, PurchaseIntent } from './needs.service.js';
export { effectiveStage, NeedsService } from './needs.service.js';

/** Needs (需求): raised in scenes, supported against milestones, reviewed, merged, answered by a chosen solution. */
export function createNeedsModule(deps: NeedsDeps): { service: NeedsService; routes: (app: HttpApp) => void } {
  const service = new NeedsService(deps);
  return { service, routes: needsRoutes(service) };
}
