import type { Generated } from 'kysely';

export interface LedgerAccountsTable {
  id: string;
  party_kind: string;
  party_id: string;
  kind: string;
  currency: string;
  debits: number;
  credits: number;
  balance: number;
  created_at: string;
  updated_at: string;
}

export interface LedgerEntriesTable {
  id: string;
  kind: string;
  cause_type: string;
  cause_id: string;
  currency: string;
  order_id: string | null;
  product_id: string | null;
  memo: string;
  posted_by: string | null;
  /** The fingerprint of the request (adjustments), to refuse a key replayed with another body. */
  request_hash: string | null;
  posted_at: string;
}

export interface LedgerLinesTable {
  id: Generated<number>;
  entry_id: string;
  account_id: string;
  entry_kind: string;
  currency: string;
  amount: number;
  balance_after: number;
  purpose: string;
  role: string | null;
  product_id: string | null;
  order_id: string | null;
  posted_at: string;
}

export interface LedgerSalesTable {
  order_id: string;
  payment_id: string;
  campaign_id: string;
  product_id: string;
  need_id: string;
  chain_group_id: string;
  agreement_version: number;
  currency: string;
  paid: number;
  quantity: number;
  refunded: number;
  /** JSON StoredPosition[]. */
  positions: string;
  /** JSON StoredBasis. */
  basis: string;
  posted_at: string;
  updated_at: string;
}

export interface LedgerAccountDaysTable {
  account_id: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  purpose: string;
  /** '' for none. */
  role: string;
  currency: string;
  amount: number;
}

export interface LedgerProductTotalsTable {
  product_id: string;
  purpose: string;
  /** '' for none. */
  role: string;
  currency: string;
  amount: number;
}

export interface LedgerSalePartiesTable {
  id: Generated<number>;
  /** `kind:id` of the party. */
  party: string;
  order_id: string;
}

export interface LedgerAttributionsTable {
  order_id: string;
  referrer_id: string;
  source: string;
  created_at: string;
}

export interface LedgerPayoutBatchesTable {
  id: string;
  currency: string;
  threshold: number;
  count: number;
  total: number;
  created_by: string;
  created_at: string;
}

export interface LedgerPayoutsTable {
  id: string;
  batch_id: string;
  reference: string;
  party_kind: string;
  party_id: string;
  currency: string;
  amount: number;
  /** JSON { accountId, amount }[]. */
  sources: string;
  state: string;
  failure_reason: string | null;
  settled_by: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_lines: LedgerLinesTable;
  ledger_sales: LedgerSalesTable;
  ledger_sale_parties: LedgerSalePartiesTable;
  ledger_account_days: LedgerAccountDaysTable;
  ledger_product_totals: LedgerProductTotalsTable;
  ledger_attributions: LedgerAttributionsTable;
  ledger_payout_batches: LedgerPayoutBatchesTable;
  ledger_payouts: LedgerPayoutsTable;
}
