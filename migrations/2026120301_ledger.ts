import { type Kysely, sql } from 'kysely';
import { withSerialId } from '../src/platform/db/dialect.js';

/**
 * The ledger (分账): double-entry accounts, an append-only journal of entries whose lines add up
 * to zero, the split state of every sale, order attributions (the referral hook) and payouts.
 * Owned by the ledger module: no foreign keys into other modules' tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_accounts')
    // `kind:party_kind:party_id:currency`, so a posting names its accounts without looking them up.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('party_kind', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('debits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('credits', 'bigint', (c) => c.notNull().defaultTo(0))
    // credits − debits, kept with the totals by every posting (under the account's lock).
    .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('ledger_accounts_balance', sql`balance = credits - debits`)
    .execute();
  await db.schema.createIndex('ledger_accounts_party').on('ledger_accounts').columns(['party_kind', 'party_id']).execute();
  await db.schema.createIndex('ledger_accounts_kind').on('ledger_accounts').columns(['kind', 'currency', 'balance']).execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // What the entry records, e.g. ('order.paid', order id) or ('payout', payout id): one entry per cause.
    .addColumn('cause_type', 'text', (c) => c.notNull())
    .addColumn('cause_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('product_id', 'text')
    .addColumn('memo', 'text', (c) => c.notNull())
    .addColumn('posted_by', 'text')
    // An adjustment's request fingerprint (its Idempotency-Key replayed with another body is refused).
    .addColumn('request_hash', 'text')
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_cause').on('ledger_entries').columns(['cause_type', 'cause_id']).unique().execute();

  await withSerialId(db, db.schema.createTable('ledger_lines'))
    .addColumn('entry_id', 'text', (c) => c.notNull().references('ledger_entries.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('entry_kind', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // + credit, − debit; the lines of an entry add up to zero.
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('product_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .addCheckConstraint('ledger_lines_amount', sql`amount <> 0`)
    .execute();
  await db.schema.createIndex('ledger_lines_account').on('ledger_lines').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('ledger_lines_entry').on('ledger_lines').column('entry_id').execute();
  await db.schema.createIndex('ledger_lines_product').on('ledger_lines').columns(['product_id', 'purpose']).execute();

  await db.schema
    .createTable('ledger_sales')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('chain_group_id', 'text', (c) => c.notNull())
    .addColumn('agreement_version', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('paid', 'bigint', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    // JSON StoredPosition[]: each allocation, what it was given and what refunds took back.
    .addColumn('positions', 'text', (c) => c.notNull())
    // JSON StoredBasis: the weights and the log entries they came from.
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_sales_product').on('ledger_sales').columns(['product_id', 'posted_at']).execute();

  // Net amounts per account, UTC day, purpose and role, kept by every posting: earnings pages read
  // these instead of every line. role '' stands for none (a key column cannot be null).
  await db.schema
    .createTable('ledger_account_days')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_account_days_pk', ['account_id', 'day', 'purpose', 'role'])
    .execute();
  // Net amounts per product, purpose and role on the parties' accounts: what a product shared.
  await db.schema
    .createTable('ledger_product_totals')
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_product_totals_pk', ['product_id', 'purpose', 'role', 'currency'])
    .execute();

  // The sales each party has a part in, for "my earnings" (newest first).
  await withSerialId(db, db.schema.createTable('ledger_sale_parties'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_sale_parties_key')
    .on('ledger_sale_parties')
    .columns(['party', 'order_id'])
    .unique()
    .execute();
  await db.schema.createIndex('ledger_sale_parties_party').on('ledger_sale_parties').columns(['party', 'id']).execute();

  // Orders attributed to a referrer (the referral module writes them; the split reads them).
  await db.schema
    .createTable('ledger_attributions')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('referrer_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_payout_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('threshold', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('ledger_payout_batches.id'))
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('party_kind', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    // JSON [{ accountId, amount }]: what the payout took from each account (a failure gives it back).
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('settled_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('settled_at', 'text')
    .addCheckConstraint('ledger_payouts_amount', sql`amount > 0`)
    .execute();
  await db.schema.createIndex('ledger_payouts_batch').on('ledger_payouts').columns(['batch_id', 'id']).execute();
  await db.schema.createIndex('ledger_payouts_party').on('ledger_payouts').columns(['party_kind', 'party_id', 'state']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'ledger_payouts',
    'ledger_payout_batches',
    'ledger_attributions',
    'ledger_sale_parties',
    'ledger_product_totals',
    'ledger_account_days',
    'ledger_sales',
    'ledger_lines',
    'ledger_entries',
    'ledger_accounts',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
