import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, forEachBackend } from '../../../test/harness.js';
import { ManualClock } from '../clock.js';
import { type Database, openDatabase } from '../db/database.js';
import { AppError } from '../errors.js';
import { type Limit, RateLimiter } from './rate-limiter.js';

let keys = 0;
/** A limit on a key no other test uses. */
const limitOf = (max: number, windowSeconds = 60): Limit => ({ key: `test:key:${++keys}`, max, windowSeconds });

/** The error a rejected call throws, or undefined when it went through. */
async function rejection(call: Promise<void>): Promise<AppError | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

forEachBackend((backend) => {
  let db: Database;
  let other: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDatabase(backend);
    ({ db, drop } = created);
    // A second connection to the same database, as another server process has.
    other =
      backend === 'sqlite'
        ? openDatabase({ dialect: 'sqlite', filename: created.url.slice('sqlite:'.length) })
        : openDatabase({ dialect: 'postgres', connectionString: created.url, poolMax: 10 });
  });
  afterAll(async () => {
    await other.close();
    await drop();
  });

  /** A clock 10 s into a minute-aligned window. */
  const newClock = () => new ManualClock('2026-03-01T08:00:10.000Z');

  describe('hit', () => {
    it('lets max hits through and rejects the next with rate_limited and the seconds left in the window', async () => {
      const limiter = new RateLimiter(db, newClock());
      const limit = limitOf(3);
      for (let i = 0; i < 3; i++) await limiter.hit(limit);
      const err = await rejection(limiter.hit(limit));
      expect(err?.kind).toBe('rate_limited');
      expect(err?.status).toBe(429);
      expect(err?.details.retryAfter).toBe(50);
    });

    it('starts a fresh window when the clock passes the end of the window', async () => {
      const clock = newClock();
      const limiter = new RateLimiter(db, clock);
      const limit = limitOf(2);
      await limiter.hit(limit);
      await limiter.hit(limit);
      clock.set('2026-03-01T08:00:59.999Z');
      const last = await rejection(limiter.hit(limit));
      expect(last?.kind).toBe('rate_limited');
      expect(last?.details.retryAfter).toBe(1);
      clock.set('2026-03-01T08:01:00.000Z');
      await limiter.hit(limit);
      await limiter.hit(limit);
      expect((await rejection(limiter.hit(limit)))?.details.retryAfter).toBe(60);
    });

    it('counts each key on its own', async () => {
      const limiter = new RateLimiter(db, newClock());
      const a = limitOf(1);
      const b = limitOf(1);
      await limiter.hit(a);
      await limiter.hit(b);
      expect((await rejection(limiter.hit(a)))?.kind).toBe('rate_limited');
      expect((await rejection(limiter.hit(b)))?.kind).toBe('rate_limited');
    });
  });

  describe('refund', () => {
    it('gives a hit back, so only the hits not refunded fill the window', async () => {
      const limiter = new RateLimiter(db, newClock());
      const limit = limitOf(2);
      for (let i = 0; i < 5; i++) {
        await limiter.hit(limit);
        await limiter.refund(limit);
      }
      await limiter.hit(limit);
      await limiter.hit(limit);
      const err = await rejection(limiter.hit(limit));
      expect(err?.kind).toBe('rate_limited');
      expect(err?.details.retryAfter).toBe(50);
    });
  });

  describe('shared by every process', () => {
    it('shares counts between two limiters on two connections to the same database', async () => {
      const clock = newClock();
      const here = new RateLimiter(db, clock);
      const there = new RateLimiter(other, clock);
      const limit = limitOf(4);
      await here.hit(limit);
      await there.hit(limit);
      await here.hit(limit);
      await there.hit(limit);
      expect((await rejection(here.hit(limit)))?.kind).toBe('rate_limited');
      expect((await rejection(there.hit(limit)))?.kind).toBe('rate_limited');
    });

    it('lets exactly max of many concurrent hits through, whichever process they reach', async () => {
      const clock = newClock();
      const limiters = [new RateLimiter(db, clock), new RateLimiter(other, clock)];
      const limit = limitOf(20);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => rejection(limiters[i % 2]!.hit(limit)).then((err) => err?.kind ?? 'ok')),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20);
      expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(30);
    });
  });

  describe('prune', () => {
    it('forgets windows that ended more than a day ago and keeps the current one', async () => {
      const clock = newClock();
      const limiter = new RateLimiter(db, clock);
      const old = limitOf(1);
      await limiter.hit(old);
      clock.advance({ days: 1, minutes: 2 });
      const current = limitOf(1);
      await limiter.hit(current);
      await limiter.prune();
      const rows = await db.kysely.selectFrom('rate_limits').select('key').where('key', 'in', [old.key, current.key]).execute();
      expect(rows.map((r) => r.key)).toEqual([current.key]);
      expect((await rejection(limiter.hit(current)))?.kind).toBe('rate_limited');
    });

    it('keeps a window longer than a day while it is still running', async () => {
      // Two-day windows start at even days since the epoch: 2026-02-28T00:00Z is one.
      const clock = new ManualClock('2026-02-28T01:00:00.000Z');
      const limiter = new RateLimiter(db, clock);
      const limit = limitOf(1, 2 * 86_400);
      await limiter.hit(limit);
      clock.set('2026-03-01T12:00:00.000Z');
      await limiter.prune();
      expect((await rejection(limiter.hit(limit)))?.kind).toBe('rate_limited');
    });
  });
});
