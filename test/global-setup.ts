import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { PG_ADMIN_URL, pgAdmin, pgUrl } from './pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAvailable: boolean;
    sqliteTemplate: string;
    pgTemplate: string;
  }
}

/**
 * Runs once per test run: migrates a template database on each backend, which every test
 * database is copied from. With CI=true an unreachable PostgreSQL fails the run.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-test-'));
  const sqliteTemplate = path.join(dir, 'template.sqlite');
  const sqlite = openDatabase({ dialect: 'sqlite', filename: sqliteTemplate });
  await migrateToLatest(sqlite);
  await sqlite.close();
  project.provide('sqliteTemplate', sqliteTemplate);

  // Per run, so two runs on one server do not collide.
  const PG_TEMPLATE = `covalue_tpl_${process.pid}`;
  project.provide('pgTemplate', PG_TEMPLATE);
  let pgAvailable = false;
  const admin = pgAdmin();
  try {
    await admin.connect();
    pgAvailable = true;
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required when CI=true but ${PG_ADMIN_URL} is unreachable: ${(err as Error).message}`);
    }
    console.warn(
      `\n[covalue] PostgreSQL unreachable at ${PG_ADMIN_URL}: PostgreSQL tests are skipped (CI=true makes this a failure)\n`,
    );
  }
  if (pgAvailable) {
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    const pg = openDatabase({ dialect: 'postgres', connectionString: pgUrl(PG_TEMPLATE), poolMax: 2 });
    await migrateToLatest(pg);
    await pg.close();
  }
  await admin.end().catch(() => {});
  project.provide('pgAvailable', pgAvailable);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (!pgAvailable) return;
    const cleanup = pgAdmin();
    await cleanup.connect();
    const { rows } = await cleanup.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2',
      [`covalue_t_${process.pid}_%`, PG_TEMPLATE],
    );
    for (const r of rows) await cleanup.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await cleanup.end();
  };
}
