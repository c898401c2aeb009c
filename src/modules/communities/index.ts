import type { HttpApp } from '../../platform/http/server.js';
import { communitiesRoutes } from './communities.routes.js';
import { type CommunitiesDeps, CommunitiesService } from './communities.service.js';

export type { CommunityView, Milestone } from './communities.service.js';
export { CommunitiesService };

/** Communities (社群): create, list, join and leave; each sets the support milestones of its needs. */
export function createCommunitiesModule(deps: CommunitiesDeps): { service: CommunitiesService; routes: (app: HttpApp) => void } {
  const service = new CommunitiesService(deps);
  return { service, routes: communitiesRoutes(service) };
}
