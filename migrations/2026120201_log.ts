import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../src/platform/db/dialect.js';

/**
 * The contribution log (RFC 6962 Merkle tree), owned by the log module: entries with their leaf
 * hashes, the hashes of complete subtrees, signed tree heads, and an index from member and subject
 * ids to entries. Append-only: nothing here is ever updated but `log_state`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const binary = pg ? 'bytea' : 'blob';
  // On SQLite an INTEGER PRIMARY KEY is the rowid itself: one b-tree per table instead of two.
  const key = pg ? 'bigint' : 'integer';
  await db.schema
    .createTable('log_entries')
    // The leaf index, from 0, without gaps.
    .addColumn('idx', key, (c) => c.primaryKey())
    // The canonical JSON of the entry: its UTF-8 bytes are the Merkle leaf input.
    .addColumn('leaf_input', 'text', (c) => c.notNull())
    // SHA-256(0x00 ‖ leaf input).
    .addColumn('leaf_hash', binary, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('log_entries_leaf_hash').on('log_entries').column('leaf_hash').execute();
  await db.schema
    .createTable('log_nodes')
    // A complete subtree of level ≥ 1 covering leaves [index·2^level, (index+1)·2^level), keyed
    // index·64 + level (one integer key: proofs read their nodes with one IN list).
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('hash', binary, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_entry_refs')
    // A member id (as actor or credited) or a subject id (need, solution, product, lot…).
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_entry_refs_pk', ['ref', 'idx'])
    // On SQLite the table is its primary key's b-tree (no separate rowid table).
    .$call((t) => (pg ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  await db.schema
    .createTable('log_heads')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', binary, (c) => c.notNull())
    // Milliseconds since the epoch, as signed.
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('signature', binary, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_state')
    // One row (id 1), locked by every append and every signing: one writer at a time, in any number of processes.
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    // JSON array of the hex hashes of the complete subtrees of [0, size), left to right.
    .addColumn('frontier', 'text', (c) => c.notNull())
    // The base64 Ed25519 public key the log's heads are signed with, fixed by the first signer.
    .addColumn('public_key', 'text')
    .execute();
  await db
    .insertInto('log_state' as never)
    .values({ id: 1, size: 0, frontier: '[]', public_key: null } as never)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['log_state', 'log_heads', 'log_entry_refs', 'log_nodes', 'log_entries'])
    await db.schema.dropTable(t).execute();
}
