import type { Kysely } from 'kysely';

/**
 * Products made from an accepted need's chosen solution by its chain group, with their SKUs. Owned
 * by the products module: no foreign keys into other modules' tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('solution_id', 'text', (c) => c.notNull())
    .addColumn('chain_group_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // JSON: string[] of https URLs.
    .addColumn('images', 'text', (c) => c.notNull())
    // JSON: { key, value, source, pollId }[].
    .addColumn('specs', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_need').on('products').columns(['need_id', 'id']).execute();
  await db.schema.createIndex('products_chain_group').on('products').columns(['chain_group_id', 'id']).execute();

  await db.schema
    .createTable('product_skus')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: Record<string, string>.
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_skus_pk', ['product_id', 'code'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['product_skus', 'products']) await db.schema.dropTable(t).execute();
}
