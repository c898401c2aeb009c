// npm run bench -- flash [sqlite|postgres]: a flash sale over HTTP. 3,000 units; 20,000 attempts over
// 50 connections, each attempt an authenticated order followed by its payment with the simulated
// provider (which also sends its signed webhooks to the server). SQLite: one `covalue serve`;
// PostgreSQL: two of them on one database, the connections split between them. Printed next to a
// bare Fastify POST route measured in the same run with the same client, and next to a bare sale: the
// same HTTP exchanges (order, payment, webhook) answered by servers that do no work, the ceiling.
// Experiments: BENCH_PROCESSES (server processes), BENCH_SERVER_ENV (extra server settings, JSON),
// BENCH_NODE_ARGS (e.g. --cpu-prof), BENCH_KEEP=1 (keep the database), BENCH_ROUNDS, BENCH_ATTEMPTS.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { seedDemo } from '../src/demo/seed.js';
import type { Actor } from '../src/platform/auth/actor.js';
import { systemClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { fmt, freePort, load, median, quietness, startProcess, stopProcess, tempDir, waitQuiet } from './lib.js';

const UNITS = 3000;
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 20_000);
const MEMBERS = 5000;
const PER_MEMBER = 4;
const CONNECTIONS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface RoundResult {
  attempts: number;
  paid: number;
  ordersPerSecond: number;
  attemptsPerSecond: number;
  p50: number;
  p99: number;
  soldOutMs: number | null;
  lastPaidMs: number;
  statuses: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs one flash sale round against the servers; stops once ATTEMPTS orders were answered. */
/** What autocannon keeps per connection between the order and its payment. */
interface Attempt {
  t0: number;
  token: string;
  orderId: string | null;
}

function sale(urls: string[], campaignId: string, tokens: string[], round: number): Promise<RoundResult> {
  let next = 0;
  let attempts = 0;
  let paid = 0;
  let soldOutAt: number | null = null;
  let lastPaidAt = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const start = performance.now();
  const instances: autocannon.Instance[] = [];
  const stopAll = () => {
    for (const i of instances) i.stop();
  };
  const runs = urls.map(
    (url, n) =>
      new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          {
            url,
            connections: CONNECTIONS / urls.length + (n < CONNECTIONS % urls.length ? 1 : 0),
            duration: 600,
            requests: [
              {
                method: 'POST',
                setupRequest: (req, context) => {
                  const ctx = context as Attempt;
                  const i = next++;
                  ctx.t0 = performance.now();
                  ctx.token = tokens[i % tokens.length]!;
                  return {
                    ...req,
                    path: `/api/v1/campaigns/${campaignId}/orders`,
                    headers: {
                      'content-type': 'application/json',
                      authorization: `Bearer ${ctx.token}`,
                      'idempotency-key': `flash-${round}-${i}`,
                    },
                    body: '{"quantity":1}',
                  };
                },
                onResponse: (status, body, context) => {
                  const ctx = context as Attempt;
                  attempts++;
                  ctx.orderId = null;
                  if (status === 201) ctx.orderId = JSON.parse(body).id;
                  else {
                    latencies.push(performance.now() - ctx.t0);
                    const type =
                      status === 409 || status === 422 ? String(JSON.parse(body).type).split('/').pop() : String(status);
                    count(`order ${type}`);
                    if (type === 'sold-out' && soldOutAt === null) soldOutAt = performance.now();
                  }
                  if (attempts >= ATTEMPTS) stopAll();
                },
              },
              {
                method: 'POST',
                setupRequest: (req, context) =>
                  (context as Attempt).orderId
                    ? {
                        ...req,
                        path: `/api/v1/orders/${(context as Attempt).orderId}/payments`,
                        headers: {
                          'content-type': 'application/json',
                          authorization: `Bearer ${(context as Attempt).token}`,
                          'idempotency-key': `pay-${(context as Attempt).orderId}`,
                        },
                        body: '{"provider":"simulated"}',
                      }
                    : (null as unknown as autocannon.Request),
                onResponse: (status, body, context) => {
                  latencies.push(performance.now() - (context as Attempt).t0);
                  if (status === 201 && JSON.parse(body).state === 'captured') {
                    paid++;
                    lastPaidAt = performance.now();
                  } else count(`payment ${status}`);
                },
              },
            ],
          },
          (err) => (err ? reject(err) : resolve()),
        );
        instances.push(instance);
      }),
  );
  return Promise.all(runs).then(() => {
    const total = (performance.now() - start) / 1000;
    const selling = Math.max(0.001, (lastPaidAt - start) / 1000);
    latencies.sort((a, b) => a - b);
    count('order+payment 201');
    statuses['order+payment 201'] = paid;
    return {
      attempts,
      paid,
      ordersPerSecond: paid / selling,
      attemptsPerSecond: attempts / total,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      soldOutMs: soldOutAt === null ? null : soldOutAt - start,
      lastPaidMs: lastPaidAt - start,
      statuses,
    };
  });
}

/**
 * The same work without HTTP: 3,000 orders, then their payments, placed through the services by 50
 * concurrent callers in this process (the servers stopped). Shows what the service path costs
 * apart from HTTP, authentication and the webhooks.
 */
async function serviceOnly(
  db: ReturnType<typeof openDatabase>,
  config: ReturnType<typeof loadConfig>,
  op: Actor,
  productId: string,
) {
  const app = await buildApp({ config, db, clock: systemClock, logger: pino({ level: 'warn' }) });
  const m = app.modules;
  const hash = await m.accounts.service.hashForImport('bench member pw');
  const buyers: Actor[] = [];
  for (let i = 0; i < 1000; i++) {
    const member = await m.accounts.service.importMember({
      email: `s${i}@covalue.bench`,
      displayName: `s${i}`,
      passwordHash: hash,
    });
    buyers.push({ memberId: member.id, roles: ['member'], via: 'token' });
  }
  const c = await m.campaigns.service.createCampaign(op, {
    productId,
    title: '压测 服务层',
    description: '',
    mode: 'flash',
    quantity: UNITS,
    priceTiers: [{ upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } }],
    perMemberLimit: 10,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  await m.campaigns.service.launchCampaign(op, c.id);
  const placed: { who: Actor; id: string }[] = [];
  const callers = async (n: number, work: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < n) await work(next++);
      }),
    );
  };
  let t0 = performance.now();
  await callers(UNITS, async (i) => {
    const who = buyers[i % buyers.length]!;
    placed.push({ who, id: (await m.campaigns.orders.placeOrder(who, c.id, { quantity: 1 }, `svc-${i}`)).order.id });
  });
  const orders = UNITS / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await callers(placed.length, async (i) => {
    await m.payments.service.createPayment(placed[i]!.who, placed[i]!.id, { provider: 'simulated' }, `svc-pay-${i}`);
  });
  const payments = placed.length / ((performance.now() - t0) / 1000);
  await app.close();
  return { orders, payments };
}

export async function run(args: string[]): Promise<void> {
  const backends = args.length ? args : ['sqlite', 'postgres'];
  for (const backend of backends) {
    if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`unknown backend ${backend}`);
    await bench(backend);
  }
}

async function bench(backend: 'sqlite' | 'postgres'): Promise<void> {
  const dir = tempDir('covalue-bench-flash-');
  let databaseUrl = `sqlite:${dir}/covalue.sqlite`;
  const pgName = `covalue_bench_flash_${process.pid}`;
  if (backend === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pgName}`);
    const sync = (await admin.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${pgName}`;
    databaseUrl = url.toString();
    console.log(`PostgreSQL database ${pgName}, synchronous_commit = ${sync}`);
  }
  const env = {
    DATABASE_URL: databaseUrl,
    COVALUE_DATA_DIR: dir,
    PASSWORD_SCRYPT_LOG_N: '10',
    SEED_ON_START: 'false',
    LOG_LEVEL: 'warn',
    PG_POOL_MAX: '20',
    // Extra server settings for experiments, e.g. BENCH_SERVER_ENV='{"WORKER_ENABLED":"false"}'.
    ...(JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>),
  };

  console.log(`setting up the demo story and ${MEMBERS} members with tokens on ${backend}…`);
  const config = loadConfig(env);
  const db = openDatabase(config.database);
  await migrateToLatest(db);
  const app = await buildApp({ config, db, clock: systemClock, logger: pino({ level: 'warn' }) });
  await seedDemo(app, { onlyIfEmpty: true });
  const m = app.modules;
  const product = (await m.products.service.listProducts({}, 100)).items.find((p) => p.name === '小支红酒 375ml')!;
  const opView = await m.accounts.service.createOperator('bench-op@covalue.bench', 'bench operator pw');
  const op: Actor = { memberId: opView.id, roles: ['member', 'operator'], via: 'token' };
  const hash = await m.accounts.service.hashForImport('bench member pw');
  const tokens: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const member = await m.accounts.service.importMember({
      email: `f${i}@covalue.bench`,
      displayName: `f${i}`,
      passwordHash: hash,
    });
    tokens.push((await m.accounts.service.issueToken(member.id, 'bench')).token);
  }
  // Round 0 warms the servers up (JIT, statement caches) and is not counted.
  const campaigns: string[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const c = await m.campaigns.service.createCampaign(op, {
      productId: product.id,
      title: `压测闪购 ${round}`,
      description: '',
      mode: 'flash',
      quantity: UNITS,
      priceTiers: [
        { upTo: 1000, unitPrice: { amount: 4_900, currency: 'CNY' } },
        { upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } },
      ],
      perMemberLimit: PER_MEMBER,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 24 * 3_600_000).toISOString(),
    });
    await m.campaigns.service.launchCampaign(op, c.id);
    campaigns.push(c.id);
  }
  await app.close();

  const processes = Number(process.env.BENCH_PROCESSES ?? (backend === 'postgres' ? 2 : 1));
  const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
  const servers = [];
  for (const port of ports) {
    servers.push(
      await startProcess(
        'src/main.ts',
        ['serve'],
        { ...env, PORT: String(port), HOST: '127.0.0.1' },
        `http://127.0.0.1:${port}/readyz`,
      ),
    );
  }
  // Bare servers, as many as Covalue's: the first also serves the bare route.
  const barePorts = await Promise.all(Array.from({ length: processes }, () => freePort()));
  const bareServers = [];
  for (const port of barePorts) {
    bareServers.push(
      await startProcess('bench/bare-server.ts', [], { PORT: String(port), BENCH_DIR: dir }, `http://127.0.0.1:${port}/healthz`),
    );
  }
  const barePort = barePorts[0]!;

  /** A bare sale round: the units split between the bare servers (they share no stock). */
  const runBareSale = async (round: number) => {
    for (const [n, port] of barePorts.entries()) {
      const units = Math.floor(UNITS / processes) + (n < UNITS % processes ? 1 : 0);
      await fetch(`http://127.0.0.1:${port}/bare-sale/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ units }),
      });
    }
    return sale(
      barePorts.map((p) => `http://127.0.0.1:${p}`),
      'bare',
      tokens,
      round,
    );
  };

  let inProcess: { orders: number; payments: number } | undefined;
  const rounds: RoundResult[] = [];
  const bares: { rps: number; p99: number }[] = [];
  const bareSales: RoundResult[] = [];
  let oversold = 0;
  try {
    for (const [i, campaignId] of campaigns.entries()) {
      if (i === 0) {
        await sale(
          ports.map((p) => `http://127.0.0.1:${p}`),
          campaignId,
          tokens,
          0,
        );
        await runBareSale(0);
        console.log(
          `warm-up round done (Covalue's and the bare sale's); the servers were ${quietness(await waitQuiet(servers))}`,
        );
        continue;
      }
      const b = await load({
        url: `http://127.0.0.1:${barePort}`,
        connections: CONNECTIONS,
        duration: 10,
        requests: [{ method: 'POST', path: '/bare', headers: { 'content-type': 'application/json' }, body: '{"quantity":1}' }],
      });
      bares.push(b);
      const bs = await runBareSale(i);
      bareSales.push(bs);
      const r = await sale(
        ports.map((p) => `http://127.0.0.1:${p}`),
        campaignId,
        tokens,
        i,
      );
      rounds.push(r);
      const settle = await waitQuiet(servers);
      const audit = await m.campaigns.orders.auditStock(campaignId);
      const paidRows = Number(
        (
          await db.kysely
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('campaign_id', '=', campaignId)
            .where('state', '=', 'paid')
            .executeTakeFirstOrThrow()
        ).n,
      );
      const over = Math.max(0, audit.sold - UNITS, paidRows - UNITS);
      oversold += over;
      if (!audit.consistent) oversold += 1_000_000;
      console.log(
        `round ${i}: ${fmt(r.paid)} paid orders in ${fmt(r.lastPaidMs / 1000, 2)} s = ${fmt(r.ordersPerSecond)} paid orders/s; ` +
          `${fmt(r.attempts)} attempts at ${fmt(r.attemptsPerSecond)}/s; attempt p50 ${fmt(r.p50, 1)} ms p99 ${fmt(r.p99, 1)} ms; ` +
          `sold out after ${r.soldOutMs === null ? '—' : `${fmt(r.soldOutMs / 1000, 2)} s`}; oversold ${over}; audit ${audit.consistent ? 'consistent' : 'INCONSISTENT'}; ${quietness(settle)} | ` +
          `bare POST ${fmt(b.rps)} req/s p99 ${b.p99} ms; bare sale ${fmt(bs.ordersPerSecond)} paid orders/s | ${JSON.stringify(r.statuses)}`,
      );
    }
    for (const s of servers) await stopProcess(s);
    servers.length = 0;
    inProcess = await serviceOnly(db, config, op, product.id);
  } finally {
    for (const s of servers) await stopProcess(s);
    for (const b of bareServers) await stopProcess(b);
    await db.close();
    if (process.env.BENCH_KEEP) console.log(`  kept ${databaseUrl}`);
    else if (backend === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
      await admin.end();
    }
  }

  const ops = median(rounds.map((r) => r.ordersPerSecond));
  const bareRps = median(bares.map((b) => b.rps));
  const bareSale = median(bareSales.map((b) => b.ordersPerSecond));
  console.log('');
  console.log(
    `flash (${backend}, ${processes} server process${processes > 1 ? 'es' : ''}, ${fmt(UNITS)} units, ~${fmt(ATTEMPTS)} attempts, ${CONNECTIONS} connections, median of ${ROUNDS}):`,
  );
  console.log(`  paid orders/s      ${fmt(ops)}   (order + payment, each authenticated)`);
  console.log(`  attempts/s         ${fmt(median(rounds.map((r) => r.attemptsPerSecond)))}`);
  console.log(
    `  attempt p50 / p99  ${fmt(median(rounds.map((r) => r.p50)), 1)} ms / ${fmt(median(rounds.map((r) => r.p99)), 1)} ms`,
  );
  console.log(
    `  time to sell out   ${fmt(median(rounds.map((r) => r.soldOutMs ?? Number.NaN)) / 1000, 2)} s (first sold-out answer)`,
  );
  console.log(`  oversold units     ${oversold}`);
  console.log(`  bare POST req/s    ${fmt(bareRps)}   p99 ${median(bares.map((b) => b.p99))} ms`);
  console.log(
    `  ratio              ${fmt((100 * ops) / bareRps, 1)} % of the bare route's req/s` +
      (backend === 'sqlite' ? ' (target ≥ 50 %)' : ` (target: ≥ 5,000 paid orders/s)`),
  );
  console.log(
    `  bare sale          ${fmt(bareSale)} paid orders/s (the same exchanges with no work behind them, ${processes} process${processes > 1 ? 'es' : ''}) = ${fmt((100 * bareSale) / bareRps, 1)} % of the bare route: the ceiling`,
  );
  console.log(`  of the ceiling     ${fmt((100 * ops) / bareSale, 1)} %`);
  if (inProcess) {
    console.log(
      `  without HTTP       ${fmt(inProcess.orders)} orders/s and ${fmt(inProcess.payments)} payments/s through the services, 50 callers in one process (for where the time goes)`,
    );
  }
  if (oversold > 0) {
    console.error('oversold or inconsistent stock');
    process.exitCode = 1;
  }
}
