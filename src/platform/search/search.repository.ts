import { type Expression, type SqlBool, sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { dialectOf } from '../db/dialect.js';
import { indexTerms, parseQuery, toFts5, toTsquery } from './ngrams.js';

/**
 * A module's full-text index: a table `<name>` made by the module's migration (FTS5 virtual table on
 * SQLite, a tsvector table on PostgreSQL) with `ref_id` and `terms`. The two dialects differ only here.
 */
export function searchIndex(table: string) {
  return {
    /** Sets the indexed texts of one row (replacing what was there). */
    async put(ex: Executor, refId: string, texts: readonly string[]): Promise<void> {
      const terms = indexTerms(texts);
      if (dialectOf(ex) === 'postgres') {
        await sql`INSERT INTO ${sql.table(table)} (ref_id, terms) VALUES (${refId}, ${terms})
                  ON CONFLICT (ref_id) DO UPDATE SET terms = excluded.terms`.execute(ex);
      } else {
        await sql`DELETE FROM ${sql.table(table)} WHERE ref_id = ${refId}`.execute(ex);
        await sql`INSERT INTO ${sql.table(table)} (ref_id, terms) VALUES (${refId}, ${terms})`.execute(ex);
      }
    },

    async remove(ex: Executor, refId: string): Promise<void> {
      await sql`DELETE FROM ${sql.table(table)} WHERE ref_id = ${refId}`.execute(ex);
    },

    /**
     * A condition "column is the ref_id of a row matching q", for a WHERE clause; null when the
     * query has no searchable terms (the caller then matches nothing).
     */
    matches(ex: Executor, column: string, q: string): Expression<SqlBool> | null {
      const parsed = parseQuery(q);
      if (!parsed) return null;
      return dialectOf(ex) === 'postgres'
        ? sql<SqlBool>`${sql.ref(column)} IN (SELECT ref_id FROM ${sql.table(table)} WHERE tsv @@ to_tsquery('simple', ${toTsquery(parsed)}))`
        : sql<SqlBool>`${sql.ref(column)} IN (SELECT ref_id FROM ${sql.table(table)} WHERE ${sql.table(table)} MATCH ${toFts5(parsed)})`;
    },
  };
}
