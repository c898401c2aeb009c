import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { describe, inject } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { ManualClock } from '../src/platform/clock.js';
import { type Config, loadConfig } from '../src/platform/config.js';
import { type Database, type Dialect, openDatabase } from '../src/platform/db/database.js';
import { pgAdmin, pgUrl } from './pg.js';

export type Backend = Dialect;

/** The backends this run covers: SQLite always, PostgreSQL when reachable (required when CI=true). */
export const backends: Backend[] = inject('pgAvailable') ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * Declares the same tests once per backend. Each backend block is a describe named after it.
 * @example forEachBackend((backend) => { it('…', async () => { const t = await createTestApp(backend); … }) })
 */
export function forEachBackend(fn: (backend: Backend) => void): void {
  for (const name of ['sqlite', 'postgres'] as const) {
    if (backends.includes(name)) describe(name, () => fn(name));
    else describe.skip(`${name} (unreachable)`, () => fn(name));
  }
}

/** A test's own database, and how to remove it. */
export interface TestDatabase {
  db: Database;
  url: string;
  drop: () => Promise<void>;
}

/** A fresh database copied from the migrated template: a new file, or a new PostgreSQL database. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  const tag = randomBytes(6).toString('hex');
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-db-'));
    const file = path.join(dir, 'covalue.sqlite');
    fs.copyFileSync(inject('sqliteTemplate'), file);
    const db = openDatabase({ dialect: 'sqlite', filename: file });
    return {
      db,
      url: `sqlite:${file}`,
      drop: async () => {
        await db.close().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const template = inject('pgTemplate');
  const name = `covalue_t_${template.replace('covalue_tpl_', '')}_${tag}`;
  const admin = pgAdmin();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = pgUrl(name);
  const db = openDatabase({ dialect: 'postgres', connectionString: url, poolMax: 20 });
  return {
    db,
    url,
    drop: async () => {
      await db.close().catch(() => {});
      const a = pgAdmin();
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The contribution log key of every test app and test server process (base64 of a 32-byte seed). */
export const TEST_LOG_SIGNING_KEY = 'dGVzdC1sb2ctc2lnbmluZy1rZXktMzItYnl0ZXMhISE=';

/** Test configuration: fast password hashing, generous rate limits, no background loop. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.COVALUE_TEST_LOG ?? 'silent',
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    PASSWORD_SCRYPT_LOG_N: '10',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_ACCOUNT: '1000000',
    WORKER_ENABLED: 'false',
    // A fixed test key, so that no key file is written.
    LOG_SIGNING_KEY: TEST_LOG_SIGNING_KEY,
    ...overrides,
  });
}

export interface TestApp {
  app: App;
  db: Database;
  clock: ManualClock;
  backend: Backend;
  /** A request as a visitor (no credentials). */
  visitor: Client;
  /** Signs up a new member and returns a client signed in by bearer token. */
  signUp(displayName?: string, options?: { via?: 'token' | 'session' }): Promise<Persona>;
  /** An operator persona, made like `covalue operator create` does. */
  operator(displayName?: string): Promise<Persona>;
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
}

export interface Client {
  get(url: string, opts?: RequestOptions): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, opts?: RequestOptions): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown, opts?: RequestOptions): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, opts?: RequestOptions): Promise<LightMyRequestResponse>;
  delete(url: string, opts?: RequestOptions): Promise<LightMyRequestResponse>;
}

export interface Persona extends Client {
  id: string;
  email: string;
  password: string;
  displayName: string;
}

let counter = 0;

/** Makes a client that sends the given headers with every request. */
export function clientFor(app: App, baseHeaders: () => Record<string, string>): Client {
  const send = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body: unknown, opts: RequestOptions = {}) => {
    const query = opts.query
      ? Object.fromEntries(
          Object.entries(opts.query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        )
      : undefined;
    return app.http.inject({
      method,
      url,
      query,
      headers: { ...baseHeaders(), ...opts.headers },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  };
  return {
    get: (url, opts) => send('GET', url, undefined, opts),
    post: (url, body, opts) => send('POST', url, body, opts),
    put: (url, body, opts) => send('PUT', url, body, opts),
    patch: (url, body, opts) => send('PATCH', url, body, opts),
    delete: (url, opts) => send('DELETE', url, undefined, opts),
  };
}

/** Builds a full Covalue app on a fresh database of the given backend, with a manual clock. */
export async function createTestApp(
  backend: Backend,
  options: { config?: Record<string, string>; clock?: ManualClock; database?: Database } = {},
): Promise<TestApp> {
  const fresh = options.database ? undefined : await createTestDatabase(backend);
  const db = options.database ?? fresh!.db;
  const clock = options.clock ?? new ManualClock('2026-03-01T08:00:00.000Z');
  const config = testConfig(options.config);
  const logger = pino({ level: config.log.level });
  const app = await buildApp({ config, db, clock, logger });

  const signUp: TestApp['signUp'] = async (displayName, opts = {}) => {
    counter++;
    const name = displayName ?? `member${counter}`;
    const email = `${name.replace(/[^\w]/g, '') || 'm'}.${counter}.${randomBytes(3).toString('hex')}@example.test`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password, displayName: name },
    });
    if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
    const id = res.json().member.id as string;
    return personaFor(app, { id, email, password, displayName: name }, opts.via ?? 'token', res);
  };

  const operator: TestApp['operator'] = async (displayName = 'operator') => {
    counter++;
    const email = `op${counter}.${randomBytes(3).toString('hex')}@example.test`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const member = await app.modules.accounts.service.createOperator(email, password, displayName);
    return personaFor(app, { id: member.id, email, password, displayName }, 'token');
  };

  return {
    app,
    db,
    clock,
    backend,
    visitor: clientFor(app, () => ({})),
    signUp,
    operator,
    async close() {
      await app.close();
      if (fresh) await fresh.drop();
    },
  };
}

async function personaFor(
  app: App,
  who: { id: string; email: string; password: string; displayName: string },
  via: 'token' | 'session',
  registerResponse?: LightMyRequestResponse,
): Promise<Persona> {
  let headers: Record<string, string>;
  if (via === 'token') {
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      payload: { email: who.email, password: who.password },
    });
    if (res.statusCode !== 201) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
    headers = { authorization: `Bearer ${res.json().token}` };
  } else {
    const res =
      registerResponse ??
      (await app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: who.email, password: who.password },
      }));
    headers = sessionHeaders(res);
  }
  return { ...who, ...clientFor(app, () => headers) };
}

/** The cookie and CSRF headers a browser would send after this response signed it in. */
export function sessionHeaders(res: LightMyRequestResponse): Record<string, string> {
  const cookies = res.cookies as { name: string; value: string }[];
  const session = cookies.find((c) => c.name === 'covalue_session');
  const csrf = cookies.find((c) => c.name === 'covalue_csrf');
  if (!session || !csrf) throw new Error('response did not set the session cookies');
  return { cookie: `covalue_session=${session.value}; covalue_csrf=${csrf.value}`, 'x-csrf-token': csrf.value };
}

/** Asserts a problem+json response and returns its body. */
export function problem(res: LightMyRequestResponse): {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
} {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers['content-type']} ${res.statusCode}: ${res.body}`);
  }
  return res.json();
}

/** Rows in a table (optionally where one column equals a value): to check that a rejected request wrote nothing. */
export async function countRows(t: { db: Database }, table: string, where?: [string, string]): Promise<number> {
  let q = t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  if (where) q = q.where(where[0], '=', where[1]);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
