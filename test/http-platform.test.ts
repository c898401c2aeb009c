import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { createHttpServer, type HttpApp } from '../src/platform/http/server.js';
import { type Backend, createTestApp, createTestDatabase, forEachBackend, problem, type TestApp } from './harness.js';
import { pgAdmin, pgUrl } from './pg.js';

/** A database with no tables at all: a new SQLite file, or a new PostgreSQL database. */
async function emptyDatabase(backend: Backend): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-empty-'));
    const db = openDatabase({ dialect: 'sqlite', filename: path.join(dir, 'covalue.sqlite') });
    return {
      db,
      drop: async () => {
        await db.close().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // Named like the harness's databases, so the global teardown drops it should this test not.
  const name = `covalue_t_${inject('pgTemplate').replace('covalue_tpl_', '')}_empty_${randomBytes(4).toString('hex')}`;
  const admin = pgAdmin();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const db = openDatabase({ dialect: 'postgres', connectionString: pgUrl(name), poolMax: 2 });
  return {
    db,
    drop: async () => {
      await db.close().catch(() => {});
      const a = pgAdmin();
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * Every (method, path) the server routes, read from Fastify's route tree, with paths in OpenAPI
 * form (`:id` → `{id}`). HEAD routes Fastify adds for each GET are left out.
 */
function serverRoutes(http: HttpApp): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of http.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const full = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') routes.push({ method, path: full.replace(/:(\w+)/g, '{$1}') });
    }
  }
  return routes;
}

forEachBackend((backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  describe('health', () => {
    it('answers /healthz with 200 { status: "ok" }', async () => {
      const res = await t.visitor.get('/healthz');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz with 200 on a migrated database', async () => {
      const res = await t.visitor.get('/readyz');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready' });
    });

    it('answers /readyz with 503 while migrations are pending, and 200 once they are applied', async () => {
      const empty = await emptyDatabase(backend);
      const unmigrated = await createTestApp(backend, { database: empty.db });
      try {
        const pending = await unmigrated.visitor.get('/readyz');
        expect(pending.statusCode).toBe(503);
        expect(pending.json().status).toBe('migrations-pending');
        expect(pending.json().pending).toContain('2026112301_platform');
        // The process itself is alive.
        expect((await unmigrated.visitor.get('/healthz')).statusCode).toBe(200);

        await migrateToLatest(empty.db);
        const ready = await unmigrated.visitor.get('/readyz');
        expect(ready.statusCode).toBe(200);
      } finally {
        await unmigrated.close();
        await empty.drop();
      }
    });

    it('answers /readyz with 503 when the database does not answer', async () => {
      const migrated = await createTestDatabase(backend);
      const app = await createTestApp(backend, { database: migrated.db });
      try {
        expect((await app.visitor.get('/readyz')).statusCode).toBe(200);
        await migrated.db.close();
        const res = await app.visitor.get('/readyz');
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'database-unavailable' });
      } finally {
        await app.close();
        await migrated.drop();
      }
    });
  });

  describe('API reference', () => {
    it('serves an OpenAPI 3.1 document that lists every /api/v1 route the server has', async () => {
      const res = await t.visitor.get('/api/openapi.json');
      expect(res.statusCode).toBe(200);
      const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toMatch(/^3\.1\./);

      const routes = serverRoutes(t.app.http).filter((r) => r.path.startsWith('/api/v1/'));
      // The route tree was read: a sample of known routes is there.
      expect(routes).toEqual(
        expect.arrayContaining([
          { method: 'POST', path: '/api/v1/auth/register' },
          { method: 'GET', path: '/api/v1/me' },
          { method: 'DELETE', path: '/api/v1/me/tokens/{id}' },
        ]),
      );
      const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
      expect(missing).toEqual([]);
    });

    it('serves the interactive reference as HTML at /api/docs', async () => {
      const res = await t.visitor.get('/api/docs');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<html/i);
    });
  });

  describe('every response', () => {
    it('answers an unknown route with 404 problem+json', async () => {
      const res = await t.visitor.get('/api/v1/no-such-thing?x=1');
      expect(res.statusCode).toBe(404);
      const body = problem(res);
      expect(body.type).toBe('https://covalue.dev/problems/not-found');
      expect(body.status).toBe(404);
      expect(body.detail).toBe('No route for GET /api/v1/no-such-thing');
    });

    it('carries a generated x-request-id, also on errors', async () => {
      const ok = await t.visitor.get('/healthz');
      expect(ok.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
      const missing = await t.visitor.get('/api/v1/nowhere');
      expect(missing.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
      expect(missing.headers['x-request-id']).not.toBe(ok.headers['x-request-id']);
    });

    it('echoes a valid incoming x-request-id', async () => {
      const echoed = await t.visitor.get('/healthz', { headers: { 'x-request-id': 'lb-1234.abc_DEF' } });
      expect(echoed.headers['x-request-id']).toBe('lb-1234.abc_DEF');
    });

    // in genReqId never sees an incoming id. Turn this into it() when server.ts validates it.
    it('replaces an invalid incoming x-request-id with a generated one', async () => {
      for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
        const replaced = await t.visitor.get('/healthz', { headers: { 'x-request-id': bad } });
        expect(replaced.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
      }
    });

    it('carries the security headers', async () => {
      for (const url of ['/healthz', '/api/v1/me', '/api/v1/nowhere']) {
        const res = await t.visitor.get(url);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      }
    });
  });
});

describe('route access declarations', () => {
  const build = () =>
    createHttpServer({
      logger: pino({ level: 'silent' }),
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      cookieSecret: 'x'.repeat(32),
      version: '0.0.0-test',
      authenticator: () => ({ fromSessionToken: async () => null, fromBearerToken: async () => null }),
    });

  /** Registers routes and readies the server; returns the error either step raised, if any. */
  async function failureOf(register: (app: HttpApp) => void): Promise<unknown> {
    const app = await build();
    try {
      register(app);
      await app.ready();
      return undefined;
    } catch (err) {
      return err;
    } finally {
      await app.close().catch(() => {});
    }
  }

  it('refuses to build a server with an /api/v1 route that does not declare config.access', async () => {
    const err = await failureOf((app) => {
      app.get('/api/v1/unguarded', async () => ({ ok: true }));
    });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/GET \/api\/v1\/unguarded does not declare config\.access/);
  });

  it('accepts /api/v1 routes that declare access, and routes outside /api without it', async () => {
    const err = await failureOf((app) => {
      app.get('/api/v1/open', { config: { access: 'public' } }, async () => ({ ok: true }));
      app.post('/api/v1/guarded', { config: { access: ['operator'] } }, async () => ({ ok: true }));
      app.get('/metrics', async () => 'up');
    });
    expect(err).toBeUndefined();
  });
});
