import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;
  let communityId: string;
  let sceneId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
    communityId = (
      await newCommunity(op, {
        milestones: [
          { goal: 3, days: 10 },
          { goal: 5, days: 20 },
        ],
      })
    ).id;
    sceneId = (await newScene(alice, communityId)).id;
  });
  afterAll(() => t.close());

  describe('raising a need', () => {
    it('opens on the community’s first milestone with a deadline from the clock', async () => {
      const need = await newNeed(alice, sceneId);
      expect(need).toMatchObject({ stage: 'open', supportCount: 0, milestone: { index: 0, of: 2, goal: 3, previousGoal: 0 } });
      expect(need.milestone?.deadline).toBe(new Date(t.clock.now().getTime() + 10 * 86_400_000).toISOString());
      const scene = (await t.visitor.get(`/api/v1/scenes/${sceneId}`)).json();
      expect(scene.needCount).toBeGreaterThanOrEqual(1);
    });

    it('rejects a title over 120 characters and a body over 10,000 with 422 naming the field, writing nothing', async () => {
      const before = await countRows(t, 'needs');
      const long = await alice.post('/api/v1/needs', { sceneId, title: 'x'.repeat(121), body: 'y'.repeat(10_001) });
      expect(long.statusCode).toBe(422);
      expect(
        problem(long)
          .errors?.map((e) => e.path)
          .sort(),
      ).toEqual(['body', 'title']);
      const noScene = await alice.post('/api/v1/needs', { sceneId: 'scn_nope', title: 't', body: 'b' });
      expect(noScene.statusCode).toBe(422);
      expect(problem(noScene).errors?.[0]?.path).toBe('sceneId');
      expect(await countRows(t, 'needs')).toBe(before);
    });

    it('answers 401 to a visitor and 404 for an unknown need', async () => {
      expect((await t.visitor.post('/api/v1/needs', { sceneId, title: 't', body: 'b' })).statusCode).toBe(401);
      expect((await t.visitor.get('/api/v1/needs/need_unknown')).statusCode).toBe(404);
      expect((await bob.put('/api/v1/needs/need_unknown/support')).statusCode).toBe(404);
    });
  });

  describe('the stage machine over simulated time', () => {
    it('climbs milestones, moves the deadline, and qualifies at the last goal', async () => {
      const need = await newNeed(alice, sceneId);
      const supporters = await members(t, 5, 'climb');
      for (const m of supporters.slice(0, 3)) expect((await m.put(`/api/v1/needs/${need.id}/support`)).statusCode).toBe(200);
      t.clock.advance({ days: 1 });
      let now = (await t.visitor.get(`/api/v1/needs/${need.id}`)).json();
      expect(now.stage).toBe('open');
      expect(now.milestone).toMatchObject({ index: 1, goal: 5, previousGoal: 3 });
      // The next step's deadline counts from the moment the goal was reached.
      expect(Date.parse(now.milestone.deadline)).toBe(t.clock.now().getTime() - 86_400_000 + 20 * 86_400_000);
      for (const m of supporters.slice(3)) await m.put(`/api/v1/needs/${need.id}/support`);
      now = (await t.visitor.get(`/api/v1/needs/${need.id}`)).json();
      expect(now).toMatchObject({ stage: 'qualified', supportCount: 5, milestone: null });
      const types = (await t.app.events.eventsOf('need', need.id)).map((e) => e.type);
      expect(types).toEqual([
        'need.raised',
        ...Array(3).fill('need.supported'),
        'need.milestone-reached',
        'need.supported',
        'need.supported',
        'need.milestone-reached',
        'need.qualified',
      ]);
      // Supports are final once qualified.
      expect((await supporters[0]!.delete(`/api/v1/needs/${need.id}/support`)).statusCode).toBe(409);
    });

    it('is expired the moment its deadline passes, refuses support with 409, and the worker records it', async () => {
      const need = await newNeed(alice, sceneId);
      await bob.put(`/api/v1/needs/${need.id}/support`);
      t.clock.advance({ days: 10, seconds: 1 });
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json()).toMatchObject({ stage: 'expired', milestone: null });
      const late = await (await t.signUp('late')).put(`/api/v1/needs/${need.id}/support`);
      expect(late.statusCode).toBe(409);
      expect(problem(late).detail).toMatch(/expired/);
      expect(
        (await t.visitor.get('/api/v1/needs', { query: { stage: 'expired', sceneId } }))
          .json()
          .items.map((n: { id: string }) => n.id),
      ).toContain(need.id);
      expect(await t.app.modules.needs.service.recordExpiries()).toBeGreaterThanOrEqual(1);
      const events = await t.app.events.eventsOf('need', need.id);
      expect(events.at(-1)?.type).toBe('need.expired');
      expect(await t.app.modules.needs.service.recordExpiries()).toBe(0);
    });
  });

  describe('supports', () => {
    it('are idempotent, exclude the author (422), and carry purchase intent into the totals', async () => {
      const need = await newNeed(alice, sceneId);
      const self = await alice.put(`/api/v1/needs/${need.id}/support`);
      expect(self.statusCode).toBe(422);
      const intent = { intent: { quantity: 2, maxUnitPrice: { amount: 6000, currency: 'CNY' } } };
      expect((await bob.put(`/api/v1/needs/${need.id}/support`, intent)).json()).toEqual({ supported: true, supportCount: 1 });
      expect((await bob.put(`/api/v1/needs/${need.id}/support`, intent)).json()).toEqual({ supported: true, supportCount: 1 });
      let seen = (await bob.get(`/api/v1/needs/${need.id}`)).json();
      expect(seen).toMatchObject({ supported: true, intent: { supporters: 1, quantity: 2 }, myIntent: intent.intent });
      await bob.put(`/api/v1/needs/${need.id}/support`, {
        intent: { quantity: 5, maxUnitPrice: { amount: 5000, currency: 'CNY' } },
      });
      seen = (await bob.get(`/api/v1/needs/${need.id}`)).json();
      expect(seen).toMatchObject({ supportCount: 1, intent: { supporters: 1, quantity: 5 } });
      expect((await bob.delete(`/api/v1/needs/${need.id}/support`)).json()).toEqual({ supported: false, supportCount: 0 });
      expect((await bob.delete(`/api/v1/needs/${need.id}/support`)).json()).toEqual({ supported: false, supportCount: 0 });
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json().intent).toEqual({ supporters: 0, quantity: 0 });
    });

    it('counts 200 concurrent supports from 200 members exactly', async () => {
      const big = await newCommunity(op, { milestones: [{ goal: 1000, days: 30 }] });
      const need = await newNeed(alice, (await newScene(alice, big.id)).id);
      const crowd = await members(t, 200, 'crowd');
      const results = await Promise.all(crowd.map((m) => m.put(`/api/v1/needs/${need.id}/support`)));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json().supportCount).toBe(200);
      expect(await countRows(t, 'need_supports', ['need_id', need.id])).toBe(200);
      const ranks = (await t.app.events.eventsOf('need', need.id))
        .filter((e) => e.type === 'need.supported')
        .map((e) => e.payload.rank);
      expect([...ranks].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    });

    it('stays consistent under concurrent support and unsupport from one member', async () => {
      const big = await newCommunity(op, { milestones: [{ goal: 1000, days: 30 }] });
      const need = await newNeed(alice, (await newScene(alice, big.id)).id);
      const calls = Array.from({ length: 40 }, (_, i) =>
        i % 2 ? bob.delete(`/api/v1/needs/${need.id}/support`) : bob.put(`/api/v1/needs/${need.id}/support`),
      );
      const results = await Promise.all(calls);
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const state = async () => ({
        rows: await countRows(t, 'need_supports', ['need_id', need.id]),
        supportCount: (await t.visitor.get(`/api/v1/needs/${need.id}`)).json().supportCount as number,
      });
      const settled = await state();
      expect(settled.supportCount).toBe(settled.rows);
      // Whatever order the race ended in, the next call decides.
      expect((await bob.put(`/api/v1/needs/${need.id}/support`)).json()).toEqual({ supported: true, supportCount: 1 });
      expect(await state()).toEqual({ rows: 1, supportCount: 1 });
      expect((await bob.delete(`/api/v1/needs/${need.id}/support`)).json()).toEqual({ supported: false, supportCount: 0 });
      expect(await state()).toEqual({ rows: 0, supportCount: 0 });
    });
  });

  describe('supporter lists', () => {
    type SupporterItem = { member: { id: string; displayName: string }; rank: number; supportedAt: string; intent: unknown };

    async function allSupporters(needId: string, limit: number) {
      const pages: SupporterItem[][] = [];
      let cursor: string | undefined;
      do {
        const res = await t.visitor.get(`/api/v1/needs/${needId}/supporters`, { query: { limit, cursor } });
        expect(res.statusCode, res.body).toBe(200);
        pages.push(res.json().items);
        cursor = res.json().nextCursor ?? undefined;
      } while (cursor && pages.length < 10);
      return pages;
    }

    it('lists a need’s supporters in the order they came, ranked 1..n, paging without repeats', async () => {
      const need = await newNeed(alice, sceneId);
      const crowd = await members(t, 5, 'ranked');
      for (const m of crowd) {
        expect((await m.put(`/api/v1/needs/${need.id}/support`)).statusCode).toBe(200);
        t.clock.advance({ ms: 10 });
      }
      const [whole] = await allSupporters(need.id, 50);
      expect(whole!.map((s) => s.member.id)).toEqual(crowd.map((m) => m.id));
      expect(whole!.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5]);
      expect(whole!.map((s) => s.member.displayName)).toEqual(crowd.map((m) => m.displayName));
      const times = whole!.map((s) => Date.parse(s.supportedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));

      const pages = await allSupporters(need.id, 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(whole);
    });

    it('pages supporters who came at the same instant without repeating or skipping any', async () => {
      const need = await newNeed(alice, sceneId);
      const crowd = await members(t, 5, 'sametime');
      await Promise.all(crowd.map((m) => m.put(`/api/v1/needs/${need.id}/support`)));
      const pages = await allSupporters(need.id, 2);
      const ids = pages.flat().map((s) => s.member.id);
      expect(ids).toHaveLength(5);
      expect([...ids].sort()).toEqual(crowd.map((m) => m.id).sort());
      expect(pages.flat().map((s) => s.rank)).toEqual([1, 2, 3, 4, 5]);
    });

    it('answers 404 for the supporters of an unknown need', async () => {
      const res = await t.visitor.get('/api/v1/needs/need_unknown/supporters');
      expect(res.statusCode).toBe(404);
      expect(problem(res).status).toBe(404);
    });

    it('lists the needs I support, latest support first, and refuses visitors with 401', async () => {
      const me = await t.signUp('supporter');
      const needs = [];
      for (let i = 0; i < 3; i++) needs.push(await newNeed(alice, sceneId, { title: `mine ${i}` }));
      await newNeed(alice, sceneId, { title: 'not mine' });
      // Supported in the order 1, 0, 2: the list follows the supports, not the needs' age.
      for (const i of [1, 0, 2]) {
        expect((await me.put(`/api/v1/needs/${needs[i]!.id}/support`)).statusCode).toBe(200);
        t.clock.advance({ ms: 10 });
      }
      const list = async (query: Record<string, string | number | undefined> = {}) => {
        const res = await me.get('/api/v1/me/supports', { query });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as { items: { id: string; supported: boolean }[]; nextCursor: string | null };
      };
      const all = await list();
      expect(all.items.map((n) => n.id)).toEqual([needs[2]!.id, needs[0]!.id, needs[1]!.id]);
      expect(all.items.every((n) => n.supported)).toBe(true);
      const first = await list({ limit: 2 });
      const second = await list({ limit: 2, cursor: first.nextCursor ?? undefined });
      expect([...first.items, ...second.items].map((n) => n.id)).toEqual(all.items.map((n) => n.id));
      expect(second.nextCursor).toBeNull();

      await me.delete(`/api/v1/needs/${needs[0]!.id}/support`);
      expect((await list()).items.map((n) => n.id)).toEqual([needs[2]!.id, needs[1]!.id]);
      expect((await t.visitor.get('/api/v1/me/supports')).statusCode).toBe(401);
    });
  });

  describe('review, merge and roles', () => {
    async function qualifiedNeed(author = alice) {
      const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
      const need = await newNeed(author, (await newScene(author, c.id)).id);
      await (author === bob ? alice : bob).put(`/api/v1/needs/${need.id}/support`);
      return need.id;
    }

    it('lets only operators review, and records the decision and reason for the author', async () => {
      const id = await qualifiedNeed();
      expect((await alice.post(`/api/v1/needs/${id}/review`, { decision: 'accept', reason: 'ok' })).statusCode).toBe(403);
      expect((await op.post(`/api/v1/needs/${id}/advance`, { stage: 'in_review' })).json().stage).toBe('in_review');
      const declined = await op.post(`/api/v1/needs/${id}/review`, { decision: 'decline', reason: '成本太高' });
      expect(declined.json()).toMatchObject({ stage: 'declined', review: { decision: 'decline', reason: '成本太高' } });
      expect((await op.post(`/api/v1/needs/${id}/review`, { decision: 'accept', reason: 'x' })).statusCode).toBe(409);
      const open = await newNeed(alice, sceneId);
      expect((await op.post(`/api/v1/needs/${open.id}/review`, { decision: 'accept', reason: 'x' })).statusCode).toBe(409);
    });

    it('lets only operators advance a need, along the allowed transitions only, each recorded as an event', async () => {
      const id = await qualifiedNeed();
      const advance = (who: { post: Persona['post'] }, stage: string) => who.post(`/api/v1/needs/${id}/advance`, { stage });
      const stageOf = async (needId = id) => (await t.visitor.get(`/api/v1/needs/${needId}`)).json().stage;
      const eventTypes = async (needId = id) => (await t.app.events.eventsOf('need', needId)).map((e) => e.type);
      const before = await eventTypes();
      expect(before.at(-1)).toBe('need.qualified');

      expect((await advance(bob, 'in_review')).statusCode).toBe(403);
      expect((await advance(t.visitor, 'in_review')).statusCode).toBe(401);
      const skip = await advance(op, 'launched');
      expect(skip.statusCode).toBe(409);
      expect(problem(skip).detail).toMatch(/qualified/);
      expect(await stageOf()).toBe('qualified');
      expect(await eventTypes()).toEqual(before);

      expect((await advance(op, 'in_review')).json()).toMatchObject({ id, stage: 'in_review' });
      expect((await op.post(`/api/v1/needs/${id}/review`, { decision: 'accept', reason: '做' })).statusCode).toBe(200);
      for (const stage of ['in_development', 'launched', 'delivered']) {
        const res = await advance(op, stage);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ id, stage, stageChangedAt: t.clock.now().toISOString() });
      }
      expect(await stageOf()).toBe('delivered');
      expect((await eventTypes()).slice(before.length)).toEqual([
        'need.in-review',
        'need.accepted',
        'need.in-development',
        'need.launched',
        'need.delivered',
      ]);

      const open = await newNeed(alice, sceneId);
      const early = await op.post(`/api/v1/needs/${open.id}/advance`, { stage: 'in_development' });
      expect(early.statusCode).toBe(409);
      expect(await stageOf(open.id)).toBe('open');
      expect(await eventTypes(open.id)).toEqual(['need.raised']);

      const declinedId = await qualifiedNeed();
      await op.post(`/api/v1/needs/${declinedId}/review`, { decision: 'decline', reason: '不做' });
      const declinedEvents = await eventTypes(declinedId);
      const revived = await op.post(`/api/v1/needs/${declinedId}/advance`, { stage: 'delivered' });
      expect(revived.statusCode).toBe(409);
      expect(await stageOf(declinedId)).toBe('declined');
      expect(await eventTypes(declinedId)).toEqual(declinedEvents);
    });

    it('merges a duplicate: overlapping supporters count once, the duplicate’s author supports, solutions and comments move', async () => {
      const big = await newCommunity(op, { milestones: [{ goal: 100, days: 30 }] });
      const scene = await newScene(alice, big.id);
      const target = await newNeed(alice, scene.id, { title: '小瓶红酒' });
      const dup = await newNeed(bob, scene.id, { title: '红酒小瓶装' });
      const [m1, m2, m3] = await members(t, 3, 'merge');
      for (const m of [m1!, m2!]) await m.put(`/api/v1/needs/${target.id}/support`);
      for (const m of [m2!, m3!, alice]) await m.put(`/api/v1/needs/${dup.id}/support`);
      const sol = await m3!.post(`/api/v1/needs/${dup.id}/solutions`, { title: '375ml', body: '半瓶装' });
      expect(sol.statusCode).toBe(201);
      await m1!.post(`/api/v1/needs/${dup.id}/comments`, { body: '同意' });
      expect((await bob.post(`/api/v1/needs/${dup.id}/merge`, { intoNeedId: target.id })).statusCode).toBe(403);
      const merged = await op.post(`/api/v1/needs/${dup.id}/merge`, { intoNeedId: target.id });
      expect(merged.statusCode).toBe(200);
      // m1, m2 (once), m3 and bob (the duplicate's author); alice authored the target and cannot support it.
      expect(merged.json()).toMatchObject({ id: target.id, supportCount: 4, solutionCount: 1, commentCount: 1 });
      expect((await t.visitor.get(`/api/v1/needs/${dup.id}`)).json()).toMatchObject({ stage: 'merged', mergedInto: target.id });
      expect((await t.visitor.get(`/api/v1/needs/${target.id}/solutions`)).json().items).toHaveLength(1);
      expect((await t.visitor.get(`/api/v1/needs/${target.id}/comments`)).json().items).toHaveLength(1);
      const event = (await t.app.events.eventsOf('need', dup.id)).at(-1)!;
      expect(event).toMatchObject({
        type: 'need.merged',
        payload: { fromAuthorId: bob.id, intoAuthorId: alice.id, intoNeedId: target.id },
      });
      expect((await m1!.put(`/api/v1/needs/${dup.id}/support`)).statusCode).toBe(409);
      expect((await op.post(`/api/v1/needs/${dup.id}/merge`, { intoNeedId: target.id })).statusCode).toBe(409);
      expect((await op.post(`/api/v1/needs/${target.id}/merge`, { intoNeedId: target.id })).statusCode).toBe(422);
    });

    it('lets an operator choose one of the need’s own solutions only', async () => {
      const id = await qualifiedNeed();
      const other = await newNeed(alice, sceneId);
      const mine = (await bob.post(`/api/v1/needs/${id}/solutions`, { title: 'A', body: 'a' })).json();
      const foreign = (await bob.post(`/api/v1/needs/${other.id}/solutions`, { title: 'B', body: 'b' })).json();
      expect((await op.post(`/api/v1/needs/${id}/choose-solution`, { solutionId: foreign.id })).statusCode).toBe(422);
      expect((await alice.post(`/api/v1/needs/${id}/choose-solution`, { solutionId: mine.id })).statusCode).toBe(403);
      await op.post(`/api/v1/needs/${id}/review`, { decision: 'accept', reason: '好主意' });
      const chosen = await op.post(`/api/v1/needs/${id}/choose-solution`, { solutionId: mine.id });
      expect(chosen.json()).toMatchObject({ stage: 'accepted', chosenSolutionId: mine.id });
      expect((await t.visitor.get(`/api/v1/solutions/${mine.id}`)).json().chosen).toBe(true);
    });
  });

  describe('lists, ranking and search', () => {
    it('pages through new needs without skipping or repeating while needs are inserted', async () => {
      const c = await newCommunity(op);
      const scene = await newScene(alice, c.id);
      const original: string[] = [];
      for (let i = 0; i < 7; i++) {
        original.push((await newNeed(alice, scene.id, { title: `need ${i}` })).id);
        t.clock.advance({ ms: 5 });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = (
          await t.visitor.get('/api/v1/needs', { query: { sort: 'new', communityId: c.id, limit: 3, cursor } })
        ).json();
        seen.push(...res.items.map((n: { id: string }) => n.id));
        // Someone raises a need between page loads.
        await newNeed(bob, scene.id, { title: `late ${page}` });
        t.clock.advance({ ms: 5 });
        cursor = res.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual([...original].reverse());
    });

    it('ranks top by supports and hot by decayed supports, paging both consistently', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 100, days: 30 }] });
      const scene = await newScene(alice, c.id);
      const old = await newNeed(alice, scene.id, { title: 'old popular' });
      const crowd = await members(t, 4, 'rank');
      for (const m of crowd) await m.put(`/api/v1/needs/${old.id}/support`);
      t.clock.advance({ days: 20 });
      const fresh = await newNeed(alice, scene.id, { title: 'fresh' });
      await crowd[0]!.put(`/api/v1/needs/${fresh.id}/support`);
      const top = (await t.visitor.get('/api/v1/needs', { query: { sort: 'top', communityId: c.id } })).json().items;
      expect(top.map((n: { id: string }) => n.id)).toEqual([old.id, fresh.id]);
      const hot = (await t.visitor.get('/api/v1/needs', { query: { sort: 'hot', communityId: c.id } })).json().items;
      expect(hot.map((n: { id: string }) => n.id)).toEqual([fresh.id, old.id]);
      const p1 = (await t.visitor.get('/api/v1/needs', { query: { sort: 'hot', communityId: c.id, limit: 1 } })).json();
      const p2 = (
        await t.visitor.get('/api/v1/needs', { query: { sort: 'hot', communityId: c.id, limit: 1, cursor: p1.nextCursor } })
      ).json();
      expect([...p1.items, ...p2.items].map((n: { id: string }) => n.id)).toEqual([fresh.id, old.id]);
      expect((await t.visitor.get('/api/v1/needs', { query: { cursor: 'garbage' } })).statusCode).toBe(422);
    });

    it('finds Chinese text by any two-character word, in needs and scenes', async () => {
      const c = await newCommunity(op);
      const scene = await newScene(alice, c.id, { title: '周末露营做饭太麻烦', pain: '锅碗太重' });
      const wine = await newNeed(alice, sceneId, { title: '开瓶的红酒喝不完', body: '想要小一点的瓶子 375ml' });
      await newNeed(alice, scene.id, { title: '便携炉具', body: '轻一点' });
      const search = async (q: string) =>
        (await t.visitor.get('/api/v1/needs', { query: { q, sort: 'new' } })).json().items.map((n: { id: string }) => n.id);
      expect(await search('红酒')).toContain(wine.id);
      expect(await search('喝不完')).toContain(wine.id);
      expect(await search('375ml')).toContain(wine.id);
      expect(await search('红')).toContain(wine.id);
      expect(await search('白酒')).not.toContain(wine.id);
      expect(await search('炉具')).not.toContain(wine.id);
      const scenes = (await t.visitor.get('/api/v1/scenes', { query: { q: '露营' } }))
        .json()
        .items.map((s: { id: string }) => s.id);
      expect(scenes).toEqual([scene.id]);
    });
  });
});
