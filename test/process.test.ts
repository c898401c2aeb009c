import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Backend, backends } from './harness.js';
import { pgAdmin, pgUrl } from './pg.js';

/**
 * The real program, as an operator runs it: `node --import tsx src/main.ts …` in its own process,
 * configured only by its environment. Every wait is bounded; every child is killed after each test.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 45_000;
const EXIT_TIMEOUT_MS = 30_000;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name); rejects after `ms`. */
  exit: (ms?: number) => Promise<number | string>;
}

const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
  children.clear();
});

/** Starts `covalue <args>` with exactly the given environment (plus PATH). */
function covalue(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit: (ms = EXIT_TIMEOUT_MS) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`covalue ${args.join(' ')} did not exit within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)),
            ms,
          ).unref(),
        ),
      ]),
  };
}

/** Runs a command to completion. */
async function run(args: string[], env: Record<string, string>) {
  const r = covalue(args, env);
  const code = await r.exit();
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** Polls `check` until it returns a value, failing after `ms`. */
async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The JSON log lines a process has written so far. */
function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Starts `covalue serve` on a port the OS picks and waits until it listens; returns its base URL. */
async function serve(env: Record<string, string>): Promise<Run & { url: string }> {
  const r = covalue(['serve'], { HOST: '127.0.0.1', PORT: '0', ...env });
  const url = await waitFor(
    'the server to listen',
    () => {
      if (r.child.exitCode !== null) throw new Error(`serve exited with ${r.child.exitCode}: ${r.stderr()}`);
      for (const line of logLines(r.stdout())) {
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(line.msg));
        if (m) return m[1];
      }
      return undefined;
    },
    START_TIMEOUT_MS,
  );
  return { ...r, url };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Whether a TCP connection to the port is refused (the server stopped listening). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** A fresh place for the program's data: a temp data dir, and for PostgreSQL a new empty database. */
async function freshStore(
  backend: Backend,
): Promise<{ env: Record<string, string>; dataDir: string; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-proc-'));
  if (backend === 'sqlite') {
    return {
      env: { COVALUE_DATA_DIR: dataDir },
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  // Named like the harness's databases, so the global teardown drops it should this file not.
  const name = `covalue_t_${inject('pgTemplate').replace('covalue_tpl_', '')}_proc_${randomBytes(4).toString('hex')}`;
  const admin = pgAdmin();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    env: { COVALUE_DATA_DIR: dataDir, DATABASE_URL: pgUrl(name) },
    dataDir,
    drop: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const a = pgAdmin();
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

describe('covalue (any backend)', () => {
  it('refuses to serve with PORT=abc: exit code 78 and a message naming PORT', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-proc-'));
    try {
      const r = await run(['serve'], { COVALUE_DATA_DIR: dataDir, PORT: 'abc' });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/PORT/);
      // It failed before touching the data directory.
      expect(fs.existsSync(path.join(dataDir, 'covalue.sqlite'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints usage for --help and for operator create --help', async () => {
    const top = await run(['--help'], {});
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: covalue/);
    for (const command of ['serve', 'migrate', 'seed', 'operator']) expect(top.stdout).toContain(command);

    const create = await run(['operator', 'create', '--help'], {});
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/Usage: covalue operator create/);
    expect(create.stdout).toContain('--email');
    expect(create.stdout).toContain('--password');
  });
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!backends.includes(backend))(`covalue on ${backend}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    beforeAll(async () => {
      store = await freshStore(backend);
    });
    afterAll(() => store?.drop());

    it('migrate applies the migrations, then reports the database is up to date', async () => {
      const own = await freshStore(backend);
      try {
        const first = await run(['migrate'], own.env);
        expect(first.code).toBe(0);
        expect(first.stdout).toMatch(/^applied: .*2026112301_platform/m);
        const second = await run(['migrate'], own.env);
        expect(second.code).toBe(0);
        expect(second.stdout.trim()).toBe('database is up to date');
      } finally {
        await own.drop();
      }
    });

    it('serves a fresh store end to end, and on SIGTERM answers the request in flight and exits 0', async () => {
      const server = await serve(store.env);
      if (backend === 'sqlite') expect(fs.existsSync(path.join(store.dataDir, 'covalue.sqlite'))).toBe(true);
      const logs = logLines(server.stdout());
      expect(logs.some((l) => l.msg === 'migrations applied')).toBe(true);
      expect(logs.some((l) => l.msg === 'demo story loaded into the empty database')).toBe(true);

      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);

      // A second process on the same store, while the server runs.
      const email = `op.${randomBytes(3).toString('hex')}@b.test`;
      const password = 'long enough pw';
      const made = await run(['operator', 'create', '--email', email, '--password', password], store.env);
      expect(made.code).toBe(0);
      expect(made.stdout).toMatch(/^operator mem_\w+ .*roles: .*operator/m);

      const issued = await fetch(`${server.url}/api/v1/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(issued.status).toBe(201);
      const { token } = (await issued.json()) as { token: string };
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { roles: string[] }).roles).toContain('operator');

      // A request in flight: headers sent, body not yet complete.
      const requestId = `inflight-${randomBytes(4).toString('hex')}`;
      const body = JSON.stringify({ email, password });
      const socket = net.connect(portOf(server.url), '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8').on('data', (d: string) => {
        answer += d;
      });
      const socketClosed = new Promise((resolve) => socket.once('close', resolve));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(
        'POST /api/v1/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body.slice(0, 5)}`,
      );
      await waitFor(
        'the server to log the in-flight request',
        () => (logLines(server.stdout()).some((l) => l.reqId === requestId) ? true : undefined),
        10_000,
      );

      server.child.kill('SIGTERM');
      // The server stops taking connections while the request is still open…
      await waitFor('the server to stop listening', async () => ((await refused(portOf(server.url))) ? true : undefined), 10_000);
      expect(server.child.exitCode).toBeNull();
      // …and the request still gets its answer.
      socket.write(body.slice(5));
      await waitFor('the in-flight answer', () => (/\r\n\r\n\{.*\}/s.test(answer) ? true : undefined), 10_000);
      expect(answer).toMatch(/^HTTP\/1\.1 201 /);
      expect(answer).toMatch(/"token":"cvt_/);

      expect(await server.exit(15_000)).toBe(0);
      expect(logLines(server.stdout()).some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
      socket.destroy();
      await socketClosed;
    });
  });
}
