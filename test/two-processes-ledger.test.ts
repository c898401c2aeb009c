import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { newLaunchableProduct, newLiveCampaign } from './factories.js';
import { backends, countRows, createTestApp } from './harness.js';
import { freshStore, type Run, serve, waitFor } from './processes.js';

/**
 * Two real `covalue serve` processes on one PostgreSQL, each running the event worker: orders paid
 * through both are posted to the ledger by whichever process holds its subscriber — each sale once,
 * the journal balanced.
 */
describe.skipIf(!backends.includes('postgres'))('the ledger with two server processes on PostgreSQL', () => {
  it('posts 20 sales paid through both processes once each, with a zero trial balance', async () => {
    const store = await freshStore('postgres');
    const db = openDatabase(loadConfig({ ...store.env }).database);
    await migrateToLatest(db);
    const t = await createTestApp('postgres', { database: db, clock: new ManualClock(new Date()) });
    const servers: (Run & { url: string })[] = [];
    try {
      const op = await t.operator();
      const product = await newLaunchableProduct(t, op);
      const campaign = await newLiveCampaign(t, op, product.productId, { quantity: 1_000 });
      const buyers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.signUp(`b${i}`)));
      const env = { ...store.env, SEED_ON_START: 'false', WORKER_POLL_MS: '20' };
      servers.push(await serve(env), await serve(env));
      const tokenOf = async (who: { email: string; password: string }) =>
        (await t.visitor.post('/api/v1/auth/tokens', { email: who.email, password: who.password })).json().token as string;
      const call = async (server: string, token: string, path: string, body: unknown, key: string) => {
        const res = await fetch(`${server}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const orders = await Promise.all(
        buyers.map(async (b, i) => {
          const token = await tokenOf(b);
          const server = servers[i % 2]!.url;
          const placed = await call(server, token, `/api/v1/campaigns/${campaign.id}/orders`, { quantity: 1 + (i % 3) }, `o${i}`);
          expect(placed.status).toBe(201);
          const id = placed.json.id as string;
          const paid = await call(
            servers[(i + 1) % 2]!.url,
            token,
            `/api/v1/orders/${id}/payments`,
            { provider: 'simulated' },
            `p${i}`,
          );
          expect(paid.json.state).toBe('captured');
          return id;
        }),
      );
      const opToken = await tokenOf(op);
      const overview = await waitFor(
        'both processes to post every sale',
        async () => {
          const res = await fetch(`${servers[0]!.url}/api/v1/ledger/overview`, {
            headers: { authorization: `Bearer ${opToken}` },
          });
          const o = (await res.json()) as { sales: number; trialBalance: { difference: number }[] };
          return o.sales === orders.length ? o : undefined;
        },
        30_000,
      );
      expect(overview.trialBalance.map((r) => r.difference)).toEqual([0]);
      for (const id of orders) expect(await countRows(t, 'ledger_entries', ['order_id', id]), id).toBe(1);
      expect(await countRows(t, 'ledger_entries')).toBe(orders.length);
    } finally {
      for (const server of servers) server.child.kill('SIGKILL');
      await t.close();
      await db.close();
      await store.drop();
    }
  });
});
