import type { Kysely } from 'kysely';
import type { Executor } from '../../../platform/db/database.js';
import { forUpdate } from '../../../platform/db/dialect.js';
import type {
  SimulatedChargesTable,
  SimulatedProviderTables,
  SimulatedRefundsTable,
  SimulatedWebhooksTable,
} from '../payments.tables.js';

const q = (ex: Executor) => ex as Kysely<SimulatedProviderTables>;

/** The simulated provider's own books: its charges, refunds and the webhooks it owes. */
export const simulatedRepository = {
  /** Inserts charges in one statement, skipping payments that have one; returns which were created and the others' charges. */
  async insertCharges(ex: Executor, rows: readonly SimulatedChargesTable[]) {
    const inserted = await q(ex)
      .insertInto('simulated_charges')
      .values([...rows])
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .returning('payment_id')
      .execute();
    const created = new Set(inserted.map((r) => r.payment_id));
    const others = rows.filter((r) => !created.has(r.payment_id)).map((r) => r.payment_id);
    const existing = new Map<string, SimulatedChargesTable>();
    if (others.length > 0) {
      for (const ch of await q(ex).selectFrom('simulated_charges').selectAll().where('payment_id', 'in', others).execute()) {
        existing.set(ch.payment_id, ch);
      }
    }
    return { created, existing };
  },

  findCharge(ex: Executor, paymentId: string) {
    return q(ex).selectFrom('simulated_charges').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
  },

  findChargeForUpdate(ex: Executor, paymentId: string) {
    return forUpdate(
      ex,
      q(ex).selectFrom('simulated_charges').selectAll().where('payment_id', '=', paymentId),
    ).executeTakeFirst();
  },

  async updateCharge(ex: Executor, ref: string, set: Partial<Omit<SimulatedChargesTable, 'ref'>>): Promise<void> {
    await q(ex).updateTable('simulated_charges').set(set).where('ref', '=', ref).execute();
  },

  /** Inserts a refund unless one exists with its id; true when inserted. */
  async insertRefund(ex: Executor, row: SimulatedRefundsTable): Promise<boolean> {
    const r = await q(ex)
      .insertInto('simulated_refunds')
      .values(row)
      .onConflict((oc) => oc.column('refund_id').doNothing())
      .returning('refund_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  async queueWebhooks(ex: Executor, rows: readonly Omit<SimulatedWebhooksTable, 'id'>[]): Promise<void> {
    if (rows.length > 0)
      await q(ex)
        .insertInto('simulated_webhooks')
        .values([...rows])
        .execute();
  },

  /**
   * Claims due, undelivered webhooks, earliest due first, until `leaseUntil` (skipping rows another
   * process claims at this moment). Read in the order of the index `simulated_webhooks_due_order`,
   * so a claim stops after its `limit` rows however long the queue.
   */
  async claimDue(ex: Executor, nowIso: string, leaseUntil: string, limit: number) {
    const due = forUpdate(
      ex,
      q(ex)
        .selectFrom('simulated_webhooks')
        .select('id')
        .where('delivered_at', 'is', null)
        .where('due_at', '<=', nowIso)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowIso)]))
        .orderBy('due_at')
        .orderBy('id')
        .limit(limit),
      { skipLocked: true },
    );
    return q(ex)
      .updateTable('simulated_webhooks')
      .set((eb) => ({ claimed_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
  },

  async markDelivered(ex: Executor, ids: readonly number[], status: number, nowIso: string): Promise<void> {
    if (ids.length === 0) return;
    await q(ex)
      .updateTable('simulated_webhooks')
      .set({ delivered_at: nowIso, last_status: status, claimed_until: null })
      .where('id', 'in', [...ids])
      .execute();
  },

  async markFailed(ex: Executor, id: number, retryAt: string, error: string, status: number | null): Promise<void> {
    await q(ex)
      .updateTable('simulated_webhooks')
      .set({ claimed_until: retryAt, last_error: error.slice(0, 500), last_status: status })
      .where('id', '=', id)
      .execute();
  },

  /** Webhooks not delivered yet (for tests and operations). */
  async undelivered(ex: Executor): Promise<number> {
    const r = await q(ex)
      .selectFrom('simulated_webhooks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('delivered_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
