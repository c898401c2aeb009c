import type { HttpApp } from '../../platform/http/server.js';
import { organisationsRoutes } from './organisations.routes.js';
import { type OrganisationsDeps, OrganisationsService } from './organisations.service.js';

export type { OrganisationView } from './organisations.service.js';
export { OrganisationsService };

/** Partner organisations and the members who act for them (the `partner` role). */
export function createOrganisationsModule(deps: OrganisationsDeps): {
  service: OrganisationsService;
  routes: (app: HttpApp) => void;
} {
  const service = new OrganisationsService(deps);
  return { service, routes: organisationsRoutes(service) };
}
