import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, forEachBackend } from '../../../test/harness.js';
import type { Database } from './database.js';

forEachBackend((backend) => {
  describe('prepared statements', () => {
    let db: Database;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      ({ db, drop } = await createTestDatabase(backend));
      await sql`create table prep_things (a integer not null)`.execute(db.kysely);
      await sql`insert into prep_things (a) values (1), (2)`.execute(db.kysely);
    });
    afterEach(() => drop());

    const all = async (ex = db.kysely) =>
      (await sql<Record<string, number>>`select * from prep_things order by a`.execute(ex)).rows.map((r) => ({ ...r }));

    it('answers a repeated statement the same each time, with its parameters', async () => {
      for (const a of [1, 2, 1, 2, 2]) {
        const { rows } = await sql<{ a: number }>`select a from prep_things where a = ${a}`.execute(db.kysely);
        expect(rows).toEqual([{ a }]);
      }
    });

    it('answers with the columns a table has now, after another process changed them', async () => {
      for (let i = 0; i < 3; i++) expect(await all()).toEqual([{ a: 1 }, { a: 2 }]);
      // As a migration run by another process during a rolling upgrade would.
      await sql`alter table prep_things add column b integer not null default 7`.execute(db.kysely);
      expect(await all()).toEqual([
        { a: 1, b: 7 },
        { a: 2, b: 7 },
      ]);
      expect(await all()).toEqual([
        { a: 1, b: 7 },
        { a: 2, b: 7 },
      ]);
    });

    it('inside a transaction, fails the statement whose plan no longer fits once, then answers', async () => {
      for (let i = 0; i < 3; i++) await db.transaction((trx) => all(trx));
      await sql`alter table prep_things add column b integer not null default 7`.execute(db.kysely);
      const attempt = () => db.transaction((trx) => all(trx));
      const first = await attempt().then(
        (rows) => ({ rows }),
        (err: Error) => ({ err }),
      );
      // PostgreSQL aborts the transaction ("cached plan must not change result type"); SQLite re-prepares.
      if (backend === 'postgres') expect('err' in first && first.err.message).toMatch(/cached plan must not change result type/);
      else
        expect(first).toEqual({
          rows: [
            { a: 1, b: 7 },
            { a: 2, b: 7 },
          ],
        });
      expect(await attempt()).toEqual([
        { a: 1, b: 7 },
        { a: 2, b: 7 },
      ]);
    });
  });
});
