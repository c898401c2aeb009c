import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { newCommunity, newNeed, newScene } from './factories.js';
import { backends, type Client, clientFor, createTestApp, createTestDatabase, type TestApp } from './harness.js';

/**
 * Supports sent to two full Covalue servers on one PostgreSQL, each with its own connection pool,
 * as two processes behind a load balancer would receive them. Each server batches the supports it
 * receives; the counts, ranks and milestones must stay exact across both.
 */
const describeOnPostgres = backends.includes('postgres') ? describe : describe.skip;

/** One member, signed in by the same bearer token on both instances. */
interface Member {
  id: string;
  onA: Client;
  onB: Client;
}

describeOnPostgres('supports through two instances on one PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let secondPool: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDatabase('postgres');
    drop = created.drop;
    secondPool = openDatabase({ dialect: 'postgres', connectionString: created.url, poolMax: 20 });
    // One time for both, as two servers share the wall clock.
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    a = await createTestApp('postgres', { database: created.db, clock });
    b = await createTestApp('postgres', { database: secondPool, clock });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await secondPool?.close();
    await drop?.();
  });

  /** Signs up `n` members on A (a few at a time) with clients for both instances. */
  async function membersOnBoth(n: number, prefix: string): Promise<Member[]> {
    const out: Member[] = [];
    for (let i = 0; i < n; i += 25) {
      const batch = Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
        const persona = await a.signUp(`${prefix}${i + j}`);
        const issued = await b.visitor.post('/api/v1/auth/tokens', { email: persona.email, password: persona.password });
        expect(issued.statusCode, issued.body).toBe(201);
        const headers = { authorization: `Bearer ${issued.json().token}` };
        return { id: persona.id, onA: clientFor(a.app, () => headers), onB: clientFor(b.app, () => headers) };
      });
      out.push(...(await Promise.all(batch)));
    }
    return out;
  }

  it('counts 300 alternating and 50 doubled concurrent supports exactly once each, with ranks 1..350 and one milestone event', async () => {
    const op = await a.operator();
    const author = await a.signUp('author');
    const community = await newCommunity(op, {
      milestones: [
        { goal: 100, days: 30 },
        { goal: 1000, days: 60 },
      ],
    });
    const need = await newNeed(author, (await newScene(author, community.id)).id);
    const alternating = await membersOnBoth(300, 'alt');
    const doubled = await membersOnBoth(50, 'dbl');
    const url = `/api/v1/needs/${need.id}/support`;

    const calls = [
      ...alternating.map((m, i) => (i % 2 ? m.onB : m.onA).put(url)),
      // The same member's support reaches both instances at once (a retry through the other server).
      ...doubled.flatMap((m) => [m.onA.put(url), m.onB.put(url)]),
    ];
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`)).toEqual([]);
    expect(results.every((r) => r.json().supported === true)).toBe(true);

    const rows = await a.db.kysely.selectFrom('need_supports').select('member_id').where('need_id', '=', need.id).execute();
    const everyone = [...alternating, ...doubled].map((m) => m.id).sort();
    expect(rows.map((r) => r.member_id).sort()).toEqual(everyone);
    for (const t of [a, b]) {
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json()).toMatchObject({
        stage: 'open',
        supportCount: 350,
        milestone: { index: 1, goal: 1000 },
      });
    }

    const events = await a.app.events.eventsOf('need', need.id);
    const supported = events.filter((e) => e.type === 'need.supported');
    expect(supported.map((e) => e.payload.memberId as string).sort()).toEqual(everyone);
    expect(supported.map((e) => Number(e.payload.rank)).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 350 }, (_, i) => i + 1),
    );
    const milestones = events.filter((e) => e.type === 'need.milestone-reached');
    expect(milestones).toHaveLength(1);
    expect(milestones[0]!.payload).toMatchObject({ index: 0, goal: 100 });
  });
});
