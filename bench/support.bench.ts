// npm run bench -- support: members support needs over HTTP (bearer tokens, 50 connections) on SQLite,
// next to a bare Fastify POST route measured in the same run. Each support is a new (member, need) pair.
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import type { Actor } from '../src/platform/auth/actor.js';
import { systemClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { fmt, freePort, type LoadResult, load, median, startProcess, stopProcess, tempDir } from './lib.js';

const MEMBERS = 6000;
const NEEDS = 60;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export async function run(): Promise<void> {
  const dir = tempDir('covalue-bench-support-');
  const file = path.join(dir, 'covalue.sqlite');
  const env = {
    DATABASE_URL: `sqlite:${file}`,
    COVALUE_DATA_DIR: dir,
    PASSWORD_SCRYPT_LOG_N: '10',
    SEED_ON_START: 'false',
    LOG_LEVEL: 'warn',
  };

  console.log(`setting up ${MEMBERS} members with tokens and ${NEEDS} needs on SQLite…`);
  const config = loadConfig(env);
  const db = openDatabase(config.database);
  await migrateToLatest(db);
  const app = await buildApp({ config, db, clock: systemClock, logger: pino({ level: 'warn' }) });
  const m = app.modules;
  const opView = await m.accounts.service.createOperator('bench-op@covalue.bench', 'bench operator pw');
  const op: Actor = { memberId: opView.id, roles: ['member', 'operator'], via: 'token' };
  const community = await m.communities.service.createCommunity(op, {
    slug: 'bench',
    name: 'bench',
    milestones: [{ goal: 10_000_000, days: 3650 }],
  });
  const scene = await m.scenes.service.describeScene(op, {
    communityId: community.id,
    title: '压测场景',
    persona: 'p',
    goal: 'g',
    pain: 'p',
  });
  const needIds: string[] = [];
  for (let i = 0; i < NEEDS; i++)
    needIds.push((await m.needs.service.raiseNeed(op, { sceneId: scene.id, title: `需求 ${i}`, body: 'bench' })).id);
  const hash = await m.accounts.service.hashForImport('bench member pw');
  const tokens: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const member = await m.accounts.service.importMember({
      email: `b${i}@covalue.bench`,
      displayName: `b${i}`,
      passwordHash: hash,
    });
    tokens.push((await m.accounts.service.issueToken(member.id, 'bench')).token);
  }
  await app.close();
  await db.close();

  const [covaluePort, barePort] = [await freePort(), await freePort()];
  const server = await startProcess(
    'src/main.ts',
    ['serve'],
    { ...env, PORT: String(covaluePort), HOST: '127.0.0.1' },
    `http://127.0.0.1:${covaluePort}/readyz`,
  );
  const bare = await startProcess(
    'bench/bare-server.ts',
    [],
    { PORT: String(barePort), BENCH_DIR: dir },
    `http://127.0.0.1:${barePort}/healthz`,
  );

  let pair = 0;
  const supports: LoadResult[] = [];
  const bares: LoadResult[] = [];
  const writes: LoadResult[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await load({
        url: `http://127.0.0.1:${barePort}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [{ method: 'POST', path: '/bare', headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }],
      });
      const w = await load({
        url: `http://127.0.0.1:${barePort}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [{ method: 'POST', path: '/bare-write', headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }],
      });
      writes.push(w);
      const s = await load({
        url: `http://127.0.0.1:${covaluePort}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: 'PUT',
            setupRequest: (req) => {
              const i = pair++;
              const token = tokens[Math.floor(i / NEEDS) % MEMBERS];
              return {
                ...req,
                path: `/api/v1/needs/${needIds[i % NEEDS]}/support`,
                headers: { authorization: `Bearer ${token}` },
              };
            },
          },
        ],
      });
      bares.push(b);
      supports.push(s);
      console.log(
        `round ${round}: supports ${fmt(s.rps)}/s p99 ${s.p99} ms (${s.non2xx} non-2xx, ${s.errors} errors) | bare POST ${fmt(b.rps)}/s p99 ${b.p99} ms | ratio ${fmt((100 * s.rps) / b.rps, 1)} % | bare POST + 1 SQLite row ${fmt(w.rps)}/s`,
      );
    }
  } finally {
    await stopProcess(server);
    await stopProcess(bare);
  }

  // The counts must be exact: every 2xx support is one row and one count.
  const check = openDatabase(loadConfig(env).database);
  const rows = Number(
    (
      await check.kysely
        .selectFrom('need_supports')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const counted = Number(
    (
      await check.kysely
        .selectFrom('needs')
        .select((eb) => eb.fn.sum('support_count').as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  await check.close();
  const ok = supports.reduce((a, s) => a + s.ok, 0);

  const sRps = median(supports.map((s) => s.rps));
  const bRps = median(bares.map((b) => b.rps));
  console.log('');
  console.log(`support (SQLite, ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds, median):`);
  console.log(`  supports/s       ${fmt(sRps)}   p99 ${median(supports.map((s) => s.p99))} ms`);
  console.log(`  bare POST req/s  ${fmt(bRps)}   p99 ${median(bares.map((b) => b.p99))} ms`);
  const wRps = median(writes.map((w) => w.rps));
  console.log(`  ratio            ${fmt((100 * sRps) / bRps, 1)} % of the bare route (target ≥ 60 %)`);
  console.log(
    `  bare POST that commits one SQLite row: ${fmt(wRps)} req/s, p99 ${median(writes.map((w) => w.p99))} ms (supports are ${fmt((100 * sRps) / wRps, 1)} % of it)`,
  );
  console.log(`  exactness        ${fmt(ok)} supports acknowledged, ${fmt(rows)} support rows, ${fmt(counted)} counted`);
  console.log(
    `                   (rows may exceed acknowledged by the ≤ ${CONNECTIONS} requests per round still in flight when the load stops)`,
  );
  if (pair > MEMBERS * NEEDS)
    console.log(`  note: ${fmt(pair - MEMBERS * NEEDS)} requests repeated a (member, need) pair: raise MEMBERS`);
  if (rows !== counted || ok > rows || rows - ok > CONNECTIONS * ROUNDS) {
    console.error('support counts are not exact');
    process.exitCode = 1;
  }
}
