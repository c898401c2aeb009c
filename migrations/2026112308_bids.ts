import { type Kysely, sql } from 'kysely';

/**
 * Calls for production (抢单) and the bids partner organisations submit on them. Owned by the bids
 * module: no foreign keys into other modules' tables (needs and organisations are checked by their
 * services).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bid_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('target_unit_price', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('requirements', 'text', (c) => c.notNull())
    // `open` (taking bids until the deadline, then awaiting an award) or `awarded`.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('awarded_by', 'text')
    .addColumn('awarded_at', 'text')
    .addColumn('awarded_quantity', 'integer')
    .execute();
  await db.schema.createIndex('bid_calls_need').on('bid_calls').columns(['need_id', 'id']).execute();
  // One call per need that is not awarded yet (partial unique indexes work alike on both backends).
  await db.schema
    .createIndex('bid_calls_one_open_per_need')
    .on('bid_calls')
    .column('need_id')
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();

  await db.schema
    .createTable('bids')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull().references('bid_calls.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('unit_cost', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('min_quantity', 'integer', (c) => c.notNull())
    .addColumn('max_quantity', 'integer', (c) => c.notNull())
    .addColumn('lead_time_days', 'integer', (c) => c.notNull())
    .addColumn('capacity_per_week', 'integer', (c) => c.notNull())
    .addColumn('sample_offered', 'integer', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    // `live`, `withdrawn`, `awarded` or `lost`.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('awarded_quantity', 'integer')
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One bid per organisation per call: resubmitting replaces it, withdrawing marks it.
  await db.schema.createIndex('bids_call_organisation').on('bids').columns(['call_id', 'organisation_id']).unique().execute();
  await db.schema.createIndex('bids_organisation').on('bids').columns(['organisation_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['bids', 'bid_calls']) await db.schema.dropTable(t).execute();
}
