import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const paths = (res: Parameters<typeof problem>[0]) => (problem(res).errors ?? []).map((e) => e.path).sort();

interface PollView {
  id: string;
  state: string;
  options: { id: string; text: string; imageUrl: string | null }[];
  maxChoices: number;
  decidedOptionId: string | null;
}

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;
  let carol: Persona;
  let needId: string;
  let solutionId: string;

  const iso = (fromNow: { days?: number; hours?: number; minutes?: number } = {}) =>
    new Date(
      t.clock.now().getTime() + ((fromNow.days ?? 0) * 24 * 60 + (fromNow.hours ?? 0) * 60 + (fromNow.minutes ?? 0)) * 60_000,
    ).toISOString();

  const pollBody = (overrides: Record<string, unknown> = {}) => ({
    needId,
    question: '小瓶装选多大容量?',
    options: [{ text: '375 ml', imageUrl: 'https://img.example.com/375.png' }, { text: '500 ml' }],
    mode: 'single',
    opensAt: iso(),
    closesAt: iso({ days: 7 }),
    ...overrides,
  });

  /** Opens a poll as the operator and checks it was created. */
  async function openPoll(overrides: Record<string, unknown> = {}): Promise<PollView> {
    const res = await op.post('/api/v1/polls', pollBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  const results = async (who: Pick<Persona, 'get'>, id: string, by?: string) => {
    const res = await who.get(`/api/v1/polls/${id}/results`, { query: { by } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const counts = async (id: string) =>
    Object.fromEntries(
      (await results(op, id)).results.options.map((o: { optionId: string; count: number }) => [o.optionId, o.count]),
    );

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    alice = await t.signUp('alice');
    bob = await t.signUp('bob');
    carol = await t.signUp('carol');
    const c = await newCommunity(op);
    needId = (await newNeed(alice, (await newScene(alice, c.id)).id)).id;
    const s = await bob.post(`/api/v1/needs/${needId}/solutions`, { title: '375ml 小瓶', body: '一次喝完' });
    expect(s.statusCode, s.body).toBe(201);
    solutionId = s.json().id;
  });
  afterAll(() => t.close());

  describe('chain-group leads', () => {
    it('lets the leads of the need’s chain group open and decide its polls, and no one else who is not an operator', async () => {
      const c = await newCommunity(op, { milestones: [{ goal: 1, days: 30 }] });
      const led = await newNeed(alice, (await newScene(alice, c.id)).id);
      const other = await newNeed(alice, (await newScene(alice, c.id)).id);
      for (const id of [led.id, other.id]) {
        await bob.put(`/api/v1/needs/${id}/support`);
        expect((await op.post(`/api/v1/needs/${id}/review`, { decision: 'accept', reason: 'ok' })).statusCode).toBe(200);
      }
      const group = await op.post('/api/v1/chain-groups', { needId: led.id, name: '链群', leads: [carol.id] });
      expect(group.statusCode, group.body).toBe(201);
      const before = await countRows(t, 'polls');
      expect((await bob.post('/api/v1/polls', pollBody({ needId: led.id }))).statusCode).toBe(403);
      expect((await carol.post('/api/v1/polls', pollBody({ needId: other.id }))).statusCode).toBe(403);
      expect(await countRows(t, 'polls')).toBe(before);
      const res = await carol.post(
        '/api/v1/polls',
        pollBody({ needId: led.id, closesAt: iso({ hours: 1 }), resultsVisibility: 'after_close' }),
      );
      expect(res.statusCode, res.body).toBe(201);
      const poll = res.json();
      // A lead sees the hidden results while the poll runs; a member does not.
      expect((await results(carol, poll.id)).results).not.toBeNull();
      expect((await results(bob, poll.id)).results).toBeNull();
      t.clock.advance({ hours: 2 });
      expect((await bob.post(`/api/v1/polls/${poll.id}/decide`, { optionId: 'opt1' })).statusCode).toBe(403);
      expect((await carol.post(`/api/v1/polls/${poll.id}/decide`, { optionId: 'opt1' })).statusCode).toBe(200);
    });
  });

  describe('opening', () => {
    it('lets an operator open a poll on a need, readable by anyone, and announces it', async () => {
      const opensAt = iso();
      const closesAt = iso({ days: 7 });
      const res = await op.post('/api/v1/polls', pollBody({ opensAt, closesAt, resultsVisibility: 'after_close' }));
      expect(res.statusCode, res.body).toBe(201);
      const poll = res.json();
      expect(poll).toEqual({
        id: expect.stringMatching(/^poll_/),
        needId,
        solutionId: null,
        question: '小瓶装选多大容量?',
        options: [
          { id: 'opt1', text: '375 ml', imageUrl: 'https://img.example.com/375.png' },
          { id: 'opt2', text: '500 ml', imageUrl: null },
        ],
        mode: 'single',
        maxChoices: 1,
        opensAt,
        closesAt,
        resultsVisibility: 'after_close',
        state: 'open',
        decidedOptionId: null,
        decidedAt: null,
        createdBy: op.id,
        createdAt: t.clock.now().toISOString(),
      });
      expect((await t.visitor.get(`/api/v1/polls/${poll.id}`)).json()).toEqual(poll);
      expect((await alice.get(`/api/v1/polls/${poll.id}`)).json()).toEqual({ ...poll, myBallot: null });
      expect(await t.app.events.eventsOf('poll', poll.id)).toEqual([
        expect.objectContaining({
          type: 'poll.opened',
          actorId: op.id,
          payload: expect.objectContaining({ pollId: poll.id, needId, solutionId: null, optionIds: ['opt1', 'opt2'] }),
        }),
      ]);
    });

    it('opens a poll on a solution, and a multiple-choice poll defaults maxChoices to the number of options', async () => {
      const poll = await openPoll({
        needId: undefined,
        solutionId,
        mode: 'multiple',
        options: [{ text: '红' }, { text: '白' }, { text: '桃红' }],
      });
      expect(poll).toMatchObject({ needId: null, solutionId, mode: 'multiple', maxChoices: 3 });
      expect((await openPoll({ mode: 'multiple', maxChoices: 2 })).maxChoices).toBe(2);
    });

    it('normalises times given with an offset to UTC', async () => {
      const poll = await openPoll({ opensAt: '2026-03-01T16:00:00+08:00', closesAt: '2026-03-09T16:00:00+08:00' });
      expect(poll).toMatchObject({ opensAt: '2026-03-01T08:00:00.000Z', closesAt: '2026-03-09T08:00:00.000Z', state: 'open' });
    });

    it('refuses a member (403) and a visitor (401), writing nothing', async () => {
      const before = await countRows(t, 'polls');
      const asMember = await alice.post('/api/v1/polls', pollBody());
      expect(asMember.statusCode).toBe(403);
      expect(problem(asMember).type).toMatch(/problems\/forbidden$/);
      expect((await t.visitor.post('/api/v1/polls', pollBody())).statusCode).toBe(401);
      expect(await countRows(t, 'polls')).toBe(before);
    });

    it('rejects bad times, options and choice limits with 422 naming the fields, writing nothing', async () => {
      const before = await countRows(t, 'polls');
      const events = await countRows(t, 'outbox_events');
      const cases: [Record<string, unknown>, string[]][] = [
        [{ closesAt: iso() }, ['closesAt']],
        [{ opensAt: iso({ days: 2 }), closesAt: iso({ days: 1 }) }, ['closesAt']],
        [{ opensAt: iso({ days: -3 }), closesAt: iso({ days: -1 }) }, ['closesAt']],
        [{ opensAt: 'tomorrow' }, ['opensAt']],
        [{ options: [{ text: '375 ml' }] }, ['options']],
        [{ options: Array.from({ length: 21 }, (_, i) => ({ text: `${i}` })) }, ['options']],
        [{ options: [{ text: 'x'.repeat(201) }, { text: 'y' }] }, ['options.0.text']],
        [{ options: [{ text: '  ' }, { text: 'y' }] }, ['options.0.text']],
        [{ options: [{ text: 'a', imageUrl: 'http://img.example.com/a.png' }, { text: 'b' }] }, ['options.0.imageUrl']],
        [{ options: [{ text: 'a', imageUrl: 'not a url' }, { text: 'b' }] }, ['options.0.imageUrl']],
        [{ options: [{ text: 'a' }, { text: 'b' }, { text: 'a' }] }, ['options.2.text']],
        [{ mode: 'single', maxChoices: 2 }, ['maxChoices']],
        [{ mode: 'multiple', maxChoices: 3 }, ['maxChoices']],
        [{ mode: 'ranked' }, ['mode']],
        [{ resultsVisibility: 'never' }, ['resultsVisibility']],
        [{ solutionId }, ['needId']],
        [{ needId: undefined }, ['needId']],
        [{ question: '' }, ['question']],
        [{ votes: 5 }, ['votes']],
      ];
      for (const [overrides, expected] of cases) {
        const res = await op.post('/api/v1/polls', pollBody(overrides));
        expect(res.statusCode, JSON.stringify(overrides)).toBe(422);
        expect(paths(res), JSON.stringify(overrides)).toEqual(expected);
      }
      expect(await countRows(t, 'polls')).toBe(before);
      expect(await countRows(t, 'outbox_events')).toBe(events);
    });

    it('rejects an unknown need or solution with 422 naming it', async () => {
      const before = await countRows(t, 'polls');
      const need = await op.post('/api/v1/polls', pollBody({ needId: 'need_unknown' }));
      expect(need.statusCode).toBe(422);
      expect(paths(need)).toEqual(['needId']);
      const solution = await op.post('/api/v1/polls', pollBody({ needId: undefined, solutionId: 'sol_unknown' }));
      expect(solution.statusCode).toBe(422);
      expect(paths(solution)).toEqual(['solutionId']);
      expect(await countRows(t, 'polls')).toBe(before);
    });
  });

  describe('voting windows', () => {
    it('refuses ballots before the poll opens and after it closes with 409, writing nothing', async () => {
      const poll = await openPoll({ opensAt: iso({ days: 1 }), closesAt: iso({ days: 2 }) });
      expect(poll.state).toBe('upcoming');
      const url = `/api/v1/polls/${poll.id}/ballot`;
      const early = await alice.put(url, { choices: ['opt1'] });
      expect(early.statusCode).toBe(409);
      expect(problem(early).type).toMatch(/problems\/conflict$/);
      expect(problem(early).detail).toMatch(/not open/);
      expect((await alice.delete(url)).statusCode).toBe(409);
      expect(await countRows(t, 'poll_ballots', ['poll_id', poll.id])).toBe(0);

      t.clock.advance({ days: 1 });
      expect((await t.visitor.get(`/api/v1/polls/${poll.id}`)).json().state).toBe('open');
      expect((await alice.put(url, { choices: ['opt1'] })).statusCode).toBe(200);
      t.clock.advance({ days: 1, ms: -1 });
      expect((await bob.put(url, { choices: ['opt2'] })).statusCode).toBe(200);

      t.clock.advance({ ms: 1 });
      expect((await t.visitor.get(`/api/v1/polls/${poll.id}`)).json().state).toBe('closed');
      const events = await countRows(t, 'outbox_events');
      for (const res of [
        await carol.put(url, { choices: ['opt1'] }),
        await alice.put(url, { choices: ['opt2'] }),
        await alice.delete(url),
      ]) {
        expect(res.statusCode).toBe(409);
        expect(problem(res).detail).toMatch(/closed/);
      }
      expect(await countRows(t, 'poll_ballots', ['poll_id', poll.id])).toBe(2);
      expect(await countRows(t, 'outbox_events')).toBe(events);
      expect(await counts(poll.id)).toEqual({ opt1: 1, opt2: 1 });
    });
  });

  describe('ballots', () => {
    it('casts, changes and withdraws one ballot per member, announcing each change once', async () => {
      const poll = await openPoll({ mode: 'multiple', options: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] });
      const url = `/api/v1/polls/${poll.id}/ballot`;
      const castAt = t.clock.now().toISOString();
      const cast = await alice.put(url, { choices: ['opt3', 'opt1'] });
      expect(cast.statusCode, cast.body).toBe(200);
      expect(cast.json()).toEqual({ choices: ['opt1', 'opt3'], castAt, updatedAt: castAt });
      expect((await alice.get(`/api/v1/polls/${poll.id}`)).json().myBallot).toEqual(cast.json());
      expect((await bob.get(`/api/v1/polls/${poll.id}`)).json().myBallot).toBeNull();
      // The same choices again change nothing.
      expect((await alice.put(url, { choices: ['opt1', 'opt3'] })).json()).toEqual(cast.json());

      t.clock.advance({ minutes: 5 });
      const changed = await alice.put(url, { choices: ['opt2'] });
      expect(changed.json()).toEqual({ choices: ['opt2'], castAt, updatedAt: t.clock.now().toISOString() });
      expect(await countRows(t, 'poll_ballots', ['poll_id', poll.id])).toBe(1);
      expect(await countRows(t, 'poll_choices', ['poll_id', poll.id])).toBe(1);
      expect(await counts(poll.id)).toEqual({ opt1: 0, opt2: 1, opt3: 0 });

      expect((await bob.put(url, { choices: ['opt2', 'opt3'] })).statusCode).toBe(200);
      expect((await results(t.visitor, poll.id)).results).toMatchObject({
        voters: 2,
        options: [
          { optionId: 'opt1', text: 'a', count: 0 },
          { optionId: 'opt2', text: 'b', count: 2 },
          { optionId: 'opt3', text: 'c', count: 1 },
        ],
        breakdown: null,
      });

      expect((await alice.delete(url)).statusCode).toBe(204);
      expect((await alice.delete(url)).statusCode).toBe(204);
      expect((await alice.get(`/api/v1/polls/${poll.id}`)).json().myBallot).toBeNull();
      expect(await counts(poll.id)).toEqual({ opt1: 0, opt2: 1, opt3: 1 });
      expect((await results(op, poll.id)).results.voters).toBe(1);

      expect((await t.app.events.eventsOf('poll', poll.id)).map((e) => [e.type, e.actorId, e.payload])).toEqual([
        ['poll.opened', op.id, expect.anything()],
        ['poll.ballot-cast', alice.id, expect.objectContaining({ memberId: alice.id, choices: ['opt1', 'opt3'] })],
        [
          'poll.ballot-changed',
          alice.id,
          expect.objectContaining({ memberId: alice.id, choices: ['opt2'], previous: ['opt1', 'opt3'] }),
        ],
        ['poll.ballot-cast', bob.id, expect.objectContaining({ memberId: bob.id, choices: ['opt2', 'opt3'] })],
        ['poll.ballot-withdrawn', alice.id, expect.objectContaining({ memberId: alice.id, previous: ['opt2'] })],
      ]);
    });

    it('lets a member vote again after withdrawing', async () => {
      const poll = await openPoll();
      const url = `/api/v1/polls/${poll.id}/ballot`;
      await alice.put(url, { choices: ['opt1'] });
      await alice.delete(url);
      expect((await alice.put(url, { choices: ['opt2'] })).statusCode).toBe(200);
      expect(await counts(poll.id)).toEqual({ opt1: 0, opt2: 1 });
    });

    it('takes exactly one choice in a single-choice poll and 1..maxChoices distinct known ones in a multiple one', async () => {
      const single = await openPoll();
      const multiple = await openPoll({
        mode: 'multiple',
        maxChoices: 2,
        options: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
      });
      const before = await countRows(t, 'poll_choices');
      const events = await countRows(t, 'outbox_events');
      const bad: [PollView, unknown][] = [
        [single, ['opt1', 'opt2']],
        [single, ['opt9']],
        [single, []],
        [multiple, ['opt1', 'opt2', 'opt3']],
        [multiple, ['opt1', 'opt1']],
        [multiple, ['opt1', 'nope']],
        [multiple, []],
        [multiple, 'opt1'],
      ];
      for (const [poll, choices] of bad) {
        const res = await alice.put(`/api/v1/polls/${poll.id}/ballot`, { choices });
        expect(res.statusCode, JSON.stringify(choices)).toBe(422);
        expect(paths(res), JSON.stringify(choices)).toEqual(['choices']);
      }
      expect(await countRows(t, 'poll_choices')).toBe(before);
      expect(await countRows(t, 'outbox_events')).toBe(events);
      // A bad change leaves the ballot as it was.
      await alice.put(`/api/v1/polls/${multiple.id}/ballot`, { choices: ['opt1', 'opt2'] });
      expect((await alice.put(`/api/v1/polls/${multiple.id}/ballot`, { choices: ['opt1', 'opt2', 'opt3'] })).statusCode).toBe(
        422,
      );
      expect((await alice.get(`/api/v1/polls/${multiple.id}`)).json().myBallot.choices).toEqual(['opt1', 'opt2']);
    });

    it('answers 401 to a visitor and 404 for an unknown poll', async () => {
      const poll = await openPoll();
      expect((await t.visitor.put(`/api/v1/polls/${poll.id}/ballot`, { choices: ['opt1'] })).statusCode).toBe(401);
      expect((await t.visitor.delete(`/api/v1/polls/${poll.id}/ballot`)).statusCode).toBe(401);
      expect((await alice.put('/api/v1/polls/poll_unknown/ballot', { choices: ['opt1'] })).statusCode).toBe(404);
      expect((await alice.delete('/api/v1/polls/poll_unknown/ballot')).statusCode).toBe(404);
      expect((await t.visitor.get('/api/v1/polls/poll_unknown')).statusCode).toBe(404);
      expect((await t.visitor.get('/api/v1/polls/poll_unknown/results')).statusCode).toBe(404);
      expect(await countRows(t, 'poll_ballots', ['poll_id', poll.id])).toBe(0);
    });
  });

  describe('results', () => {
    it('shows live results to anyone while open', async () => {
      const poll = await openPoll({ resultsVisibility: 'live' });
      await alice.put(`/api/v1/polls/${poll.id}/ballot`, { choices: ['opt1'] });
      expect(await results(t.visitor, poll.id)).toEqual({
        pollId: poll.id,
        state: 'open',
        resultsVisibility: 'live',
        results: {
          voters: 1,
          options: [
            { optionId: 'opt1', text: '375 ml', count: 1 },
            { optionId: 'opt2', text: '500 ml', count: 0 },
          ],
          breakdown: null,
        },
      });
    });

    it('hides after_close results from members and visitors until the poll closes, but not from operators', async () => {
      const poll = await openPoll({ resultsVisibility: 'after_close', closesAt: iso({ days: 1 }) });
      await alice.put(`/api/v1/polls/${poll.id}/ballot`, { choices: ['opt2'] });
      for (const who of [t.visitor, alice, bob]) {
        expect(await results(who, poll.id)).toEqual({
          pollId: poll.id,
          state: 'open',
          resultsVisibility: 'after_close',
          results: null,
        });
        expect((await results(who, poll.id, 'community')).results).toBeNull();
      }
      expect((await results(op, poll.id)).results).toMatchObject({ voters: 1 });
      expect((await results(op, poll.id, 'community')).results.breakdown).toMatchObject({ by: 'community' });
      t.clock.advance({ days: 1 });
      for (const who of [t.visitor, alice, op]) {
        expect(await results(who, poll.id)).toMatchObject({
          state: 'closed',
          results: { voters: 1, options: [{ count: 0 }, { count: 1 }] },
        });
      }
    });

    it('breaks counts down by community: a voter in two communities counts in each, one in none only in all', async () => {
      const [inNone, inA, inBoth, inB] = await members(t, 4, 'breakdown');
      const a = await newCommunity(op);
      const b = await newCommunity(op);
      for (const [who, communities] of [
        [inA!, [a]],
        [inBoth!, [a, b]],
        [inB!, [b]],
      ] as const) {
        for (const c of communities) expect((await who.put(`/api/v1/communities/${c.id}/membership`)).statusCode).toBe(200);
      }
      const poll = await openPoll({ mode: 'multiple' });
      const vote = (who: Persona, choices: string[]) => who.put(`/api/v1/polls/${poll.id}/ballot`, { choices });
      await vote(inNone!, ['opt1']);
      await vote(inA!, ['opt1']);
      await vote(inBoth!, ['opt1', 'opt2']);
      await vote(inB!, ['opt2']);
      const body = await results(t.visitor, poll.id, 'community');
      expect(body.results).toEqual({
        voters: 4,
        options: [
          { optionId: 'opt1', text: '375 ml', count: 3 },
          { optionId: 'opt2', text: '500 ml', count: 2 },
        ],
        breakdown: {
          by: 'community',
          groups: [a.id, b.id].sort(),
          voters: { all: 4, groups: { [a.id]: 2, [b.id]: 2 }, ungrouped: 1 },
          options: [
            { optionId: 'opt1', all: 3, groups: { [a.id]: 2, [b.id]: 1 }, ungrouped: 1 },
            { optionId: 'opt2', all: 2, groups: { [a.id]: 1, [b.id]: 2 }, ungrouped: 0 },
          ],
        },
      });
    });

    it('rejects an unknown dimension with 422 naming by', async () => {
      const poll = await openPoll();
      const res = await t.visitor.get(`/api/v1/polls/${poll.id}/results`, { query: { by: 'shoe_size' } });
      expect(res.statusCode).toBe(422);
      expect(paths(res)).toEqual(['by']);
      expect(problem(res).errors?.[0]?.message).toMatch(/community/);
    });

    it('counts 100 concurrent ballots by 100 members exactly', async () => {
      const poll = await openPoll();
      const crowd = await members(t, 100, 'voter');
      const replies = await Promise.all(
        crowd.map((m, i) => m.put(`/api/v1/polls/${poll.id}/ballot`, { choices: [i % 3 === 0 ? 'opt2' : 'opt1'] })),
      );
      expect(replies.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
      expect((await results(t.visitor, poll.id)).results).toMatchObject({
        voters: 100,
        options: [{ count: 66 }, { count: 34 }],
      });
      expect(await countRows(t, 'poll_ballots', ['poll_id', poll.id])).toBe(100);
      const events = await t.app.events.eventsOf('poll', poll.id);
      expect(events.filter((e) => e.type === 'poll.ballot-cast')).toHaveLength(100);
      // The whole crowd changes its mind at once.
      const changes = await Promise.all(crowd.map((m) => m.put(`/api/v1/polls/${poll.id}/ballot`, { choices: ['opt2'] })));
      expect(changes.every((r) => r.statusCode === 200)).toBe(true);
      expect(await counts(poll.id)).toEqual({ opt1: 0, opt2: 100 });
    });

    it('stays consistent under one member’s concurrent casts, changes and withdrawals', async () => {
      const poll = await openPoll({ mode: 'multiple' });
      const url = `/api/v1/polls/${poll.id}/ballot`;
      const choices = [['opt1'], ['opt2'], ['opt1', 'opt2']];
      const replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 4 === 3 ? carol.delete(url) : carol.put(url, { choices: choices[i % 3] }))),
      );
      expect(replies.every((r) => r.statusCode === 200 || r.statusCode === 204)).toBe(true);
      const ballot = (await carol.get(`/api/v1/polls/${poll.id}`)).json().myBallot;
      const expected = { opt1: 0, opt2: 0 } as Record<string, number>;
      for (const c of ballot?.choices ?? []) expected[c]!++;
      expect(await counts(poll.id)).toEqual(expected);
      expect((await results(op, poll.id)).results.voters).toBe(ballot ? 1 : 0);
    });
  });

  describe('deciding', () => {
    it('marks the winning option of a closed poll once, announcing it', async () => {
      const poll = await openPoll({ closesAt: iso({ days: 1 }) });
      await alice.put(`/api/v1/polls/${poll.id}/ballot`, { choices: ['opt1'] });
      const url = `/api/v1/polls/${poll.id}/decide`;
      const early = await op.post(url, { optionId: 'opt1' });
      expect(early.statusCode).toBe(409);
      expect(problem(early).detail).toMatch(/not closed/);
      t.clock.advance({ days: 1 });
      expect((await alice.post(url, { optionId: 'opt1' })).statusCode).toBe(403);
      expect((await t.visitor.post(url, { optionId: 'opt1' })).statusCode).toBe(401);
      const unknown = await op.post(url, { optionId: 'opt9' });
      expect(unknown.statusCode).toBe(422);
      expect(paths(unknown)).toEqual(['optionId']);
      expect((await t.visitor.get(`/api/v1/polls/${poll.id}`)).json().decidedOptionId).toBeNull();

      const decided = await op.post(url, { optionId: 'opt1' });
      expect(decided.statusCode, decided.body).toBe(200);
      expect(decided.json()).toMatchObject({ decidedOptionId: 'opt1', decidedAt: t.clock.now().toISOString(), state: 'closed' });
      expect((await op.post(url, { optionId: 'opt1' })).statusCode).toBe(200);
      const other = await op.post(url, { optionId: 'opt2' });
      expect(other.statusCode).toBe(409);
      expect((await t.visitor.get(`/api/v1/polls/${poll.id}`)).json().decidedOptionId).toBe('opt1');
      expect(await t.app.modules.polls.service.decisionOf(t.db.kysely, poll.id)).toEqual({
        pollId: poll.id,
        question: '小瓶装选多大容量?',
        option: { id: 'opt1', text: '375 ml', imageUrl: 'https://img.example.com/375.png' },
      });
      const decidedEvents = (await t.app.events.eventsOf('poll', poll.id)).filter((e) => e.type === 'poll.decided');
      expect(decidedEvents).toEqual([
        expect.objectContaining({
          actorId: op.id,
          payload: expect.objectContaining({ optionId: 'opt1', text: '375 ml', needId }),
        }),
      ]);
      expect((await op.post('/api/v1/polls/poll_unknown/decide', { optionId: 'opt1' })).statusCode).toBe(404);
    });
  });

  describe('listing', () => {
    it('lists polls newest first by need, solution and state, paging without repeats, with the caller’s ballot', async () => {
      const c = await newCommunity(op);
      const need = (await newNeed(alice, (await newScene(alice, c.id)).id)).id;
      const open1 = await openPoll({ needId: need });
      t.clock.advance({ ms: 5 });
      const upcoming = await openPoll({ needId: need, opensAt: iso({ days: 1 }), closesAt: iso({ days: 2 }) });
      t.clock.advance({ ms: 5 });
      const closing = await openPoll({ needId: need, closesAt: iso({ hours: 1 }) });
      t.clock.advance({ ms: 5 });
      const open2 = await openPoll({ needId: need });
      await alice.put(`/api/v1/polls/${open2.id}/ballot`, { choices: ['opt2'] });
      t.clock.advance({ hours: 1 });

      const list = async (who: Pick<Persona, 'get'>, query: Record<string, string | number | undefined>) => {
        const seen: { id: string; myBallot?: unknown }[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 50; page++) {
          const res = await who.get('/api/v1/polls', { query: { ...query, cursor } });
          expect(res.statusCode, res.body).toBe(200);
          seen.push(...res.json().items);
          cursor = res.json().nextCursor ?? undefined;
          if (!cursor) break;
        }
        expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length);
        return seen;
      };
      const ids = (items: { id: string }[]) => items.map((p) => p.id);
      expect(ids(await list(t.visitor, { needId: need, limit: 1 }))).toEqual([open2.id, closing.id, upcoming.id, open1.id]);
      expect(ids(await list(t.visitor, { needId: need, state: 'open' }))).toEqual([open2.id, open1.id]);
      expect(ids(await list(t.visitor, { needId: need, state: 'upcoming' }))).toEqual([upcoming.id]);
      expect(ids(await list(t.visitor, { needId: need, state: 'closed' }))).toEqual([closing.id]);
      const mine = await list(alice, { needId: need, limit: 2 });
      expect(mine.map((p) => p.myBallot)).toEqual([expect.objectContaining({ choices: ['opt2'] }), null, null, null]);
      expect((await list(t.visitor, { needId: need }))[0]).not.toHaveProperty('myBallot');

      const onSolution = await openPoll({ needId: undefined, solutionId });
      expect(ids(await list(t.visitor, { solutionId }))).toContain(onSolution.id);
      expect(ids(await list(t.visitor, { solutionId })).every((id) => id !== open1.id)).toBe(true);
    });

    it('rejects an unknown state and a forged cursor with 422', async () => {
      expect((await t.visitor.get('/api/v1/polls', { query: { state: 'finished' } })).statusCode).toBe(422);
      expect((await t.visitor.get('/api/v1/polls', { query: { cursor: 'garbage' } })).statusCode).toBe(422);
    });
  });
});
