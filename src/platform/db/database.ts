import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';

/**
 * A connection or a transaction. Repositories take one as their first argument and narrow it to
 * their module's tables, so a module's SQL can only name its own tables.
 */
// biome-ignore lint/suspicious/noExplicitAny: narrowed per module with `as Kysely<ModuleTables>`.
export type Executor = Kysely<any>;

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly dialect: Dialect;
  readonly kysely: Executor;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (trx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** pg returns 64-bit integers as strings; Covalue's integers (money, counters) fit in 2^53. */
function pgTypes() {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) {
        return (value: string) => {
          const n = Number(value);
          if (!Number.isSafeInteger(n) && oid === INT8_OID) throw new Error(`integer out of range: ${value}`);
          return n;
        };
      }
      return pg.types.getTypeParser(oid, format);
    },
  };
}

const STATEMENT_CACHE = 1000;

/**
 * Kysely prepares every query anew; preparing costs as much as running a short statement. The same
 * SQL text always compiles to the same statement, so keep the most recent ones (statements are
 * reusable; Kysely never iterates one while another query runs on the connection).
 */
function cachePreparedStatements(sqlite: SqliteDatabase.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SqliteDatabase.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source);
    } else {
      stmt = prepare(source);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, stmt);
    return stmt;
  }) as typeof sqlite.prepare;
}

const PREPARED_STATEMENTS = 500;

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it every time, which costs as
 * much as running a short statement. A statement text seen a second time is sent named instead —
 * the extended protocol's prepared statement, as pgx, JDBC and postgres.js do by default — and is
 * then parsed once per connection and only bound and executed after that (pg keeps the names a
 * connection has parsed). At most PREPARED_STATEMENTS texts are named; later ones go unnamed.
 * PostgreSQL re-plans a prepared statement when a table it reads changes or `search_path` does,
 * but refuses one whose result columns changed: that text is then parsed afresh under a new name.
 */
function preparingPool(pool: pg.Pool) {
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  let made = 0;
  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    // A prepared statement holds one command: texts that may hold several go unnamed.
    if (name || names.size >= PREPARED_STATEMENTS || text.includes(';')) return name;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= 10 * PREPARED_STATEMENTS) seenOnce.clear();
      seenOnce.add(text);
      return undefined;
    }
    seenOnce.delete(text);
    const named = `covalue_${++made}`;
    names.set(text, named);
    return named;
  };
  const preparing = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      if (preparing.has(client)) return client;
      preparing.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      // Kysely opens and ends its transactions with these statements on the same client.
      let inTransaction = false;
      const run = async (text: string, values?: unknown[]) => {
        if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true;
        else if (/^\s*(commit|end|rollback)\b(?!\s+to\b)/i.test(text)) inTransaction = false;
        const name = nameOf(text);
        try {
          return await query({ text, values, name });
        } catch (err) {
          // Another process changed a table's columns (a migration during a rolling upgrade):
          // this statement's plan no longer fits. Parse it afresh under a new name next time, and
          // now, unless a transaction was aborted by the error (its caller sees it and retries).
          const { code, message } = err as { code?: string; message?: string };
          if (!name || code !== '0A000' || !message?.includes('cached plan must not change result type')) throw err;
          names.delete(text);
          if (inTransaction) throw err;
          return query({ text, values });
        }
      };
      // Kysely calls query(text, values) for statements and query(cursor) for streams.
      client.query = ((first: unknown, values?: unknown[]) =>
        typeof first === 'string' ? run(first, values) : query(first, values)) as typeof client.query;
      return client;
    },
    end: () => pool.end(),
  };
}

/** Opens the database the configuration names: SQLite (WAL, foreign keys, busy timeout) or a PostgreSQL pool. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.dialect === 'sqlite') {
    if (config.filename !== ':memory:') fs.mkdirSync(path.dirname(config.filename), { recursive: true });
    const sqlite = new SqliteDatabase(config.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Checkpoints are where WAL mode syncs to disk; a larger WAL (~40 MB) makes them ten times rarer.
    sqlite.pragma('wal_autocheckpoint = 10000');
    cachePreparedStatements(sqlite);
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    return wrap('sqlite', kysely);
  }
  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: config.poolMax,
    types: pgTypes(),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return wrap('postgres', kysely);
}

interface Job {
  fn: (trx: Executor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for SQLite, whose writers take turns anyway: transactions that arrive while one is
 * being committed are run one after another inside a single database transaction, each in its own
 * savepoint (so one that throws is rolled back alone), and are answered only after the shared
 * COMMIT. Each is as atomic and isolated as if run alone; the commit cost is paid once per batch.
 */
function groupCommit(db: Executor): Database['transaction'] {
  let queue: Job[] = [];
  let running = false;

  async function flush(): Promise<void> {
    running = true;
    const jobs = queue;
    queue = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      const trx = await db.startTransaction().execute();
      try {
        for (const job of jobs) {
          const sp = await trx.savepoint('job').execute();
          try {
            const value = await job.fn(sp);
            await sp.releaseSavepoint('job').execute();
            outcomes.push({ ok: true, value });
          } catch (err) {
            await sp.rollbackToSavepoint('job').execute();
            await sp.releaseSavepoint('job').execute();
            outcomes.push({ ok: false, err });
          }
        }
        await trx.commit().execute();
      } catch (err) {
        await trx
          .rollback()
          .execute()
          .catch(() => {});
        throw err;
      }
      outcomes.forEach((o, i) => {
        if (o.ok) jobs[i]!.resolve(o.value);
        else jobs[i]!.reject(o.err);
      });
    } catch (err) {
      for (const job of jobs) job.reject(err);
    } finally {
      running = false;
      if (queue.length > 0) setImmediate(flush);
    }
  }

  return <T>(fn: (trx: Executor) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!running && queue.length === 1) setImmediate(flush);
    });
}

function wrap(dialect: Dialect, kysely: Kysely<unknown>): Database {
  const db = kysely as Executor;
  return {
    dialect,
    kysely: db,
    transaction: dialect === 'sqlite' ? groupCommit(db) : (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
