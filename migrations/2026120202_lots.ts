import { type Kysely, sql } from 'kysely';

/**
 * Production lots (batches) that makers record against their awarded bids, with the QA result and
 * the shipments of each lot. Owned by the lots module: no foreign keys into other modules' tables
 * (products, bids and organisations are checked by their services).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('bid_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('lot_number', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    // 'YYYY-MM-DD'.
    .addColumn('produced_on', 'text', (c) => c.notNull())
    // `pending` until a QA result is recorded, then `passed` or `failed` for good.
    .addColumn('qa_result', 'text', (c) => c.notNull())
    .addColumn('qa_notes', 'text')
    .addColumn('qa_recorded_by', 'text')
    .addColumn('qa_recorded_at', 'text')
    // Units of orders fulfilled from this lot.
    .addColumn('units_fulfilled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('lots_quantity_positive', sql`quantity > 0`)
    .addCheckConstraint('lots_units_fulfilled_within', sql`units_fulfilled >= 0 AND units_fulfilled <= quantity`)
    .execute();
  // A lot number names one lot of a product (orders name their lot by it).
  await db.schema.createIndex('lots_product_number').on('lots').columns(['product_id', 'lot_number']).unique().execute();
  await db.schema.createIndex('lots_product').on('lots').columns(['product_id', 'id']).execute();
  await db.schema.createIndex('lots_bid').on('lots').column('bid_id').execute();

  await db.schema
    .createTable('lot_shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('lot_id', 'text', (c) => c.notNull().references('lots.id').onDelete('cascade'))
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('tracking_number', 'text')
    // Where the units go, e.g. "品牌仓 上海".
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('shipped_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('delivered_by', 'text')
    .addCheckConstraint('lot_shipments_quantity_positive', sql`quantity > 0`)
    .execute();
  await db.schema.createIndex('lot_shipments_lot').on('lot_shipments').columns(['lot_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['lot_shipments', 'lots']) await db.schema.dropTable(t).execute();
}
