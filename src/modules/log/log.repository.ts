import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { dialectOf, forUpdate } from '../../platform/db/dialect.js';
import type { LogEntriesTable, LogEntryRefsTable, LogHeadsTable, LogNodesTable, LogStateTable, LogTables } from './log.tables.js';
import { HASH_BYTES } from './merkle.js';

const q = (ex: Executor) => ex as Kysely<LogTables>;
const CHUNK = 500;

/**
 * Subtree key: level·2^46 + index (levels stay below 64 and indexes below 2^46, so keys below
 * 2^52). Keyed level first, the upper levels of all proofs sit together in a few hot pages; leaves
 * (level 0) are keyed by their index and read from the entries.
 */
const LEVEL_STRIDE = 2 ** 46;
export const nodeKey = (level: number, index: number) => level * LEVEL_STRIDE + index;

/** Byte columns come back as Buffer from better-sqlite3 and from pg alike; Uint8Array just in case. */
const buf = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b));

async function insertChunked<T extends keyof LogTables>(ex: Executor, table: T, rows: readonly LogTables[T][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q(ex)
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

export const logRepository = {
  /** The log's one state row, locked: every append and every signing holds it, so there is one writer at a time. */
  lockState(ex: Executor): Promise<LogStateTable> {
    return forUpdate(ex, q(ex).selectFrom('log_state').selectAll().where('id', '=', 1)).executeTakeFirstOrThrow();
  },

  /** The state row, unlocked (a look; decide under `lockState`). */
  state(ex: Executor): Promise<LogStateTable> {
    return q(ex).selectFrom('log_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  },

  /** Updates the state row (its lock held). */
  async saveState(ex: Executor, state: Partial<Omit<LogStateTable, 'id'>>): Promise<void> {
    await q(ex).updateTable('log_state').set(state).where('id', '=', 1).execute();
  },

  async append(
    ex: Executor,
    rows: { entries: readonly LogEntriesTable[]; nodes: readonly LogNodesTable[]; refs: readonly LogEntryRefsTable[] },
  ): Promise<void> {
    await insertChunked(ex, 'log_entries', rows.entries);
    await insertChunked(ex, 'log_nodes', rows.nodes);
    await insertChunked(ex, 'log_entry_refs', rows.refs);
  },

  /**
   * Bulk loading (benchmarks, imports): entries and nodes in as few statements as the backend
   * allows — one `unnest` per table on PostgreSQL, chunked multi-row inserts on SQLite. No refs.
   */
  async bulkInsert(ex: Executor, entries: readonly LogEntriesTable[], nodes: readonly LogNodesTable[]): Promise<void> {
    if (dialectOf(ex) !== 'postgres') {
      await insertChunked(ex, 'log_entries', entries);
      await insertChunked(ex, 'log_nodes', nodes);
      return;
    }
    if (entries.length > 0) {
      await sql`insert into log_entries (idx, leaf_input, leaf_hash, kind, occurred_at)
        select * from unnest(${entries.map((e) => e.idx)}::bigint[], ${entries.map((e) => e.leaf_input)}::text[],
          ${entries.map((e) => e.leaf_hash)}::bytea[], ${entries.map((e) => e.kind)}::text[], ${entries.map((e) => e.occurred_at)}::text[])`.execute(
        ex,
      );
    }
    if (nodes.length > 0) {
      await sql`insert into log_nodes (id, hash) select * from unnest(${nodes.map((n) => n.id)}::bigint[], ${nodes.map((n) => n.hash)}::bytea[])`.execute(
        ex,
      );
    }
  },

  /** Drops the index of entries by leaf hash (a bulk load builds it once at the end instead of row by row). */
  async dropLeafHashIndex(ex: Executor): Promise<void> {
    await ex.schema.dropIndex('log_entries_leaf_hash').ifExists().execute();
  },

  /** After a bulk load: fresh planner statistics (and, on PostgreSQL, the visibility map), as pg_restore advises. */
  async analyze(ex: Executor): Promise<void> {
    if (dialectOf(ex) === 'postgres') await sql`vacuum analyze log_entries, log_nodes`.execute(ex);
    else await sql`analyze`.execute(ex);
  },

  /** Builds the index of entries by leaf hash (after a bulk load). */
  async createLeafHashIndex(ex: Executor): Promise<void> {
    await ex.schema.createIndex('log_entries_leaf_hash').ifNotExists().on('log_entries').column('leaf_hash').execute();
  },

  /**
   * Hashes of complete subtrees by key (`nodeKey`), leaves (level 0) from the entries and
   * larger subtrees from the nodes, in one statement. Keys the log does not have are absent.
   */
  async hashes(ex: Executor, keys: readonly number[]): Promise<Map<number, Buffer>> {
    const leaves = keys.filter((k) => k < LEVEL_STRIDE);
    const inner = keys.filter((k) => k >= LEVEL_STRIDE);
    if (keys.length === 0) return new Map();
    if (dialectOf(ex) === 'postgres') {
      // One statement text for every proof (arrays, not IN lists of varying length): cheaper to plan.
      // One row back (the keys, and their hashes concatenated in the same order) instead of one row
      // per hash: a proof is a hot path, and parsing ~25 rows costs more than the query itself.
      const { rows } = await sql<{ ids: string | null; hashes: Buffer | null }>`select array_agg(id order by id)::text as ids,
          string_agg(hash, ''::bytea order by id) as hashes
        from (select idx as id, leaf_hash as hash from log_entries where idx = any(${leaves}::bigint[])
          union all select id, hash from log_nodes where id = any(${inner}::bigint[])) found`.execute(ex);
      const { ids, hashes } = rows[0] ?? { ids: null, hashes: null };
      const found = new Map<number, Buffer>();
      if (ids === null || hashes === null) return found;
      const all = buf(hashes);
      const idList = ids.slice(1, -1).split(',');
      for (let i = 0; i < idList.length; i++) found.set(Number(idList[i]), all.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
      return found;
    }
    const fromLeaves = () =>
      q(ex).selectFrom('log_entries').select(['idx as id', 'leaf_hash as hash']).where('idx', 'in', leaves);
    const fromNodes = () => q(ex).selectFrom('log_nodes').select(['id', 'hash']).where('id', 'in', inner);
    const query = leaves.length && inner.length ? fromLeaves().unionAll(fromNodes()) : leaves.length ? fromLeaves() : fromNodes();
    const rows = await query.execute();
    return new Map(rows.map((r) => [Number(r.id), buf(r.hash)]));
  },

  /** The index of the entry with this leaf hash (leaves are unique: each entry holds its index). */
  async indexOfLeafHash(ex: Executor, hash: Buffer): Promise<number | null> {
    const row = await q(ex)
      .selectFrom('log_entries')
      .select('idx')
      .where('leaf_hash', '=', hash)
      .orderBy('idx')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.idx) : null;
  },

  /** Entries [start, end], in order. */
  entries(ex: Executor, start: number, end: number) {
    return q(ex)
      .selectFrom('log_entries')
      .select(['idx', 'leaf_input'])
      .where('idx', '>=', start)
      .where('idx', '<=', end)
      .orderBy('idx')
      .execute();
  },

  /** Entries [start, end] with their leaf hashes, in order (for the export). */
  async entriesWithHashes(ex: Executor, start: number, end: number) {
    const rows = await q(ex)
      .selectFrom('log_entries')
      .select(['idx', 'leaf_input', 'leaf_hash'])
      .where('idx', '>=', start)
      .where('idx', '<=', end)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({ idx: Number(r.idx), leaf_input: r.leaf_input, leaf_hash: buf(r.leaf_hash) }));
  },

  /** Entries at these indexes, in order. */
  entriesAt(ex: Executor, indexes: readonly number[]) {
    if (indexes.length === 0) return Promise.resolve([]);
    return q(ex).selectFrom('log_entries').select(['idx', 'leaf_input']).where('idx', 'in', indexes).orderBy('idx').execute();
  },

  /** Entries naming `ref`, newest first, optionally of some kinds and roles. */
  refs(
    ex: Executor,
    ref: string,
    opts: {
      kinds?: readonly string[];
      roles?: readonly LogEntryRefsTable['role'][];
      beforeIdx?: number;
      limit: number;
      oldestFirst?: boolean;
    },
  ) {
    let query = q(ex).selectFrom('log_entry_refs').select(['idx', 'role', 'kind']).where('ref', '=', ref);
    if (opts.kinds) query = query.where('kind', 'in', opts.kinds);
    if (opts.roles) query = query.where('role', 'in', opts.roles);
    if (opts.beforeIdx !== undefined) query = query.where('idx', '<', opts.beforeIdx);
    return query
      .orderBy('idx', opts.oldestFirst ? 'asc' : 'desc')
      .limit(opts.limit)
      .execute();
  },

  /**
   * Indexes of entries of these kinds that name one of `refs` and also one of `about` (a need, a
   * product), oldest first: both looked up by the (ref, idx) key.
   */
  async namingBoth(ex: Executor, refs: readonly string[], kinds: readonly string[], about: readonly string[]): Promise<number[]> {
    if (refs.length === 0 || about.length === 0) return [];
    const rows = await q(ex)
      .selectFrom('log_entry_refs as r')
      .select('r.idx')
      .where('r.ref', 'in', [...new Set(refs)])
      .where('r.kind', 'in', kinds)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('log_entry_refs as s')
            .select('s.idx')
            .whereRef('s.idx', '=', 'r.idx')
            .where('s.ref', 'in', [...new Set(about)]),
        ),
      )
      .orderBy('r.idx')
      .execute();
    return [...new Set(rows.map((r) => Number(r.idx)))];
  },

  /** The index of the entry of `kind` naming each of `refs` (the oldest, if several). */
  async firstOfKind(ex: Executor, refs: readonly string[], kind: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < refs.length; i += CHUNK) {
      const rows = await q(ex)
        .selectFrom('log_entry_refs')
        .select(['ref', 'idx'])
        .where('ref', 'in', refs.slice(i, i + CHUNK))
        .where('kind', '=', kind)
        .orderBy('idx')
        .execute();
      for (const r of rows) if (!out.has(r.ref)) out.set(r.ref, Number(r.idx));
    }
    return out;
  },

  /** Stores a signed head; a head of the same size already stored is kept. */
  /** Orders fulfilled from a product's lots, as the log recorded them, and their units (one aggregate statement). */
  async fulfilledOf(ex: Executor, productId: string): Promise<{ orders: number; units: number }> {
    const quantity =
      dialectOf(ex) === 'postgres'
        ? sql<number>`coalesce(sum(((e.leaf_input::jsonb) -> 'data' ->> 'quantity')::bigint), 0)`
        : sql<number>`coalesce(sum(json_extract(e.leaf_input, '$.data.quantity')), 0)`;
    const row = await q(ex)
      .selectFrom('log_entry_refs as r')
      .innerJoin('log_entries as e', 'e.idx', 'r.idx')
      .select((eb) => [eb.fn.countAll<number>().as('orders'), quantity.as('units')])
      .where('r.ref', '=', productId)
      .where('r.kind', '=', 'order.fulfilled')
      .executeTakeFirstOrThrow();
    return { orders: Number(row.orders), units: Number(row.units) };
  },

  async insertHead(ex: Executor, head: LogHeadsTable): Promise<void> {
    await q(ex)
      .insertInto('log_heads')
      .values(head)
      .onConflict((oc) => oc.column('tree_size').doNothing())
      .execute();
  },

  /** The head of the largest tree. */
  async latestHead(ex: Executor): Promise<LogHeadsTable | undefined> {
    const row = await q(ex).selectFrom('log_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    return row && toHead(row);
  },

  /** Heads, largest first. */
  async heads(ex: Executor, limit: number, belowSize?: number): Promise<LogHeadsTable[]> {
    let query = q(ex).selectFrom('log_heads').selectAll();
    if (belowSize !== undefined) query = query.where('tree_size', '<', belowSize);
    return (await query.orderBy('tree_size', 'desc').limit(limit).execute()).map(toHead);
  },

  /** All heads, smallest first (for the export). */
  async allHeads(ex: Executor): Promise<LogHeadsTable[]> {
    return (await q(ex).selectFrom('log_heads').selectAll().orderBy('tree_size').execute()).map(toHead);
  },
};

function toHead(row: LogHeadsTable): LogHeadsTable {
  return {
    tree_size: Number(row.tree_size),
    root_hash: buf(row.root_hash),
    timestamp: Number(row.timestamp),
    signature: buf(row.signature),
  };
}
