import type { HttpApp } from '../../platform/http/server.js';
import { scenesRoutes } from './scenes.routes.js';
import { type ScenesDeps, ScenesService } from './scenes.service.js';

export { ScenesService };

/** Scenes (场景): members describe the moments of life that needs come from. */
export function createScenesModule(deps: ScenesDeps): { service: ScenesService; routes: (app: HttpApp) => void } {
  const service = new ScenesService(deps);
  return { service, routes: scenesRoutes(service) };
}
