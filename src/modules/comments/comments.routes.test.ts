import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

interface CommentBody {
  id: string;
  body: string;
  hidden: boolean;
  deleted: boolean;
  parentId: string | null;
  mentions: { id: string; displayName: string }[];
  replies?: CommentBody[];
}

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;
  let xiaoming: Persona;
  let sceneId: string;

  const openNeed = async () => (await newNeed(alice, sceneId)).id;

  /** Posts a comment (or reply) and checks it was created. */
  async function comment(who: Persona, target: string, body: string, parentId?: string) {
    const res = await who.post(`/api/v1/${target}/comments`, { body, ...(parentId ? { parentId } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CommentBody;
  }

  const list = async (who: { get: Persona['get'] }, target: string) =>
    (await who.get(`/api/v1/${target}/comments`)).json().items as CommentBody[];

  const commentCount = async (needId: string) => (await t.visitor.get(`/api/v1/needs/${needId}`)).json().commentCount;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营');
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
    xiaoming = await t.signUp('小明');
    const c = await newCommunity(op, { milestones: [{ goal: 1000, days: 365 }] });
    sceneId = (await newScene(alice, c.id)).id;
  });
  afterAll(() => t.close());

  describe('posting', () => {
    it('comments on a need, counts it on the need, and lists it oldest first with its replies', async () => {
      const needId = await openNeed();
      const res = await bob.post(`/api/v1/needs/${needId}/comments`, { body: '我也想要' });
      expect(res.statusCode).toBe(201);
      const first = res.json();
      expect(first).toEqual({
        id: expect.stringMatching(/^cmt_/),
        needId,
        solutionId: null,
        parentId: null,
        author: { id: bob.id, displayName: 'bob' },
        body: '我也想要',
        mentions: [],
        hidden: false,
        deleted: false,
        createdAt: t.clock.now().toISOString(),
        editedAt: null,
      });
      t.clock.advance({ ms: 5 });
      const second = await comment(alice, `needs/${needId}`, '谢谢支持');
      expect(await commentCount(needId)).toBe(2);
      const items = await list(t.visitor, `needs/${needId}`);
      expect(items.map((c) => c.id)).toEqual([first.id, second.id]);
      expect(items[0]).toEqual({ ...first, replies: [] });
    });

    it('comments on a solution without counting it on the need', async () => {
      const needId = await openNeed();
      const solution = (await bob.post(`/api/v1/needs/${needId}/solutions`, { title: '375ml', body: '小瓶' })).json();
      const c = await comment(alice, `solutions/${solution.id}`, '这个好');
      expect(c).toMatchObject({ needId: null, solutionId: solution.id, parentId: null });
      expect((await list(t.visitor, `solutions/${solution.id}`)).map((x) => x.id)).toEqual([c.id]);
      expect(await list(t.visitor, `needs/${needId}`)).toEqual([]);
      expect(await commentCount(needId)).toBe(0);
    });

    it('pages through top-level comments without repeats', async () => {
      const needId = await openNeed();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push((await comment(bob, `needs/${needId}`, `第${i}条`)).id);
        t.clock.advance({ ms: 5 });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const body = (await t.visitor.get(`/api/v1/needs/${needId}/comments`, { query: { limit: 2, cursor } })).json();
        seen.push(...body.items.map((c: { id: string }) => c.id));
        cursor = body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toEqual(made);
    });

    it('rejects a visitor (401), a blank or over-long body (422) and an unknown field (422), writing nothing', async () => {
      const needId = await openNeed();
      const before = await countRows(t, 'comments');
      expect((await t.visitor.post(`/api/v1/needs/${needId}/comments`, { body: 'hi' })).statusCode).toBe(401);
      for (const body of [{ body: '   ' }, { body: 'x'.repeat(5001) }, {}]) {
        const res = await bob.post(`/api/v1/needs/${needId}/comments`, body);
        expect(res.statusCode).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['body']);
      }
      const extra = await bob.post(`/api/v1/needs/${needId}/comments`, { body: 'hi', hidden: true });
      expect(problem(extra).errors?.map((e) => e.path)).toEqual(['hidden']);
      expect(await countRows(t, 'comments')).toBe(before);
      expect(await commentCount(needId)).toBe(0);
    });
  });

  describe('replies', () => {
    it('nest one level under a top-level comment and count on the need', async () => {
      const needId = await openNeed();
      const top = await comment(bob, `needs/${needId}`, '顶层');
      t.clock.advance({ ms: 5 });
      const r1 = await comment(alice, `needs/${needId}`, '回复一', top.id);
      t.clock.advance({ ms: 5 });
      const r2 = await comment(xiaoming, `needs/${needId}`, '回复二', top.id);
      expect(r1).toMatchObject({ parentId: top.id, needId });
      expect(await commentCount(needId)).toBe(3);
      const items = await list(t.visitor, `needs/${needId}`);
      expect(items).toHaveLength(1);
      expect(items[0]!.replies?.map((r) => r.id)).toEqual([r1.id, r2.id]);
    });

    it('refuses a reply to a reply with 422 naming parentId, writing nothing', async () => {
      const needId = await openNeed();
      const top = await comment(bob, `needs/${needId}`, '顶层');
      const reply = await comment(alice, `needs/${needId}`, '回复', top.id);
      const before = await countRows(t, 'comments');
      const res = await bob.post(`/api/v1/needs/${needId}/comments`, { body: '再回复', parentId: reply.id });
      expect(res.statusCode).toBe(422);
      expect(problem(res).errors?.map((e) => e.path)).toEqual(['parentId']);
      expect(await countRows(t, 'comments')).toBe(before);
      expect(await commentCount(needId)).toBe(2);
    });

    it('refuses a parent from another need, from a solution, or unknown, with 422 naming parentId', async () => {
      const needId = await openNeed();
      const otherNeed = await openNeed();
      const foreign = await comment(bob, `needs/${otherNeed}`, '别处的');
      const solution = (await bob.post(`/api/v1/needs/${needId}/solutions`, { title: 'S', body: 's' })).json();
      const onSolution = await comment(bob, `solutions/${solution.id}`, '方案下的');
      const onNeed = await comment(bob, `needs/${needId}`, '需求下的');
      const before = await countRows(t, 'comments');
      for (const [target, parentId] of [
        [`needs/${needId}`, foreign.id],
        [`needs/${needId}`, onSolution.id],
        [`solutions/${solution.id}`, onNeed.id],
        [`needs/${needId}`, 'cmt_unknown'],
      ] as const) {
        const res = await alice.post(`/api/v1/${target}/comments`, { body: '回复', parentId });
        expect(res.statusCode, `${target} ← ${parentId}`).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(['parentId']);
      }
      expect(await countRows(t, 'comments')).toBe(before);
      expect(await commentCount(needId)).toBe(1);
    });
  });

  describe('merging', () => {
    it('carries only comments that are not deleted into the surviving need’s count', async () => {
      const target = await openNeed();
      const dup = await openNeed();
      await comment(bob, `needs/${target}`, '原有');
      const kept = await comment(bob, `needs/${dup}`, '留下');
      const gone = await comment(bob, `needs/${dup}`, '删掉');
      await comment(alice, `needs/${dup}`, '回复', kept.id);
      expect((await bob.delete(`/api/v1/comments/${gone.id}`)).statusCode).toBe(204);
      const merged = await op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target });
      expect(merged.json()).toMatchObject({ id: target, commentCount: 3 });
      expect(await commentCount(dup)).toBe(0);
      expect(await list(t.visitor, `needs/${target}`)).toHaveLength(3);
    });

    it('moves a thread to the surviving need, and keeps replies posted during the merge with their parent', async () => {
      for (let round = 0; round < 5; round++) {
        const target = await openNeed();
        const dup = await openNeed();
        const top = await comment(bob, `needs/${dup}`, '顶层');
        const replies = Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? alice : xiaoming).post(`/api/v1/needs/${dup}/comments`, { body: `回复 ${i}`, parentId: top.id }),
        );
        const [merge, ...results] = await Promise.all([
          op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target }),
          ...replies,
        ]);
        expect(merge.statusCode).toBe(200);
        expect(results.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true);
        const posted = results.filter((r) => r.statusCode === 201).length;
        expect(await countRows(t, 'comments', ['need_id', dup])).toBe(0);
        expect(await countRows(t, 'comments', ['need_id', target])).toBe(1 + posted);
        expect(await commentCount(target)).toBe(1 + posted);
        expect(await commentCount(dup)).toBe(0);
        expect((await list(t.visitor, `needs/${target}`))[0]!.replies).toHaveLength(posted);
      }
    });

    it('refuses new comments on a merged need with 409 naming where it went', async () => {
      const target = await openNeed();
      const dup = await openNeed();
      await op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target });
      const before = await countRows(t, 'comments');
      const res = await bob.post(`/api/v1/needs/${dup}/comments`, { body: '还在吗' });
      expect(res.statusCode).toBe(409);
      expect(res.json().mergedInto).toBe(target);
      expect(await countRows(t, 'comments')).toBe(before);
    });

    it('deletes comments while their need is merged without failing, and counts what is left', async () => {
      for (let round = 0; round < 5; round++) {
        const target = await openNeed();
        const dup = await openNeed();
        const made: string[] = [];
        for (let i = 0; i < 20; i++) made.push((await comment(bob, `needs/${dup}`, `评论 ${i}`)).id);
        const [merge, ...results] = await Promise.all([
          op.post(`/api/v1/needs/${dup}/merge`, { intoNeedId: target }),
          ...made.map((id) => bob.delete(`/api/v1/comments/${id}`)),
        ]);
        expect(merge.statusCode, merge.body).toBe(200);
        expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(204));
        expect(await countRows(t, 'comments', ['need_id', target])).toBe(20);
        expect(await commentCount(target)).toBe(0);
        expect(await commentCount(dup)).toBe(0);
      }
    });
  });

  describe('mentions', () => {
    it('records @displayName mentions and announces them in comment.posted', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '@小明 你看');
      expect(c.mentions).toEqual([{ id: xiaoming.id, displayName: '小明' }]);
      expect((await list(t.visitor, `needs/${needId}`))[0]!.mentions).toEqual([{ id: xiaoming.id, displayName: '小明' }]);
      const events = await t.app.events.eventsOf('comment', c.id);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'comment.posted',
          actorId: bob.id,
          payload: expect.objectContaining({ commentId: c.id, needId, authorId: bob.id, mentions: [xiaoming.id] }),
        }),
      ]);
    });

    it('records several mentions once each, and none for unknown names', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '@alice @小明 @nobody 看看，@小明');
      expect(c.mentions.map((m) => m.id).sort()).toEqual([alice.id, xiaoming.id].sort());
      const none = await comment(bob, `needs/${needId}`, '没有提到谁 @nobody');
      expect(none.mentions).toEqual([]);
      expect((await t.app.events.eventsOf('comment', none.id))[0]?.payload.mentions).toEqual([]);
    });
    it('finds a mention followed by punctuation', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, 'Thanks @alice. And @小明，你看');
      expect(c.mentions.map((m) => m.id).sort()).toEqual([alice.id, xiaoming.id].sort());
    });
  });

  describe('editing', () => {
    it('lets the author edit within 15 minutes, and refuses after with 409', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '初稿');
      t.clock.advance({ minutes: 14 });
      const edited = await bob.patch(`/api/v1/comments/${c.id}`, { body: '改过了 @小明' });
      expect(edited.statusCode).toBe(200);
      expect(edited.json()).toMatchObject({
        id: c.id,
        body: '改过了 @小明',
        editedAt: t.clock.now().toISOString(),
        mentions: [{ id: xiaoming.id, displayName: '小明' }],
      });
      t.clock.advance({ minutes: 2 });
      const late = await bob.patch(`/api/v1/comments/${c.id}`, { body: '太晚了' });
      expect(late.statusCode).toBe(409);
      expect(problem(late).type).toMatch(/problems\/conflict$/);
      expect((await list(t.visitor, `needs/${needId}`))[0]!.body).toBe('改过了 @小明');
      expect((await t.app.events.eventsOf('comment', c.id)).map((e) => e.type)).toEqual(['comment.posted', 'comment.edited']);
    });

    it('refuses an edit 16 minutes after posting even if never edited', async () => {
      const c = await comment(bob, `needs/${await openNeed()}`, '初稿');
      t.clock.advance({ minutes: 16 });
      expect((await bob.patch(`/api/v1/comments/${c.id}`, { body: '太晚了' })).statusCode).toBe(409);
    });

    it('refuses an edit by another member or an operator (403) and a visitor (401), changing nothing', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '原文');
      for (const who of [alice, op]) expect((await who.patch(`/api/v1/comments/${c.id}`, { body: '篡改' })).statusCode).toBe(403);
      expect((await t.visitor.patch(`/api/v1/comments/${c.id}`, { body: '篡改' })).statusCode).toBe(401);
      const blank = await bob.patch(`/api/v1/comments/${c.id}`, { body: '  ' });
      expect(blank.statusCode).toBe(422);
      expect((await list(t.visitor, `needs/${needId}`))[0]).toMatchObject({ body: '原文', editedAt: null });
    });
  });

  describe('deleting', () => {
    it('lets the author delete: the body goes, replies stay, and the need counts one fewer', async () => {
      const needId = await openNeed();
      const top = await comment(bob, `needs/${needId}`, '@小明 要删掉的');
      const reply = await comment(alice, `needs/${needId}`, '回复', top.id);
      expect(await commentCount(needId)).toBe(2);
      const res = await bob.delete(`/api/v1/comments/${top.id}`);
      expect(res.statusCode).toBe(204);
      expect(await commentCount(needId)).toBe(1);
      // The text and whom it named are gone from the database too, not only from the answers.
      expect(
        await t.db.kysely
          .selectFrom('comments')
          .select(['body', 'mentions', 'deleted'])
          .where('id', '=', top.id)
          .executeTakeFirstOrThrow(),
      ).toEqual({ body: '', mentions: '[]', deleted: 1 });
      for (const who of [t.visitor, bob, op]) {
        const [item] = await list(who, `needs/${needId}`);
        expect(item).toMatchObject({ id: top.id, body: '', deleted: true, mentions: [] });
        expect(item!.replies).toEqual([expect.objectContaining({ id: reply.id, body: '回复', deleted: false })]);
      }
      // Deleting again changes nothing; a deleted comment is neither edited nor replied to by mistake.
      expect((await bob.delete(`/api/v1/comments/${top.id}`)).statusCode).toBe(204);
      expect(await commentCount(needId)).toBe(1);
      expect((await bob.patch(`/api/v1/comments/${top.id}`, { body: '复活' })).statusCode).toBe(404);
      expect((await t.app.events.eventsOf('comment', top.id)).map((e) => e.type)).toEqual(['comment.posted', 'comment.deleted']);
    });

    it('refuses deletion by another member or an operator (403) and a visitor (401), changing nothing', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '留着');
      for (const who of [alice, op]) expect((await who.delete(`/api/v1/comments/${c.id}`)).statusCode).toBe(403);
      expect((await t.visitor.delete(`/api/v1/comments/${c.id}`)).statusCode).toBe(401);
      expect((await list(t.visitor, `needs/${needId}`))[0]).toMatchObject({ body: '留着', deleted: false });
      expect(await commentCount(needId)).toBe(1);
    });
  });

  describe('moderation', () => {
    it('hides a comment from visitors and members, still shows it to operators marked hidden, and shows it again', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '广告 @小明');
      const res = await op.post(`/api/v1/comments/${c.id}/hide`, { hidden: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: c.id, hidden: true, body: '广告 @小明' });
      for (const who of [t.visitor, bob, alice]) {
        expect((await list(who, `needs/${needId}`))[0]).toMatchObject({ id: c.id, body: '', hidden: true, mentions: [] });
      }
      expect((await list(op, `needs/${needId}`))[0]).toMatchObject({
        id: c.id,
        body: '广告 @小明',
        hidden: true,
        mentions: [{ id: xiaoming.id, displayName: '小明' }],
      });
      expect(await commentCount(needId)).toBe(1);
      const shown = await op.post(`/api/v1/comments/${c.id}/hide`, { hidden: false });
      expect(shown.json()).toMatchObject({ hidden: false, body: '广告 @小明' });
      expect((await list(t.visitor, `needs/${needId}`))[0]).toMatchObject({ body: '广告 @小明', hidden: false });
      expect((await t.app.events.eventsOf('comment', c.id)).map((e) => e.type)).toEqual([
        'comment.posted',
        'comment.hidden',
        'comment.shown',
      ]);
    });

    it('hides a reply inside its thread', async () => {
      const needId = await openNeed();
      const top = await comment(bob, `needs/${needId}`, '顶层');
      const reply = await comment(alice, `needs/${needId}`, '不当回复', top.id);
      await op.post(`/api/v1/comments/${reply.id}/hide`, { hidden: true });
      expect((await list(t.visitor, `needs/${needId}`))[0]!.replies).toEqual([
        expect.objectContaining({ id: reply.id, body: '', hidden: true }),
      ]);
      expect((await list(op, `needs/${needId}`))[0]!.replies).toEqual([
        expect.objectContaining({ id: reply.id, body: '不当回复', hidden: true }),
      ]);
    });

    it('refuses a member, even the author, with 403 and a visitor with 401, changing nothing', async () => {
      const needId = await openNeed();
      const c = await comment(bob, `needs/${needId}`, '正常评论');
      for (const who of [alice, bob])
        expect((await who.post(`/api/v1/comments/${c.id}/hide`, { hidden: true })).statusCode).toBe(403);
      expect((await t.visitor.post(`/api/v1/comments/${c.id}/hide`, { hidden: true })).statusCode).toBe(401);
      expect((await list(t.visitor, `needs/${needId}`))[0]).toMatchObject({ body: '正常评论', hidden: false });
      expect((await t.app.events.eventsOf('comment', c.id)).map((e) => e.type)).toEqual(['comment.posted']);
    });
  });

  describe('unknown ids', () => {
    it('answers 404 for an unknown need, solution or comment, writing nothing', async () => {
      const before = await countRows(t, 'comments');
      for (const target of ['needs/need_unknown', 'solutions/sol_unknown']) {
        const read = await t.visitor.get(`/api/v1/${target}/comments`);
        expect(read.statusCode).toBe(404);
        expect(problem(read).type).toMatch(/problems\/not-found$/);
        expect((await bob.post(`/api/v1/${target}/comments`, { body: 'hi' })).statusCode).toBe(404);
      }
      expect((await bob.patch('/api/v1/comments/cmt_unknown', { body: 'x' })).statusCode).toBe(404);
      expect((await bob.delete('/api/v1/comments/cmt_unknown')).statusCode).toBe(404);
      expect((await op.post('/api/v1/comments/cmt_unknown/hide', { hidden: true })).statusCode).toBe(404);
      expect(await countRows(t, 'comments')).toBe(before);
    });
  });
});
