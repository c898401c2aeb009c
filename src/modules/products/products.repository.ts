import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { ProductSkusTable, ProductsTable, ProductsTables } from './products.tables.js';

const q = (ex: Executor) => ex as Kysely<ProductsTables>;

export const productsRepository = {
  async insert(ex: Executor, row: ProductsTable): Promise<void> {
    await q(ex).insertInto('products').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async names(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await q(ex)
      .selectFrom('products')
      .select(['id', 'name'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'products', [id]);
    return forUpdate(ex, q(ex).selectFrom('products').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Newest first, optionally of one need or chain group. */
  list(ex: Executor, limit: number, filter: { needId?: string; chainGroupId?: string }, beforeId?: string) {
    let query = q(ex).selectFrom('products').selectAll();
    if (filter.needId) query = query.where('need_id', '=', filter.needId);
    if (filter.chainGroupId) query = query.where('chain_group_id', '=', filter.chainGroupId);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async update(
    ex: Executor,
    id: string,
    set: Partial<Pick<ProductsTable, 'name' | 'description' | 'images' | 'specs' | 'updated_at'>>,
  ): Promise<void> {
    await q(ex).updateTable('products').set(set).where('id', '=', id).execute();
  },

  /** The SKUs of these products, in their order. */
  listSkus(ex: Executor, productIds: readonly string[]) {
    if (productIds.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('product_skus')
      .selectAll()
      .where('product_id', 'in', productIds)
      .orderBy('product_id')
      .orderBy('position')
      .execute();
  },

  /** Replaces every SKU of a product. */
  async replaceSkus(ex: Executor, productId: string, skus: readonly ProductSkusTable[]): Promise<void> {
    await q(ex).deleteFrom('product_skus').where('product_id', '=', productId).execute();
    if (skus.length > 0)
      await q(ex)
        .insertInto('product_skus')
        .values([...skus])
        .execute();
  },
};
