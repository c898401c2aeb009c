import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { withSerialId } from '../src/platform/db/dialect.js';
import type { EventBus } from '../src/platform/events/event-bus.js';
import { backends, createTestApp, createTestDatabase, sessionHeaders, type TestApp } from './harness.js';

/**
 * Two full Covalue servers on one PostgreSQL, each with its own connection pool, as two processes
 * behind a load balancer would be. Nothing correct may depend on in-process state.
 */
const describeOnPostgres = backends.includes('postgres') ? describe : describe.skip;

describeOnPostgres('two instances on one PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let secondPool: Database;
  let drop: () => Promise<void>;
  const config = { AUTH_RATE_LIMIT_PER_ACCOUNT: '3' };

  beforeAll(async () => {
    const created = await createTestDatabase('postgres');
    drop = created.drop;
    secondPool = openDatabase({ dialect: 'postgres', connectionString: created.url, poolMax: 10 });
    // One time for both, as two servers share the wall clock.
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    a = await createTestApp('postgres', { database: created.db, clock, config });
    b = await createTestApp('postgres', { database: secondPool, clock, config });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await secondPool?.close();
    await drop?.();
  });

  describe('accounts', () => {
    it('signs a member registered on one instance in on the other with the same cookie, and logs out everywhere', async () => {
      const res = await a.visitor.post('/api/v1/auth/register', {
        email: 'shared.session@example.test',
        password: 'shared session pw',
        displayName: 'Sasha',
      });
      expect(res.statusCode).toBe(201);
      const headers = sessionHeaders(res);
      const onB = await b.visitor.get('/api/v1/me', { headers });
      expect(onB.statusCode).toBe(200);
      expect(onB.json()).toMatchObject({ id: res.json().member.id, email: 'shared.session@example.test' });
      // A cookie-authenticated write on B checks the CSRF token that A issued.
      expect((await b.visitor.post('/api/v1/auth/logout', undefined, { headers })).statusCode).toBe(204);
      expect((await a.visitor.get('/api/v1/me', { headers })).statusCode).toBe(401);
    });

    it('accepts a token issued on one instance on the other, and refuses it on both once revoked on the other', async () => {
      await a.visitor.post('/api/v1/auth/register', {
        email: 'shared.token@example.test',
        password: 'shared token pw',
        displayName: 'Toni',
      });
      const issued = await a.visitor.post('/api/v1/auth/tokens', {
        email: 'shared.token@example.test',
        password: 'shared token pw',
        name: 'integration',
      });
      expect(issued.statusCode).toBe(201);
      const { id, token } = issued.json();
      const auth = { authorization: `Bearer ${token}` };
      expect((await b.visitor.get('/api/v1/me', { headers: auth })).json().displayName).toBe('Toni');
      expect((await b.visitor.delete(`/api/v1/me/tokens/${id}`, { headers: auth })).statusCode).toBe(204);
      expect((await a.visitor.get('/api/v1/me', { headers: auth })).statusCode).toBe(401);
      expect((await b.visitor.get('/api/v1/me', { headers: auth })).statusCode).toBe(401);
    });

    it('sees a role granted on one instance on the other at once', async () => {
      const operator = await a.operator();
      const member = await b.signUp('Rolf');
      const org = await operator.post('/api/v1/organisations', { slug: 'two-instance-winery', name: 'Two Instance Winery' });
      expect(org.statusCode).toBe(201);
      expect((await operator.put(`/api/v1/organisations/${org.json().id}/members/${member.id}`)).statusCode).toBe(204);
      expect((await member.get('/api/v1/me')).json().roles).toContain('partner');
    });

    it('counts failed logins against one account across both instances', async () => {
      await a.visitor.post('/api/v1/auth/register', {
        email: 'shared.limit@example.test',
        password: 'shared limit pw',
        displayName: 'Lim',
      });
      const attempt = (on: TestApp, password: string) =>
        on.visitor.post('/api/v1/auth/login', { email: 'shared.limit@example.test', password });
      expect((await attempt(a, 'wrong one')).statusCode).toBe(401);
      expect((await attempt(b, 'wrong two')).statusCode).toBe(401);
      expect((await attempt(a, 'wrong three')).statusCode).toBe(401);
      expect((await attempt(b, 'shared limit pw')).statusCode).toBe(429);
      expect((await attempt(a, 'shared limit pw')).statusCode).toBe(429);
    });
  });

  describe('events', () => {
    async function createSeenTable(name: string) {
      // A serial id records the order in which deliveries were written.
      await withSerialId(a.db.kysely, a.db.kysely.schema.createTable(name))
        .addColumn('event_id', 'bigint', (c) => c.notNull())
        .addColumn('aggregate_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('instance', 'text', (c) => c.notNull())
        .execute();
    }

    function subscribeBoth(subscriber: string, table: string, type: string) {
      for (const [instance, t] of [
        ['a', a],
        ['b', b],
      ] as const) {
        t.app.events.subscribe(
          subscriber,
          async (e, trx) => {
            await trx
              .insertInto(table)
              .values({ event_id: e.id, aggregate_id: e.aggregateId, seq: e.payload.seq as number, instance })
              .execute();
          },
          { types: [type] },
        );
      }
    }

    async function publishOn(t: TestApp, type: string, aggregateId: string, seqs: number[]): Promise<number[]> {
      return t.db.transaction(async (trx) => {
        const ids: number[] = [];
        for (const seq of seqs) {
          ids.push(await t.app.events.publish(trx, { type, aggregateType: 'load', aggregateId, payload: { seq } }));
        }
        return ids;
      });
    }

    async function seen(table: string) {
      const rows = await a.db.kysely.selectFrom(table).selectAll().orderBy('id').execute();
      return rows.map((r) => ({
        eventId: Number(r.event_id),
        aggregateId: r.aggregate_id as string,
        seq: Number(r.seq),
        instance: r.instance as string,
      }));
    }

    async function counts(table: string) {
      const row = await a.db.kysely
        .selectFrom(table)
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('event_id').distinct().as('distinct')])
        .executeTakeFirstOrThrow();
      return { n: Number(row.n), distinct: Number(row.distinct) };
    }

    const drainBoth = () => Promise.all([a.app.events.drain(), b.app.events.drain()]);

    it('delivers each of 300 events exactly once when both instances drain concurrently', async () => {
      await createSeenTable('seen_after');
      subscribeBoth('exactly-once-after', 'seen_after', 'load.published-before');
      const published: number[] = [];
      for (let i = 0; i < 30; i++) {
        const seqs = Array.from({ length: 10 }, (_, j) => i * 10 + j + 1);
        published.push(...(await publishOn(i % 2 ? b : a, 'load.published-before', 'batch', seqs)));
      }
      expect(published).toHaveLength(300);
      for (let round = 0; round < 5; round++) await drainBoth();

      expect(await counts('seen_after')).toEqual({ n: 300, distinct: 300 });
      const rows = await seen('seen_after');
      expect(rows.map((r) => r.eventId).sort((x, y) => x - y)).toEqual(published);
      // In publish order, whichever instance delivered each batch.
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    });

    it('delivers each event exactly once, in order per aggregate, while both instances publish and drain at once', async () => {
      await createSeenTable('seen_during');
      subscribeBoth('exactly-once-during', 'seen_during', 'load.published-during');
      let writing = true;
      const writers = Array.from({ length: 6 }, async (_, w) => {
        const ids: number[] = [];
        for (let seq = 1; seq <= 50; seq++)
          ids.push(...(await publishOn(w % 2 ? b : a, 'load.published-during', `writer-${w}`, [seq])));
        return ids;
      });
      const drainer = async (bus: EventBus) => {
        while (writing) await bus.drain();
      };
      const draining = [drainer(a.app.events), drainer(b.app.events)];
      const published = (await Promise.all(writers)).flat();
      writing = false;
      await Promise.all(draining);
      for (let round = 0; round < 3; round++) await drainBoth();

      expect(published).toHaveLength(300);
      expect(await counts('seen_during')).toEqual({ n: 300, distinct: 300 });
      const rows = await seen('seen_during');
      expect(rows.map((r) => r.eventId).sort((x, y) => x - y)).toEqual([...published].sort((x, y) => x - y));
      for (let w = 0; w < 6; w++) {
        const seqs = rows.filter((r) => r.aggregateId === `writer-${w}`).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      }
    });
  });
});
