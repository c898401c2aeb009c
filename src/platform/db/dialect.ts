import { type CreateTableBuilder, PostgresAdapter, sql } from 'kysely';
import { AppError } from '../errors.js';
import type { Dialect, Executor } from './database.js';

/**
 * The few places where SQLite and PostgreSQL must differ, side by side, so the difference is
 * visible in one file.
 */
export function dialectOf(db: Executor): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** True when `err` is a unique or primary-key violation on either backend. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Adds an auto-incrementing 64-bit integer primary key named `id`. */
export function withSerialId<T extends string, C extends string>(
  db: Executor,
  table: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C | 'id'> {
  return dialectOf(db) === 'postgres'
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/**
 * `SELECT … FOR UPDATE` on PostgreSQL; a plain read on SQLite, whose writers are serial anyway.
 * Lock an aggregate first in a transaction that publishes events about it: then the order of the
 * transactions' ids is the order in which they changed the aggregate (see platform/events).
 */
export function forUpdate<QB extends { forUpdate(): QB; skipLocked(): QB }>(
  ex: Executor,
  query: QB,
  options: { skipLocked?: boolean } = {},
): QB {
  if (dialectOf(ex) !== 'postgres') return query;
  return options.skipLocked ? query.forUpdate().skipLocked() : query.forUpdate();
}

/**
 * Takes the transaction's advisory locks of aggregates (PostgreSQL; nothing on SQLite), in id order,
 * before their rows are locked with `forUpdate`. Call it first in every "find … for update" of an
 * aggregate that events are published about.
 *
 * Why: delivery order is transaction-id order, which is the order an aggregate changed in only if
 * each transaction gets its id once it has the aggregate to itself. A transaction waiting for a row
 * lock does not always wait without one: measured on PostgreSQL 15, of 400 transactions that each
 * locked one row `FOR UPDATE` and updated it, 150 got their ids out of lock order (a waiter that
 * follows the update chain of a row changed by the holder takes its id before it waits again).
 * Waiting for an advisory lock takes no id, and the rows behind it are then locked uncontended, so
 * among the transactions locking an aggregate this way, the later holder always has the larger id.
 */
export async function lockAggregates(ex: Executor, kind: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || dialectOf(ex) !== 'postgres') return;
  const keys = [...new Set(ids)].sort().map((id) => `${kind}:${id}`);
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${keys}::text[]) with ordinality as t(k, n) order by n`.execute(
    ex,
  );
}

/**
 * Runs `work`; a unique violation (on either backend) becomes a 409 naming the field, so a taken
 * email or slug reads the same everywhere.
 */
export async function uniquely<T>(work: () => Promise<T>, field: { path: string; message: string; detail: string }): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('conflict', field.detail, { errors: [{ path: field.path, message: field.message }] });
    throw err;
  }
}
