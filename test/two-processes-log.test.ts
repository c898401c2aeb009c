import { describe, expect, it } from 'vitest';
import type { LogEntry, LoggedEntry, SignedTreeHead } from '../src/contracts/log.js';
import { leafHash, rootOf } from '../src/modules/log/merkle.js';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { newCommunity, newNeed, newScene } from './factories.js';
import { backends, createTestApp } from './harness.js';
import { freshStore, type Run, serve, waitFor } from './processes.js';

/**
 * Two real `covalue serve` processes on one PostgreSQL, each running the event worker: supports
 * sent to both are logged by whichever process holds the log subscriber, and the log must come out
 * without gaps or duplicates, every support once with its rank, under heads both processes sign
 * with the one key they are given.
 */
describe.skipIf(!backends.includes('postgres'))('the contribution log with two server processes on PostgreSQL', () => {
  it('logs 200 supports sent to both processes once each, with indexes 0..n-1 and a root anyone can recompute', async () => {
    const store = await freshStore('postgres');
    const db = openDatabase(loadConfig({ ...store.env }).database);
    await migrateToLatest(db);
    // The set-up app and the servers sign with the same key (the store's LOG_SIGNING_KEY).
    const t = await createTestApp('postgres', { database: db, clock: new ManualClock(new Date()) });
    const servers: (Run & { url: string })[] = [];
    try {
      const op = await t.operator();
      const author = await t.signUp('author');
      const need = await newNeed(author, (await newScene(author, (await newCommunity(op)).id)).id);
      const supporters = await Promise.all(Array.from({ length: 200 }, (_, i) => t.signUp(`s${i}`)));
      const env = {
        ...store.env,
        SEED_ON_START: 'false',
        LOG_HEAD_EVERY_ENTRIES: '50',
        LOG_HEAD_EVERY_SECONDS: '1',
        WORKER_POLL_MS: '20',
      };
      servers.push(await serve(env), await serve(env));
      const tokens = await Promise.all(
        supporters.map(
          async (s) =>
            (await t.visitor.post('/api/v1/auth/tokens', { email: s.email, password: s.password })).json().token as string,
        ),
      );
      const results = await Promise.all(
        tokens.map((token, i) =>
          fetch(`${servers[i % 2]!.url}/api/v1/needs/${need.id}/support`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}` },
          }),
        ),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);

      const expected = 202; // the scene, the need and 200 supports
      const head = await waitFor(
        'both processes to log every support and sign a head over it',
        async () => {
          const h = (await (await fetch(`${servers[1]!.url}/api/v1/log/head`)).json()) as SignedTreeHead;
          return h.treeSize === expected ? h : undefined;
        },
        30_000,
      );
      const logged: LoggedEntry[] = [];
      for (let start = 0; start < expected + 5; start += 100) {
        const page = await fetch(`${servers[start % 2]!.url}/api/v1/log/entries?start=${start}&end=${start + 99}`);
        if (page.status === 422) break;
        logged.push(...((await page.json()) as { entries: LoggedEntry[] }).entries);
      }
      expect(logged.map((e) => e.index)).toEqual(Array.from({ length: expected }, (_, i) => i));
      const supports = logged.map((e) => e.entry as LogEntry).filter((e) => e.kind === 'need.supported');
      expect(supports.map((e) => e.actor).sort()).toEqual(supporters.map((s) => s.id).sort());

      expect(supports.map((e) => e.data.rank)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(head.rootHash).toBe(rootOf(logged.map((e) => leafHash(Buffer.from(e.leafInput, 'base64')))).toString('hex'));
      const keys = await Promise.all(
        servers.map(
          async (s) => ((await (await fetch(`${s.url}/api/v1/log/public-key`)).json()) as { publicKey: string }).publicKey,
        ),
      );
      expect(keys[0]).toBe(keys[1]);
      expect(keys[0]).toBe(t.app.modules.log.service.publicKey().publicKey);
    } finally {
      for (const server of servers) server.child.kill('SIGKILL');
      await t.close();
      await db.close();
      await store.drop();
    }
  });
});
