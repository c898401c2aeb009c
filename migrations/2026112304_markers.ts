import type { Kysely } from 'kysely';

/** One-time markers: work that must happen once across every process (the demo seed). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('markers')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('markers').execute();
}
