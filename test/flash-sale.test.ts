import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { newLaunchableProduct, newLiveCampaign } from './factories.js';
import { type Backend, backends, createTestApp, type TestApp } from './harness.js';
import { freshStore, type Run, serve } from './processes.js';

/**
 * A flash sale against real server processes over HTTP: 5,000 order attempts for 300 units — two
 * processes on one PostgreSQL, one on SQLite — must sell exactly 300; and a server killed in the
 * middle of a sale must, once restarted, have every order it acknowledged and no unit sold twice.
 */

const SERVER_ENV = { SEED_ON_START: 'false', PASSWORD_SCRYPT_LOG_N: '10', AUTH_RATE_LIMIT_PER_IP: '1000000' };

interface Store {
  env: Record<string, string>;
  db: Database;
  t: TestApp;
  tokens: string[];
  drop: () => Promise<void>;
}

/** A fresh store with a launchable product and `n` members holding bearer tokens, set up in-process. */
async function prepare(backend: Backend, n: number): Promise<Store> {
  const store = await freshStore(backend);
  const db = openDatabase(loadConfig({ ...store.env }).database);
  await migrateToLatest(db);
  // The servers run on the wall clock; so does this set-up.
  const t = await createTestApp(backend, { database: db, clock: new ManualClock(new Date()) });
  const accounts = t.app.modules.accounts.service;
  const hash = await accounts.hashForImport('flash sale member');
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await accounts.importMember({
      email: `flash${i}.${randomUUID().slice(0, 8)}@b.test`,
      displayName: `f${i}`,
      passwordHash: hash,
    });
    tokens.push((await accounts.issueToken(m.id, 'flash')).token);
  }
  return {
    env: { ...store.env, ...SERVER_ENV },
    db,
    t,
    tokens,
    drop: async () => {
      await t.close();
      await db.close();
      await store.drop();
    },
  };
}

/** Runs `jobs` with at most `width` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

async function post(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!backends.includes(backend))(`flash sale over HTTP (${backend})`, () => {
    const processes = backend === 'postgres' ? 2 : 1;

    it(`sells exactly 300 units to 5,000 attempts through ${processes} server process${processes > 1 ? 'es' : ''}`, async () => {
      const s = await prepare(backend, 1000);
      const servers: (Run & { url: string })[] = [];
      try {
        const op = await s.t.operator();
        const product = await newLaunchableProduct(s.t, op);
        const campaign = await newLiveCampaign(s.t, op, product.productId, {
          quantity: 300,
          perMemberLimit: 3,
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
        for (let i = 0; i < processes; i++) servers.push(await serve(s.env));
        const attempts = Array.from({ length: 5000 }, (_, i) => () => {
          const server = servers[i % servers.length]!;
          return post(`${server.url}/api/v1/campaigns/${campaign.id}/orders`, s.tokens[i % s.tokens.length]!, { quantity: 1 });
        });
        const results = await pool(attempts, 200);
        const byStatus = new Map<number, number>();
        for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
        expect(byStatus.get(201)).toBe(300);
        expect((byStatus.get(409) ?? 0) + (byStatus.get(422) ?? 0)).toBe(4700);
        const allowed = new Set(['https://covalue.dev/problems/sold-out', 'https://covalue.dev/problems/limit-exceeded']);
        const refusals = results.filter((r) => r.status !== 201).map((r) => String(r.json?.type));
        expect(refusals.filter((type) => !allowed.has(type))).toEqual([]);

        const audit = await s.t.app.modules.campaigns.orders.auditStock(campaign.id);
        expect(audit).toMatchObject({ quantity: 300, sold: 300, remaining: 0, heldByOrders: 300, consistent: true });
        const rows = await s.db.kysely
          .selectFrom('orders')
          .select(['id', 'member_id'])
          .where('campaign_id', '=', campaign.id)
          .execute();
        expect(rows.map((r) => r.id).sort()).toEqual(
          results
            .filter((r) => r.status === 201)
            .map((r) => String(r.json!.id))
            .sort(),
        );
        const perMember = new Map<string, number>();
        for (const r of rows) perMember.set(r.member_id, (perMember.get(r.member_id) ?? 0) + 1);
        expect(Math.max(...perMember.values())).toBeLessThanOrEqual(3);
      } finally {
        for (const server of servers) server.child.kill('SIGKILL');
        await s.drop();
      }
    });

    it('keeps every acknowledged order and sells no unit twice when the server is killed mid-sale', async () => {
      const s = await prepare(backend, 400);
      try {
        const op = await s.t.operator();
        const product = await newLaunchableProduct(s.t, op);
        const campaign = await newLiveCampaign(s.t, op, product.productId, {
          quantity: 200,
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
        const acknowledged = { orders: new Set<string>(), paid: new Set<string>() };
        const buy = async (url: string, token: string) => {
          try {
            const o = await post(`${url}/api/v1/campaigns/${campaign.id}/orders`, token, { quantity: 1 });
            if (o.status !== 201) return o.status;
            acknowledged.orders.add(String(o.json!.id));
            const p = await post(`${url}/api/v1/orders/${o.json!.id}/payments`, token, { provider: 'simulated' });
            if (p.status === 201 && p.json!.state === 'captured') acknowledged.paid.add(String(o.json!.id));
            return p.status;
          } catch {
            return 0; // the connection died with the server
          }
        };

        const first = await serve(s.env);
        let killed = false;
        const load = pool(
          s.tokens.slice(0, 300).map((token) => async () => {
            const status = killed ? 0 : await buy(first.url, token);
            if (!killed && acknowledged.orders.size >= 60) {
              killed = true;
              first.child.kill('SIGKILL');
            }
            return status;
          }),
          40,
        );
        await load;
        await first.exit();
        expect(killed).toBe(true);

        const second = await serve(s.env);
        try {
          // Every order acknowledged before the crash is there, and each acknowledged payment left it paid.
          const rows = await s.db.kysely
            .selectFrom('orders')
            .select(['id', 'state'])
            .where('campaign_id', '=', campaign.id)
            .execute();
          const state = new Map(rows.map((r) => [r.id, r.state]));
          for (const id of acknowledged.orders) expect(state.has(id), id).toBe(true);
          for (const id of acknowledged.paid) expect(state.get(id), id).toBe('paid');
          expect((await s.t.app.modules.campaigns.orders.auditStock(campaign.id)).consistent).toBe(true);

          // The sale goes on after the restart until every unit is sold, and not one more.
          const after = await pool(
            s.tokens.slice(0, 400).map((token) => () => buy(second.url, token)),
            40,
          );
          expect(after.filter((x) => x === 0)).toEqual([]);
          const audit = await s.t.app.modules.campaigns.orders.auditStock(campaign.id);
          expect(audit).toMatchObject({ quantity: 200, sold: 200, remaining: 0, consistent: true });
        } finally {
          second.child.kill('SIGKILL');
        }
      } finally {
        await s.drop();
      }
    });
  });
}
