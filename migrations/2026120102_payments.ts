import { type Kysely, sql } from 'kysely';
import { withSerialId } from '../src/platform/db/dialect.js';

/**
 * Payments and refunds through providers, the webhook events already taken (replay protection),
 * and the simulated provider's own books (its charges and the webhooks it sends). Owned by the
 * payments module: no foreign keys into other modules' tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    // 1: capture at once (pay now); 0: authorise only, captured later (crowdfunding).
    .addColumn('capture', 'integer', (c) => c.notNull())
    // `pending`, `authorised`, `captured`, `failed` or `voided`.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('provider_ref', 'text')
    // JSON: what the payer must do next (bank transfer details, a redirect), or null.
    .addColumn('next_action', 'text')
    .addColumn('failure_reason', 'text')
    // `capture` or `void`: asked of the provider by the operations job (crowdfunding settlement, cancellations).
    .addColumn('pending_operation', 'text')
    .addColumn('operation_reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    // JSON: the simulated provider's instructions for this payment (outcome, delay).
    .addColumn('simulate', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('authorised_at', 'text')
    .addColumn('captured_at', 'text')
    .addColumn('voided_at', 'text')
    .execute();
  await db.schema.createIndex('payments_idempotency').on('payments').columns(['member_id', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('payments_order').on('payments').columns(['order_id', 'id']).execute();
  await db.schema.createIndex('payments_campaign').on('payments').columns(['campaign_id', 'state']).execute();
  await db.schema
    .createIndex('payments_operations')
    .on('payments')
    .column('retry_at')
    .where(sql.ref('pending_operation'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('payments_unresolved')
    .on('payments')
    .column('created_at')
    .where(sql.ref('state'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // `pending`, `succeeded` or `failed`.
    .addColumn('state', 'text', (c) => c.notNull())
    // 1: the order's units go back to stock when the order is refunded in full.
    .addColumn('restock', 'integer', (c) => c.notNull())
    // Set when the refund ends the order as cancelled (a cancellation or a missed goal), with its reason.
    .addColumn('cancel_reason', 'text')
    .addColumn('provider_ref', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refunds_payment').on('refunds').columns(['payment_id', 'id']).execute();
  await db.schema.createIndex('refunds_order').on('refunds').columns(['order_id', 'id']).execute();
  await db.schema
    .createIndex('refunds_idempotency')
    .on('refunds')
    .columns(['requested_by', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('refunds_pending')
    .on('refunds')
    .column('retry_at')
    .where(sql.ref('state'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('payment_webhook_events')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_webhook_events_pk', ['provider', 'event_id'])
    .execute();

  // The simulated provider's side: what it was asked to charge, and the webhooks it owes the server.
  await db.schema
    .createTable('simulated_charges')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull().unique())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('capture', 'integer', (c) => c.notNull())
    // The outcome decided when the charge was made, known to the payer from `settles_at` on:
    // `authorised`, `captured` or `failed`; later `voided` or `captured` by the merchant's calls.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('settles_at', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('captured_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('simulated_refunds')
    .addColumn('refund_id', 'text', (c) => c.primaryKey())
    .addColumn('charge_ref', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await withSerialId(db, db.schema.createTable('simulated_webhooks'))
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('simulated_webhooks_due')
    .on('simulated_webhooks')
    .column('due_at')
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'simulated_webhooks',
    'simulated_refunds',
    'simulated_charges',
    'payment_webhook_events',
    'refunds',
    'payments',
  ])
    await db.schema.dropTable(t).execute();
}
