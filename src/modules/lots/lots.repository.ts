import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { LotShipmentsTable, LotsTable, LotsTables } from './lots.tables.js';

const q = (ex: Executor) => ex as Kysely<LotsTables>;

export const lotsRepository = {
  async insert(ex: Executor, row: LotsTable): Promise<void> {
    await q(ex).insertInto('lots').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('lots').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'lots', [id]);
    return forUpdate(ex, q(ex).selectFrom('lots').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  findByNumber(ex: Executor, productId: string, lotNumber: string) {
    return q(ex)
      .selectFrom('lots')
      .selectAll()
      .where('product_id', '=', productId)
      .where('lot_number', '=', lotNumber)
      .executeTakeFirst();
  },

  /** The product's lots of these numbers, locked in id order (so two transactions never wait on each other in a circle). */
  async lockByNumbers(ex: Executor, productId: string, lotNumbers: readonly string[]) {
    // The lots' own aggregate locks (by id, as every other writer of a lot takes them), then their rows.
    const found = await q(ex)
      .selectFrom('lots')
      .select('id')
      .where('product_id', '=', productId)
      .where('lot_number', 'in', [...new Set(lotNumbers)])
      .execute();
    const ids = found.map((r) => r.id);
    if (ids.length === 0) return [];
    await lockAggregates(ex, 'lots', ids);
    return forUpdate(ex, q(ex).selectFrom('lots').selectAll().where('id', 'in', ids).orderBy('id')).execute();
  },

  /** A product's lots, newest first. */
  list(ex: Executor, productId: string, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('lots').selectAll().where('product_id', '=', productId);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Units recorded in the lots of a bid. */
  async unitsOfBid(ex: Executor, bidId: string): Promise<number> {
    const row = await q(ex)
      .selectFrom('lots')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('units'))
      .where('bid_id', '=', bidId)
      .executeTakeFirstOrThrow();
    return Number(row.units);
  },

  async update(
    ex: Executor,
    id: string,
    set: Partial<Pick<LotsTable, 'qa_result' | 'qa_notes' | 'qa_recorded_by' | 'qa_recorded_at' | 'updated_at'>>,
  ): Promise<void> {
    await q(ex).updateTable('lots').set(set).where('id', '=', id).execute();
  },

  /** Adds (or, negative, takes back) units fulfilled from a lot. */
  async addUnitsFulfilled(ex: Executor, id: string, units: number, nowIso: string): Promise<void> {
    await q(ex)
      .updateTable('lots')
      .set((eb) => ({ units_fulfilled: eb('units_fulfilled', '+', units), updated_at: nowIso }))
      .where('id', '=', id)
      .execute();
  },

  async insertShipment(ex: Executor, row: LotShipmentsTable): Promise<void> {
    await q(ex).insertInto('lot_shipments').values(row).execute();
  },

  findShipment(ex: Executor, id: string) {
    return q(ex).selectFrom('lot_shipments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async updateShipment(ex: Executor, id: string, set: Pick<LotShipmentsTable, 'delivered_at' | 'delivered_by'>): Promise<void> {
    await q(ex).updateTable('lot_shipments').set(set).where('id', '=', id).execute();
  },

  /** The shipments of these lots, oldest first. */
  listShipments(ex: Executor, lotIds: readonly string[]) {
    if (lotIds.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('lot_shipments').selectAll().where('lot_id', 'in', lotIds).orderBy('id').execute();
  },

  /** Units shipped from a lot so far. */
  async unitsShipped(ex: Executor, lotId: string): Promise<number> {
    const row = await q(ex)
      .selectFrom('lot_shipments')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('units'))
      .where('lot_id', '=', lotId)
      .executeTakeFirstOrThrow();
    return Number(row.units);
  },
};
