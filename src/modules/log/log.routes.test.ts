import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEntry, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { backends, createTestApp, createTestDatabase, forEachBackend, type TestApp } from '../../../test/harness.js';
import type { LogEntry } from '../../contracts/log.js';
import { canonicalJson } from '../../platform/canonical-json.js';
import { ManualClock } from '../../platform/clock.js';
import { openDatabase } from '../../platform/db/database.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import type { NewLogEntry } from './log.entries.js';
import { EMPTY_ROOT, leafHash, rootOf, verifyConsistency, verifyInclusion } from './merkle.js';
import { treeHeadBytes, verifySignature } from './signing-key.js';

const unhex = (s: string) => Buffer.from(s, 'hex');
const leafOf = (e: LogEntry) => leafHash(Buffer.from(canonicalJson(e), 'utf8'));

const entry = logEntry;

async function append(t: TestApp, entries: NewLogEntry[]) {
  return t.db.transaction((trx) => t.app.modules.log.service.append(trx, entries));
}

forEachBackend((backend) => {
  describe('contribution log', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend);
    });
    afterAll(() => t.close());

    it('signs the empty tree first, with a key anyone can check', async () => {
      const key = (await t.visitor.get('/api/v1/log/public-key')).json();
      expect(key.algorithm).toBe('Ed25519');
      const res = await t.visitor.get('/api/v1/log/head');
      expect(res.statusCode, res.body).toBe(200);
      const head = res.json();
      expect(head).toMatchObject({ treeSize: 0, rootHash: EMPTY_ROOT.toString('hex'), timestamp: t.clock.now().getTime() });
      const signed = treeHeadBytes({ treeSize: 0, timestamp: head.timestamp, rootHash: EMPTY_ROOT });
      const pub = Buffer.from(key.publicKey, 'base64');
      expect(verifySignature(pub, signed, Buffer.from(head.signature, 'base64'))).toBe(true);
      expect(
        verifySignature(
          pub,
          treeHeadBytes({ treeSize: 1, timestamp: head.timestamp, rootHash: EMPTY_ROOT }),
          Buffer.from(head.signature, 'base64'),
        ),
      ).toBe(false);
    });

    it('records contributions from the events, credits members, and proves each entry', async () => {
      const op = await t.operator();
      const author = await t.signUp('author');
      const fans = await Promise.all([t.signUp('fan1'), t.signUp('fan2')]);
      const community = await newCommunity(op);
      const scene = await newScene(author, community.id);
      const need = await newNeed(author, scene.id);
      for (const fan of fans) expect((await fan.put(`/api/v1/needs/${need.id}/support`)).statusCode).toBe(200);
      await t.app.events.drain();

      const mine = (await t.visitor.get(`/api/v1/members/${author.id}/contributions`)).json();
      expect(mine.items.map((c: { entry: LogEntry }) => c.entry.kind)).toEqual(['need.raised', 'scene.described']);
      expect(mine.items[0].entry).toMatchObject({ actor: author.id, subjects: { needId: need.id, sceneId: scene.id } });
      const second = (
        await t.visitor.get(`/api/v1/members/${fans[1]!.id}/contributions`, { query: { kind: 'need.supported' } })
      ).json();
      expect(second.items).toHaveLength(1);
      expect(second.items[0]).toMatchObject({ role: 'actor', entry: { data: { rank: 2 }, subjects: { needId: need.id } } });
      // Personal data stays out: no e-mail, no display name anywhere in the log.
      const all = (await t.visitor.get('/api/v1/log/entries', { query: { start: 0, end: 99 } })).json().entries;
      expect(all.length).toBeGreaterThanOrEqual(4);
      const text = all.map((e: { leafInput: string }) => Buffer.from(e.leafInput, 'base64').toString('utf8')).join('\n');
      expect(text).not.toContain(author.email);
      expect(text).not.toContain('fan1');
      for (const e of all) expect(Buffer.from(e.leafInput, 'base64').toString('utf8')).toBe(canonicalJson(e.entry));

      expect(await t.app.modules.log.service.signDue()).toBeNull(); // fewer than N entries and less than T seconds
      t.clock.advance({ seconds: 11 });
      const head = await t.app.modules.log.service.signDue();
      expect(head?.treeSize).toBe(all.length);
      for (const e of all) {
        const proof = (await t.visitor.get('/api/v1/log/proof/inclusion', { query: { index: e.index } })).json();
        expect(proof.treeSize).toBe(head!.treeSize);
        const leaf = leafHash(Buffer.from(e.leafInput, 'base64'));
        expect(proof.leafHash).toBe(leaf.toString('hex'));
        expect(verifyInclusion(leaf, e.index, proof.treeSize, proof.auditPath.map(unhex), unhex(head!.rootHash))).toBe(true);
        const byHash = (
          await t.visitor.get('/api/v1/log/proof/inclusion', { query: { hash: proof.leafHash, treeSize: head!.treeSize } })
        ).json();
        expect(byHash).toEqual(proof);
      }
      const heads = (await t.visitor.get('/api/v1/log/heads')).json().items;
      expect(heads.map((h: { treeSize: number }) => h.treeSize)).toEqual([head!.treeSize, 0]);
      const consistency = (
        await t.visitor.get('/api/v1/log/proof/consistency', { query: { first: 1, second: head!.treeSize } })
      ).json();
      const firstRoot = (await t.visitor.get('/api/v1/log/proof/inclusion', { query: { index: 0, treeSize: 1 } })).json()
        .leafHash;
      expect(verifyConsistency(1, head!.treeSize, unhex(firstRoot), unhex(head!.rootHash), consistency.proof.map(unhex))).toBe(
        true,
      );
    });

    it('answers bad questions with a problem and changes nothing', async () => {
      const size = await t.app.modules.log.service.size();
      const cases: [string, Record<string, string | number>, number][] = [
        ['/api/v1/log/proof/inclusion', { index: size, treeSize: size }, 422],
        ['/api/v1/log/proof/inclusion', { index: 0, treeSize: size + 1 }, 422],
        ['/api/v1/log/proof/inclusion', { index: 0, hash: '00'.repeat(32) }, 422],
        ['/api/v1/log/proof/inclusion', { hash: 'ab'.repeat(32), treeSize: size }, 404],
        ['/api/v1/log/proof/inclusion', { hash: 'xyz' }, 422],
        ['/api/v1/log/proof/consistency', { first: 3, second: 2 }, 422],
        ['/api/v1/log/proof/consistency', { first: 1, second: size + 1 }, 422],
        ['/api/v1/log/entries', { start: 5, end: 4 }, 422],
        ['/api/v1/log/entries', { start: size, end: size + 10 }, 422],
        ['/api/v1/log/entries', { start: -1, end: 3 }, 422],
        ['/api/v1/members/mem_nobody/contributions', {}, 404],
      ];
      for (const [url, query, status] of cases) {
        const res = await t.visitor.get(url, { query });
        expect(res.statusCode, `${url} ${JSON.stringify(query)}: ${res.body}`).toBe(status);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect(await t.app.modules.log.service.size()).toBe(size);
    });
  });

  describe('contribution log storage', () => {
    it('proves every entry and every prefix from the stored subtrees, for random batch sizes', async () => {
      const t = await createTestApp(backend);
      try {
        const leaves: Buffer[] = [];
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
            fc.nat(),
            fc.nat(),
            async (batches, a, b) => {
              for (const n of batches) {
                const batch = Array.from({ length: n }, (_, i) => entry(leaves.length + i));
                expect(await append(t, batch)).toBe(leaves.length);
                leaves.push(...batch.map((e, i) => leafOf({ ...e, index: leaves.length + i })));
              }
              const size = leaves.length;
              const treeSize = 1 + (a % size);
              const index = b % treeSize;
              const root = rootOf(leaves.slice(0, treeSize));
              const proof = await t.app.modules.log.service.inclusionProof({ index, treeSize });
              expect(verifyInclusion(leaves[index]!, index, treeSize, proof.auditPath.map(unhex), root)).toBe(true);
              const c = await t.app.modules.log.service.consistencyProof(treeSize, size);
              expect(verifyConsistency(treeSize, size, root, rootOf(leaves), c.proof.map(unhex))).toBe(true);
            },
          ),
          { numRuns: 12 },
        );
        t.clock.advance({ minutes: 1 });
        const head = await t.app.modules.log.service.signDue();
        expect(head?.rootHash).toBe(rootOf(leaves).toString('hex'));
      } finally {
        await t.close();
      }
    });

    it('is the same log, byte for byte, for the same events (a fixed root on both backends)', async () => {
      const t = await createTestApp(backend, { config: { LOG_HEAD_EVERY_ENTRIES: '3' } });
      try {
        const events: DomainEvent[] = [
          {
            id: 1,
            type: 'scene.described',
            aggregateType: 'scene',
            aggregateId: 'scn_1',
            actorId: 'mem_a',
            occurredAt: '2026-03-01T08:00:00.000Z',
            payload: { sceneId: 'scn_1', communityId: 'com_1' },
          },
          {
            id: 2,
            type: 'need.raised',
            aggregateType: 'need',
            aggregateId: 'need_1',
            actorId: 'mem_a',
            occurredAt: '2026-03-01T08:01:00.000Z',
            payload: { needId: 'need_1', sceneId: 'scn_1', communityId: 'com_1', authorId: 'mem_a' },
          },
          {
            id: 3,
            type: 'need.supported',
            aggregateType: 'need',
            aggregateId: 'need_1',
            actorId: 'mem_b',
            occurredAt: '2026-03-01T08:02:00.000Z',
            payload: {
              needId: 'need_1',
              memberId: 'mem_b',
              rank: 1,
              intent: { quantity: 2, maxUnitPrice: { amount: 7000, currency: 'CNY' } },
            },
          },
          {
            id: 4,
            type: 'member.registered',
            aggregateType: 'member',
            aggregateId: 'mem_c',
            actorId: 'mem_c',
            occurredAt: '2026-03-01T08:03:00.000Z',
            payload: { memberId: 'mem_c' },
          },
          {
            id: 5,
            type: 'need.merged',
            aggregateType: 'need',
            aggregateId: 'need_2',
            actorId: 'mem_op',
            occurredAt: '2026-03-01T08:04:00.000Z',
            payload: { needId: 'need_2', intoNeedId: 'need_1', fromAuthorId: 'mem_c', intoAuthorId: 'mem_a', supportersAdded: 3 },
          },
          {
            id: 6,
            type: 'lot.produced',
            aggregateType: 'lot',
            aggregateId: 'lot_1',
            actorId: 'mem_m',
            occurredAt: '2026-03-01T08:05:00.000Z',
            payload: {
              lotId: 'lot_1',
              lotNumber: 'SG-1',
              productId: 'prod_1',
              needId: 'need_1',
              bidId: 'bid_1',
              callId: 'call_1',
              organisationId: 'org_1',
              quantity: 1500,
              producedOn: '2026-02-20',
            },
          },
        ];
        await t.db.transaction((trx) => t.app.modules.log.service.onEvents(events, trx));
        const head = await t.app.modules.log.service.latestHead();
        expect(head.treeSize).toBe(5); // member.registered is no contribution
        // The root is a constant: the same on SQLite and PostgreSQL, and on any machine.
        expect(head.rootHash).toBe('b52c9865a73d9aaca3934fcc7d1ee8f1eec1697f2153728d69cb2e8546986984');
        const merged = (await t.app.modules.log.service.contributions('mem_c', { limit: 10 })).items;
        expect(merged).toMatchObject([
          { role: 'credited', entry: { kind: 'need.merged', actor: 'mem_op', credits: ['mem_a', 'mem_c'] } },
        ]);
      } finally {
        await t.close();
      }
    });
  });
});

const describeOnPostgres = backends.includes('postgres') ? describe : describe.skip;

describeOnPostgres('two instances appending to one PostgreSQL log', () => {
  it('appends without gaps or duplicates, and the root is that of the entries in index order', async () => {
    const created = await createTestDatabase('postgres');
    const secondPool = openDatabase({ dialect: 'postgres', connectionString: created.url, poolMax: 20 });
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const a = await createTestApp('postgres', { database: created.db, clock, config: { LOG_HEAD_EVERY_ENTRIES: '7' } });
    const b = await createTestApp('postgres', { database: secondPool, clock, config: { LOG_HEAD_EVERY_ENTRIES: '7' } });
    try {
      const batches = Array.from({ length: 40 }, (_, i) =>
        Array.from({ length: 1 + (i % 5) }, (_, j) => entry(i * 10 + j, { subjects: { needId: `need_${i}` } })),
      );
      await Promise.all(batches.map((batch, i) => append(i % 2 ? a : b, batch)));
      const total = batches.flat().length;
      const rows = (await a.visitor.get('/api/v1/log/entries', { query: { start: 0, end: total + 10 } })).json().entries;
      expect(rows.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: total }, (_, i) => i));
      const seen = rows.map((r: { entry: LogEntry }) => r.entry.actor).sort();
      expect(seen).toEqual(
        batches
          .flat()
          .map((e) => e.actor)
          .sort(),
      );
      // Each batch stays together, in order.
      for (const batch of batches) {
        const at = rows.findIndex((r: { entry: LogEntry }) => r.entry.actor === batch[0]!.actor);
        expect(rows.slice(at, at + batch.length).map((r: { entry: LogEntry }) => r.entry.actor)).toEqual(
          batch.map((e) => e.actor),
        );
      }
      clock.advance({ minutes: 1 });
      await b.app.modules.log.service.signDue();
      const head = await b.app.modules.log.service.latestHead();
      expect(head.treeSize).toBe(total);
      expect(head.rootHash).toBe(rootOf(rows.map((r: { entry: LogEntry }) => leafOf(r.entry))).toString('hex'));
      // Every head signed on the way (by either instance) is consistent with the last one.
      const heads = (await a.visitor.get('/api/v1/log/heads', { query: { limit: 100 } })).json().items as {
        treeSize: number;
        rootHash: string;
      }[];
      expect(heads.length).toBeGreaterThan(5);
      for (const h of heads.slice(1)) {
        const p = await a.app.modules.log.service.consistencyProof(h.treeSize, head.treeSize);
        expect(
          verifyConsistency(h.treeSize, head.treeSize, unhex(h.rootHash), unhex(head.rootHash), p.proof.map(unhex)),
          `${h.treeSize}`,
        ).toBe(true);
      }
    } finally {
      await a.close();
      await b.close();
      await secondPool.close();
      await created.drop();
    }
  });
});
