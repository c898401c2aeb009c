import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';
import { AppError } from '../../platform/errors.js';

let slugs = 0;

/** Terms that hold: 128.00 CNY, maker 50.00, 10% platform, 5% referral, the rest to lead and creator 40/60. */
function terms(over: Record<string, unknown> = {}) {
  return {
    referenceUnitPrice: { amount: 12_800, currency: 'CNY' },
    makerUnitCost: { amount: 5_000, currency: 'CNY' },
    platformFeeBps: 1_000,
    referralCommissionBps: 500,
    pool: { mode: 'rest' },
    roleShares: { lead: 4_000, creator: 6_000 },
    contributionWeights: {
      needAuthor: 5,
      chosenSolutionAuthors: 3,
      earlySupporters: { first: 100, weight: 1 },
      pollVoters: 1,
      trialReviewers: 0,
    },
    ...over,
  };
}

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

  const count = async (table: string) =>
    Number(
      (
        await t.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Row counts of every table the module writes, and of the outbox. */
  const snapshot = async () =>
    Promise.all(
      [
        'chain_groups',
        'chain_group_members',
        'chain_group_organisations',
        'agreement_versions',
        'agreement_acceptances',
        'outbox_events',
      ].map(count),
    );
  const eventTypes = async (id: string) => (await t.app.events.eventsOf('chain-group', id)).map((e) => e.type);

  /** A need qualified by one support, then accepted by the operator unless told otherwise. */
  async function need(stage: 'open' | 'qualified' | 'accepted' | 'declined' | 'in_development' = 'accepted') {
    const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
    const n = await newNeed(alice, (await newScene(alice, c.id)).id);
    if (stage === 'open') return n.id;
    expect((await bob.put(`/api/v1/needs/${n.id}/support`)).statusCode).toBe(200);
    if (stage === 'qualified') return n.id;
    const decision = stage === 'declined' ? 'decline' : 'accept';
    expect((await op.post(`/api/v1/needs/${n.id}/review`, { decision, reason: 'ok' })).statusCode).toBe(200);
    if (stage === 'in_development') expect((await op.post(`/api/v1/needs/${n.id}/advance`, { stage })).statusCode).toBe(200);
    return n.id;
  }

  async function organisation(name: string, partners: Persona[] = []) {
    const res = await op.post('/api/v1/organisations', { slug: `cg-org-${++slugs}`, name });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    for (const p of partners) expect((await op.put(`/api/v1/organisations/${id}/members/${p.id}`)).statusCode).toBe(204);
    return id;
  }

  async function form(body: Record<string, unknown>) {
    const res = await op.post('/api/v1/chain-groups', { name: '小瓶红酒链群', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  }

  /** A group with a lead and a creator, a maker winery with one partner, and another winery outside it. */
  async function cast() {
    const lead = await t.signUp('Lena');
    const creator = await t.signUp('Cora');
    const partner = await t.signUp('Pat');
    const secondPartner = await t.signUp('Pia');
    const otherPartner = await t.signUp('Otto');
    const member = await t.signUp('Max');
    const winery = await organisation('贺兰山酒庄', [partner, secondPartner]);
    const otherWinery = await organisation('Other Estate', [otherPartner]);
    const group = await form({ needId: await need(), leads: [lead.id] });
    expect((await lead.put(`/api/v1/chain-groups/${group.id}/members/${creator.id}`, { role: 'creator' })).statusCode).toBe(200);
    expect((await lead.put(`/api/v1/chain-groups/${group.id}/organisations/${winery}`, { role: 'maker' })).statusCode).toBe(200);
    return { id: group.id, lead, creator, partner, secondPartner, otherPartner, member, winery, otherWinery };
  }

  describe('forming', () => {
    it('lets an operator form a group around an accepted need, with its first leads, and announces it', async () => {
      const lead = await t.signUp('Lin');
      const needId = await need();
      const res = await op.post('/api/v1/chain-groups', { needId, name: '小瓶红酒链群', leads: [lead.id] });
      expect(res.statusCode, res.body).toBe(201);
      const group = res.json();
      expect(group).toEqual({
        id: expect.stringMatching(/^cg_/),
        needId,
        name: '小瓶红酒链群',
        formedBy: op.id,
        createdAt: '2026-03-01T08:00:00.000Z',
        members: [{ memberId: lead.id, displayName: 'Lin', role: 'lead', addedAt: '2026-03-01T08:00:00.000Z' }],
        organisations: [],
        agreement: null,
      });
      expect((await t.visitor.get(`/api/v1/chain-groups/${group.id}`)).json()).toEqual(group);
      expect(await eventTypes(group.id)).toEqual(['chain-group.formed', 'chain-group.participant-added']);
    });

    it('forms on needs in development too', async () => {
      await form({ needId: await need('in_development') });
    });

    it('refuses needs that are not accepted with 409, and writes nothing', async () => {
      for (const stage of ['open', 'qualified', 'declined'] as const) {
        const needId = await need(stage);
        const before = await snapshot();
        const res = await op.post('/api/v1/chain-groups', { needId, name: 'Too early' });
        expect(res.statusCode, stage).toBe(409);
        expect(problem(res).type).toMatch(/problems\/conflict$/);
        expect(await snapshot()).toEqual(before);
      }
    });

    it('allows one chain group per need (409 for a second)', async () => {
      const needId = await need();
      const first = await form({ needId });
      const before = await snapshot();
      const res = await op.post('/api/v1/chain-groups', { needId, name: 'Second' });
      expect(res.statusCode).toBe(409);
      expect(res.json().chainGroupId).toBe(first.id);
      expect(await snapshot()).toEqual(before);
    });

    it('lets only operators form: members, partners and leads 403, visitors 401, writing nothing', async () => {
      const c = await cast();
      const needId = await need();
      const before = await snapshot();
      for (const who of [c.member, c.otherPartner, c.partner, c.lead]) {
        const res = await who.post('/api/v1/chain-groups', { needId, name: 'x' });
        expect(res.statusCode, who.displayName).toBe(403);
      }
      expect((await t.visitor.post('/api/v1/chain-groups', { needId, name: 'x' })).statusCode).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it('forms one group when two operators form around the same need at once', async () => {
      const needId = await need();
      const op2 = await t.operator('运营 Oscar');
      const results = await Promise.all(
        [op, op2, op].map((who, i) => who.post('/api/v1/chain-groups', { needId, name: `Race ${i}` })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
      const list = (await t.visitor.get('/api/v1/chain-groups', { query: { needId } })).json();
      expect(list.items).toHaveLength(1);
    });

    it('answers 404 for an unknown need and 422 naming an unknown lead, writing nothing', async () => {
      const needId = await need();
      const before = await snapshot();
      expect((await op.post('/api/v1/chain-groups', { needId: 'need_01JZZZZZZZZZZZZZZZZZZZZZZZ', name: 'x' })).statusCode).toBe(
        404,
      );
      const res = await op.post('/api/v1/chain-groups', {
        needId,
        name: 'x',
        leads: [alice.id, 'mem_01JZZZZZZZZZZZZZZZZZZZZZZZ'],
      });
      expect(res.statusCode).toBe(422);
      expect(problem(res).errors).toEqual([{ path: 'leads.1', message: 'is not a member' }]);
      const blank = await op.post('/api/v1/chain-groups', { needId, name: '  ' });
      expect(problem(blank).errors?.map((e) => e.path)).toEqual(['name']);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('participants', () => {
    it('shows participants with display names, organisation names and roles to anyone', async () => {
      const c = await cast();
      const res = await t.visitor.get(`/api/v1/chain-groups/${c.id}`);
      expect(res.statusCode).toBe(200);
      const g = res.json();
      expect(g.members.map((m: { displayName: string; role: string }) => [m.displayName, m.role])).toEqual([
        ['Lena', 'lead'],
        ['Cora', 'creator'],
      ]);
      expect(g.organisations).toEqual([
        { organisationId: c.winery, name: '贺兰山酒庄', role: 'maker', addedAt: expect.any(String) },
      ]);
    });

    it('refuses every participant write by a member, a partner of another organisation and a partner (403), writing nothing', async () => {
      const c = await cast();
      const someone = await t.signUp('Sam');
      const writes = (who: Persona) => [
        () => who.put(`/api/v1/chain-groups/${c.id}/members/${someone.id}`, { role: 'designer' }),
        () => who.delete(`/api/v1/chain-groups/${c.id}/members/${c.creator.id}`),
        () => who.put(`/api/v1/chain-groups/${c.id}/organisations/${c.otherWinery}`, { role: 'retailer' }),
        () => who.delete(`/api/v1/chain-groups/${c.id}/organisations/${c.winery}`),
        () => who.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms()),
      ];
      const before = await snapshot();
      // The creator is a participant but not a lead: no more rights than a member.
      for (const who of [c.member, c.otherPartner, c.partner, c.creator]) {
        for (const write of writes(who)) {
          const res = await write();
          expect(res.statusCode, `${who.displayName}: ${res.body}`).toBe(403);
          expect(problem(res).type).toMatch(/problems\/forbidden$/);
        }
      }
      for (const write of writes(t.visitor as Persona)) expect((await write()).statusCode).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it('lets a lead and an operator add, re-role and remove members and organisations, announcing each change', async () => {
      const c = await cast();
      const designer = await t.signUp('Dee');
      for (const who of [c.lead, op]) {
        expect((await who.put(`/api/v1/chain-groups/${c.id}/members/${designer.id}`, { role: 'designer' })).statusCode).toBe(200);
        const reroled = await who.put(`/api/v1/chain-groups/${c.id}/members/${designer.id}`, { role: '品酒师' });
        expect(reroled.json().members.find((m: { memberId: string }) => m.memberId === designer.id).role).toBe('品酒师');
        const retailer = await who.put(`/api/v1/chain-groups/${c.id}/organisations/${c.otherWinery}`, { role: 'retailer' });
        expect(retailer.statusCode).toBe(200);
        expect(retailer.json().organisations.map((o: { role: string }) => o.role)).toEqual(['maker', 'retailer']);
        expect((await who.delete(`/api/v1/chain-groups/${c.id}/members/${designer.id}`)).statusCode).toBe(204);
        expect((await who.delete(`/api/v1/chain-groups/${c.id}/organisations/${c.otherWinery}`)).statusCode).toBe(204);
      }
      const g = (await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json();
      expect(g.members.map((m: { memberId: string }) => m.memberId)).toEqual([c.lead.id, c.creator.id]);
      expect(g.organisations.map((o: { organisationId: string }) => o.organisationId)).toEqual([c.winery]);
      const types = await eventTypes(c.id);
      expect(types.filter((x) => x === 'chain-group.participant-added')).toHaveLength(1 + 2 + 2 * 3);
      expect(types.filter((x) => x === 'chain-group.participant-removed')).toHaveLength(2 * 2);
    });

    it('changes nothing and announces nothing on a repeated add or remove', async () => {
      const c = await cast();
      const before = await eventTypes(c.id);
      expect((await c.lead.put(`/api/v1/chain-groups/${c.id}/members/${c.creator.id}`, { role: 'creator' })).statusCode).toBe(
        200,
      );
      expect((await c.lead.put(`/api/v1/chain-groups/${c.id}/organisations/${c.winery}`, { role: 'maker' })).statusCode).toBe(
        200,
      );
      expect((await c.lead.delete(`/api/v1/chain-groups/${c.id}/members/${c.member.id}`)).statusCode).toBe(204);
      expect((await c.lead.delete(`/api/v1/chain-groups/${c.id}/organisations/${c.otherWinery}`)).statusCode).toBe(204);
      expect(await eventTypes(c.id)).toEqual(before);
    });

    it('validates roles and answers 404 for unknown groups, members and organisations, writing nothing', async () => {
      const c = await cast();
      const before = await snapshot();
      const long = await c.lead.put(`/api/v1/chain-groups/${c.id}/members/${c.member.id}`, { role: 'x'.repeat(31) });
      expect(problem(long).errors?.map((e) => e.path)).toEqual(['role']);
      const orgRole = await c.lead.put(`/api/v1/chain-groups/${c.id}/organisations/${c.otherWinery}`, { role: 'bank' });
      expect(problem(orgRole).errors?.map((e) => e.path)).toEqual(['role']);
      const unknownGroup = 'cg_01JZZZZZZZZZZZZZZZZZZZZZZZ';
      for (const res of [
        await op.put(`/api/v1/chain-groups/${unknownGroup}/members/${c.member.id}`, { role: 'lead' }),
        await op.put(`/api/v1/chain-groups/${c.id}/members/mem_01JZZZZZZZZZZZZZZZZZZZZZZZ`, { role: 'lead' }),
        await op.put(`/api/v1/chain-groups/${c.id}/organisations/org_01JZZZZZZZZZZZZZZZZZZZZZZZ`, { role: 'maker' }),
        await op.delete(`/api/v1/chain-groups/${unknownGroup}/organisations/${c.winery}`),
        await t.visitor.get(`/api/v1/chain-groups/${unknownGroup}`),
        await t.visitor.get(`/api/v1/chain-groups/${unknownGroup}/agreement`),
        await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement`),
      ]) {
        expect(res.statusCode, res.body).toBe(404);
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('for other modules', () => {
    it('finds a need’s chain group and adds an awarded maker inside the caller’s transaction, asking acceptance again', async () => {
      const c = await cast();
      const service = t.app.modules.chainGroups.service;
      const needId = (await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json().needId;
      expect(await service.findForNeed(t.db.kysely, needId)).toEqual({ id: c.id, needId, name: '小瓶红酒链群' });
      expect(await service.findForNeed(t.db.kysely, 'need_01JZZZZZZZZZZZZZZZZZZZZZZZ')).toBeNull();
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      for (const who of [c.lead, c.creator, c.partner])
        await who.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      await t.db.transaction((trx) => service.addOrganisationIn(trx, op.id, c.id, c.otherWinery, 'maker'));
      const g = (await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json();
      expect(g.organisations.map((o: { organisationId: string; role: string }) => [o.organisationId, o.role])).toEqual([
        [c.winery, 'maker'],
        [c.otherWinery, 'maker'],
      ]);
      expect(g.agreement).toMatchObject({ acceptedByAll: false, acceptedParties: 0, parties: 4 });
      // A rolled-back caller leaves nothing behind.
      const before = await snapshot();
      const third = await organisation('Third Estate');
      const after = await snapshot();
      await expect(
        t.db.transaction(async (trx) => {
          await service.addOrganisationIn(trx, op.id, c.id, third, 'retailer');
          throw new Error('the caller fails');
        }),
      ).rejects.toThrow('the caller fails');
      expect(await snapshot()).toEqual(after);
      expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    });
  });

  describe('listing', () => {
    it('pages through a need’s chain groups, newest first, and all of them without a filter', async () => {
      const lister = await createTestApp(backend);
      try {
        const o = await lister.operator();
        const a = await lister.signUp('A');
        const b = await lister.signUp('B');
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const c = await newCommunity(o, { milestones: [{ goal: 1, days: 5 }] });
          const n = await newNeed(a, (await newScene(a, c.id)).id);
          await b.put(`/api/v1/needs/${n.id}/support`);
          await o.post(`/api/v1/needs/${n.id}/review`, { decision: 'accept', reason: 'ok' });
          const res = await o.post('/api/v1/chain-groups', { needId: n.id, name: `G${i}` });
          expect(res.statusCode).toBe(201);
          ids.push(res.json().id);
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const res = await lister.visitor.get('/api/v1/chain-groups', { query: { limit: 2, cursor } });
          expect(res.statusCode).toBe(200);
          seen.push(...res.json().items.map((g: { id: string }) => g.id));
          cursor = res.json().nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
        const one = (
          await lister.visitor.get('/api/v1/chain-groups', {
            query: { needId: (await lister.visitor.get(`/api/v1/chain-groups/${ids[2]}`)).json().needId },
          })
        ).json();
        expect(one.items.map((g: { id: string }) => g.id)).toEqual([ids[2]]);
        expect((await lister.visitor.get('/api/v1/chain-groups', { query: { cursor: 'nope' } })).statusCode).toBe(422);
      } finally {
        await lister.close();
      }
    });
  });

  describe('agreement', () => {
    it('lets a lead propose a version and shows it with every party pending', async () => {
      const c = await cast();
      const res = await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      expect(res.statusCode, res.body).toBe(201);
      const a = res.json();
      expect(a).toMatchObject({ chainGroupId: c.id, version: 1, terms: terms(), proposedBy: c.lead.id, acceptedByAll: false });
      expect(a.parties).toEqual([
        { kind: 'member', id: c.lead.id, name: 'Lena', role: 'lead', accepted: false, acceptedBy: null, acceptedAt: null },
        { kind: 'member', id: c.creator.id, name: 'Cora', role: 'creator', accepted: false, acceptedBy: null, acceptedAt: null },
        {
          kind: 'organisation',
          id: c.winery,
          name: '贺兰山酒庄',
          role: 'maker',
          accepted: false,
          acceptedBy: null,
          acceptedAt: null,
        },
      ]);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement`)).json()).toEqual(a);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json().agreement).toEqual({
        version: 1,
        acceptedByAll: false,
        acceptedParties: 0,
        parties: 3,
      });
      expect(
        (await op.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms({ pool: { mode: 'share', bps: 3000 } })))
          .statusCode,
      ).toBe(201);
    });

    it('refuses terms whose figures do not add up with 422 naming the field, writing nothing', async () => {
      const c = await cast();
      expect((await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms())).statusCode).toBe(201);
      const cases: [Record<string, unknown>, string][] = [
        [{ platformFeeBps: 10_001 }, 'platformFeeBps'],
        [{ platformFeeBps: 12.5 }, 'platformFeeBps'],
        [{ referralCommissionBps: -1 }, 'referralCommissionBps'],
        [{ platformFeeBps: 6_000, referralCommissionBps: 5_000 }, 'referralCommissionBps'],
        [{ platformFeeBps: 6_000, referralCommissionBps: 2_000, pool: { mode: 'share', bps: 2_001 } }, 'pool.bps'],
        [{ pool: { mode: 'share', bps: 10_001 } }, 'pool.bps'],
        [{ roleShares: { lead: 4_000, creator: 5_999 } }, 'roleShares'],
        [{ roleShares: {} }, 'roleShares'],
        [{ roleShares: { lead: 4_000, creator: 5_000, investor: 1_000 } }, 'roleShares.investor'],
        [{ makerUnitCost: { amount: 12_801, currency: 'CNY' } }, 'makerUnitCost'],
        [{ makerUnitCost: { amount: 12_000, currency: 'CNY' } }, 'makerUnitCost'],
        [{ makerUnitCost: { amount: 5_000, currency: 'USD' } }, 'makerUnitCost.currency'],
        [{ referenceUnitPrice: { amount: 0, currency: 'CNY' } }, 'referenceUnitPrice.amount'],
        [
          {
            contributionWeights: {
              needAuthor: 0,
              chosenSolutionAuthors: 0,
              earlySupporters: { first: 10, weight: 0 },
              pollVoters: 0,
              trialReviewers: 0,
            },
          },
          'contributionWeights',
        ],
        [
          {
            contributionWeights: {
              needAuthor: -1,
              chosenSolutionAuthors: 0,
              earlySupporters: { first: 10, weight: 1 },
              pollVoters: 0,
              trialReviewers: 0,
            },
          },
          'contributionWeights.needAuthor',
        ],
      ];
      const before = await snapshot();
      for (const [over, path] of cases) {
        const res = await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms(over));
        expect(res.statusCode, JSON.stringify(over)).toBe(422);
        expect(
          problem(res).errors?.map((e) => e.path),
          JSON.stringify(over),
        ).toEqual([path]);
      }
      expect(await snapshot()).toEqual(before);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement`)).json().version).toBe(1);
    });

    it('accepts a null maker cost (filled later from the awarded bid) and a stated pool share', async () => {
      const c = await cast();
      const res = await c.lead.post(
        `/api/v1/chain-groups/${c.id}/agreement/versions`,
        terms({ makerUnitCost: null, pool: { mode: 'share', bps: 8_500 } }),
      );
      expect(res.statusCode, res.body).toBe(201);
    });

    it('is accepted by all only when every member and every organisation, through one of its partners, accepted', async () => {
      const c = await cast();
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      const accept = (who: Persona, v = 1) => who.post(`/api/v1/chain-groups/${c.id}/agreement/versions/${v}/accept`);

      const before = await snapshot();
      for (const outsider of [c.member, c.otherPartner, op]) {
        const res = await accept(outsider);
        expect(res.statusCode, outsider.displayName).toBe(403);
      }
      expect((await t.visitor.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`)).statusCode).toBe(401);
      expect(await snapshot()).toEqual(before);

      expect((await accept(c.lead)).json().acceptedByAll).toBe(false);
      expect((await accept(c.creator)).json().acceptedByAll).toBe(false);
      const last = await accept(c.secondPartner);
      expect(last.statusCode).toBe(200);
      const a = last.json();
      expect(a.acceptedByAll).toBe(true);
      expect(a.parties.find((p: { kind: string }) => p.kind === 'organisation')).toMatchObject({
        id: c.winery,
        accepted: true,
        acceptedBy: c.secondPartner.id,
        acceptedAt: '2026-03-01T08:00:00.000Z',
      });
      // The organisation has accepted: its other partner accepting again changes nothing.
      const again = await snapshot();
      expect((await accept(c.partner)).statusCode).toBe(200);
      expect((await accept(c.lead)).statusCode).toBe(200);
      expect(await snapshot()).toEqual(again);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json().agreement).toEqual({
        version: 1,
        acceptedByAll: true,
        acceptedParties: 3,
        parties: 3,
      });
      const events = await t.app.events.eventsOf('chain-group', c.id);
      expect(events.filter((e) => e.type === 'agreement.accepted').map((e) => e.payload.party)).toEqual([
        { kind: 'member', id: c.lead.id },
        { kind: 'member', id: c.creator.id },
        { kind: 'organisation', id: c.winery },
      ]);
      expect(events.filter((e) => e.type === 'agreement.accepted-by-all')).toHaveLength(1);
    });

    it('makes a new version current, clears acceptances, refuses accepting an old one (409) or an unknown one (404)', async () => {
      const c = await cast();
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      for (const who of [c.lead, c.creator, c.partner])
        await who.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement`)).json().acceptedByAll).toBe(true);

      const v2 = await op.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms({ platformFeeBps: 800 }));
      expect(v2.statusCode).toBe(201);
      expect(v2.json()).toMatchObject({ version: 2, acceptedByAll: false });
      expect(v2.json().parties.every((p: { accepted: boolean }) => !p.accepted)).toBe(true);

      const before = await snapshot();
      const old = await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      expect(old.statusCode).toBe(409);
      expect(old.json().currentVersion).toBe(2);
      expect((await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions/3/accept`)).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);

      const versions = (await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement/versions`)).json();
      expect(
        versions.items.map((v: { version: number; current: boolean; terms: { platformFeeBps: number } }) => [
          v.version,
          v.current,
          v.terms.platformFeeBps,
        ]),
      ).toEqual([
        [2, true, 800],
        [1, false, 1_000],
      ]);
      expect(versions.nextCursor).toBeNull();
      expect((await eventTypes(c.id)).filter((x) => x === 'agreement.version-proposed')).toHaveLength(2);
    });

    it('needs acceptance again after participants change, and refuses a version whose roles nobody holds', async () => {
      const c = await cast();
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      const acceptAll = async (who: Persona[]) => {
        for (const p of who)
          expect((await p.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`)).statusCode).toBe(200);
      };
      await acceptAll([c.lead, c.creator, c.partner]);
      const summary = async () => (await t.visitor.get(`/api/v1/chain-groups/${c.id}`)).json().agreement;
      expect((await summary()).acceptedByAll).toBe(true);

      // A new participant: everyone accepts again, the newcomer included.
      const marketer = await t.signUp('Mo');
      await c.lead.put(`/api/v1/chain-groups/${c.id}/members/${marketer.id}`, { role: 'marketer' });
      expect(await summary()).toEqual({ version: 1, acceptedByAll: false, acceptedParties: 0, parties: 4 });
      await acceptAll([c.lead, c.creator, c.partner]);
      expect((await summary()).acceptedByAll).toBe(false);
      await acceptAll([marketer]);
      expect((await summary()).acceptedByAll).toBe(true);

      // A participant leaves: the rest accept again.
      await c.lead.delete(`/api/v1/chain-groups/${c.id}/members/${marketer.id}`);
      expect(await summary()).toEqual({ version: 1, acceptedByAll: false, acceptedParties: 0, parties: 3 });
      await acceptAll([c.lead, c.creator, c.partner]);
      expect((await summary()).acceptedByAll).toBe(true);

      // Without a creator, the version's creator share has nobody to go to: a new version is needed.
      await op.delete(`/api/v1/chain-groups/${c.id}/members/${c.creator.id}`);
      const before = await snapshot();
      const res = await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      expect(res.statusCode).toBe(409);
      expect(res.json().missingRoles).toEqual(['creator']);
      expect(await snapshot()).toEqual(before);
      const v2 = await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms({ roleShares: { lead: 10_000 } }));
      expect(v2.statusCode).toBe(201);
    });

    it('announces accepted-by-all once when every party accepts at the same time', async () => {
      const c = await cast();
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      const results = await Promise.all(
        [c.lead, c.creator, c.partner, c.secondPartner].map((who) =>
          who.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      const events = await t.app.events.eventsOf('chain-group', c.id);
      expect(events.filter((e) => e.type === 'agreement.accepted')).toHaveLength(3);
      expect(events.filter((e) => e.type === 'agreement.accepted-by-all')).toHaveLength(1);
      expect(await count('agreement_acceptances')).toBeGreaterThanOrEqual(3);
      expect((await t.visitor.get(`/api/v1/chain-groups/${c.id}/agreement`)).json().acceptedByAll).toBe(true);
    });

    it('gives campaigns the agreement only once every party accepted it (agreementForLaunch)', async () => {
      const c = await cast();
      const service = t.app.modules.chainGroups.service;
      const launch = () => t.db.transaction((trx) => service.agreementForLaunch(trx, c.id));
      await expect(launch()).rejects.toMatchObject({ kind: 'conflict' });
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions`, terms());
      await c.lead.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      await c.creator.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      const pending = await launch().catch((err: unknown) => err);
      expect(pending).toBeInstanceOf(AppError);
      expect(pending).toMatchObject({
        kind: 'conflict',
        details: { extra: { version: 1, pending: [{ kind: 'organisation', id: c.winery }] } },
      });
      await c.partner.post(`/api/v1/chain-groups/${c.id}/agreement/versions/1/accept`);
      const ok = await launch();
      expect(ok).toMatchObject({ chainGroupId: c.id, version: 1, acceptedByAll: true, terms: terms() });
      expect(ok.parties).toHaveLength(3);
      await expect(
        t.db.transaction((trx) => service.agreementForLaunch(trx, 'cg_01JZZZZZZZZZZZZZZZZZZZZZZZ')),
      ).rejects.toMatchObject({
        kind: 'not_found',
      });
    });
  });
});
