import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { createAccountsModule } from './modules/accounts/index.js';
import { createBidsModule } from './modules/bids/index.js';
import { createCampaignsModule } from './modules/campaigns/index.js';
import { createChainGroupsModule } from './modules/chain-groups/index.js';
import { createCommentsModule } from './modules/comments/index.js';
import { createCommunitiesModule } from './modules/communities/index.js';
import { createLedgerModule, POSTED_EVENTS } from './modules/ledger/index.js';
import { createLogModule, LOGGED_EVENTS, loadSigningKey } from './modules/log/index.js';
import { createLotsModule } from './modules/lots/index.js';
import { createNeedsModule, type NeedsPorts } from './modules/needs/index.js';
import { createNotificationsModule, NOTIFIED_EVENTS } from './modules/notifications/index.js';
import { createOrganisationsModule } from './modules/organisations/index.js';
import { createPaymentsModule } from './modules/payments/index.js';
import { createPollsModule } from './modules/polls/index.js';
import { createProductsModule } from './modules/products/index.js';
import { createScenesModule } from './modules/scenes/index.js';
import { createSolutionsModule } from './modules/solutions/index.js';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { pendingMigrations } from './platform/db/migrate.js';
import { AppError } from './platform/errors.js';
import { EventBus } from './platform/events/event-bus.js';
import { createHttpServer, type HttpApp } from './platform/http/server.js';
import { registerWebApp } from './platform/http/web.js';
import { RateLimiter } from './platform/rate-limit/rate-limiter.js';

/** The package version, from package.json found above this file (from src/ or from dist/src/). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'covalue' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}
const version = packageVersion();

export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
}

/**
 * Builds every module over one database and clock; the composition root. `selfUrl` is where this
 * server listens, once it does (the simulated payment provider sends its webhooks there).
 */
export function buildModules(
  { config, db, clock, logger }: Pick<AppDeps, 'config' | 'db' | 'clock' | 'logger'>,
  events: EventBus,
  selfUrl: () => string | null = () => null,
) {
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
  const communities = createCommunitiesModule({ db, clock, events });
  const scenes = createScenesModule({ db, clock, events, accounts: accounts.service, communities: communities.service });
  // Solutions and comments depend on needs; needs reaches them only through these ports.
  const needsPorts: NeedsPorts = { solutionNeed: (trx, id) => solutions.service.needOf(trx, id), onMerge: [] };
  const needs = createNeedsModule({
    db,
    clock,
    events,
    accounts: accounts.service,
    communities: communities.service,
    scenes: scenes.service,
    ports: needsPorts,
  });
  const solutions = createSolutionsModule({
    db,
    clock,
    events,
    accounts: accounts.service,
    organisations: organisations.service,
    needs: needs.service,
  });
  const comments = createCommentsModule({
    db,
    clock,
    events,
    accounts: accounts.service,
    needs: needs.service,
    solutions: solutions.service,
  });
  needsPorts.onMerge.push(
    (trx, from, into) => solutions.service.moveToNeed(trx, from, into),
    (trx, from, into) => comments.service.moveToNeed(trx, from, into),
  );
  const chainGroups = createChainGroupsModule({
    db,
    clock,
    events,
    accounts: accounts.service,
    needs: needs.service,
    organisations: organisations.service,
  });
  const polls = createPollsModule({
    db,
    clock,
    events,
    needs: needs.service,
    solutions: solutions.service,
    communities: communities.service,
    chainGroups: chainGroups.service,
  });
  const bids = createBidsModule({
    db,
    clock,
    events,
    needs: needs.service,
    organisations: organisations.service,
    chainGroups: chainGroups.service,
  });
  const products = createProductsModule({
    db,
    clock,
    events,
    needs: needs.service,
    chainGroups: chainGroups.service,
    polls: polls.service,
  });
  const lots = createLotsModule({
    db,
    clock,
    events,
    products: products.service,
    bids: bids.service,
    organisations: organisations.service,
  });
  const campaigns = createCampaignsModule({
    db,
    clock,
    events,
    products: products.service,
    lots: lots.service,
    chainGroups: chainGroups.service,
    needs: needs.service,
    organisations: organisations.service,
    accounts: accounts.service,
    config: { paymentTimeoutMinutes: config.orders.paymentTimeoutMinutes, autoCompleteDays: config.orders.autoCompleteDays },
  });
  const payments = createPaymentsModule({
    db,
    clock,
    events,
    log: logger.child({ component: 'payments' }),
    orders: campaigns.orders,
    config: config.payments,
    selfUrl,
  });
  const notifications = createNotificationsModule({
    db,
    clock,
    campaignTitle: async (ex, id) => (await campaigns.facts.of(ex, id))?.title ?? null,
  });
  const log = createLogModule({
    db,
    clock,
    key: loadSigningKey({ configured: config.contributionLog.signingKey, dataDir: config.dataDir }),
    config: config.contributionLog,
    ports: {
      solutionAuthor: async (ex, id) => {
        try {
          return (await solutions.service.requireSolution(ex, id)).authorId;
        } catch (err) {
          // A solution that does not exist credits nobody; any other failure is retried by the worker.
          if (err instanceof AppError && err.kind === 'not_found') return null;
          throw err;
        }
      },
      product: (id) => products.service.getProduct(id),
      displayNames: (ex, ids) => accounts.service.displayNames(ex, ids),
      organisationNames: (ex, ids) => organisations.service.namesOf(ex, ids),
    },
    memberExists: async (id) => (await accounts.service.displayNames(db.kysely, [id])).has(id),
  });
  const ledger = createLedgerModule({
    db,
    clock,
    ports: {
      sharingBasis: (ex, chainGroupId, version) => chainGroups.service.sharingBasis(ex, chainGroupId, version),
      creditsFor: (ex, q) => log.service.creditsFor(ex, q),
      paidIndexes: (ex, orderIds) => log.service.paidIndexes(ex, orderIds),
      displayNames: (ex, ids) => accounts.service.displayNames(ex, ids),
      organisationNames: (ex, ids) => organisations.service.namesOf(ex, ids),
      organisationsOf: (ex, memberId) => organisations.service.idsOfMember(ex, memberId),
      lockOrder: (ex, orderId) => campaigns.orders.lockBuyer(ex, orderId),
      productExists: async (id) => {
        try {
          await products.service.getProduct(id);
          return true;
        } catch (err) {
          if (err instanceof AppError && err.kind === 'not_found') return false;
          throw err;
        }
      },
    },
  });
  return {
    rateLimiter,
    accounts,
    organisations,
    communities,
    scenes,
    needs,
    solutions,
    comments,
    chainGroups,
    polls,
    bids,
    products,
    lots,
    campaigns,
    payments,
    notifications,
    log,
    ledger,
  };
}

export type Modules = ReturnType<typeof buildModules>;

export interface App {
  /** What the app was built from (the demo seed replays its story over the same database). */
  deps: AppDeps;
  http: HttpApp;
  events: EventBus;
  modules: Modules;
  /** Starts background work (the event worker, periodic jobs). */
  startBackground(): void;
  /** Stops background work and the HTTP server; the database is the caller's to close. */
  close(): Promise<void>;
}

/** Builds the Covalue server: platform plugins, then every module's routes, in one visible list. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, db, clock, logger } = deps;
  const events = new EventBus(db, clock, logger.child({ component: 'events' }), config.worker.pollMs);
  let selfUrl: string | null = null;
  const modules = buildModules(deps, events, () => selfUrl);
  // Cross-module reactions, each a named subscriber with its own cursor (platform/events).
  events.subscribe('payments.order-cancelled', (e, trx) => modules.payments.service.onOrderCancelled(e, trx), {
    types: ['order.cancelled'],
  });
  events.subscribe('payments.campaign-ended', (e, trx) => modules.payments.service.onCampaignEnded(e, trx), {
    types: ['campaign.ended'],
  });
  events.subscribeBatch('log.contributions', (batch, trx) => modules.log.service.onEvents(batch, trx), {
    types: LOGGED_EVENTS,
  });
  // A process whose log key is not the log's refuses to start (on a migrated database; every
  // signing checks it again in any case).
  if ((await pendingMigrations(db).catch(() => ['?'])).length === 0) await modules.log.service.checkKey();
  // A sale is weighed by the contribution log's entries: the ledger follows the log's subscriber.
  events.subscribeBatch('ledger.postings', (batch, trx) => modules.ledger.service.onEvents(batch, trx), {
    types: POSTED_EVENTS,
    after: 'log.contributions',
  });
  events.subscribeBatch('notifications.inbox', (batch, trx) => modules.notifications.service.onEvents(batch, trx), {
    types: NOTIFIED_EVENTS,
  });

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
  modules.communities.routes(http);
  modules.scenes.routes(http);
  modules.needs.routes(http);
  modules.solutions.routes(http);
  modules.comments.routes(http);
  modules.polls.routes(http);
  modules.chainGroups.routes(http);
  modules.bids.routes(http);
  modules.products.routes(http);
  modules.lots.routes(http);
  modules.campaigns.routes(http);
  modules.payments.routes(http);
  modules.notifications.routes(http);
  modules.log.routes(http);
  modules.ledger.routes(http);
  await registerWebApp(http);

  await http.ready();

  // Periodic work; each job is safe to run in several processes at once.
  const jobs: { name: string; everyMs: number; run: () => Promise<unknown> }[] = [
    { name: 'record-need-expiries', everyMs: 30_000, run: () => modules.needs.service.recordExpiries() },
    { name: 'prune-rate-limits', everyMs: 10 * 60_000, run: () => modules.rateLimiter.prune() },
    { name: 'prune-sessions', everyMs: 10 * 60_000, run: () => modules.accounts.service.pruneSessions() },
    { name: 'advance-campaigns', everyMs: 1_000, run: () => modules.campaigns.service.advance() },
    { name: 'expire-unpaid-orders', everyMs: 5_000, run: () => modules.campaigns.orders.expireLapsed() },
    { name: 'complete-delivered-orders', everyMs: 10 * 60_000, run: () => modules.campaigns.orders.completeDelivered() },
    { name: 'payment-operations', everyMs: 1_000, run: () => modules.payments.service.processDue() },
    { name: 'sign-log-heads', everyMs: 1_000, run: () => modules.log.service.signDue() },
  ];
  const simulated = modules.payments.simulated;
  if (simulated)
    jobs.push({ name: 'simulated-provider-webhooks', everyMs: config.worker.pollMs, run: () => simulated.deliverWebhooks() });
  http.server.on('listening', () => {
    const address = http.server.address();
    if (address && typeof address === 'object') {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      selfUrl = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    }
  });
  const timers: NodeJS.Timeout[] = [];
  return {
    deps,
    http,
    events,
    modules,
    startBackground() {
      if (config.worker.enabled) events.start();
      for (const job of jobs) {
        let running = false;
        const timer = setInterval(() => {
          // A run that outlasts the interval is not overlapped by the next one.
          if (running) return;
          running = true;
          job
            .run()
            .catch((err) => logger.warn({ err, job: job.name }, 'background job failed'))
            .finally(() => {
              running = false;
            });
        }, job.everyMs);
        timer.unref();
        timers.push(timer);
      }
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      await http.close();
      await events.stop();
    },
  };
}
