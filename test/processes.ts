import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, inject } from 'vitest';
import { type Backend, TEST_LOG_SIGNING_KEY } from './harness.js';
import { pgAdmin, pgUrl } from './pg.js';

/**
 * The real program, as an operator runs it: `node --import tsx src/main.ts …` in its own process,
 * configured only by its environment. Every wait is bounded; every child is killed after each test.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 45_000;
const EXIT_TIMEOUT_MS = 30_000;

export interface Run {
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
export function covalue(args: string[], env: Record<string, string>): Run {
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
export async function run(args: string[], env: Record<string, string>) {
  const r = covalue(args, env);
  const code = await r.exit();
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** Polls `check` until it returns a value, failing after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The JSON log lines a process has written so far. */
export function logLines(text: string): Record<string, unknown>[] {
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
export async function serve(env: Record<string, string>): Promise<Run & { url: string }> {
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

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Whether a TCP connection to the port is refused (the server stopped listening). */
export function refused(port: number): Promise<boolean> {
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
export async function freshStore(
  backend: Backend,
): Promise<{ env: Record<string, string>; dataDir: string; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-proc-'));
  if (backend === 'sqlite') {
    return {
      env: { COVALUE_DATA_DIR: dataDir, LOG_SIGNING_KEY: TEST_LOG_SIGNING_KEY },
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
    env: { COVALUE_DATA_DIR: dataDir, DATABASE_URL: pgUrl(name), LOG_SIGNING_KEY: TEST_LOG_SIGNING_KEY },
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
