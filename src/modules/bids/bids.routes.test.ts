import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

let slugs = 0;

interface BidBody {
  unitCost: { amount: number; currency: string };
  minQuantity: number;
  maxQuantity: number;
  leadTimeDays: number;
  capacityPerWeek: number;
  sampleOffered: boolean;
  notes?: string;
}

const bidBody = (over: Partial<BidBody> = {}): BidBody => ({
  unitCost: { amount: 4_500, currency: 'CNY' },
  minQuantity: 500,
  maxQuantity: 2_000,
  leadTimeDays: 30,
  capacityPerWeek: 400,
  sampleOffered: true,
  notes: '375ml 小支装',
  ...over,
});

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let alice: Persona;
  let bob: Persona;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    alice = await t.signUp('Alice');
    bob = await t.signUp('Bob');
  });
  afterAll(() => t.close());

  /** Row counts of every table an award may write, and of the outbox. */
  const snapshot = async () =>
    Promise.all(['bid_calls', 'bids', 'chain_groups', 'chain_group_organisations', 'outbox_events'].map((x) => countRows(t, x)));
  const eventsOf = async (callId: string) => t.app.events.eventsOf('bid-call', callId);
  const eventTypes = async (callId: string) => (await eventsOf(callId)).map((e) => e.type);
  const inDays = (days: number) => new Date(t.clock.now().getTime() + days * 86_400_000).toISOString();

  /** A need qualified by one support, then accepted by the operator unless told otherwise. */
  async function need(stage: 'open' | 'qualified' | 'accepted' | 'declined' = 'accepted') {
    const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
    const n = await newNeed(alice, (await newScene(alice, c.id)).id);
    if (stage === 'open') return n.id;
    expect((await bob.put(`/api/v1/needs/${n.id}/support`)).statusCode).toBe(200);
    if (stage === 'qualified') return n.id;
    const decision = stage === 'declined' ? 'decline' : 'accept';
    expect((await op.post(`/api/v1/needs/${n.id}/review`, { decision, reason: 'ok' })).statusCode).toBe(200);
    return n.id;
  }

  async function organisation(name: string, partners: Persona[] = []) {
    const res = await op.post('/api/v1/organisations', { slug: `bid-org-${++slugs}`, name });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    for (const p of partners) expect((await op.put(`/api/v1/organisations/${id}/members/${p.id}`)).statusCode).toBe(204);
    return id;
  }

  async function openCall(needId: string, over: Record<string, unknown> = {}) {
    const res = await op.post('/api/v1/calls', {
      needId,
      quantity: 3_000,
      targetUnitPrice: { amount: 5_000, currency: 'CNY' },
      deadline: inDays(7),
      requirements: '375 ml, screw cap, 13.5% vol',
      ...over,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; needId: string; deadline: string };
  }

  async function formGroup(needId: string) {
    const res = await op.post('/api/v1/chain-groups', { needId, name: '小瓶红酒链群' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  /** Two wineries with a partner each, a third winery, a plain member, an accepted need with a chain group and an open call. */
  async function cast(options: { group?: boolean } = {}) {
    const [helan, yantai, other] = [await t.signUp('Hana'), await t.signUp('Yan'), await t.signUp('Otto')];
    const member = await t.signUp('Max');
    const wineryA = await organisation('贺兰山酒庄', [helan]);
    const wineryB = await organisation('烟台酒庄', [yantai]);
    const wineryC = await organisation('Other Estate', [other]);
    const needId = await need();
    const chainGroupId = options.group === false ? null : await formGroup(needId);
    const call = await openCall(needId);
    return { needId, chainGroupId, call, helan, yantai, other, member, wineryA, wineryB, wineryC };
  }

  const submit = (who: Persona, callId: string, orgId: string, over: Partial<BidBody> = {}) =>
    who.put(`/api/v1/calls/${callId}/bids/${orgId}`, bidBody(over));

  async function submitOk(who: Persona, callId: string, orgId: string, over: Partial<BidBody> = {}) {
    const res = await submit(who, callId, orgId, over);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string; status: string };
  }

  describe('calls', () => {
    it('lets an operator open a call on an accepted need, shown to anyone without bids, and announces it', async () => {
      const needId = await need();
      const deadline = inDays(7);
      const call = await openCall(needId, { deadline });
      expect(call).toEqual({
        id: expect.stringMatching(/^call_/),
        needId,
        quantity: 3_000,
        targetUnitPrice: { amount: 5_000, currency: 'CNY' },
        deadline,
        requirements: '375 ml, screw cap, 13.5% vol',
        state: 'open',
        createdBy: op.id,
        createdAt: t.clock.now().toISOString(),
        awardedAt: null,
        awardedQuantity: null,
      });
      expect((await t.visitor.get(`/api/v1/calls/${call.id}`)).json()).toEqual(call);
      const list = await t.visitor.get('/api/v1/calls', { query: { needId } });
      expect(list.json()).toEqual({ items: [call], nextCursor: null });
      expect((await t.visitor.get('/api/v1/calls', { query: { needId, state: 'closed' } })).json().items).toEqual([]);
      expect(await eventTypes(call.id)).toEqual(['bid.call-opened']);
    });

    it('refuses needs that are not accepted (409) and a second call on a need (409), writing nothing', async () => {
      for (const stage of ['open', 'qualified', 'declined'] as const) {
        const needId = await need(stage);
        const before = await snapshot();
        const res = await op.post('/api/v1/calls', {
          needId,
          quantity: 10,
          targetUnitPrice: { amount: 100, currency: 'CNY' },
          deadline: inDays(3),
          requirements: 'x',
        });
        expect(res.statusCode, stage).toBe(409);
        expect(await snapshot()).toEqual(before);
      }
      const needId = await need();
      const first = await openCall(needId);
      const before = await snapshot();
      const second = await op.post('/api/v1/calls', {
        needId,
        quantity: 10,
        targetUnitPrice: { amount: 100, currency: 'CNY' },
        deadline: inDays(3),
        requirements: 'x',
      });
      expect(second.statusCode).toBe(409);
      expect(second.json().callId).toBe(first.id);
      expect(await snapshot()).toEqual(before);
    });

    it('opens one call when two operators open on the same need at once', async () => {
      const needId = await need();
      const op2 = await t.operator('运营 Oscar');
      const body = {
        needId,
        quantity: 10,
        targetUnitPrice: { amount: 100, currency: 'CNY' },
        deadline: inDays(3),
        requirements: 'x',
      };
      const results = await Promise.all([op, op2, op].map((who) => who.post('/api/v1/calls', body)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
      expect((await t.visitor.get('/api/v1/calls', { query: { needId } })).json().items).toHaveLength(1);
    });

    it('validates the call: a past deadline, a zero price, an unknown need, writing nothing', async () => {
      const needId = await need();
      const before = await snapshot();
      const base = {
        needId,
        quantity: 10,
        targetUnitPrice: { amount: 100, currency: 'CNY' },
        deadline: inDays(3),
        requirements: 'x',
      };
      const past = await op.post('/api/v1/calls', { ...base, deadline: t.clock.now().toISOString() });
      expect(past.statusCode).toBe(422);
      expect(problem(past).errors).toEqual([{ path: 'deadline', message: 'must be in the future' }]);
      const zero = await op.post('/api/v1/calls', { ...base, targetUnitPrice: { amount: 0, currency: 'CNY' }, quantity: 0 });
      expect(
        problem(zero)
          .errors?.map((e) => e.path)
          .sort(),
      ).toEqual(['quantity', 'targetUnitPrice.amount']);
      expect((await op.post('/api/v1/calls', { ...base, needId: 'need_01JZZZZZZZZZZZZZZZZZZZZZZZ' })).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it('lets only operators open calls: members, partners 403, visitors 401, writing nothing', async () => {
      const c = await cast();
      const needId = await need();
      const before = await snapshot();
      const body = {
        needId,
        quantity: 10,
        targetUnitPrice: { amount: 100, currency: 'CNY' },
        deadline: inDays(3),
        requirements: 'x',
      };
      for (const who of [c.member, c.other, c.helan]) expect((await who.post('/api/v1/calls', body)).statusCode).toBe(403);
      expect((await t.visitor.post('/api/v1/calls', body)).statusCode).toBe(401);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('bidding', () => {
    it('lets a partner submit their organisation’s bid, replace it, and announces each change once', async () => {
      const c = await cast();
      const first = await submitOk(c.helan, c.call.id, c.wineryA);
      expect(first).toEqual({
        id: expect.stringMatching(/^bid_/),
        callId: c.call.id,
        organisationId: c.wineryA,
        organisationName: '贺兰山酒庄',
        ...bidBody(),
        status: 'live',
        awardedQuantity: null,
        submittedBy: c.helan.id,
        submittedAt: t.clock.now().toISOString(),
        updatedAt: t.clock.now().toISOString(),
      });
      // The same bid again changes nothing; a different one replaces it (same id).
      await submitOk(c.helan, c.call.id, c.wineryA);
      const replaced = await submitOk(c.helan, c.call.id, c.wineryA, { unitCost: { amount: 4_200, currency: 'CNY' } });
      expect(replaced.id).toBe(first.id);
      expect(await countRows(t, 'bids', ['call_id', c.call.id])).toBe(1);
      const events = await eventsOf(c.call.id);
      expect(events.map((e) => e.type)).toEqual(['bid.call-opened', 'bid.submitted', 'bid.submitted']);
      expect(events[2]!.payload).toMatchObject({ bidId: first.id, organisationId: c.wineryA, replaced: true });
    });

    it('refuses bids from a member, a partner of another organisation and an operator (403), visitors 401, writing nothing', async () => {
      const c = await cast();
      await submitOk(c.helan, c.call.id, c.wineryA);
      const before = await snapshot();
      for (const who of [c.member, c.yantai, op]) {
        const put = await submit(who, c.call.id, c.wineryA);
        expect(put.statusCode, who.displayName).toBe(403);
        expect(problem(put).type).toMatch(/problems\/forbidden$/);
        expect((await who.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryA}`)).statusCode, who.displayName).toBe(403);
      }
      expect((await t.visitor.put(`/api/v1/calls/${c.call.id}/bids/${c.wineryA}`, bidBody())).statusCode).toBe(401);
      expect((await submit(c.helan, 'call_01JZZZZZZZZZZZZZZZZZZZZZZZ', c.wineryA)).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it('validates bids against the call: currency, min ≤ max, min ≤ wanted (422 naming the field), writing nothing', async () => {
      const c = await cast();
      const before = await snapshot();
      const cases: [Partial<BidBody>, string[]][] = [
        [{ unitCost: { amount: 700, currency: 'USD' } }, ['unitCost.currency']],
        [{ minQuantity: 800, maxQuantity: 700 }, ['maxQuantity']],
        [{ minQuantity: 3_001, maxQuantity: 4_000 }, ['minQuantity']],
        [{ unitCost: { amount: 0, currency: 'CNY' } }, ['unitCost.amount']],
        [{ leadTimeDays: 0 }, ['leadTimeDays']],
      ];
      for (const [over, paths] of cases) {
        const res = await submit(c.helan, c.call.id, c.wineryA, over);
        expect(res.statusCode, JSON.stringify(over)).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(paths);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('takes, replaces and withdraws bids until the deadline, and answers 409 after it, writing nothing', async () => {
      const c = await cast();
      const bid = await submitOk(c.helan, c.call.id, c.wineryA);
      await submitOk(c.yantai, c.call.id, c.wineryB);
      expect((await c.yantai.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryB}`)).statusCode).toBe(204);
      // Withdrawing again changes nothing; submitting again makes it live again.
      expect((await c.yantai.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryB}`)).statusCode).toBe(204);
      const types = await eventTypes(c.call.id);
      expect(types.filter((x) => x === 'bid.withdrawn')).toHaveLength(1);
      expect((await submitOk(c.yantai, c.call.id, c.wineryB)).status).toBe('live');
      expect((await c.yantai.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryB}`)).statusCode).toBe(204);

      t.clock.set(new Date(new Date(c.call.deadline).getTime() - 1));
      await submitOk(c.helan, c.call.id, c.wineryA, { leadTimeDays: 25 });
      t.clock.set(c.call.deadline);
      const before = await snapshot();
      const late = await submit(c.helan, c.call.id, c.wineryA, { leadTimeDays: 20 });
      expect(late.statusCode).toBe(409);
      expect(late.json().state).toBe('closed');
      expect((await c.helan.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryA}`)).statusCode).toBe(409);
      expect((await submit(c.other, c.call.id, c.wineryC)).statusCode).toBe(409);
      expect(await snapshot()).toEqual(before);
      expect((await t.visitor.get(`/api/v1/calls/${c.call.id}`)).json().state).toBe('closed');
      expect((await t.visitor.get('/api/v1/calls', { query: { needId: c.needId, state: 'closed' } })).json().items).toHaveLength(
        1,
      );
      const mine = (await c.helan.get(`/api/v1/calls/${c.call.id}/bids`)).json().items;
      expect(mine).toEqual([expect.objectContaining({ id: bid.id, leadTimeDays: 25, status: 'live' })]);
    });
    it('keeps one bid per organisation when its partners submit at the same time', async () => {
      const c = await cast();
      const second = await t.signUp('Hao');
      expect((await op.put(`/api/v1/organisations/${c.wineryA}/members/${second.id}`)).statusCode).toBe(204);
      const results = await Promise.all(
        [c.helan, second, c.helan, second].map((who, i) => submit(who, c.call.id, c.wineryA, { leadTimeDays: 10 + i })),
      );
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
      expect(await countRows(t, 'bids', ['call_id', c.call.id])).toBe(1);
      expect((await eventTypes(c.call.id)).filter((x) => x === 'bid.submitted')).toHaveLength(4);
    });
  });

  describe('visibility', () => {
    it('shows partners only their organisations’ bids until the call closes, operators all, and bidders their outcome after', async () => {
      const c = await cast();
      const a = await submitOk(c.helan, c.call.id, c.wineryA);
      const b = await submitOk(c.yantai, c.call.id, c.wineryB, { unitCost: { amount: 4_800, currency: 'CNY' } });
      const lost = await submitOk(c.other, c.call.id, c.wineryC, { unitCost: { amount: 4_900, currency: 'CNY' } });
      const ids = async (who: Persona) =>
        (await who.get(`/api/v1/calls/${c.call.id}/bids`)).json().items.map((x: { id: string }) => x.id);
      expect(await ids(c.helan)).toEqual([a.id]);
      expect(await ids(c.yantai)).toEqual([b.id]);
      expect(await ids(op)).toEqual([a.id, b.id, lost.id]);
      const stranger = await t.signUp('Stan');
      await organisation('Nobody’s Winery', [stranger]);
      expect(await ids(stranger)).toEqual([]);
      expect((await c.member.get(`/api/v1/calls/${c.call.id}/bids`)).statusCode).toBe(403);
      expect((await t.visitor.get(`/api/v1/calls/${c.call.id}/bids`)).statusCode).toBe(401);
      expect(Object.keys((await t.visitor.get(`/api/v1/calls/${c.call.id}`)).json())).not.toContain('bids');

      const award = await op.post(`/api/v1/calls/${c.call.id}/award`, {
        awards: [
          { bidId: a.id, quantity: 1_500 },
          { bidId: b.id, quantity: 1_500 },
        ],
      });
      expect(award.statusCode, award.body).toBe(200);
      const outcome = async (who: Persona) =>
        (await who.get(`/api/v1/calls/${c.call.id}/bids`))
          .json()
          .items.map((x: { id: string; status: string; awardedQuantity: number | null }) => [x.id, x.status, x.awardedQuantity]);
      expect(await outcome(c.helan)).toEqual([[a.id, 'awarded', 1_500]]);
      expect(await outcome(c.other)).toEqual([[lost.id, 'lost', null]]);
      const my = (await c.other.get('/api/v1/me/bids')).json();
      expect(my.items).toHaveLength(1);
      expect(my.items[0]).toMatchObject({ id: lost.id, status: 'lost', call: { id: c.call.id, state: 'awarded' } });
      expect((await c.member.get('/api/v1/me/bids')).statusCode).toBe(403);
    });

    it('lists a partner’s bids across their organisations, newest first, paged', async () => {
      const c = await cast();
      const both = await t.signUp('Bea');
      for (const org of [c.wineryA, c.wineryB])
        expect((await op.put(`/api/v1/organisations/${org}/members/${both.id}`)).statusCode).toBe(204);
      const second = await cast();
      const x = await submitOk(both, c.call.id, c.wineryA);
      const y = await submitOk(both, second.call.id, c.wineryB);
      const page1 = (await both.get('/api/v1/me/bids', { query: { limit: 1 } })).json();
      expect(page1.items.map((i: { id: string }) => i.id)).toEqual([y.id]);
      const page2 = (await both.get('/api/v1/me/bids', { query: { limit: 1, cursor: page1.nextCursor } })).json();
      expect(page2.items.map((i: { id: string }) => i.id)).toEqual([x.id]);
      expect(page2.nextCursor).toBeNull();
    });
  });

  describe('comparison', () => {
    it('marks the cheapest and the fastest and ranks by the documented score, for operators only', async () => {
      const c = await cast();
      const a = await submitOk(c.helan, c.call.id, c.wineryA, {
        unitCost: { amount: 4_000, currency: 'CNY' },
        leadTimeDays: 30,
        sampleOffered: true,
      });
      const b = await submitOk(c.yantai, c.call.id, c.wineryB, {
        unitCost: { amount: 5_000, currency: 'CNY' },
        leadTimeDays: 20,
        sampleOffered: false,
      });
      const cc = await submitOk(c.other, c.call.id, c.wineryC, {
        unitCost: { amount: 4_500, currency: 'CNY' },
        leadTimeDays: 20,
        sampleOffered: true,
      });
      const res = await op.get(`/api/v1/calls/${c.call.id}/comparison`);
      expect(res.statusCode).toBe(200);
      const cmp = res.json();
      expect(cmp.formula).toMatch(/^scoreBps = floor\(6000/);
      const doc = (await t.visitor.get('/api/openapi.json')).json();
      expect(doc.paths['/api/v1/calls/{id}/comparison'].get.description).toBe(cmp.formula);
      // A: 6000 + floor(3000×20/30) + 1000 = 9000; B: floor(6000×4000/5000) + 3000 = 7800;
      // C: floor(6000×4000/4500) + 3000 + 1000 = 5333 + 4000 = 9333.
      expect(
        cmp.items.map((i: { rank: number; bid: { id: string }; cheapest: boolean; fastest: boolean; scoreBps: number }) => [
          i.rank,
          i.bid.id,
          i.cheapest,
          i.fastest,
          i.scoreBps,
        ]),
      ).toEqual([
        [1, cc.id, false, true, 9_333],
        [2, a.id, true, false, 9_000],
        [3, b.id, false, true, 7_800],
      ]);
      // A withdrawn bid leaves the comparison.
      expect((await c.yantai.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryB}`)).statusCode).toBe(204);
      const after = (await op.get(`/api/v1/calls/${c.call.id}/comparison`)).json();
      expect(after.items.map((i: { bid: { id: string }; scoreBps: number }) => [i.bid.id, i.scoreBps])).toEqual([
        [cc.id, 9_333],
        [a.id, 9_000],
      ]);
      for (const who of [c.helan, c.member])
        expect((await who.get(`/api/v1/calls/${c.call.id}/comparison`)).statusCode).toBe(403);
      expect((await t.visitor.get(`/api/v1/calls/${c.call.id}/comparison`)).statusCode).toBe(401);
    });
  });

  describe('award', () => {
    it('sets the agreement’s maker unit cost to the awarded cost per unit, as a new version every party accepts again', async () => {
      const c = await cast();
      const lead = await t.signUp('Lea');
      expect((await op.put(`/api/v1/chain-groups/${c.chainGroupId}/members/${lead.id}`, { role: 'lead' })).statusCode).toBe(200);
      const terms = {
        referenceUnitPrice: { amount: 9_900, currency: 'CNY' },
        makerUnitCost: null,
        platformFeeBps: 1_000,
        referralCommissionBps: 500,
        pool: { mode: 'rest' },
        roleShares: { lead: 10_000 },
        contributionWeights: {
          needAuthor: 1,
          chosenSolutionAuthors: 1,
          earlySupporters: { first: 10, weight: 1 },
          pollVoters: 1,
          trialReviewers: 0,
        },
      };
      const proposed = await lead.post(`/api/v1/chain-groups/${c.chainGroupId}/agreement/versions`, terms);
      expect(proposed.statusCode, proposed.body).toBe(201);
      expect((await lead.post(`/api/v1/chain-groups/${c.chainGroupId}/agreement/versions/1/accept`)).statusCode).toBe(200);
      const a = await submitOk(c.helan, c.call.id, c.wineryA, { unitCost: { amount: 4_500, currency: 'CNY' } });
      const b = await submitOk(c.yantai, c.call.id, c.wineryB, { unitCost: { amount: 4_600, currency: 'CNY' } });
      t.clock.set(c.call.deadline);
      const res = await op.post(`/api/v1/calls/${c.call.id}/award`, {
        awards: [
          { bidId: a.id, quantity: 1_000 },
          { bidId: b.id, quantity: 2_000 },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
      const agreement = (await t.visitor.get(`/api/v1/chain-groups/${c.chainGroupId}/agreement`)).json();
      // (4,500 × 1,000 + 4,600 × 2,000) / 3,000 = 4,566.67 → 4,567 fen per unit.
      expect(agreement).toMatchObject({
        version: 2,
        acceptedByAll: false,
        terms: { makerUnitCost: { amount: 4_567, currency: 'CNY' } },
      });
    });

    it('splits 3,000 bottles 1,500 + 1,500 between two wineries, who join the chain group as makers; the third loses', async () => {
      const c = await cast();
      const a = await submitOk(c.helan, c.call.id, c.wineryA);
      const b = await submitOk(c.yantai, c.call.id, c.wineryB, { unitCost: { amount: 4_600, currency: 'CNY' } });
      const lost = await submitOk(c.other, c.call.id, c.wineryC, { unitCost: { amount: 4_900, currency: 'CNY' } });
      t.clock.set(c.call.deadline);
      const res = await op.post(`/api/v1/calls/${c.call.id}/award`, {
        awards: [
          { bidId: a.id, quantity: 1_500 },
          { bidId: b.id, quantity: 1_500 },
        ],
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.chainGroupId).toBe(c.chainGroupId);
      expect(body.call).toMatchObject({ state: 'awarded', awardedQuantity: 3_000, awardedAt: c.call.deadline });
      expect(
        body.bids.map((x: { id: string; status: string; awardedQuantity: number | null }) => [x.id, x.status, x.awardedQuantity]),
      ).toEqual([
        [a.id, 'awarded', 1_500],
        [b.id, 'awarded', 1_500],
        [lost.id, 'lost', null],
      ]);
      const group = (await t.visitor.get(`/api/v1/chain-groups/${c.chainGroupId}`)).json();
      expect(group.organisations.map((o: { organisationId: string; role: string }) => [o.organisationId, o.role])).toEqual([
        [c.wineryA, 'maker'],
        [c.wineryB, 'maker'],
      ]);
      const events = await eventsOf(c.call.id);
      expect(events.map((e) => e.type).slice(4)).toEqual(['bid.awarded', 'bid.awarded', 'bid.lost', 'bid.call-awarded']);
      expect(events.filter((e) => e.type === 'bid.awarded').map((e) => [e.payload.organisationId, e.payload.quantity])).toEqual([
        [c.wineryA, 1_500],
        [c.wineryB, 1_500],
      ]);
      const groupEvents = (await t.app.events.eventsOf('chain-group', c.chainGroupId!)).map((e) => e.type);
      expect(groupEvents.filter((x) => x === 'chain-group.participant-added')).toHaveLength(2);
      expect((await t.visitor.get('/api/v1/calls', { query: { needId: c.needId, state: 'awarded' } })).json().items).toHaveLength(
        1,
      );

      // Awarded once: a second award, or late bids, are refused and write nothing.
      const before = await snapshot();
      const again = await op.post(`/api/v1/calls/${c.call.id}/award`, {
        awards: [{ bidId: lost.id, quantity: 1_000 }],
        allowUndercover: true,
      });
      expect(again.statusCode).toBe(409);
      expect((await submit(c.other, c.call.id, c.wineryC)).statusCode).toBe(409);
      expect(await snapshot()).toEqual(before);
      // With the award done, a new call may open on the need.
      await openCall(c.needId);
    });

    it('refuses awards over a bid’s maximum, under its minimum, undercovering without the flag or over the quantity wanted (422), writing nothing', async () => {
      const c = await cast();
      const a = await submitOk(c.helan, c.call.id, c.wineryA, { minQuantity: 500, maxQuantity: 2_000 });
      const b = await submitOk(c.yantai, c.call.id, c.wineryB, { minQuantity: 1_000, maxQuantity: 2_500 });
      const withdrawn = await submitOk(c.other, c.call.id, c.wineryC);
      expect((await c.other.delete(`/api/v1/calls/${c.call.id}/bids/${c.wineryC}`)).statusCode).toBe(204);
      const cases: [Record<string, unknown>, { path: string; message: string }[]][] = [
        [
          {
            awards: [
              { bidId: a.id, quantity: 2_001 },
              { bidId: b.id, quantity: 999 },
            ],
          },
          [
            { path: 'awards.0.quantity', message: 'is above the bid’s maximum of 2000' },
            { path: 'awards.1.quantity', message: 'is below the bid’s minimum of 1000' },
          ],
        ],
        [
          {
            awards: [
              { bidId: a.id, quantity: 1_000 },
              { bidId: b.id, quantity: 1_000 },
            ],
          },
          [{ path: 'awards', message: 'add up to 2000, less than the 3000 wanted; set allowUndercover to award less' }],
        ],
        [
          {
            awards: [
              { bidId: a.id, quantity: 2_000 },
              { bidId: b.id, quantity: 1_500 },
            ],
            allowUndercover: true,
          },
          [{ path: 'awards', message: 'add up to 3500, more than the 3000 wanted' }],
        ],
        [
          {
            awards: [
              { bidId: a.id, quantity: 1_500 },
              { bidId: withdrawn.id, quantity: 1_500 },
            ],
          },
          [{ path: 'awards.1.bidId', message: 'is not a live bid of this call' }],
        ],
        [
          {
            awards: [
              { bidId: a.id, quantity: 1_500 },
              { bidId: a.id, quantity: 1_500 },
            ],
          },
          [{ path: 'awards.1.bidId', message: 'is awarded twice' }],
        ],
      ];
      const before = await snapshot();
      for (const [body, errors] of cases) {
        const res = await op.post(`/api/v1/calls/${c.call.id}/award`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(422);
        expect(problem(res).errors).toEqual(errors);
      }
      expect((await op.post(`/api/v1/calls/${c.call.id}/award`, { awards: [] })).statusCode).toBe(422);
      for (const who of [c.helan, c.member]) {
        expect(
          (await who.post(`/api/v1/calls/${c.call.id}/award`, { awards: [{ bidId: a.id, quantity: 1_500 }] })).statusCode,
        ).toBe(403);
      }
      expect(await snapshot()).toEqual(before);
      expect((await t.visitor.get(`/api/v1/calls/${c.call.id}`)).json().state).toBe('open');

      // With the flag, less than wanted is fine; the awarded winery joins the group.
      const ok = await op.post(`/api/v1/calls/${c.call.id}/award`, {
        awards: [{ bidId: b.id, quantity: 2_500 }],
        allowUndercover: true,
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().call.awardedQuantity).toBe(2_500);
      expect(ok.json().bids.map((x: { status: string }) => x.status)).toEqual(['lost', 'awarded', 'withdrawn']);
    });

    it('answers 409 when the need has no chain group yet, telling to form one, writing nothing', async () => {
      const c = await cast({ group: false });
      const a = await submitOk(c.helan, c.call.id, c.wineryA, { maxQuantity: 3_000 });
      const before = await snapshot();
      const res = await op.post(`/api/v1/calls/${c.call.id}/award`, { awards: [{ bidId: a.id, quantity: 3_000 }] });
      expect(res.statusCode).toBe(409);
      expect(problem(res).detail).toMatch(/form one first/);
      expect(await snapshot()).toEqual(before);
      await formGroup(c.needId);
      expect((await op.post(`/api/v1/calls/${c.call.id}/award`, { awards: [{ bidId: a.id, quantity: 3_000 }] })).statusCode).toBe(
        200,
      );
    });
  });
});
