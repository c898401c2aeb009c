import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';

export const root = path.resolve(import.meta.dirname, '..');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Starts a TypeScript entry in its own process (its own core) and waits until `url` answers. */
export async function startProcess(
  entry: string,
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
): Promise<ChildProcess> {
  const extra = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not become ready`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  non2xx: number;
}

/** Runs autocannon against one request shape for `seconds`, with `connections`. */
export async function load(options: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ ...options });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export type BenchBackend = 'sqlite' | 'postgres';

const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh empty store: a SQLite file in a temporary folder, or a new PostgreSQL database. */
export async function freshStore(
  backend: BenchBackend,
  name: string,
): Promise<{ url: string; dir: string; drop: () => Promise<void> }> {
  const dir = tempDir(`covalue-bench-${name}-`);
  if (backend === 'sqlite')
    return { url: `sqlite:${dir}/covalue.sqlite`, dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  const database = `covalue_bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    dir,
    drop: async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/**
 * The whole app in this process on a fresh, migrated store (no worker, no demo seed): for benches
 * that call services and `inject` routes directly. BENCH_KEEP=1 keeps the store (its URL is printed).
 */
export async function openApp(backend: BenchBackend, name: string) {
  const store = await freshStore(backend, name);
  const config = loadConfig({
    DATABASE_URL: store.url,
    COVALUE_DATA_DIR: store.dir,
    LOG_LEVEL: 'warn',
    WORKER_ENABLED: 'false',
    SEED_ON_START: 'false',
  });
  const db: Database = openDatabase(config.database);
  await migrateToLatest(db);
  const app = await buildApp({ config, db, clock: systemClock, logger: pino({ level: 'warn' }) });
  return {
    app,
    db,
    url: store.url,
    async close() {
      await app.close();
      await db.close();
      if (process.env.BENCH_KEEP) console.log(`  kept ${store.url}`);
      else await store.drop();
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Runs `fn` `n` times one after another; its latency's p50 and p99 in ms. */
export async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** CPU time (ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Waits until the processes are quiet (under 10 % of a core each over a second), e.g. until
 * a server's worker has worked off the events of a round, so that the next measurement does not
 * share the machine with it. Gives up after `timeoutMs`; says how long it waited and whether they
 * became quiet.
 */
export async function waitQuiet(children: ChildProcess[], timeoutMs = 120_000): Promise<{ ms: number; quiet: boolean }> {
  const t0 = performance.now();
  const pids = children.map((c) => c.pid!).filter((p) => fs.existsSync(`/proc/${p}`));
  let before = pids.reduce((s, p) => s + cpuMs(p), 0);
  while (performance.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = pids.reduce((s, p) => s + cpuMs(p), 0);
    if (now - before < 100 * pids.length) return { ms: performance.now() - t0, quiet: true };
    before = now;
  }
  return { ms: performance.now() - t0, quiet: false };
}

/** How `waitQuiet` went, for a bench's log line. */
export const quietness = (q: { ms: number; quiet: boolean }) =>
  q.quiet ? `quiet ${fmt(q.ms / 1000, 1)} s later` : `STILL BUSY after ${fmt(q.ms / 1000, 1)} s (measured anyway)`;
