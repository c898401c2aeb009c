import { type Migration, Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { type Backend, createTestDatabase, forEachBackend, type TestDatabase } from '../../../test/harness.js';
import type { Database } from './database.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';

/** The tables and indexes in the database, by name (Kysely's own bookkeeping left out). */
async function schemaOf(db: Database, backend: Backend): Promise<string[]> {
  const rows =
    backend === 'postgres'
      ? await sql<{ name: string }>`
          select 'table ' || tablename as name from pg_tables where schemaname = current_schema()
          union all select 'index ' || indexname || ': ' || indexdef from pg_indexes where schemaname = current_schema()`.execute(
          db.kysely,
        )
      : await sql<{ name: string }>`
          select type || ' ' || name || ': ' || coalesce(sql, '') as name from sqlite_master
          where type in ('table', 'index') and name not like 'sqlite_%'`.execute(db.kysely);
  return rows.rows
    .map((r) => r.name)
    .filter((n) => !/kysely_migration/.test(n))
    .sort();
}

forEachBackend((backend) => {
  describe('migrations', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(backend);
    });
    afterAll(() => t.drop());

    it('all undo to an empty database and apply again to the same schema', async () => {
      const latest = await schemaOf(t.db, backend);
      expect(await pendingMigrations(t.db)).toEqual([]);
      expect(latest.length).toBeGreaterThan(50);

      const migrator = new Migrator({
        db: t.db.kysely,
        provider: { getMigrations: async () => migrations as Record<string, Migration> },
      });
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations).reverse());
      expect(await schemaOf(t.db, backend)).toEqual([]);

      expect(await migrateToLatest(t.db)).toEqual(Object.keys(migrations));
      expect(await schemaOf(t.db, backend)).toEqual(latest);
    });
  });
});
