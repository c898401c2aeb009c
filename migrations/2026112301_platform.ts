import { type Kysely, sql } from 'kysely';
import { dialectOf, withSerialId } from '../src/platform/db/dialect.js';

/** Outbox of domain events, subscriber cursors, and rate-limit windows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await withSerialId(db, db.schema.createTable('outbox_events'))
    // PostgreSQL: the writing transaction's id, so readers never pass a gap left by a transaction
    // still in flight (see platform/events/outbox.repository.ts). SQLite writers are serial: 0.
    .addColumn('txid', 'bigint', (c) => c.notNull().defaultTo(pg ? sql`(pg_current_xact_id()::text::bigint)` : 0))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_events_txid_id').on('outbox_events').columns(['txid', 'id']).execute();
  await db.schema
    .createIndex('outbox_events_aggregate')
    .on('outbox_events')
    .columns(['aggregate_type', 'aggregate_id', 'id'])
    .execute();

  await db.schema
    .createTable('event_subscriptions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_txid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('retry_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('window_end', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pk', ['key', 'window_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropTable('event_subscriptions').execute();
  await db.schema.dropTable('outbox_events').execute();
}
