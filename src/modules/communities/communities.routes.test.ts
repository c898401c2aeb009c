import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const LEGO_LADDER = [
  { goal: 100, days: 60 },
  { goal: 1000, days: 365 },
  { goal: 5000, days: 180 },
  { goal: 10000, days: 180 },
];

let slugs = 0;
const uniqueSlug = (base = 'club') => `${base}-${++slugs}`;

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
  });
  afterAll(() => t.close());

  describe('creating', () => {
    it('lets an operator create a community on LEGO Ideas’ ladder by default, readable by id and by slug', async () => {
      const slug = uniqueSlug('food');
      const res = await op.post('/api/v1/communities', { slug, name: '美食', description: '吃喝的烦恼' });
      expect(res.statusCode).toBe(201);
      const community = res.json();
      expect(community).toEqual({
        id: expect.stringMatching(/^com_/),
        slug,
        name: '美食',
        description: '吃喝的烦恼',
        milestones: LEGO_LADDER,
        memberCount: 0,
        createdAt: t.clock.now().toISOString(),
      });
      const byId = await t.visitor.get(`/api/v1/communities/${community.id}`);
      expect(byId.statusCode).toBe(200);
      expect(byId.json()).toEqual(community);
      const bySlug = await t.visitor.get(`/api/v1/communities/${slug}`);
      expect(bySlug.statusCode).toBe(200);
      expect(bySlug.json()).toEqual(community);
      expect(await t.app.events.eventsOf('community', community.id)).toEqual([
        expect.objectContaining({ type: 'community.created', actorId: op.id }),
      ]);
    });

    it('defaults the description to empty', async () => {
      const res = await op.post('/api/v1/communities', { slug: uniqueSlug(), name: '白领' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ description: '', milestones: LEGO_LADDER });
    });

    it('refuses a member with 403 and a visitor with 401, and creates nothing', async () => {
      const before = await countRows(t, 'communities');
      const asMember = await alice.post('/api/v1/communities', { slug: uniqueSlug(), name: 'Not mine' });
      expect(asMember.statusCode).toBe(403);
      expect(problem(asMember).type).toMatch(/problems\/forbidden$/);
      const asVisitor = await t.visitor.post('/api/v1/communities', { slug: uniqueSlug(), name: 'Not mine' });
      expect(asVisitor.statusCode).toBe(401);
      expect(problem(asVisitor).type).toMatch(/problems\/unauthorized$/);
      expect(await countRows(t, 'communities')).toBe(before);
    });

    it('keeps custom milestones whose goals increase', async () => {
      const milestones = [
        { goal: 10, days: 7 },
        { goal: 50, days: 30 },
      ];
      const c = await newCommunity(op, { milestones });
      expect(c.milestones).toEqual(milestones);
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().milestones).toEqual(milestones);
    });

    it('rejects milestones whose goals do not increase, or none at all, with 422 naming milestones', async () => {
      const before = await countRows(t, 'communities');
      for (const milestones of [
        [
          { goal: 100, days: 30 },
          { goal: 100, days: 30 },
        ],
        [
          { goal: 50, days: 10 },
          { goal: 20, days: 10 },
        ],
        [],
      ]) {
        const res = await op.post('/api/v1/communities', { slug: uniqueSlug(), name: 'Bad ladder', milestones });
        expect(res.statusCode, JSON.stringify(milestones)).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['milestones']);
      }
      const zeroGoal = await op.post('/api/v1/communities', {
        slug: uniqueSlug(),
        name: 'Zero',
        milestones: [{ goal: 0, days: 10 }],
      });
      expect(zeroGoal.statusCode).toBe(422);
      expect(problem(zeroGoal).errors?.[0]?.path).toBe('milestones.0.goal');
      expect(await countRows(t, 'communities')).toBe(before);
    });

    it('rejects a slug that is taken with 409 naming slug, and keeps the first community', async () => {
      const slug = uniqueSlug('taken');
      const first = await newCommunity(op, { slug, name: 'First' });
      const before = await countRows(t, 'communities');
      const again = await op.post('/api/v1/communities', { slug, name: 'Second' });
      expect(again.statusCode).toBe(409);
      expect(problem(again).errors).toEqual([{ path: 'slug', message: expect.any(String) }]);
      expect(await countRows(t, 'communities')).toBe(before);
      expect((await t.visitor.get(`/api/v1/communities/${slug}`)).json()).toMatchObject({ id: first.id, name: 'First' });
    });

    it('rejects a malformed slug with 422 naming slug', async () => {
      const before = await countRows(t, 'communities');
      for (const slug of ['Has-Caps', 'a', '-leading-dash', '露营', 'with space', 'x'.repeat(64), '']) {
        const res = await op.post('/api/v1/communities', { slug, name: 'Bad slug' });
        expect(res.statusCode, slug).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['slug']);
      }
      expect(await countRows(t, 'communities')).toBe(before);
    });

    it('rejects an empty name, an unknown field and a missing body with 422', async () => {
      const before = await countRows(t, 'communities');
      const blank = await op.post('/api/v1/communities', { slug: uniqueSlug(), name: '   ' });
      expect(blank.statusCode).toBe(422);
      expect(problem(blank).errors?.map((e) => e.path)).toEqual(['name']);
      const extra = await op.post('/api/v1/communities', { slug: uniqueSlug(), name: 'x', memberCount: 5 });
      expect(extra.statusCode).toBe(422);
      expect(problem(extra).errors?.map((e) => e.path)).toEqual(['memberCount']);
      expect(await countRows(t, 'communities')).toBe(before);
    });
  });

  describe('changing milestones', () => {
    it('lets an operator replace the milestones; needs raised afterwards climb the new ladder', async () => {
      const c = await newCommunity(op);
      const scene = await newScene(alice, c.id);
      const earlier = await newNeed(alice, scene.id);
      const milestones = [
        { goal: 2, days: 3 },
        { goal: 4, days: 6 },
      ];
      const res = await op.patch(`/api/v1/communities/${c.id}`, { milestones });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: c.id, slug: c.slug, milestones });
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().milestones).toEqual(milestones);
      const later = await newNeed(alice, scene.id);
      expect(later.milestone).toMatchObject({ goal: 2 });
      expect((await t.visitor.get(`/api/v1/needs/${earlier.id}`)).json().milestone).toMatchObject({ goal: 100 });
      expect((await t.app.events.eventsOf('community', c.id)).map((e) => e.type)).toEqual([
        'community.created',
        'community.updated',
      ]);
    });

    it('changes the name alone and keeps the milestones', async () => {
      const c = await newCommunity(op);
      const res = await op.patch(`/api/v1/communities/${c.id}`, { name: '新名字' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: '新名字', milestones: LEGO_LADDER });
    });

    it('refuses a member (403), a visitor (401) and bad milestones (422), changing nothing', async () => {
      const c = await newCommunity(op);
      const milestones = [{ goal: 1, days: 1 }];
      expect((await alice.patch(`/api/v1/communities/${c.id}`, { milestones })).statusCode).toBe(403);
      expect((await t.visitor.patch(`/api/v1/communities/${c.id}`, { milestones })).statusCode).toBe(401);
      const bad = await op.patch(`/api/v1/communities/${c.id}`, {
        milestones: [
          { goal: 5, days: 1 },
          { goal: 3, days: 1 },
        ],
      });
      expect(bad.statusCode).toBe(422);
      expect(problem(bad).errors?.map((e) => e.path)).toEqual(['milestones']);
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().milestones).toEqual(LEGO_LADDER);
      expect((await t.app.events.eventsOf('community', c.id)).map((e) => e.type)).toEqual(['community.created']);
    });
  });

  describe('listing', () => {
    it('pages through every community once, oldest first', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await newCommunity(op)).id);
        t.clock.advance({ ms: 3 });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const res = await t.visitor.get('/api/v1/communities', { query: { limit: 2, cursor } });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((c: { id: string }) => c.id));
        cursor = body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(await countRows(t, 'communities'));
      expect(seen.filter((id) => made.includes(id))).toEqual(made);
    });

    it('rejects a limit out of range and a forged cursor with 422', async () => {
      expect((await t.visitor.get('/api/v1/communities', { query: { limit: 0 } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/communities', { query: { limit: 101 } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/communities', { query: { cursor: 'garbage' } })).statusCode).toBe(422);
    });
  });

  describe('membership', () => {
    it('joins and leaves idempotently with an exact member count, and shows `joined` to the signed-in caller', async () => {
      const c = await newCommunity(op);
      const url = `/api/v1/communities/${c.id}/membership`;
      expect((await alice.put(url)).json()).toEqual({ joined: true, memberCount: 1 });
      expect((await alice.put(url)).json()).toEqual({ joined: true, memberCount: 1 });
      expect(await countRows(t, 'community_members', ['community_id', c.id])).toBe(1);
      expect((await bob.put(url)).json()).toEqual({ joined: true, memberCount: 2 });

      expect((await alice.get(`/api/v1/communities/${c.id}`)).json()).toMatchObject({ joined: true, memberCount: 2 });
      const carol = await t.signUp('carol');
      expect((await carol.get(`/api/v1/communities/${c.slug}`)).json()).toMatchObject({ joined: false, memberCount: 2 });
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json()).not.toHaveProperty('joined');
      const listed = async (who: Persona) => {
        for (let cursor: string | undefined, i = 0; i < 100; i++) {
          const body = (await who.get('/api/v1/communities', { query: { limit: 100, cursor } })).json();
          const found = body.items.find((x: { id: string }) => x.id === c.id);
          if (found) return found;
          cursor = body.nextCursor ?? undefined;
          if (!cursor) break;
        }
        throw new Error('community not listed');
      };
      expect(await listed(alice)).toMatchObject({ joined: true, memberCount: 2 });
      expect(await listed(carol)).toMatchObject({ joined: false });

      expect((await alice.delete(url)).json()).toEqual({ joined: false, memberCount: 1 });
      expect((await alice.delete(url)).json()).toEqual({ joined: false, memberCount: 1 });
      expect((await carol.delete(url)).json()).toEqual({ joined: false, memberCount: 1 });
      expect(await countRows(t, 'community_members', ['community_id', c.id])).toBe(1);
      expect((await alice.get(`/api/v1/communities/${c.id}`)).json()).toMatchObject({ joined: false, memberCount: 1 });
      expect((await t.app.events.eventsOf('community', c.id)).map((e) => e.type)).toEqual([
        'community.created',
        'community.joined',
        'community.joined',
        'community.left',
      ]);
    });

    it('counts 50 concurrent joins by 50 members exactly, and 25 concurrent leaves after', async () => {
      const c = await newCommunity(op);
      const url = `/api/v1/communities/${c.id}/membership`;
      const crowd = await members(t, 50, 'joiner');
      const joins = await Promise.all(crowd.map((m) => m.put(url)));
      expect(joins.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
      expect(joins.map((r) => r.json().memberCount).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().memberCount).toBe(50);
      expect(await countRows(t, 'community_members', ['community_id', c.id])).toBe(50);
      const leaves = await Promise.all(crowd.slice(0, 25).map((m) => m.delete(url)));
      expect(leaves.every((r) => r.statusCode === 200)).toBe(true);
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().memberCount).toBe(25);
      expect(await countRows(t, 'community_members', ['community_id', c.id])).toBe(25);
    });

    it('stays consistent under concurrent joins and leaves from one member', async () => {
      const c = await newCommunity(op);
      const url = `/api/v1/communities/${c.id}/membership`;
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? bob.delete(url) : bob.put(url))));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const rows = await countRows(t, 'community_members', ['community_id', c.id]);
      expect(rows === 0 || rows === 1).toBe(true);
      expect((await t.visitor.get(`/api/v1/communities/${c.id}`)).json().memberCount).toBe(rows);
    });

    it('answers 401 to a visitor and writes nothing', async () => {
      const c = await newCommunity(op);
      expect((await t.visitor.put(`/api/v1/communities/${c.id}/membership`)).statusCode).toBe(401);
      expect((await t.visitor.delete(`/api/v1/communities/${c.id}/membership`)).statusCode).toBe(401);
      expect(await countRows(t, 'community_members', ['community_id', c.id])).toBe(0);
    });
  });

  describe('unknown communities', () => {
    it('answers 404 to reading, changing, joining and leaving one', async () => {
      const before = await countRows(t, 'community_members');
      const read = await t.visitor.get('/api/v1/communities/com_unknown');
      expect(read.statusCode).toBe(404);
      expect(problem(read).type).toMatch(/problems\/not-found$/);
      expect((await t.visitor.get('/api/v1/communities/no-such-slug')).statusCode).toBe(404);
      expect((await op.patch('/api/v1/communities/com_unknown', { name: 'x' })).statusCode).toBe(404);
      expect((await alice.put('/api/v1/communities/com_unknown/membership')).statusCode).toBe(404);
      expect((await alice.delete('/api/v1/communities/com_unknown/membership')).statusCode).toBe(404);
      expect(await countRows(t, 'community_members')).toBe(before);
    });
  });
});
