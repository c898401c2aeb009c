import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const ids = (items: { id: string }[]) => items.map((s) => s.id);

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;
  let communityId: string;

  const base = () => ({ communityId, title: '场景', persona: '上班族', goal: '吃得好', pain: '没时间' });

  /** Every page of a scene list, following cursors; fails if a page repeats an item. */
  async function allPages(query: Record<string, string | number | undefined>, limit: number) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const res = await t.visitor.get('/api/v1/scenes', { query: { ...query, limit, cursor } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(body.items));
      cursor = body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    return seen;
  }

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
    communityId = (await newCommunity(op)).id;
  });
  afterAll(() => t.close());

  describe('describing a scene', () => {
    it('keeps every field, trims and deduplicates tags, and announces it', async () => {
      const res = await alice.post('/api/v1/scenes', {
        communityId,
        title: '  开瓶的红酒一次喝不完  ',
        persona: '独居的上班族',
        goal: '晚上喝一杯放松',
        pain: '开瓶后第二天就氧化了',
        context: '工作日晚上，一个人在家',
        tags: ['红酒', ' 独居 ', '红酒', '独居', '小份'],
      });
      expect(res.statusCode).toBe(201);
      const scene = res.json();
      expect(scene).toEqual({
        id: expect.stringMatching(/^scn_/),
        communityId,
        author: { id: alice.id, displayName: 'alice' },
        title: '开瓶的红酒一次喝不完',
        persona: '独居的上班族',
        goal: '晚上喝一杯放松',
        pain: '开瓶后第二天就氧化了',
        context: '工作日晚上，一个人在家',
        tags: ['红酒', '独居', '小份'],
        needCount: 0,
        createdAt: t.clock.now().toISOString(),
      });
      const read = await t.visitor.get(`/api/v1/scenes/${scene.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(scene);
      expect(await t.app.events.eventsOf('scene', scene.id)).toEqual([
        expect.objectContaining({
          type: 'scene.described',
          actorId: alice.id,
          payload: expect.objectContaining({ sceneId: scene.id, communityId }),
        }),
      ]);
    });

    it('defaults context to empty and tags to none', async () => {
      const res = await alice.post('/api/v1/scenes', base());
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ context: '', tags: [] });
    });

    it('counts the needs raised in it', async () => {
      const scene = await newScene(alice, communityId);
      await newNeed(alice, scene.id);
      await newNeed(bob, scene.id);
      expect((await t.visitor.get(`/api/v1/scenes/${scene.id}`)).json().needCount).toBe(2);
    });

    it('accepts texts exactly at their limits', async () => {
      const res = await alice.post('/api/v1/scenes', {
        ...base(),
        title: '题'.repeat(120),
        persona: 'p'.repeat(500),
        goal: 'g'.repeat(1000),
        pain: '痛'.repeat(2000),
        context: 'c'.repeat(5000),
      });
      expect(res.statusCode, res.body).toBe(201);
    });

    it('rejects a title over 120 characters with 422 naming title, writing nothing', async () => {
      const before = await countRows(t, 'scenes');
      const res = await alice.post('/api/v1/scenes', { ...base(), title: '题'.repeat(121) });
      expect(res.statusCode).toBe(422);
      const body = problem(res);
      expect(body.type).toMatch(/problems\/validation$/);
      expect(body.errors?.map((e) => e.path)).toEqual(['title']);
      expect(await countRows(t, 'scenes')).toBe(before);
    });

    it('rejects persona over 500, goal over 1,000, pain over 2,000 and context over 5,000, naming each', async () => {
      const before = await countRows(t, 'scenes');
      const res = await alice.post('/api/v1/scenes', {
        ...base(),
        persona: 'p'.repeat(501),
        goal: 'g'.repeat(1001),
        pain: 'x'.repeat(2001),
        context: 'c'.repeat(5001),
      });
      expect(res.statusCode).toBe(422);
      expect(
        problem(res)
          .errors?.map((e) => e.path)
          .sort(),
      ).toEqual(['context', 'goal', 'pain', 'persona']);
      expect(await countRows(t, 'scenes')).toBe(before);
    });

    it('rejects missing or blank required fields, too many tags and unknown fields with 422', async () => {
      const before = await countRows(t, 'scenes');
      const missing = await alice.post('/api/v1/scenes', { communityId, title: 't' });
      expect(missing.statusCode).toBe(422);
      expect(
        problem(missing)
          .errors?.map((e) => e.path)
          .sort(),
      ).toEqual(['goal', 'pain', 'persona']);
      const blank = await alice.post('/api/v1/scenes', { ...base(), title: '   ' });
      expect(problem(blank).errors?.map((e) => e.path)).toEqual(['title']);
      const tags = await alice.post('/api/v1/scenes', { ...base(), tags: Array.from({ length: 11 }, (_, i) => `t${i}`) });
      expect(tags.statusCode).toBe(422);
      expect(problem(tags).errors?.map((e) => e.path)).toEqual(['tags']);
      const longTag = await alice.post('/api/v1/scenes', { ...base(), tags: ['x'.repeat(31)] });
      expect(problem(longTag).errors?.map((e) => e.path)).toEqual(['tags.0']);
      const extra = await alice.post('/api/v1/scenes', { ...base(), needCount: 9 });
      expect(problem(extra).errors?.map((e) => e.path)).toEqual(['needCount']);
      expect(await countRows(t, 'scenes')).toBe(before);
    });

    it('rejects an unknown community with 422 naming communityId, writing nothing', async () => {
      const before = await countRows(t, 'scenes');
      const res = await alice.post('/api/v1/scenes', { ...base(), communityId: 'com_unknown' });
      expect(res.statusCode).toBe(422);
      expect(problem(res).errors).toEqual([{ path: 'communityId', message: expect.any(String) }]);
      expect(await countRows(t, 'scenes')).toBe(before);
      expect(await countRows(t, 'scenes_search')).toBe(before);
    });

    it('refuses a visitor with 401, writing nothing', async () => {
      const before = await countRows(t, 'scenes');
      const res = await t.visitor.post('/api/v1/scenes', base());
      expect(res.statusCode).toBe(401);
      expect(problem(res).type).toMatch(/problems\/unauthorized$/);
      expect(await countRows(t, 'scenes')).toBe(before);
    });

    it('answers 404 for an unknown scene', async () => {
      const res = await t.visitor.get('/api/v1/scenes/scn_unknown');
      expect(res.statusCode).toBe(404);
      expect(problem(res).type).toMatch(/problems\/not-found$/);
    });
  });

  describe('listing', () => {
    it('lists a community’s scenes newest first, paging without repeats while scenes are added', async () => {
      const c = (await newCommunity(op)).id;
      const other = (await newCommunity(op)).id;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        made.push((await newScene(i % 2 ? bob : alice, c, { title: `scene ${i}` })).id);
        await newScene(alice, other);
        t.clock.advance({ ms: 5 });
      }
      expect(await allPages({ communityId: c }, 3)).toEqual([...made].reverse());

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const body = (await t.visitor.get('/api/v1/scenes', { query: { communityId: c, limit: 2, cursor } })).json();
        seen.push(...ids(body.items));
        // Someone describes a scene between page loads.
        await newScene(bob, c, { title: `late ${page}` });
        t.clock.advance({ ms: 5 });
        cursor = body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual([...made].reverse());
    });

    it('lists a member’s scenes newest first, across communities', async () => {
      const carol = await t.signUp('carol');
      const c2 = (await newCommunity(op)).id;
      const made: string[] = [];
      for (const c of [communityId, c2, communityId]) {
        made.push((await newScene(carol, c)).id);
        await newScene(bob, c);
        t.clock.advance({ ms: 5 });
      }
      expect(await allPages({ authorId: carol.id }, 2)).toEqual([...made].reverse());
      expect(await allPages({ authorId: carol.id, communityId: c2 }, 2)).toEqual([made[1]]);
      const page = (await t.visitor.get('/api/v1/scenes', { query: { authorId: carol.id } })).json();
      expect(page.items.every((s: { author: { id: string } }) => s.author.id === carol.id)).toBe(true);
      expect(page.nextCursor).toBeNull();
    });

    it('rejects a forged cursor and a limit out of range with 422', async () => {
      expect((await t.visitor.get('/api/v1/scenes', { query: { cursor: 'garbage' } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/scenes', { query: { limit: 0 } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/scenes', { query: { limit: 101 } })).statusCode).toBe(422);
    });
  });

  describe('search', () => {
    it('finds Chinese words inside text with no spaces, in any field, within a community', async () => {
      const c = (await newCommunity(op)).id;
      const camping = await newScene(alice, c, { title: '周末露营做饭太麻烦', pain: '锅碗太重' });
      const wine = await newScene(alice, c, { title: '开瓶的红酒一次喝不完', tags: ['葡萄酒'] });
      const baby = await newScene(bob, c, {
        title: '夜里给宝宝冲奶粉',
        persona: '新手妈妈',
        goal: '快点冲好',
        pain: '水温难控制',
        context: '凌晨三点',
      });
      const search = async (q: string, extra: Record<string, string> = {}) =>
        ids((await t.visitor.get('/api/v1/scenes', { query: { q, communityId: c, ...extra } })).json().items);
      expect(await search('露营')).toEqual([camping.id]);
      expect(await search('做饭')).toEqual([camping.id]);
      expect(await search('锅碗')).toEqual([camping.id]);
      expect(await search('喝不完')).toEqual([wine.id]);
      expect(await search('葡萄酒')).toEqual([wine.id]);
      expect(await search('新手妈妈')).toEqual([baby.id]);
      expect(await search('凌晨')).toEqual([baby.id]);
      expect(await search('露营 做饭')).toEqual([camping.id]);
      expect(await search('爬山')).toEqual([]);
      expect(await search('露营', { authorId: bob.id })).toEqual([]);
      // Outside the community the same words still find it.
      expect(ids((await t.visitor.get('/api/v1/scenes', { query: { q: '露营做饭' } })).json().items)).toContain(camping.id);
    });

    it('matches nothing for a query without searchable terms, and rejects a blank one with 422', async () => {
      expect((await t.visitor.get('/api/v1/scenes', { query: { q: '!!!' } })).json()).toEqual({ items: [], nextCursor: null });
      expect((await t.visitor.get('/api/v1/scenes', { query: { q: '   ' } })).statusCode).toBe(422);
    });

    it('pages through search results without repeats', async () => {
      const c = (await newCommunity(op)).id;
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await newScene(alice, c, { title: `带娃出门第${i}次` })).id);
        t.clock.advance({ ms: 5 });
      }
      expect(await allPages({ q: '带娃', communityId: c }, 2)).toEqual([...made].reverse());
    });
  });
});
