import { type Kysely, sql } from 'kysely';

/**
 * Campaigns (产消款) with their stock counters, the orders they take, and trial applications and
 * feedback. Owned by the campaigns module: no foreign keys into other modules' tables (products,
 * needs and members are checked by their services).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('chain_group_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // `presale`, `crowdfunding`, `flash` or `trial`.
    .addColumn('mode', 'text', (c) => c.notNull())
    // `draft`, `scheduled`, `live`, `sold_out`, `ended` or `settled` as last recorded; reads apply the clock.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    // Units held by orders that were not cancelled or restocked; remaining = quantity - sold.
    .addColumn('sold', 'integer', (c) => c.notNull().defaultTo(0))
    // The totals of those orders, in minor units (a crowdfunding goal in money is measured on it).
    .addColumn('sold_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    // JSON number[]: units held per price tier, so a returned early-bird unit sells again at its price.
    .addColumn('tier_sold', 'text', (c) => c.notNull())
    // Units held by orders placed in the first claim (supporters with purchase intent).
    .addColumn('first_claim_sold', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON { upTo: number | null, unitPrice: number }[]: cumulative unit counts, prices in minor units.
    .addColumn('price_tiers', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('per_member_limit', 'integer')
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('goal_units', 'integer')
    .addColumn('goal_amount', 'bigint')
    // First claim: minutes after the start when only supporters with purchase intent may order;
    // units held back for them, and for how many minutes after the start (null: the whole campaign).
    .addColumn('first_claim_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_claim_units', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_claim_units_minutes', 'integer')
    .addColumn('payment_timeout_minutes', 'integer', (c) => c.notNull())
    .addColumn('agreement_version', 'integer')
    // `goal-met` or `goal-missed` once a crowdfunding campaign has ended.
    .addColumn('outcome', 'text')
    // JSON: the trial's seeded draw { seed, count, drawnAt, drawnBy, winners }.
    .addColumn('trial_draw', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('launched_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('settled_at', 'text')
    .execute();
  await db.schema.createIndex('campaigns_product').on('campaigns').columns(['product_id', 'id']).execute();
  await db.schema.createIndex('campaigns_state').on('campaigns').columns(['state', 'id']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    // JSON { tier, unitPrice, quantity }[]: the units of each price tier the order holds.
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // `capture` (pay now), `authorise` (crowdfunding: captured when the goal is met) or `none` (free trial).
    .addColumn('capture', 'text', (c) => c.notNull())
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    // 1 once the order's units went back to the campaign's stock (cancelled, or refunded with restock).
    .addColumn('restocked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('first_claim', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trial', 'integer', (c) => c.notNull().defaultTo(0))
    // While pending payment: when the reservation lapses (later while a payment is under way).
    .addColumn('expires_at', 'text')
    .addColumn('payment_pending', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON { recipient, phone, address, postalCode } or null.
    .addColumn('shipping', 'text')
    .addColumn('maker_organisation_id', 'text')
    .addColumn('lot', 'text')
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('fulfilled_by', 'text')
    .addColumn('fulfilled_at', 'text')
    .addColumn('paid_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The same key from the same member is the same order (Idempotency-Key).
  await db.schema.createIndex('orders_idempotency').on('orders').columns(['member_id', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('orders_campaign_member').on('orders').columns(['campaign_id', 'member_id']).execute();
  await db.schema.createIndex('orders_member').on('orders').columns(['member_id', 'id']).execute();
  await db.schema
    .createIndex('orders_pending_expiry')
    .on('orders')
    .column('expires_at')
    .where(sql.ref('state'), '=', 'pending_payment')
    .execute();

  await db.schema
    .createTable('trial_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('motivation', 'text', (c) => c.notNull())
    .addColumn('usage', 'text', (c) => c.notNull())
    .addColumn('household_size', 'integer')
    // `applied`, `selected`, `not_selected` or `withdrawn`.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema
    .createIndex('trial_applications_member')
    .on('trial_applications')
    .columns(['campaign_id', 'member_id'])
    .unique()
    .execute();

  await db.schema
    .createTable('trial_feedback')
    .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer', (c) => c.notNull())
    // `yes`, `maybe` or `no`.
    .addColumn('would_buy', 'text', (c) => c.notNull())
    .addColumn('liked', 'text', (c) => c.notNull())
    .addColumn('improve', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trial_feedback_campaign').on('trial_feedback').columns(['campaign_id', 'order_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['trial_feedback', 'trial_applications', 'orders', 'campaigns']) await db.schema.dropTable(t).execute();
}
