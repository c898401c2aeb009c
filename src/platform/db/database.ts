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

/** Opens the database the configuration names: SQLite (WAL, foreign keys, busy timeout) or a PostgreSQL pool. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.dialect === 'sqlite') {
    if (config.filename !== ':memory:') fs.mkdirSync(path.dirname(config.filename), { recursive: true });
    const sqlite = new SqliteDatabase(config.filename);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
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
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  return wrap('postgres', kysely);
}

function wrap(dialect: Dialect, kysely: Kysely<unknown>): Database {
  const db = kysely as Executor;
  return {
    dialect,
    kysely: db,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
