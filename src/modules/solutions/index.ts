import type { HttpApp } from '../../platform/http/server.js';
import { solutionsRoutes } from './solutions.routes.js';
import { type SolutionsDeps, SolutionsService } from './solutions.service.js';

export { SolutionsService };

/** Solutions (方案): proposals answering needs, with versions and votes. */
export function createSolutionsModule(deps: SolutionsDeps): { service: SolutionsService; routes: (app: HttpApp) => void } {
  const service = new SolutionsService(deps);
  return { service, routes: solutionsRoutes(service) };
}
