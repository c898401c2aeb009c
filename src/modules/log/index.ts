import type { HttpApp } from '../../platform/http/server.js';
import { LOGGED_EVENTS } from './log.entries.js';
import { logRoutes } from './log.routes.js';
import { type LogDeps, LogService } from './log.service.js';

export { loadSigningKey } from './signing-key.js';
export { LOGGED_EVENTS, LogService };

/**
 * The contribution log (贡献记录): every contribution — a need raised or supported, a solution
 * proposed or chosen, a ballot, a bid awarded, an order paid, a lot produced and shipped — appended
 * by an event subscriber to an RFC 6962 Merkle tree with Ed25519-signed tree heads, so that anyone
 * can check an entry's inclusion and the log's consistency, online or offline (`covalue verify`).
 */
export function createLogModule(deps: LogDeps & { memberExists: (id: string) => Promise<boolean> }): {
  service: LogService;
  routes: (app: HttpApp) => void;
} {
  const service = new LogService(deps);
  return { service, routes: logRoutes(service, deps.memberExists) };
}
