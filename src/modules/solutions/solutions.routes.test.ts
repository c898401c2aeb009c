import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const ids = (items: { id: string }[]) => items.map((s) => s.id);

let slugs = 0;

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;
  let carol: Persona;
  let sceneId: string;

  /** Proposes a solution and checks it was created. */
  async function propose(who: Persona, needId: string, body: Record<string, unknown> = {}) {
    const res = await who.post(`/api/v1/needs/${needId}/solutions`, { title: '375ml 小瓶', body: '一次喝完的容量', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; version: number; voteCount: number };
  }

  /** A fresh open need by alice that gathers support slowly. */
  const openNeed = async () => (await newNeed(alice, sceneId)).id;

  /** Every page of a list, following cursors; fails if a page repeats an item. */
  async function allPages(url: string, query: Record<string, string | number | undefined>, limit: number) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const res = await t.visitor.get(url, { query: { ...query, limit, cursor } });
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

  async function organisationWithPartner(partner: Persona) {
    const org = await op.post('/api/v1/organisations', { slug: `winery-${++slugs}`, name: '贺兰山酒庄' });
    expect(org.statusCode, org.body).toBe(201);
    const id = org.json().id as string;
    expect((await op.put(`/api/v1/organisations/${id}/members/${partner.id}`)).statusCode).toBe(204);
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
    carol = await t.signUp('carol');
    const c = await newCommunity(op, { milestones: [{ goal: 1000, days: 365 }] });
    sceneId = (await newScene(alice, c.id)).id;
  });
  afterAll(() => t.close());

  describe('proposing', () => {
    it('creates version 1, counts it on the need, and announces it', async () => {
      const needId = await openNeed();
      const res = await bob.post(`/api/v1/needs/${needId}/solutions`, { title: '375ml 小瓶', body: '一次喝完的容量' });
      expect(res.statusCode).toBe(201);
      const solution = res.json();
      const now = t.clock.now().toISOString();
      expect(solution).toEqual({
        id: expect.stringMatching(/^sol_/),
        needId,
        author: { id: bob.id, displayName: 'bob' },
        organisationId: null,
        title: '375ml 小瓶',
        body: '一次喝完的容量',
        version: 1,
        voteCount: 0,
        chosen: false,
        createdAt: now,
        updatedAt: now,
        voted: false,
      });
      const { voted: _, ...publicView } = solution;
      expect((await t.visitor.get(`/api/v1/solutions/${solution.id}`)).json()).toEqual(publicView);
      expect((await t.visitor.get(`/api/v1/needs/${needId}`)).json().solutionCount).toBe(1);
      await propose(carol, needId);
      expect((await t.visitor.get(`/api/v1/needs/${needId}`)).json().solutionCount).toBe(2);
      expect(await t.app.events.eventsOf('solution', solution.id)).toEqual([
        expect.objectContaining({
          type: 'solution.proposed',
          actorId: bob.id,
          payload: expect.objectContaining({ solutionId: solution.id, needId, authorId: bob.id, organisationId: null }),
        }),
      ]);
      expect((await t.visitor.get(`/api/v1/solutions/${solution.id}/versions`)).json().items).toEqual([
        { version: 1, title: '375ml 小瓶', body: '一次喝完的容量', createdAt: now },
      ]);
    });

    it('lets the need’s own author propose too', async () => {
      const needId = await openNeed();
      await propose(alice, needId);
    });

    it('lets a partner propose on behalf of their organisation', async () => {
      const needId = await openNeed();
      const orgId = await organisationWithPartner(bob);
      const res = await bob.post(`/api/v1/needs/${needId}/solutions`, {
        title: '酒庄方案',
        body: '我们来做',
        organisationId: orgId,
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ organisationId: orgId, author: { id: bob.id } });
      expect((await t.app.events.eventsOf('solution', res.json().id))[0]?.payload).toMatchObject({ organisationId: orgId });
    });

    it('refuses with 403 a member who is not a partner of the organisation, or of no such organisation, writing nothing', async () => {
      const needId = await openNeed();
      const orgId = await organisationWithPartner(bob);
      const before = await countRows(t, 'solutions');
      for (const organisationId of [orgId, 'org_unknown']) {
        const res = await carol.post(`/api/v1/needs/${needId}/solutions`, { title: 'x', body: 'y', organisationId });
        expect(res.statusCode).toBe(403);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['organisationId']);
      }
      // A removed partner acts for it no more.
      expect((await op.delete(`/api/v1/organisations/${orgId}/members/${bob.id}`)).statusCode).toBe(204);
      expect(
        (await bob.post(`/api/v1/needs/${needId}/solutions`, { title: 'x', body: 'y', organisationId: orgId })).statusCode,
      ).toBe(403);
      expect(await countRows(t, 'solutions')).toBe(before);
      expect(await countRows(t, 'solution_versions')).toBe(before);
      expect((await t.visitor.get(`/api/v1/needs/${needId}`)).json().solutionCount).toBe(0);
    });

    it('rejects a visitor (401), an unknown need (404) and over-long texts (422), writing nothing', async () => {
      const needId = await openNeed();
      const before = await countRows(t, 'solutions');
      expect((await t.visitor.post(`/api/v1/needs/${needId}/solutions`, { title: 'x', body: 'y' })).statusCode).toBe(401);
      expect((await bob.post('/api/v1/needs/need_unknown/solutions', { title: 'x', body: 'y' })).statusCode).toBe(404);
      const long = await bob.post(`/api/v1/needs/${needId}/solutions`, { title: 'x'.repeat(121), body: 'y'.repeat(10_001) });
      expect(long.statusCode).toBe(422);
      expect(
        problem(long)
          .errors?.map((e) => e.path)
          .sort(),
      ).toEqual(['body', 'title']);
      const blank = await bob.post(`/api/v1/needs/${needId}/solutions`, { title: '  ', body: 'y' });
      expect(problem(blank).errors?.map((e) => e.path)).toEqual(['title']);
      expect(await countRows(t, 'solutions')).toBe(before);
      expect((await t.visitor.get(`/api/v1/needs/${needId}`)).json().solutionCount).toBe(0);
    });
  });

  describe('needs that take no new solutions', () => {
    it('refuses a declined need with 409', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
      const need = await newNeed(alice, (await newScene(alice, c.id)).id);
      await bob.put(`/api/v1/needs/${need.id}/support`);
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json().stage).toBe('qualified');
      const declined = await op.post(`/api/v1/needs/${need.id}/review`, { decision: 'decline', reason: '成本太高' });
      expect(declined.json().stage).toBe('declined');
      const before = await countRows(t, 'solutions');
      const res = await carol.post(`/api/v1/needs/${need.id}/solutions`, { title: 'x', body: 'y' });
      expect(res.statusCode).toBe(409);
      expect(problem(res).detail).toMatch(/declined/);
      expect(await countRows(t, 'solutions')).toBe(before);
    });

    it('makes votes and versions final once the need is decided, and a chosen solution’s text final', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
      const declinedNeed = await newNeed(alice, (await newScene(alice, c.id)).id);
      const onDeclined = await propose(bob, declinedNeed.id);
      await carol.put(`/api/v1/needs/${declinedNeed.id}/support`);
      await op.post(`/api/v1/needs/${declinedNeed.id}/review`, { decision: 'decline', reason: '不做' });
      expect((await carol.put(`/api/v1/solutions/${onDeclined.id}/vote`)).statusCode).toBe(409);
      expect((await bob.post(`/api/v1/solutions/${onDeclined.id}/versions`, { title: 'v2', body: 'b' })).statusCode).toBe(409);
      const acceptedNeed = await newNeed(alice, (await newScene(alice, c.id)).id);
      const chosen = await propose(bob, acceptedNeed.id);
      const other = await propose(carol, acceptedNeed.id);
      await carol.put(`/api/v1/needs/${acceptedNeed.id}/support`);
      await op.post(`/api/v1/needs/${acceptedNeed.id}/review`, { decision: 'accept', reason: '好' });
      await op.post(`/api/v1/needs/${acceptedNeed.id}/choose-solution`, { solutionId: chosen.id });
      const before = await countRows(t, 'solution_versions');
      expect((await bob.post(`/api/v1/solutions/${chosen.id}/versions`, { title: 'v2', body: 'b' })).statusCode).toBe(409);
      expect((await carol.post(`/api/v1/solutions/${other.id}/versions`, { title: 'v2', body: 'b' })).statusCode).toBe(200);
      expect(await countRows(t, 'solution_versions')).toBe(before + 1);
      // An accepted need still takes votes.
      expect((await alice.put(`/api/v1/solutions/${chosen.id}/vote`)).statusCode).toBe(200);
    });

    it('still takes solutions on a qualified and an accepted need', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
      const need = await newNeed(alice, (await newScene(alice, c.id)).id);
      await bob.put(`/api/v1/needs/${need.id}/support`);
      await propose(carol, need.id);
      await op.post(`/api/v1/needs/${need.id}/review`, { decision: 'accept', reason: '好' });
      await propose(carol, need.id);
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json()).toMatchObject({ stage: 'accepted', solutionCount: 2 });
    });

    it('refuses a need whose deadline has passed with 409, as soon as the clock passes it', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 5, days: 3 }] });
      const need = await newNeed(alice, (await newScene(alice, c.id)).id);
      await propose(bob, need.id);
      t.clock.advance({ days: 3, seconds: 1 });
      const before = await countRows(t, 'solutions');
      const res = await carol.post(`/api/v1/needs/${need.id}/solutions`, { title: 'x', body: 'y' });
      expect(res.statusCode).toBe(409);
      expect(problem(res).detail).toMatch(/expired/);
      expect(await countRows(t, 'solutions')).toBe(before);
      expect((await t.visitor.get(`/api/v1/needs/${need.id}`)).json()).toMatchObject({ stage: 'expired', solutionCount: 1 });
    });

    it('refuses a merged need with 409 naming where it went', async () => {
      const target = await openNeed();
      const dup = await openNeed();
      expect((await op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target })).statusCode).toBe(200);
      const before = await countRows(t, 'solutions');
      const res = await carol.post(`/api/v1/needs/${dup}/solutions`, { title: 'x', body: 'y' });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ stage: 'merged', mergedInto: target });
      expect(await countRows(t, 'solutions')).toBe(before);
    });
    it('never leaves a solution on a need merged while it was being proposed', async () => {
      for (let round = 0; round < 5; round++) {
        const target = await openNeed();
        const dup = await openNeed();
        const proposals = Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? bob : carol).post(`/api/v1/needs/${dup}/solutions`, { title: `方案 ${i}`, body: 'b' }),
        );
        const [merge, ...results] = await Promise.all([
          op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target }),
          ...proposals,
        ]);
        expect(merge.statusCode).toBe(200);
        expect(results.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
        const accepted = results.filter((r) => r.statusCode === 201).length;
        expect(await countRows(t, 'solutions', ['need_id', dup])).toBe(0);
        expect(await countRows(t, 'solutions', ['need_id', target])).toBe(accepted);
        expect((await t.visitor.get(`/api/v1/needs/${target}`)).json().solutionCount).toBe(accepted);
        expect((await t.visitor.get(`/api/v1/needs/${dup}`)).json().solutionCount).toBe(0);
      }
    });
  });

  describe('versions', () => {
    it('lets the author write a new version and keeps the history, newest first', async () => {
      const needId = await openNeed();
      const first = await propose(bob, needId, { title: 'v1 标题', body: 'v1 正文' });
      const createdAt = t.clock.now().toISOString();
      t.clock.advance({ minutes: 5 });
      const res = await bob.post(`/api/v1/solutions/${first.id}/versions`, { title: 'v2 标题', body: 'v2 正文' });
      expect(res.statusCode).toBe(200);
      const updatedAt = t.clock.now().toISOString();
      expect(res.json()).toMatchObject({ id: first.id, version: 2, title: 'v2 标题', body: 'v2 正文', createdAt, updatedAt });
      expect((await t.visitor.get(`/api/v1/solutions/${first.id}`)).json()).toMatchObject({ version: 2, title: 'v2 标题' });
      expect((await t.visitor.get(`/api/v1/solutions/${first.id}/versions`)).json()).toEqual({
        items: [
          { version: 2, title: 'v2 标题', body: 'v2 正文', createdAt: updatedAt },
          { version: 1, title: 'v1 标题', body: 'v1 正文', createdAt },
        ],
        nextCursor: null,
      });
      expect((await t.visitor.get(`/api/v1/needs/${needId}`)).json().solutionCount).toBe(1);
      expect((await t.app.events.eventsOf('solution', first.id)).map((e) => [e.type, e.payload.version])).toEqual([
        ['solution.proposed', undefined],
        ['solution.revised', 2],
      ]);
    });

    it('keeps the votes across versions', async () => {
      const s = await propose(bob, await openNeed());
      await carol.put(`/api/v1/solutions/${s.id}/vote`);
      const revised = await bob.post(`/api/v1/solutions/${s.id}/versions`, { title: 'v2', body: 'b' });
      expect(revised.json()).toMatchObject({ version: 2, voteCount: 1 });
    });

    it('refuses a revision by anyone but the author (403) or a visitor (401), writing nothing', async () => {
      const s = await propose(bob, await openNeed());
      for (const who of [carol, alice, op]) {
        const res = await who.post(`/api/v1/solutions/${s.id}/versions`, { title: 'mine now', body: 'x' });
        expect(res.statusCode).toBe(403);
        expect(problem(res).type).toMatch(/problems\/forbidden$/);
      }
      expect((await t.visitor.post(`/api/v1/solutions/${s.id}/versions`, { title: 'x', body: 'x' })).statusCode).toBe(401);
      expect(await countRows(t, 'solution_versions', ['solution_id', s.id])).toBe(1);
      expect((await t.visitor.get(`/api/v1/solutions/${s.id}`)).json()).toMatchObject({ version: 1, title: '375ml 小瓶' });
    });

    it('answers 404 for an unknown solution', async () => {
      expect((await t.visitor.get('/api/v1/solutions/sol_unknown')).statusCode).toBe(404);
      expect((await t.visitor.get('/api/v1/solutions/sol_unknown/versions')).statusCode).toBe(404);
      expect((await bob.post('/api/v1/solutions/sol_unknown/versions', { title: 'x', body: 'y' })).statusCode).toBe(404);
      expect((await bob.put('/api/v1/solutions/sol_unknown/vote')).statusCode).toBe(404);
      expect((await bob.delete('/api/v1/solutions/sol_unknown/vote')).statusCode).toBe(404);
    });
  });

  describe('votes', () => {
    it('are idempotent and exact, and shown to the voter', async () => {
      const s = await propose(bob, await openNeed());
      const url = `/api/v1/solutions/${s.id}/vote`;
      expect((await carol.put(url)).json()).toEqual({ voted: true, voteCount: 1 });
      expect((await carol.put(url)).json()).toEqual({ voted: true, voteCount: 1 });
      expect(await countRows(t, 'solution_votes', ['solution_id', s.id])).toBe(1);
      expect((await carol.get(`/api/v1/solutions/${s.id}`)).json()).toMatchObject({ voted: true, voteCount: 1 });
      expect((await alice.get(`/api/v1/solutions/${s.id}`)).json()).toMatchObject({ voted: false, voteCount: 1 });
      expect((await t.visitor.get(`/api/v1/solutions/${s.id}`)).json()).not.toHaveProperty('voted');
      expect((await carol.delete(url)).json()).toEqual({ voted: false, voteCount: 0 });
      expect((await carol.delete(url)).json()).toEqual({ voted: false, voteCount: 0 });
      expect((await alice.delete(url)).json()).toEqual({ voted: false, voteCount: 0 });
      expect(await countRows(t, 'solution_votes', ['solution_id', s.id])).toBe(0);
      expect((await t.app.events.eventsOf('solution', s.id)).map((e) => e.type)).toEqual([
        'solution.proposed',
        'solution.voted',
        'solution.unvoted',
      ]);
    });

    it('refuses a vote on one’s own solution with 422, and a visitor with 401, writing nothing', async () => {
      const s = await propose(bob, await openNeed());
      const own = await bob.put(`/api/v1/solutions/${s.id}/vote`);
      expect(own.statusCode).toBe(422);
      expect(problem(own).type).toMatch(/problems\/validation$/);
      expect((await t.visitor.put(`/api/v1/solutions/${s.id}/vote`)).statusCode).toBe(401);
      expect(await countRows(t, 'solution_votes', ['solution_id', s.id])).toBe(0);
      expect((await t.visitor.get(`/api/v1/solutions/${s.id}`)).json().voteCount).toBe(0);
    });

    it('counts 100 concurrent votes from 100 members exactly', async () => {
      const s = await propose(bob, await openNeed());
      const crowd = await members(t, 100, 'voter');
      const results = await Promise.all(crowd.map((m) => m.put(`/api/v1/solutions/${s.id}/vote`)));
      expect(results.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
      expect(results.map((r) => r.json().voteCount).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect((await t.visitor.get(`/api/v1/solutions/${s.id}`)).json().voteCount).toBe(100);
      expect(await countRows(t, 'solution_votes', ['solution_id', s.id])).toBe(100);
    });

    it('stays consistent under concurrent vote and unvote from one member', async () => {
      const s = await propose(bob, await openNeed());
      const url = `/api/v1/solutions/${s.id}/vote`;
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? carol.delete(url) : carol.put(url))));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const rows = await countRows(t, 'solution_votes', ['solution_id', s.id]);
      expect(rows === 0 || rows === 1).toBe(true);
      expect((await t.visitor.get(`/api/v1/solutions/${s.id}`)).json().voteCount).toBe(rows);
    });
  });

  describe('lists', () => {
    it('ranks a need’s solutions by votes (top, the default) or newest (new), paging without repeats', async () => {
      const needId = await openNeed();
      const [v1, v2, v3] = await members(t, 3, 'ranker');
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await propose(i % 2 ? bob : carol, needId, { title: `方案 ${i}` })).id);
        t.clock.advance({ ms: 5 });
      }
      const [s0, s1, s2, s3, s4] = made as [string, string, string, string, string];
      for (const v of [v1!, v2!, v3!]) await v.put(`/api/v1/solutions/${s1}/vote`);
      for (const v of [v1!, v2!]) await v.put(`/api/v1/solutions/${s3}/vote`);
      await v1!.put(`/api/v1/solutions/${s0}/vote`);

      const top = [s1, s3, s0, s4, s2];
      const url = `/api/v1/needs/${needId}/solutions`;
      expect(ids((await t.visitor.get(url)).json().items)).toEqual(top);
      expect(await allPages(url, { sort: 'top' }, 2)).toEqual(top);
      expect(await allPages(url, { sort: 'top' }, 1)).toEqual(top);
      expect(await allPages(url, { sort: 'new' }, 2)).toEqual([...made].reverse());
      const votes = (await t.visitor.get(url, { query: { sort: 'top' } }))
        .json()
        .items.map((s: { voteCount: number }) => s.voteCount);
      expect(votes).toEqual([3, 2, 1, 0, 0]);
      expect((await v1!.get(url, { query: { sort: 'top' } })).json().items.map((s: { voted: boolean }) => s.voted)).toEqual([
        true,
        true,
        true,
        false,
        false,
      ]);
    });

    it('rejects an unknown sort and a forged cursor with 422, and an unknown need with 404', async () => {
      const needId = await openNeed();
      const url = `/api/v1/needs/${needId}/solutions`;
      expect((await t.visitor.get(url, { query: { sort: 'hot' } })).statusCode).toBe(422);
      expect((await t.visitor.get(url, { query: { sort: 'top', cursor: 'garbage' } })).statusCode).toBe(422);
      const newCursor = Buffer.from(JSON.stringify(['sol_x'])).toString('base64url');
      expect((await t.visitor.get(url, { query: { sort: 'top', cursor: newCursor } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/needs/need_unknown/solutions')).statusCode).toBe(404);
    });

    it('lists a member’s solutions newest first across needs, paged', async () => {
      const dora = await t.signUp('dora');
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await propose(dora, await openNeed())).id);
        await propose(bob, await openNeed());
        t.clock.advance({ ms: 5 });
      }
      expect(await allPages('/api/v1/solutions', { authorId: dora.id }, 2)).toEqual([...made].reverse());
      const items = (await t.visitor.get('/api/v1/solutions', { query: { authorId: dora.id } })).json().items;
      expect(items.every((s: { author: { id: string } }) => s.author.id === dora.id)).toBe(true);
      expect((await t.visitor.get('/api/v1/solutions', { query: { authorId: 'mem_nobody' } })).json()).toEqual({
        items: [],
        nextCursor: null,
      });
      expect((await t.visitor.get('/api/v1/solutions')).statusCode).toBe(422);
    });
  });
});
