import { type Kysely, type RawBuilder, sql } from 'kysely';
import { dialectOf } from '../src/platform/db/dialect.js';

/**
 * Proof reads that stay in memory at ten million entries and beyond. An inclusion proof reads ~25
 * subtree hashes; before this, each sat in its own page of a multi-gigabyte table:
 *
 * - Subtrees were keyed index·64 + level, which scatters a proof's upper levels across the table;
 *   keyed level·2^46 + index (`LEVEL_STRIDE`), the upper levels of every proof sit together in a
 *   few pages that stay cached, and a proof touches a cold page only for its lowest levels.
 * - The leaf hashes were read from the entries' rows, which hold the entries themselves (~300
 *   bytes each): one random page of the largest table per leaf. Now they are read from an index
 *   that carries them (PostgreSQL: the primary key INCLUDE leaf_hash; SQLite: an index on
 *   (idx, leaf_hash)), and PostgreSQL answers both reads from its indexes alone (index-only scans).
 */
const LEVEL_STRIDE = 2 ** 46;

async function rekeyNodes(db: Kysely<unknown>, key: (id: RawBuilder<unknown>) => RawBuilder<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  if (pg) {
    await sql`create table log_nodes_rekeyed (id bigint not null, hash bytea not null)`.execute(db);
  } else {
    await sql`create table log_nodes_rekeyed (id integer primary key, hash blob not null)`.execute(db);
  }
  await sql`insert into log_nodes_rekeyed (id, hash) select ${key(sql.ref('id'))}, hash from log_nodes`.execute(db);
  await sql`drop table log_nodes`.execute(db);
  await sql`alter table log_nodes_rekeyed rename to log_nodes`.execute(db);
  // On SQLite the table is its key's b-tree already; PostgreSQL's primary key carries the hash.
  if (pg) await sql`alter table log_nodes add constraint log_nodes_pkey primary key (id) include (hash)`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rekeyNodes(db, (id) => sql`(${id} % 64) * ${sql.lit(LEVEL_STRIDE)} + ${id} / 64`);
  if (dialectOf(db) === 'postgres') {
    await sql`alter table log_entries drop constraint log_entries_pkey, add constraint log_entries_pkey primary key (idx) include (leaf_hash)`.execute(
      db,
    );
  } else {
    await db.schema.createIndex('log_entries_leaves').on('log_entries').columns(['idx', 'leaf_hash']).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table log_entries drop constraint log_entries_pkey, add constraint log_entries_pkey primary key (idx)`.execute(
      db,
    );
  } else {
    await db.schema.dropIndex('log_entries_leaves').execute();
  }
  await rekeyNodes(db, (id) => sql`(${id} % ${sql.lit(LEVEL_STRIDE)}) * 64 + ${id} / ${sql.lit(LEVEL_STRIDE)}`);
}
