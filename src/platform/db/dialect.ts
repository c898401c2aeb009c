import type { CreateTableBuilder } from 'kysely';
import { PostgresAdapter } from 'kysely';
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
