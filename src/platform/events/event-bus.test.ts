import fc from 'fast-check';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, forEachBackend } from '../../../test/harness.js';
import { ManualClock } from '../clock.js';
import { type Database, type Executor, openDatabase } from '../db/database.js';
import { type DomainEvent, EventBus, type NewEvent, type SubscribeOptions } from './event-bus.js';
import { outboxRepository } from './outbox.repository.js';

const silent = pino({ level: 'silent' });

function thing(aggregateId: string, seq: number, type = 'thing.happened'): NewEvent {
  return { type, aggregateType: 'thing', aggregateId, actorId: null, payload: { seq } };
}

const seqOf = (e: DomainEvent) => e.payload.seq as number;

forEachBackend((backend) => {
  let db: Database;
  let url: string;
  let drop: () => Promise<void>;
  let clock: ManualClock;
  const extraConnections: Database[] = [];

  beforeEach(async () => {
    ({ db, url, drop } = await createTestDatabase(backend));
    clock = new ManualClock('2026-03-01T08:00:00.000Z');
  });
  afterEach(async () => {
    for (const c of extraConnections.splice(0)) await c.close();
    await drop();
  });

  /** A second connection (pool) to the same database, as another process would have. */
  function anotherConnection(): Database {
    const other =
      backend === 'sqlite'
        ? openDatabase({ dialect: 'sqlite', filename: url.slice('sqlite:'.length) })
        : openDatabase({ dialect: 'postgres', connectionString: url, poolMax: 4 });
    extraConnections.push(other);
    return other;
  }

  const newBus = (database: Database = db) => new EventBus(database, clock, silent);

  /** Publishes the events in one committed transaction; returns their ids. */
  function publish(bus: EventBus, ...events: NewEvent[]): Promise<number[]> {
    return db.transaction(async (trx) => {
      const ids: number[] = [];
      for (const e of events) ids.push(await bus.publish(trx, e));
      return ids;
    });
  }

  /** Subscribes a handler that records what it is given. */
  function recorder(bus: EventBus, name: string, options?: SubscribeOptions): DomainEvent[] {
    const seen: DomainEvent[] = [];
    bus.subscribe(
      name,
      async (e) => {
        seen.push(e);
      },
      options,
    );
    return seen;
  }

  /**
   * Waits until every committed event can be delivered: on PostgreSQL a transaction still in flight
   * anywhere on the server (another test's) holds back events committed after it began. A bus with
   * no subscribers delivers nothing, so its drain only waits.
   */
  const settle = () => newBus().drain();

  /**
   * Waits until no committed event is held back by a transaction in flight. On PostgreSQL that may be
   * any writer on the server, other test files' included, so a test counting one pass's deliveries
   * waits for it first.
   */
  async function visible() {
    for (let i = 0; i < 1000; i++) {
      if (!(await outboxRepository.hasHeldBack(db.kysely))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('events still held back by a transaction in flight after 10 s');
  }

  async function subscription(name: string) {
    const row = await db.kysely.selectFrom('event_subscriptions').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    return row as { name: string; attempts: number; last_error: string | null; retry_at: string | null; last_id: number };
  }

  async function createScratchTable(name: string) {
    await db.kysely.schema
      .createTable(name)
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('note', 'text')
      .execute();
  }

  async function scratchIds(name: string): Promise<number[]> {
    const rows = await db.kysely.selectFrom(name).select('event_id').orderBy('event_id').execute();
    return rows.map((r) => Number(r.event_id));
  }

  describe('delivery', () => {
    it('never delivers an event whose transaction rolled back', async () => {
      const bus = newBus();
      const seen = recorder(bus, 'projector');
      await expect(
        db.transaction(async (trx) => {
          await bus.publish(trx, thing('a', 1));
          throw new Error('the use case failed');
        }),
      ).rejects.toThrow('the use case failed');
      const [kept] = await publish(bus, thing('a', 2));
      await bus.drain();
      expect(seen.map((e) => e.id)).toEqual([kept]);
      expect(await bus.eventsOf('thing', 'a')).toEqual([expect.objectContaining({ id: kept, payload: { seq: 2 } })]);
    });

    it('delivers every event to every subscriber, in publish order per aggregate, across batches', async () => {
      const bus = newBus();
      const first = recorder(bus, 'first');
      const second = recorder(bus, 'second');
      const published: number[] = [];
      const next = { a: 0, b: 0, c: 0 };
      // 15 transactions of 30 events over three aggregates: more than two read batches.
      for (let t = 0; t < 15; t++) {
        const events: NewEvent[] = [];
        for (let i = 0; i < 30; i++) {
          const agg = (['a', 'b', 'c'] as const)[(t + i) % 3]!;
          events.push(thing(agg, ++next[agg]));
        }
        published.push(...(await publish(bus, ...events)));
      }
      await bus.drain();
      expect(first.map((e) => e.id)).toEqual(published);
      expect(second.map((e) => e.id)).toEqual(published);
      for (const agg of ['a', 'b', 'c']) {
        const seqs = first.filter((e) => e.aggregateId === agg).map(seqOf);
        expect(seqs).toEqual(Array.from({ length: next[agg as 'a'] }, (_, i) => i + 1));
      }
      expect(first[0]).toMatchObject({
        type: 'thing.happened',
        aggregateType: 'thing',
        actorId: null,
        occurredAt: '2026-03-01T08:00:00.000Z',
      });
      // Caught up: nothing is delivered twice.
      await bus.drain();
      expect(first).toHaveLength(published.length);
      expect(second).toHaveLength(published.length);
    });

    it('gives a subscriber with types only events of those types, even past a full batch of others', async () => {
      const bus = newBus();
      const picky = recorder(bus, 'picky', { types: ['thing.liked', 'thing.shared'] });
      const all = recorder(bus, 'all');
      const others = Array.from({ length: 250 }, (_, i) => thing('x', i + 1, 'thing.viewed'));
      await publish(bus, thing('a', 1, 'thing.liked'), ...others);
      await publish(bus, thing('a', 2, 'thing.viewed'), thing('a', 3, 'thing.shared'), thing('a', 4, 'thing.liked'));
      await bus.drain();
      expect(picky.map((e) => [e.type, seqOf(e)])).toEqual([
        ['thing.liked', 1],
        ['thing.shared', 3],
        ['thing.liked', 4],
      ]);
      expect(all).toHaveLength(254);
      await publish(bus, thing('a', 5, 'thing.viewed'), thing('a', 6, 'thing.shared'));
      await bus.drain();
      expect(picky.map(seqOf)).toEqual([1, 3, 4, 6]);
    });

    it('starts a startAtEnd subscriber after the stored history, and keeps its position once stored', async () => {
      await publish(newBus(), thing('a', 1), thing('a', 2));
      await settle();
      const bus = newBus();
      const live = recorder(bus, 'live', { startAtEnd: true });
      const replay = recorder(bus, 'replay');
      await bus.drain();
      expect(live).toEqual([]);
      expect(replay.map(seqOf)).toEqual([1, 2]);

      await publish(bus, thing('a', 3));
      await bus.drain();
      expect(live.map(seqOf)).toEqual([3]);
      expect(replay.map(seqOf)).toEqual([1, 2, 3]);

      // After a restart, a stored subscription resumes where it was; startAtEnd does not skip again.
      await publish(bus, thing('a', 4));
      await settle();
      const restarted = newBus();
      const liveAgain = recorder(restarted, 'live', { startAtEnd: true });
      await restarted.drain();
      expect(liveAgain.map(seqOf)).toEqual([4]);
    });

    it('delivers to a subscriber that follows another only what that one has handled', async () => {
      const bus = newBus();
      const seenByLeader = new Set<number>();
      const behind: number[] = [];
      const follower: number[] = [];
      // Registered first, so every round delivers to it before its leader.
      bus.subscribe(
        'follower',
        async (e) => {
          if (!seenByLeader.has(e.id)) behind.push(e.id);
          follower.push(seqOf(e));
        },
        { types: ['thing.liked'], after: 'leader' },
      );
      bus.subscribe('leader', async (e) => {
        seenByLeader.add(e.id);
      });
      const many = Array.from({ length: 450 }, (_, i) => thing('x', i + 1, i % 50 === 0 ? 'thing.liked' : 'thing.viewed'));
      await publish(bus, ...many);
      await visible();
      expect(await bus.runOnce()).toBe(200); // the leader's first batch; the follower had nothing handled yet
      expect(follower).toEqual([]);
      await bus.drain();
      expect(behind).toEqual([]);
      expect(follower).toEqual([1, 51, 101, 151, 201, 251, 301, 351, 401]);
    });

    it('refuses to run a subscriber that follows one not registered', async () => {
      const bus = newBus();
      recorder(bus, 'orphan', { after: 'nobody' });
      await expect(bus.runOnce()).rejects.toThrow(/orphan follows nobody/);
    });

    it('holds a follower back while its leader fails and waits for its retry', async () => {
      const bus = newBus();
      const follower = recorder(bus, 'follower', { after: 'leader' });
      let fail = true;
      bus.subscribe('leader', async () => {
        if (fail) throw new Error('not now');
      });
      await publish(bus, thing('a', 1), thing('a', 2));
      await bus.runOnce();
      await bus.runOnce();
      expect(follower).toEqual([]);
      fail = false;
      clock.advance({ minutes: 10 });
      await bus.drain();
      expect(follower.map(seqOf)).toEqual([1, 2]);
    });

    it('gives a subscriber with an empty types list nothing', async () => {
      const bus = newBus();
      const none = recorder(bus, 'none', { types: [] });
      await publish(bus, thing('a', 1));
      await bus.drain();
      expect(none).toEqual([]);
    });

    it('refuses to register two subscribers under one name', () => {
      const bus = newBus();
      recorder(bus, 'twice');
      expect(() => recorder(bus, 'twice')).toThrow(/twice/);
    });
  });

  describe('failures and retries', () => {
    it('retries a failing handler after a growing backoff, without redelivering the events before it', async () => {
      const bus = newBus();
      let broken = true;
      const calls: number[] = [];
      const delivered: number[] = [];
      bus.subscribe('fragile', async (e) => {
        calls.push(seqOf(e));
        if (broken && seqOf(e) === 3) throw new Error('projection store is down');
        delivered.push(seqOf(e));
      });
      const healthy = recorder(bus, 'healthy');
      await publish(bus, thing('a', 1), thing('a', 2));
      await publish(bus, thing('a', 3), thing('a', 4));
      await publish(bus, thing('a', 5));

      await bus.drain();
      expect(delivered).toEqual([1, 2]);
      expect(calls).toEqual([1, 2, 3]);
      // A failing subscriber does not hold back the others.
      expect(healthy.map(seqOf)).toEqual([1, 2, 3, 4, 5]);
      expect(await subscription('fragile')).toMatchObject({ attempts: 1, last_error: 'projection store is down' });

      // Not before the first backoff (1 s)…
      clock.advance({ ms: 500 });
      await bus.drain();
      expect(calls).toEqual([1, 2, 3]);
      // …then once it has passed; still broken, so the next wait is longer.
      clock.advance({ ms: 500 });
      await bus.drain();
      expect(calls).toEqual([1, 2, 3, 3]);
      expect(await subscription('fragile')).toMatchObject({ attempts: 2 });
      clock.advance({ ms: 1500 });
      await bus.drain();
      expect(calls).toEqual([1, 2, 3, 3]);

      broken = false;
      clock.advance({ ms: 500 });
      await bus.drain();
      expect(delivered).toEqual([1, 2, 3, 4, 5]);
      expect(calls).toEqual([1, 2, 3, 3, 3, 4, 5]);
      expect(await subscription('fragile')).toMatchObject({ attempts: 0, last_error: null, retry_at: null });
    });

    it('commits what a handler writes with its trx together with its progress, and nothing of a failed event', async () => {
      await createScratchTable('scratch_effects');
      const bus = newBus();
      let broken = true;
      bus.subscribe('projector', async (e, trx) => {
        await trx
          .insertInto('scratch_effects')
          .values({ event_id: e.id, note: `seq ${seqOf(e)}` })
          .execute();
        if (broken && seqOf(e) === 3) throw new Error('fails after writing');
      });
      const ids = await publish(bus, thing('a', 1), thing('a', 2), thing('a', 3), thing('a', 4));

      await bus.drain();
      expect(await scratchIds('scratch_effects')).toEqual([ids[0], ids[1]]);
      expect((await subscription('projector')).last_id).toBe(ids[1]);

      broken = false;
      clock.advance({ minutes: 10 });
      await bus.drain();
      // Each event's effect exactly once: the failed attempt's row was rolled back with it.
      expect(await scratchIds('scratch_effects')).toEqual(ids);
    });

    it('hands a batch subscriber the batch at once, and after a failure one event at a time, keeping the progress before it', async () => {
      await createScratchTable('scratch_batches');
      const bus = newBus();
      const calls: number[][] = [];
      let broken = true;
      bus.subscribeBatch('batcher', async (events, trx) => {
        calls.push(events.map(seqOf));
        await trx
          .insertInto('scratch_batches')
          .values(events.map((e) => ({ event_id: e.id, note: `seq ${seqOf(e)}` })))
          .execute();
        if (broken && events.some((e) => seqOf(e) === 3)) throw new Error('fails after writing');
      });
      const first = await publish(bus, thing('a', 1), thing('a', 2));
      await bus.drain();
      expect(calls).toEqual([[1, 2]]);
      expect(await scratchIds('scratch_batches')).toEqual(first);

      const more = await publish(bus, thing('a', 3), thing('a', 4), thing('a', 5));
      calls.length = 0;
      await bus.drain();
      // The batch failed as a whole (its rows rolled back), then 3 alone failed: nothing after 2 is kept.
      expect(calls).toEqual([[3, 4, 5], [3]]);
      expect(await scratchIds('scratch_batches')).toEqual(first);
      expect((await subscription('batcher')).attempts).toBe(1);

      broken = false;
      clock.advance({ minutes: 10 });
      await bus.drain();
      expect(await scratchIds('scratch_batches')).toEqual([...first, ...more]);
    });

    it('rolls back the effects of a whole delivery when its transaction cannot commit', async () => {
      await createScratchTable('scratch_effects');
      const bus = newBus();
      bus.subscribe('projector', async (e, trx) => {
        await trx.insertInto('scratch_effects').values({ event_id: e.id }).execute();
        // A handler that breaks the enclosing transaction (not just its own savepoint) fails the delivery.
        if (seqOf(e) === 2) await trx.schema.dropTable('event_subscriptions').execute();
      });
      await publish(bus, thing('a', 1), thing('a', 2));
      // The dropped table makes the progress write fail after the handlers ran.
      await expect(bus.drain()).rejects.toThrow();
      expect(await scratchIds('scratch_effects')).toEqual([]);
      expect(await subscription('projector')).toMatchObject({ last_id: 0 });
    });
  });

  describe('restarts', () => {
    it('continues where the previous process stopped, without redelivering', async () => {
      const first = newBus();
      const before = recorder(first, 'projector');
      await publish(first, thing('a', 1), thing('a', 2), thing('a', 3));
      await first.drain();
      await first.stop();
      expect(before.map(seqOf)).toEqual([1, 2, 3]);

      await publish(first, thing('a', 4), thing('b', 1));
      const second = newBus(anotherConnection());
      const after = recorder(second, 'projector');
      await second.drain();
      expect(after.map((e) => `${e.aggregateId}${seqOf(e)}`)).toEqual(['a4', 'b1']);
      expect(await second.status()).toEqual([expect.objectContaining({ name: 'projector', attempts: 0 })]);
    });

    it('keeps a failing subscriber waiting for its backoff across a restart', async () => {
      const first = newBus();
      const calls: number[] = [];
      first.subscribe('fragile', async (e) => {
        calls.push(seqOf(e));
        throw new Error('down');
      });
      await publish(first, thing('a', 1));
      await first.drain();
      expect(calls).toEqual([1]);

      const second = newBus(anotherConnection());
      const seen = recorder(second, 'fragile');
      await second.drain();
      expect(seen).toEqual([]);
      clock.advance({ seconds: 1 });
      await second.drain();
      expect(seen.map(seqOf)).toEqual([1]);
    });

    it('runs in the background once started and stops cleanly', async () => {
      const bus = new EventBus(db, clock, silent, 10);
      const seen: DomainEvent[] = [];
      const arrived = new Promise<void>((resolve) =>
        bus.subscribe('background', async (e) => {
          seen.push(e);
          resolve();
        }),
      );
      bus.start();
      await publish(bus, thing('a', 1));
      await arrived;
      await bus.stop();
      expect(seen.map(seqOf)).toEqual([1]);
    });
  });

  describe('property: any sequence of transactions, drains and transient failures', () => {
    it('delivers each committed event exactly once, in publish order per aggregate, and no rolled-back one', async () => {
      await createScratchTable('scratch_effects');
      let run = 0;
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('tx' as const),
          commit: fc.boolean(),
          events: fc.array(fc.record({ agg: fc.integer({ min: 0, max: 2 }), failures: fc.integer({ min: 0, max: 2 }) }), {
            minLength: 1,
            maxLength: 4,
          }),
        }),
        fc.constant({ kind: 'drain' as const }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
          run++;
          const bus = newBus();
          const attempts = new Map<number, number>();
          const delivered: DomainEvent[] = [];
          bus.subscribe(
            `property-${run}`,
            async (e, trx: Executor) => {
              // Earlier runs' events may still reach a new startAtEnd subscriber if they were held back.
              if (!e.aggregateId.startsWith(`run${run}-`)) return;
              const n = (attempts.get(e.id) ?? 0) + 1;
              attempts.set(e.id, n);
              await trx
                .insertInto('scratch_effects')
                .values({ event_id: e.id, note: `run ${run}` })
                .execute();
              if (n <= (e.payload.failures as number)) throw new Error(`transient failure ${n}`);
              delivered.push(e);
            },
            { startAtEnd: true },
          );
          await settle();
          await bus.runOnce();

          const committed: number[] = [];
          const seq = [0, 0, 0];
          for (const s of steps) {
            if (s.kind === 'drain') {
              await bus.drain();
              continue;
            }
            const ids = await db
              .transaction(async (trx) => {
                const ids: number[] = [];
                for (const e of s.events) {
                  ids.push(
                    await bus.publish(trx, {
                      type: 'thing.happened',
                      aggregateType: 'thing',
                      aggregateId: `run${run}-${e.agg}`,
                      payload: { seq: s.commit ? ++seq[e.agg]! : -1, failures: e.failures },
                    }),
                  );
                }
                if (!s.commit) throw new Error('rolled back');
                return ids;
              })
              .catch(() => []);
            committed.push(...ids);
          }
          for (let i = 0; i < 200 && delivered.length < committed.length; i++) {
            await bus.drain();
            clock.advance({ minutes: 10 });
          }
          expect(delivered.map((e) => e.id)).toEqual(committed);
          for (let agg = 0; agg < 3; agg++) {
            const seqs = delivered.filter((e) => e.aggregateId === `run${run}-${agg}`).map(seqOf);
            expect(seqs).toEqual(Array.from({ length: seq[agg]! }, (_, i) => i + 1));
          }
          const effects = await db.kysely
            .selectFrom('scratch_effects')
            .select('event_id')
            .where('note', '=', `run ${run}`)
            .orderBy('event_id')
            .execute();
          expect(effects.map((r) => Number(r.event_id))).toEqual(committed);
        }),
        { numRuns: 15 },
      );
    });
  });

  if (backend === 'postgres') {
    describe('transactions in flight (PostgreSQL)', () => {
      it('holds back a later event while an earlier transaction is open, then delivers both exactly once', async () => {
        const bus = newBus();
        const seen = recorder(bus, 'projector');
        await bus.runOnce();
        const t1 = await db.kysely.startTransaction().execute();
        let idA: number;
        let idB: number;
        try {
          idA = await bus.publish(t1, thing('a', 1));
          [idB] = (await publish(bus, thing('b', 1))) as [number];
          expect(idA).toBeLessThan(idB);
          // B is committed but came after A's open transaction: passing it now could lose A.
          expect(await bus.runOnce()).toBe(0);
          expect(await bus.runOnce()).toBe(0);
          expect(seen).toEqual([]);
          await t1.commit().execute();
        } catch (err) {
          await t1
            .rollback()
            .execute()
            .catch(() => {});
          throw err;
        }
        await bus.drain();
        expect(seen.map((e) => e.id)).toEqual([idA, idB]);
        await bus.drain();
        expect(seen).toHaveLength(2);
      });

      it('delivers the later event once the earlier transaction rolls back', async () => {
        const bus = newBus();
        const seen = recorder(bus, 'projector');
        await bus.runOnce();
        const t1 = await db.kysely.startTransaction().execute();
        let idB: number;
        try {
          await bus.publish(t1, thing('a', 1));
          [idB] = (await publish(bus, thing('b', 1))) as [number];
          expect(await bus.runOnce()).toBe(0);
        } finally {
          await t1.rollback().execute();
        }
        await bus.drain();
        expect(seen.map((e) => e.id)).toEqual([idB]);
      });

      it('drain waits for a committed event held back by another transaction still in flight', async () => {
        const bus = newBus();
        const seen = recorder(bus, 'projector');
        await bus.runOnce();
        // An unrelated writer (another process) takes a transaction id before B is published…
        const other = anotherConnection();
        const t0 = await other.kysely.startTransaction().execute();
        let idB: number;
        try {
          await sql`select pg_current_xact_id()`.execute(t0);
          [idB] = (await publish(bus, thing('b', 1))) as [number];
          // …and commits while drain is running.
          const draining = bus.drain();
          await sql`select pg_sleep(0.2)`.execute(t0);
          await t0.commit().execute();
          await draining;
        } catch (err) {
          await t0
            .rollback()
            .execute()
            .catch(() => {});
          throw err;
        }
        expect(seen.map((e) => e.id)).toEqual([idB]);
      });

      // Known bug, left for a design decision (see the outbox repository): positions are ordered by the
      // writing transaction's id, which PostgreSQL assigns at the transaction's first write, not at
      // commit. A transaction that wrote anything before another one published and committed an
      // event for the same aggregate sorts first, so x#2 is delivered before x#1. Drop `.fails` once fixed.
      it.fails('delivers an aggregate’s events in commit order even when the later one’s transaction began writing first', async () => {
        const bus = newBus();
        const seen = recorder(bus, 'projector');
        await bus.runOnce();
        const early = await db.kysely.startTransaction().execute();
        try {
          // A use case that writes something first (here another aggregate's event)…
          await bus.publish(early, thing('other', 1));
          // …while another use case publishes x#1 and commits…
          await publish(bus, thing('x', 1));
          // …and only then publishes x#2, after x#1 is committed.
          await bus.publish(early, thing('x', 2));
          await early.commit().execute();
        } catch (err) {
          await early
            .rollback()
            .execute()
            .catch(() => {});
          throw err;
        }
        await bus.drain();
        expect(seen.filter((e) => e.aggregateId === 'x').map(seqOf)).toEqual([1, 2]);
      });
    });
  }
});
