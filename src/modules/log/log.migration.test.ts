import { type Migration, Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { logEntry } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type TestApp } from '../../../test/harness.js';
import { nodeKey } from './log.repository.js';

forEachBackend((backend) => {
  describe('migration 2026120401_log_proof_reads', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend);
    });
    afterAll(() => t.close());

    it('re-keys a stored log both ways and leaves every proof as it was', async () => {
      const log = t.app.modules.log.service;
      await t.db.transaction((trx) =>
        log.append(
          trx,
          Array.from({ length: 45 }, (_, i) => logEntry(i)),
        ),
      );
      const proofs = async () => Promise.all([0, 7, 31, 44].map((index) => log.inclusionProof({ index, treeSize: 45 })));
      const before = await proofs();
      const consistency = await log.consistencyProof(13, 45);
      const ids = async () =>
        (await sql<{ id: number }>`select id from log_nodes order by id`.execute(t.db.kysely)).rows.map((r) => Number(r.id));
      const current = await ids();
      // 45 leaves have 22 + 11 + 5 + 2 + 1 complete subtrees of level 1 to 5.
      expect(current).toHaveLength(41);
      expect(current).toContain(nodeKey(5, 0));

      const migrator = new Migrator({
        db: t.db.kysely,
        provider: { getMigrations: async () => migrations as Record<string, Migration> },
      });
      const down = await migrator.migrateTo('2026120301_ledger');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => r.migrationName)).toContain('2026120401_log_proof_reads');
      // The earlier layout: index·64 + level.
      const old = await ids();
      expect(old.map((id) => [id % 64, Math.floor(id / 64)])).toEqual(
        expect.arrayContaining([
          [1, 0],
          [5, 0],
          [1, 21],
        ]),
      );
      expect(old).toHaveLength(41);

      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(await ids()).toEqual(current);
      expect(await proofs()).toEqual(before);
      expect(await log.consistencyProof(13, 45)).toEqual(consistency);
    });
  });
});
