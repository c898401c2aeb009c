import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { createAccountsModule } from './modules/accounts/index.js';
import { createOrganisationsModule } from './modules/organisations/index.js';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { pendingMigrations } from './platform/db/migrate.js';
import { EventBus } from './platform/events/event-bus.js';
import { createHttpServer, type HttpApp } from './platform/http/server.js';
import { registerWebApp } from './platform/http/web.js';
import { RateLimiter } from './platform/rate-limit/rate-limiter.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
}

/** Builds every module over one database and clock; the composition root. */
export function buildModules({ config, db, clock }: Omit<AppDeps, 'logger'> & { logger: Logger }, events: EventBus) {
  const rateLimiter = new RateLimiter(db, clock);
  const accounts = createAccountsModule({
    db,
    clock,
    events,
    rateLimiter,
    config: {
      scryptLogN: config.passwords.scryptLogN,
      sessionTtlDays: config.session.ttlDays,
      rateLimit: config.authRateLimit,
    },
  });
  const organisations = createOrganisationsModule({ db, clock, events, accounts: accounts.service });
  return { rateLimiter, accounts, organisations };
}

export type Modules = ReturnType<typeof buildModules>;

export interface App {
  http: HttpApp;
  events: EventBus;
  modules: Modules;
  /** Starts background work (the event worker, maintenance). */
  startBackground(): void;
  /** Stops background work and the HTTP server; the database is the caller's to close. */
  close(): Promise<void>;
}

/** Builds the Covalue server: platform plugins, then every module's routes, in one visible list. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, db, clock, logger } = deps;
  const events = new EventBus(db, clock, logger.child({ component: 'events' }), config.worker.pollMs);
  const modules = buildModules(deps, events);

  const http = await createHttpServer({
    logger,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    cookieSecret: config.session.secret,
    version,
    authenticator: () => modules.accounts.service,
  });

  http.get('/healthz', { schema: { tags: ['health'], summary: 'The process is running' } }, async () => ({ status: 'ok' }));
  http.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'The database answers and migrations are current' } },
    async (_req, reply) => {
      try {
        const pending = await pendingMigrations(db);
        if (pending.length > 0) return reply.code(503).send({ status: 'migrations-pending', pending });
        return { status: 'ready' };
      } catch (err) {
        logger.warn({ err }, 'readiness check failed');
        return reply.code(503).send({ status: 'database-unavailable' });
      }
    },
  );

  modules.accounts.routes(http);
  modules.organisations.routes(http);
  await registerWebApp(http);

  await http.ready();

  let maintenance: NodeJS.Timeout | undefined;
  return {
    http,
    events,
    modules,
    startBackground() {
      if (config.worker.enabled) events.start();
      maintenance = setInterval(() => {
        Promise.all([modules.rateLimiter.prune(), modules.accounts.service.pruneSessions()]).catch((err) =>
          logger.warn({ err }, 'maintenance failed'),
        );
      }, 10 * 60_000);
      maintenance.unref();
    },
    async close() {
      if (maintenance) clearInterval(maintenance);
      await http.close();
      await events.stop();
    },
  };
}
