import { type Kysely, sql } from 'kysely';

/**
 * The simulated provider claims due webhooks earliest-due first, from an index in that order. Its
 * claim was "undelivered and due, by id, limit n" over an index on `due_at` alone; after a flash
 * sale PostgreSQL planned it as a bitmap scan of every due row (11,891 index entries, dead ones
 * included, for 3,019 live rows) and a sort to keep 100: 5.3 ms a claim. Read from an index on
 * (due_at, id) in that order, a claim stops after its n rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('simulated_webhooks_due').execute();
  await db.schema
    .createIndex('simulated_webhooks_due_order')
    .on('simulated_webhooks')
    .columns(['due_at', 'id'])
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('simulated_webhooks_due_order').execute();
  await db.schema
    .createIndex('simulated_webhooks_due')
    .on('simulated_webhooks')
    .column('due_at')
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}
