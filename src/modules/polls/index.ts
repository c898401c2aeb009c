import type { HttpApp } from '../../platform/http/server.js';
import { pollsRoutes } from './polls.routes.js';
import { type PollsDeps, PollsService } from './polls.service.js';

export type { Dimension, PollState } from './polls.service.js';
export { PollsService };

/**
 * Polls (征集): spec decisions on needs and solutions — one changeable ballot per member, results
 * live or after close, broken down by a member dimension (`community`, or any in `deps.dimensions`).
 */
export function createPollsModule(deps: PollsDeps): { service: PollsService; routes: (app: HttpApp) => void } {
  const service = new PollsService(deps);
  return { service, routes: pollsRoutes(service) };
}
