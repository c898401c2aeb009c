import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

let slugs = 0;

/** Terms that hold for a group of a lead, a creator and a maker. */
const terms = {
  referenceUnitPrice: { amount: 12_800, currency: 'CNY' },
  makerUnitCost: { amount: 4_500, currency: 'CNY' },
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
};

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

  const snapshot = async () => Promise.all(['products', 'product_skus', 'outbox_events'].map((x) => countRows(t, x)));
  const inDays = (days: number) => new Date(t.clock.now().getTime() + days * 86_400_000).toISOString();

  /** An accepted need, optionally with a chosen solution and a chain group (lead, creator, a winery with its partner). */
  async function story(options: { solution?: boolean; group?: boolean } = {}) {
    const c = await newCommunity(op, { milestones: [{ goal: 1, days: 5 }] });
    const needId = (await newNeed(alice, (await newScene(alice, c.id)).id)).id;
    expect((await bob.put(`/api/v1/needs/${needId}/support`)).statusCode).toBe(200);
    expect((await op.post(`/api/v1/needs/${needId}/review`, { decision: 'accept', reason: 'ok' })).statusCode).toBe(200);
    let solutionId: string | null = null;
    if (options.solution !== false) {
      const s = await bob.post(`/api/v1/needs/${needId}/solutions`, { title: '375ml 小瓶', body: '一次喝完的容量' });
      expect(s.statusCode, s.body).toBe(201);
      solutionId = s.json().id;
      expect((await op.post(`/api/v1/needs/${needId}/choose-solution`, { solutionId })).statusCode).toBe(200);
    }
    const lead = await t.signUp('Lena');
    const partner = await t.signUp('Pat');
    const otherPartner = await t.signUp('Otto');
    const member = await t.signUp('Max');
    const org = await op.post('/api/v1/organisations', { slug: `prod-org-${++slugs}`, name: '贺兰山酒庄' });
    const winery = org.json().id as string;
    expect((await op.put(`/api/v1/organisations/${winery}/members/${partner.id}`)).statusCode).toBe(204);
    const other = await op.post('/api/v1/organisations', { slug: `prod-org-${++slugs}`, name: 'Other Estate' });
    expect((await op.put(`/api/v1/organisations/${other.json().id}/members/${otherPartner.id}`)).statusCode).toBe(204);
    let chainGroupId: string | null = null;
    if (options.group !== false) {
      const g = await op.post('/api/v1/chain-groups', { needId, name: '小瓶红酒链群', leads: [lead.id] });
      expect(g.statusCode, g.body).toBe(201);
      chainGroupId = g.json().id as string;
      expect((await op.put(`/api/v1/chain-groups/${chainGroupId}/members/${bob.id}`, { role: 'creator' })).statusCode).toBe(200);
      expect((await op.put(`/api/v1/chain-groups/${chainGroupId}/organisations/${winery}`, { role: 'maker' })).statusCode).toBe(
        200,
      );
    }
    return { needId, solutionId, chainGroupId, lead, partner, otherPartner, member, winery };
  }

  const body = (needId: string, over: Record<string, unknown> = {}) => ({
    needId,
    name: '小支红酒 375ml',
    description: '一次喝完的小瓶红酒',
    images: ['https://img.example.com/375.jpg'],
    specs: [{ key: '酒精度', value: '13.5%' }],
    skus: [
      { code: 'W375-1', name: '单瓶', attributes: { bottles: '1' } },
      { code: 'W375-6', name: '六瓶装', attributes: { bottles: '6' } },
    ],
    ...over,
  });

  async function create(needId: string, over: Record<string, unknown> = {}) {
    const res = await op.post('/api/v1/products', body(needId, over));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  describe('creating', () => {
    it('makes a product from the need’s chosen solution and chain group, with the decided poll specs, and announces it', async () => {
      const s = await story();
      // A 375 ml / 500 ml poll on the need, voted, closed and decided; another closed poll left undecided.
      const poll = await op.post('/api/v1/polls', {
        needId: s.needId,
        question: '容量',
        options: [{ text: '375 ml' }, { text: '500 ml' }],
        mode: 'single',
        opensAt: t.clock.now().toISOString(),
        closesAt: inDays(1),
      });
      expect(poll.statusCode, poll.body).toBe(201);
      const undecided = await op.post('/api/v1/polls', {
        solutionId: s.solutionId,
        question: '瓶盖',
        options: [{ text: '螺旋盖' }, { text: '软木塞' }],
        mode: 'single',
        opensAt: t.clock.now().toISOString(),
        closesAt: inDays(1),
      });
      expect(undecided.statusCode).toBe(201);
      const small = poll.json().options[0].id as string;
      expect((await alice.put(`/api/v1/polls/${poll.json().id}/ballot`, { choices: [small] })).statusCode).toBe(200);
      t.clock.advance({ days: 2 });
      expect((await op.post(`/api/v1/polls/${poll.json().id}/decide`, { optionId: small })).statusCode).toBe(200);

      const product = await create(s.needId);
      expect(product).toEqual({
        id: expect.stringMatching(/^prod_/),
        name: '小支红酒 375ml',
        description: '一次喝完的小瓶红酒',
        needId: s.needId,
        solutionId: s.solutionId,
        chainGroupId: s.chainGroupId,
        agreement: { version: null, acceptedByAll: false },
        images: ['https://img.example.com/375.jpg'],
        specs: [
          { key: '容量', value: '375 ml', source: 'poll', pollId: poll.json().id },
          { key: '酒精度', value: '13.5%', source: 'free', pollId: null },
        ],
        skus: [
          { code: 'W375-1', name: '单瓶', attributes: { bottles: '1' } },
          { code: 'W375-6', name: '六瓶装', attributes: { bottles: '6' } },
        ],
        createdBy: op.id,
        createdAt: t.clock.now().toISOString(),
        updatedAt: t.clock.now().toISOString(),
      });
      expect((await t.visitor.get(`/api/v1/products/${product.id}`)).json()).toEqual(product);
      const events = await t.app.events.eventsOf('product', product.id);
      expect(events.map((e) => e.type)).toEqual(['product.created']);
      expect(events[0]!.payload).toMatchObject({ needId: s.needId, chainGroupId: s.chainGroupId, skus: ['W375-1', 'W375-6'] });
    });

    it('refuses a need without a chosen solution or a chain group (409), writing nothing', async () => {
      const noSolution = await story({ solution: false });
      const noGroup = await story({ group: false });
      const before = await snapshot();
      const a = await op.post('/api/v1/products', body(noSolution.needId));
      expect(a.statusCode).toBe(409);
      expect(problem(a).detail).toMatch(/chosen solution/);
      const b = await op.post('/api/v1/products', body(noGroup.needId));
      expect(b.statusCode).toBe(409);
      expect(problem(b).detail).toMatch(/form one first/);
      expect((await op.post('/api/v1/products', body('need_01JZZZZZZZZZZZZZZZZZZZZZZZ'))).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it('validates images, specs, SKUs and the links (422 naming the field), writing nothing', async () => {
      const s = await story();
      const other = await story();
      const before = await snapshot();
      const cases: [Record<string, unknown>, string[]][] = [
        [{ images: ['http://img.example.com/a.jpg'] }, ['images.0']],
        [{ images: Array.from({ length: 11 }, (_, i) => `https://img.example.com/${i}.jpg`) }, ['images']],
        [
          {
            skus: [
              { code: 'A', name: 'a' },
              { code: 'A', name: 'b' },
            ],
          },
          ['skus.1.code'],
        ],
        [{ skus: [{ code: 'has space', name: 'a' }] }, ['skus.0.code']],
        [
          {
            specs: [
              { key: 'k', value: '1' },
              { key: 'k', value: '2' },
            ],
          },
          ['specs.1.key'],
        ],
        [{ name: ' ' }, ['name']],
        [{ solutionId: other.solutionId }, ['solutionId']],
        [{ chainGroupId: other.chainGroupId }, ['chainGroupId']],
      ];
      for (const [over, paths] of cases) {
        const res = await op.post('/api/v1/products', body(s.needId, over));
        expect(res.statusCode, JSON.stringify(over)).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toEqual(paths);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('lets only operators create and change products: members, partners, leads 403, visitors 401, writing nothing', async () => {
      const s = await story();
      const product = await create(s.needId);
      const before = await snapshot();
      for (const who of [s.member, s.otherPartner, s.partner, s.lead]) {
        expect((await who.post('/api/v1/products', body(s.needId))).statusCode, who.displayName).toBe(403);
        expect((await who.patch(`/api/v1/products/${product.id}`, { name: 'x' })).statusCode, who.displayName).toBe(403);
      }
      expect((await t.visitor.post('/api/v1/products', body(s.needId))).statusCode).toBe(401);
      expect((await t.visitor.patch(`/api/v1/products/${product.id}`, { name: 'x' })).statusCode).toBe(401);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('updating', () => {
    it('changes the given fields, replaces SKUs and free specs, and announces only real changes', async () => {
      const s = await story();
      const product = await create(s.needId);
      t.clock.advance({ minutes: 5 });
      const res = await op.patch(`/api/v1/products/${product.id}`, {
        name: '小支红酒 375ml · 礼盒',
        skus: [{ code: 'W375-2', name: '双瓶礼盒' }],
        specs: [{ key: '产区', value: '贺兰山东麓' }],
      });
      expect(res.statusCode, res.body).toBe(200);
      const updated = res.json();
      expect(updated).toMatchObject({
        name: '小支红酒 375ml · 礼盒',
        description: product.description,
        images: product.images,
        skus: [{ code: 'W375-2', name: '双瓶礼盒', attributes: {} }],
        specs: [{ key: '产区', value: '贺兰山东麓', source: 'free', pollId: null }],
        updatedAt: t.clock.now().toISOString(),
        createdAt: product.createdAt,
      });
      // The same values again change nothing and announce nothing.
      const before = await snapshot();
      expect((await op.patch(`/api/v1/products/${product.id}`, { name: '小支红酒 375ml · 礼盒' })).statusCode).toBe(200);
      expect(await snapshot()).toEqual(before);
      const events = await t.app.events.eventsOf('product', product.id);
      expect(events.map((e) => [e.type, e.payload.fields ?? null])).toEqual([
        ['product.created', null],
        ['product.updated', ['name', 'specs', 'skus']],
      ]);
      const bad = await op.patch(`/api/v1/products/${product.id}`, {
        skus: [
          { code: 'A', name: 'a' },
          { code: 'A', name: 'b' },
        ],
      });
      expect(problem(bad).errors?.map((e) => e.path)).toEqual(['skus.1.code']);
      expect((await op.patch(`/api/v1/products/${product.id}`, {})).statusCode).toBe(422);
      expect((await op.patch('/api/v1/products/prod_01JZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'x' })).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
    });
    it('collects the decided poll specs again on every update (a poll decided after the product was made)', async () => {
      const s = await story();
      const product = await create(s.needId, { specs: [] });
      const poll = await op.post('/api/v1/polls', {
        solutionId: s.solutionId,
        question: '瓶盖',
        options: [{ text: '螺旋盖' }, { text: '软木塞' }],
        mode: 'single',
        opensAt: t.clock.now().toISOString(),
        closesAt: inDays(1),
      });
      expect(poll.statusCode, poll.body).toBe(201);
      t.clock.advance({ days: 2 });
      const screw = poll.json().options[0].id as string;
      expect((await op.post(`/api/v1/polls/${poll.json().id}/decide`, { optionId: screw })).statusCode).toBe(200);
      expect((await t.visitor.get(`/api/v1/products/${product.id}`)).json().specs).toEqual([]);
      const res = await op.patch(`/api/v1/products/${product.id}`, { description: '螺旋盖，开瓶即饮' });
      expect(res.json().specs).toEqual([{ key: '瓶盖', value: '螺旋盖', source: 'poll', pollId: poll.json().id }]);
      const events = await t.app.events.eventsOf('product', product.id);
      expect(events.at(-1)!.payload.fields).toEqual(['description', 'specs']);
    });
  });

  describe('listing', () => {
    it('lists a need’s products shaped as API.md says, with the agreement accepted by all once every party accepts', async () => {
      const s = await story();
      const product = await create(s.needId);
      await create((await story()).needId);
      const list = async () => (await t.visitor.get('/api/v1/products', { query: { needId: s.needId } })).json();
      const first = await list();
      expect(first.nextCursor).toBeNull();
      expect(first.items).toHaveLength(1);
      expect(first.items[0]).toMatchObject({
        id: product.id,
        name: '小支红酒 375ml',
        needId: s.needId,
        chainGroupId: s.chainGroupId,
        agreement: { version: null, acceptedByAll: false },
      });

      expect((await s.lead.post(`/api/v1/chain-groups/${s.chainGroupId}/agreement/versions`, terms)).statusCode).toBe(201);
      expect((await list()).items[0].agreement).toEqual({ version: 1, acceptedByAll: false });
      for (const who of [s.lead, bob]) {
        expect((await who.post(`/api/v1/chain-groups/${s.chainGroupId}/agreement/versions/1/accept`)).statusCode).toBe(200);
      }
      expect((await list()).items[0].agreement).toEqual({ version: 1, acceptedByAll: false });
      expect((await s.partner.post(`/api/v1/chain-groups/${s.chainGroupId}/agreement/versions/1/accept`)).statusCode).toBe(200);
      const accepted = (await list()).items[0];
      expect(accepted.agreement).toEqual({ version: 1, acceptedByAll: true });
      expect(typeof accepted.id).toBe('string');
      expect(typeof accepted.name).toBe('string');
      expect((await t.visitor.get(`/api/v1/products/${product.id}`)).json().agreement).toEqual({
        version: 1,
        acceptedByAll: true,
      });
      expect((await t.visitor.get('/api/v1/products', { query: { chainGroupId: s.chainGroupId! } })).json().items).toHaveLength(
        1,
      );
    });

    it('pages through every product, newest first', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await create((await story()).needId, { name: `P${i}` })).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t.visitor.get('/api/v1/products', { query: { limit: 2, cursor } });
        expect(res.statusCode).toBe(200);
        seen.push(...res.json().items.map((p: { id: string }) => p.id));
        cursor = res.json().nextCursor ?? undefined;
      } while (cursor);
      expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    });
  });
});
