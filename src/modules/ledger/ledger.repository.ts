import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type {
  LedgerAccountDaysTable,
  LedgerAccountsTable,
  LedgerAttributionsTable,
  LedgerEntriesTable,
  LedgerLinesTable,
  LedgerPayoutBatchesTable,
  LedgerPayoutsTable,
  LedgerProductTotalsTable,
  LedgerSalesTable,
  LedgerTables,
} from './ledger.tables.js';

const q = (ex: Executor) => ex as Kysely<LedgerTables>;
const CHUNK = 400;

/** Filters of a statement. */
export interface LineFilter {
  accountKind?: string;
  purpose?: string;
  productId?: string;
  currency?: string;
  from?: string;
  to?: string;
}

async function chunked<T>(rows: readonly T[], size: number, fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
}

export const ledgerRepository = {
  // ——— the journal ———

  /** The causes of these (type, id) pairs that already have an entry, as `type\u0000id`. */
  async postedCauses(ex: Executor, causes: readonly { type: string; id: string }[]): Promise<Set<string>> {
    const found = new Set<string>();
    const byType = new Map<string, string[]>();
    for (const c of causes) byType.set(c.type, [...(byType.get(c.type) ?? []), c.id]);
    for (const [type, ids] of byType) {
      await chunked(ids, CHUNK, async (chunk) => {
        const rows = await q(ex)
          .selectFrom('ledger_entries')
          .select('cause_id')
          .where('cause_type', '=', type)
          .where('cause_id', 'in', chunk)
          .execute();
        for (const r of rows) found.add(`${type}\u0000${r.cause_id}`);
      });
    }
    return found;
  },

  /** Inserts entries; a cause already posted is a unique violation (the caller's transaction fails). */
  async insertEntries(ex: Executor, rows: readonly LedgerEntriesTable[]): Promise<void> {
    await chunked(rows, CHUNK, (chunk) => q(ex).insertInto('ledger_entries').values(chunk).execute());
  },

  async insertLines(ex: Executor, rows: readonly Omit<LedgerLinesTable, 'id'>[]): Promise<void> {
    await chunked(rows, 200, (chunk) => q(ex).insertInto('ledger_lines').values(chunk).execute());
  },

  /** Adds amounts to the per-account-day and per-product totals (one row per key, summed). */
  async addTotals(ex: Executor, days: readonly LedgerAccountDaysTable[], products: readonly LedgerProductTotalsTable[]) {
    await chunked(days, CHUNK, (chunk) =>
      q(ex)
        .insertInto('ledger_account_days')
        .values(chunk)
        .onConflict((oc) =>
          oc
            .columns(['account_id', 'day', 'purpose', 'role'])
            .doUpdateSet((eb) => ({ amount: eb('ledger_account_days.amount', '+', eb.ref('excluded.amount')) })),
        )
        .execute(),
    );
    await chunked(products, CHUNK, (chunk) =>
      q(ex)
        .insertInto('ledger_product_totals')
        .values(chunk)
        .onConflict((oc) =>
          oc
            .columns(['product_id', 'purpose', 'role', 'currency'])
            .doUpdateSet((eb) => ({ amount: eb('ledger_product_totals.amount', '+', eb.ref('excluded.amount')) })),
        )
        .execute(),
    );
  },

  /**
   * Locks accounts in id order — their aggregate locks first, then the accounts in `create` that do
   * not exist yet are made (balances zero), then the rows are locked — and reads them. Taking the
   * advisory locks before inserting keeps two transactions making the same new accounts from
   * waiting on each other's inserts.
   */
  async lockAccounts(
    ex: Executor,
    ids: readonly string[],
    create: readonly LedgerAccountsTable[] = [],
  ): Promise<Map<string, LedgerAccountsTable>> {
    const sorted = [...new Set(ids)].sort();
    await lockAggregates(ex, 'ledger-account', sorted);
    const rows = [...create].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await chunked(rows, CHUNK, (chunk) =>
      q(ex)
        .insertInto('ledger_accounts')
        .values(chunk)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute(),
    );
    const out = new Map<string, LedgerAccountsTable>();
    await chunked(sorted, CHUNK, async (chunk) => {
      const found = await forUpdate(
        ex,
        q(ex).selectFrom('ledger_accounts').selectAll().where('id', 'in', chunk).orderBy('id'),
      ).execute();
      for (const r of found) out.set(r.id, r);
    });
    return out;
  },

  async saveAccount(ex: Executor, id: string, set: Pick<LedgerAccountsTable, 'debits' | 'credits' | 'balance' | 'updated_at'>) {
    await q(ex).updateTable('ledger_accounts').set(set).where('id', '=', id).execute();
  },

  findEntryByCause(ex: Executor, type: string, id: string) {
    return q(ex)
      .selectFrom('ledger_entries')
      .selectAll()
      .where('cause_type', '=', type)
      .where('cause_id', '=', id)
      .executeTakeFirst();
  },

  findEntry(ex: Executor, id: string) {
    return q(ex).selectFrom('ledger_entries').selectAll().where('id', '=', id).executeTakeFirst();
  },

  linesOfEntry(ex: Executor, entryId: string) {
    return q(ex)
      .selectFrom('ledger_lines')
      .innerJoin('ledger_accounts', 'ledger_accounts.id', 'ledger_lines.account_id')
      .select([
        'ledger_lines.account_id',
        'ledger_lines.amount',
        'ledger_lines.purpose',
        'ledger_lines.role',
        'ledger_accounts.party_kind',
        'ledger_accounts.party_id',
        'ledger_accounts.kind',
      ])
      .where('ledger_lines.entry_id', '=', entryId)
      .orderBy('ledger_lines.id')
      .execute();
  },

  // ——— sales ———

  async findSales(ex: Executor, orderIds: readonly string[]): Promise<Map<string, LedgerSalesTable>> {
    const out = new Map<string, LedgerSalesTable>();
    await chunked([...new Set(orderIds)], CHUNK, async (chunk) => {
      for (const r of await q(ex).selectFrom('ledger_sales').selectAll().where('order_id', 'in', chunk).execute()) {
        out.set(r.order_id, r);
      }
    });
    return out;
  },

  async insertSales(ex: Executor, rows: readonly LedgerSalesTable[]): Promise<void> {
    await chunked(rows, 100, (chunk) => q(ex).insertInto('ledger_sales').values(chunk).execute());
  },

  async updateSale(ex: Executor, orderId: string, set: Pick<LedgerSalesTable, 'positions' | 'refunded' | 'updated_at'>) {
    await q(ex).updateTable('ledger_sales').set(set).where('order_id', '=', orderId).execute();
  },

  async addSaleParties(ex: Executor, rows: readonly { party: string; order_id: string }[]): Promise<void> {
    await chunked(rows, CHUNK, (chunk) =>
      q(ex)
        .insertInto('ledger_sale_parties')
        .values(chunk)
        .onConflict((oc) => oc.columns(['party', 'order_id']).doNothing())
        .execute(),
    );
  },

  /** A party's sales, newest first. */
  async salesOfParty(ex: Executor, party: string, limit: number, beforeId?: number) {
    let query = q(ex)
      .selectFrom('ledger_sale_parties')
      .innerJoin('ledger_sales', 'ledger_sales.order_id', 'ledger_sale_parties.order_id')
      .selectAll('ledger_sales')
      .select('ledger_sale_parties.id as seq')
      .where('ledger_sale_parties.party', '=', party);
    if (beforeId !== undefined) query = query.where('ledger_sale_parties.id', '<', beforeId);
    return query.orderBy('ledger_sale_parties.id', 'desc').limit(limit).execute();
  },

  // ——— attributions ———

  async attributions(ex: Executor, orderIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await chunked([...new Set(orderIds)], CHUNK, async (chunk) => {
      const rows = await q(ex)
        .selectFrom('ledger_attributions')
        .select(['order_id', 'referrer_id'])
        .where('order_id', 'in', chunk)
        .execute();
      for (const r of rows) out.set(r.order_id, r.referrer_id);
    });
    return out;
  },

  findAttribution(ex: Executor, orderId: string) {
    return q(ex).selectFrom('ledger_attributions').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  },

  async insertAttribution(ex: Executor, row: LedgerAttributionsTable): Promise<void> {
    await q(ex).insertInto('ledger_attributions').values(row).execute();
  },

  // ——— statements and reports ———

  accountsOfParty(ex: Executor, partyKind: string, partyId: string) {
    return q(ex)
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('party_kind', '=', partyKind)
      .where('party_id', '=', partyId)
      .orderBy('id')
      .execute();
  },

  /**
   * Lines of these accounts, newest first (keyset by line id). A page reads each account by its
   * index on its own and merges them, so a party with several accounts still reads ~`limit` rows
   * per account instead of sorting all its lines.
   */
  async lines(ex: Executor, accountIds: readonly string[], f: LineFilter, limit: number | null, beforeId?: number) {
    if (limit === null || accountIds.length <= 1) return this.linesOf(ex, accountIds, f, limit, beforeId);
    const parts = await Promise.all(accountIds.map((id) => this.linesOf(ex, [id], f, limit, beforeId)));
    return parts
      .flat()
      .sort((a, b) => Number(b.id) - Number(a.id))
      .slice(0, limit);
  },

  linesOf(ex: Executor, accountIds: readonly string[], f: LineFilter, limit: number | null, beforeId?: number) {
    let query = q(ex)
      .selectFrom('ledger_lines')
      .innerJoin('ledger_entries', 'ledger_entries.id', 'ledger_lines.entry_id')
      .select([
        'ledger_lines.id',
        'ledger_lines.entry_id',
        'ledger_lines.entry_kind',
        'ledger_lines.account_id',
        'ledger_lines.currency',
        'ledger_lines.amount',
        'ledger_lines.balance_after',
        'ledger_lines.purpose',
        'ledger_lines.role',
        'ledger_lines.product_id',
        'ledger_lines.order_id',
        'ledger_lines.posted_at',
        'ledger_entries.memo',
      ])
      .where('ledger_lines.account_id', 'in', accountIds);
    if (f.purpose) query = query.where('ledger_lines.purpose', '=', f.purpose);
    if (f.productId) query = query.where('ledger_lines.product_id', '=', f.productId);
    if (f.currency) query = query.where('ledger_lines.currency', '=', f.currency);
    if (f.from) query = query.where('ledger_lines.posted_at', '>=', f.from);
    if (f.to) query = query.where('ledger_lines.posted_at', '<', f.to);
    if (beforeId !== undefined) query = query.where('ledger_lines.id', '<', beforeId);
    query = query.orderBy('ledger_lines.id', 'desc');
    return (limit === null ? query : query.limit(limit)).execute();
  },

  /** Net amounts of these accounts by purpose, role and currency (payouts left out), from the day totals. */
  async byPurpose(ex: Executor, accountIds: readonly string[]) {
    if (accountIds.length === 0) return [];
    const rows = await q(ex)
      .selectFrom('ledger_account_days')
      .select(['purpose', 'role', 'currency', (eb) => eb.fn.sum<number>('amount').as('amount')])
      .where('account_id', 'in', accountIds)
      .where('purpose', '<>', 'payout')
      .groupBy(['purpose', 'role', 'currency'])
      .orderBy('purpose')
      .orderBy('role')
      .execute();
    return rows.map((r) => ({ ...r, role: r.role === '' ? null : r.role }));
  },

  /** Net amounts of these accounts per UTC day (payouts left out), oldest first. */
  daily(ex: Executor, accountIds: readonly string[]) {
    if (accountIds.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('ledger_account_days')
      .select(['day', 'currency', (eb) => eb.fn.sum<number>('amount').as('amount')])
      .where('account_id', 'in', accountIds)
      .where('purpose', '<>', 'payout')
      .groupBy(['day', 'currency'])
      .orderBy('day')
      .execute();
  },

  /** Net amounts of a product's lines on the parties' accounts (not the receivable), by purpose and role. */
  async productTotals(ex: Executor, productId: string) {
    const rows = await q(ex)
      .selectFrom('ledger_product_totals')
      .select(['purpose', 'role', 'currency', 'amount'])
      .where('product_id', '=', productId)
      .orderBy('purpose')
      .orderBy('role')
      .execute();
    return rows.map((r) => ({ ...r, role: r.role === '' ? null : r.role }));
  },

  async countSales(ex: Executor, productId?: string): Promise<number> {
    let query = q(ex)
      .selectFrom('ledger_sales')
      .select((eb) => eb.fn.countAll<number>().as('n'));
    if (productId) query = query.where('product_id', '=', productId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  },

  /** Debits and credits of every line, per currency: the trial balance. */
  trialBalance(ex: Executor) {
    return q(ex)
      .selectFrom('ledger_lines')
      .select([
        'currency',
        sql<number>`coalesce(sum(case when amount < 0 then -amount else 0 end), 0)`.as('debits'),
        sql<number>`coalesce(sum(case when amount > 0 then amount else 0 end), 0)`.as('credits'),
        (eb) => eb.fn.countAll<number>().as('lines'),
      ])
      .groupBy('currency')
      .orderBy('currency')
      .execute();
  },

  kindTotals(ex: Executor) {
    return q(ex)
      .selectFrom('ledger_accounts')
      .select([
        'kind',
        'currency',
        (eb) => eb.fn.countAll<number>().as('accounts'),
        (eb) => eb.fn.sum<number>('debits').as('debits'),
        (eb) => eb.fn.sum<number>('credits').as('credits'),
        (eb) => eb.fn.sum<number>('balance').as('balance'),
      ])
      .groupBy(['kind', 'currency'])
      .orderBy('kind')
      .orderBy('currency')
      .execute();
  },

  async countEntries(ex: Executor): Promise<number> {
    const row = await q(ex)
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  // ——— payouts ———

  /**
   * The accounts payouts draw from (earnings and commissions) of every member and organisation
   * whose balances there add up to at least `threshold` in `currency` — negative ones included, so
   * a payout is never more than what is available. A look: lock them before deciding.
   */
  async payableAccounts(ex: Executor, currency: string, threshold: number): Promise<string[]> {
    const parties = q(ex)
      .selectFrom('ledger_accounts')
      .select(['party_kind', 'party_id'])
      .where('kind', 'in', ['earnings', 'commissions'])
      .where('party_kind', 'in', ['member', 'organisation'])
      .where('currency', '=', currency)
      .groupBy(['party_kind', 'party_id'])
      .having((eb) => eb.fn.sum('balance'), '>=', threshold);
    const rows = await q(ex)
      .selectFrom('ledger_accounts as a')
      .innerJoin(parties.as('p'), (join) =>
        join.onRef('p.party_kind', '=', 'a.party_kind').onRef('p.party_id', '=', 'a.party_id'),
      )
      .select('a.id')
      .where('a.kind', 'in', ['earnings', 'commissions'])
      .where('a.currency', '=', currency)
      .orderBy('a.id')
      .execute();
    return rows.map((r) => r.id);
  },

  async insertBatch(ex: Executor, row: LedgerPayoutBatchesTable): Promise<void> {
    await q(ex).insertInto('ledger_payout_batches').values(row).execute();
  },

  async insertPayouts(ex: Executor, rows: readonly LedgerPayoutsTable[]): Promise<void> {
    await chunked(rows, 200, (chunk) => q(ex).insertInto('ledger_payouts').values(chunk).execute());
  },

  findBatch(ex: Executor, id: string) {
    return q(ex).selectFrom('ledger_payout_batches').selectAll().where('id', '=', id).executeTakeFirst();
  },

  listBatches(ex: Executor, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('ledger_payout_batches').selectAll();
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Payouts by state of these batches. */
  batchStates(ex: Executor, batchIds: readonly string[]) {
    if (batchIds.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('ledger_payouts')
      .select(['batch_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('batch_id', 'in', batchIds)
      .groupBy(['batch_id', 'state'])
      .execute();
  },

  payoutsOfBatch(ex: Executor, batchId: string) {
    return q(ex).selectFrom('ledger_payouts').selectAll().where('batch_id', '=', batchId).orderBy('id').execute();
  },

  findPayout(ex: Executor, id: string) {
    return q(ex).selectFrom('ledger_payouts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findPayoutForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'ledger-payout', [id]);
    return forUpdate(ex, q(ex).selectFrom('ledger_payouts').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  async updatePayout(ex: Executor, id: string, set: Partial<LedgerPayoutsTable>): Promise<void> {
    await q(ex).updateTable('ledger_payouts').set(set).where('id', '=', id).execute();
  },

  /** A party's payouts by state and currency. */
  payoutTotals(ex: Executor, partyKind: string, partyId: string) {
    return q(ex)
      .selectFrom('ledger_payouts')
      .select(['state', 'currency', (eb) => eb.fn.sum<number>('amount').as('amount')])
      .where('party_kind', '=', partyKind)
      .where('party_id', '=', partyId)
      .groupBy(['state', 'currency'])
      .execute();
  },
};
