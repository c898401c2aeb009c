import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { migrations } from '../../../migrations/index.js';
import type { Database } from './database.js';

const provider: MigrationProvider = {
  getMigrations: async () => migrations as Record<string, Migration>,
};

function migrator(db: Database): Migrator {
  return new Migrator({ db: db.kysely, provider });
}

/** Applies every pending migration, in name order. Returns the names applied. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations not yet applied. */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
