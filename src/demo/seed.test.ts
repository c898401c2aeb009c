import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, forEachBackend, type TestApp } from '../../test/harness.js';
import { DEMO_OPERATOR, seedDemo } from './seed.js';

forEachBackend((backend) => {
  let t: TestApp;
  let summary: Awaited<ReturnType<typeof seedDemo>>;
  beforeAll(async () => {
    t = await createTestApp(backend);
    summary = await seedDemo(t.app, { onlyIfEmpty: true });
  });
  afterAll(() => t.close());

  it('loads the five communities and a few hundred members', async () => {
    expect(summary).toMatchObject({ communities: 5, members: 320, ballots: 150, bids: 5, products: 1 });
    const names = (await t.visitor.get('/api/v1/communities')).json().items.map((c: { name: string }) => c.name);
    expect(names).toEqual(['美食', '白领', '母婴', '健身', '大学生']);
  });

  it('tells the wine story: supported past its milestones, with comments, three solutions and 375 ml chosen', async () => {
    const found = (await t.visitor.get('/api/v1/needs', { query: { q: '红酒', sort: 'top' } })).json().items;
    const wine = found[0];
    expect(wine.title).toContain('红酒');
    // Past both milestones (50, then 200): qualified, accepted, now in development.
    expect(wine).toMatchObject({ stage: 'in_development', supportCount: 200, solutionCount: 3, milestone: null });
    expect(wine.intent.quantity).toBeGreaterThan(0);
    const solutions = (await t.visitor.get(`/api/v1/needs/${wine.id}/solutions`, { query: { sort: 'top' } })).json().items;
    expect(solutions).toHaveLength(3);
    expect(solutions[0]).toMatchObject({ chosen: true });
    expect(solutions[0].title).toContain('375ml');
    expect(wine.chosenSolutionId).toBe(solutions[0].id);
    const comments = (await t.visitor.get(`/api/v1/needs/${wine.id}/comments`)).json().items;
    expect(comments.length).toBeGreaterThanOrEqual(2);
    expect(comments.some((c: { replies: { mentions: unknown[] }[] }) => c.replies.some((r) => r.mentions.length === 1))).toBe(
      true,
    );
    const scene = (await t.visitor.get(`/api/v1/scenes/${wine.sceneId}`)).json();
    expect(scene.title).toBe('开瓶的红酒一次喝不完');
  });

  it('carries the wine need to a product: 375 ml poll, chain group, two wineries awarded, agreement accepted by all', async () => {
    const wine = (await t.visitor.get('/api/v1/needs', { query: { q: '红酒', sort: 'top' } })).json().items[0];
    const products = (await t.visitor.get('/api/v1/products', { query: { needId: wine.id } })).json().items;
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({
      name: '小支红酒 375ml',
      needId: wine.id,
      agreement: { version: 1, acceptedByAll: true },
    });
    const polls = (await t.visitor.get('/api/v1/polls', { query: { needId: wine.id } })).json().items;
    expect(polls).toHaveLength(1);
    const results = (await t.visitor.get(`/api/v1/polls/${polls[0].id}/results`)).json();
    expect(results.results.voters).toBe(150);
    expect(polls[0].decidedOptionId).toBe('opt1');
    const group = (await t.visitor.get(`/api/v1/chain-groups/${products[0].chainGroupId}`)).json();
    const makers = group.organisations.filter((o: { role: string }) => o.role === 'maker').map((o: { name: string }) => o.name);
    expect(makers.sort()).toEqual(['山谷酒庄', '河畔酒庄'].sort());
  });

  it('sells the 3,000 bottles in a flash sale that sold out in 22 minutes, supporters first, and ships them from the wineries’ lots', async () => {
    const product = (await t.visitor.get('/api/v1/products'))
      .json()
      .items.find((p: { name: string }) => p.name === '小支红酒 375ml');
    const campaigns = (await t.visitor.get('/api/v1/campaigns', { query: { productId: product.id, limit: 100 } })).json().items;
    const flash = campaigns.find((c: { mode: string; quantity: number }) => c.mode === 'flash' && c.quantity === 3000);
    expect(flash).toMatchObject({ state: 'settled', sold: 3000, remaining: 0, agreementVersion: 1, firstClaim: { minutes: 10 } });
    const op = await t.operator();
    const audit = (await op.get(`/api/v1/campaigns/${flash.id}/audit`)).json();
    expect(audit).toMatchObject({ sold: 3000, heldByOrders: 3000, consistent: true });
    const sales = (await op.get(`/api/v1/campaigns/${flash.id}/sales`, { query: { interval: 'minute' } })).json();
    const minutes = sales.points.map((p: { at: string }) => (Date.parse(p.at) - Date.parse(flash.startsAt)) / 60_000);
    expect(Math.min(...minutes)).toBe(0);
    expect(Math.max(...minutes)).toBe(21);
    expect(sales.points.reduce((sum: number, p: { paidUnits: number }) => sum + p.paidUnits, 0)).toBe(3000);
    const firstClaimed = (await op.get(`/api/v1/campaigns/${flash.id}/orders`, { query: { limit: 100 } })).json().items;
    expect(firstClaimed[0]).toMatchObject({ firstClaim: true, fulfilment: { carrier: '顺丰速运' } });
    expect(Object.keys(sales.byState).sort()).toEqual(['delivered', 'fulfilled']);
    // Shipped from the wineries' recorded lots: each its awarded 1,500, QA passed, through the brand's warehouse.
    const lots = (await t.visitor.get(`/api/v1/products/${product.id}/lots`, { query: { limit: 100 } })).json().items;
    const firstRun = lots.filter((l: { lotNumber: string }) => !l.lotNumber.includes('-B2-'));
    const numbers = firstRun.map((l: { lotNumber: string }) => l.lotNumber);
    expect(numbers).toEqual(expect.arrayContaining(['HP-2026-01', 'HP-2026-02', 'SG-2026-01', 'SG-2026-02']));
    expect(numbers.every((n: string) => /^(SG|HP)-2026-0\d$/.test(n))).toBe(true);
    for (const lot of lots) {
      expect(lot).toMatchObject({
        qa: { result: 'passed' },
        shipments: [{ quantity: lot.quantity, destination: '品牌仓 上海' }],
      });
      expect(lot.shipments[0].deliveredAt).not.toBeNull();
    }
    for (const name of ['山谷酒庄', '河畔酒庄']) {
      const mine = firstRun.filter((l: { organisation: { name: string } }) => l.organisation.name === name);
      const units = (key: 'quantity' | 'unitsFulfilled') =>
        mine.reduce((sum: number, l: Record<string, number>) => sum + l[key]!, 0);
      expect([units('quantity'), units('unitsFulfilled')]).toEqual([1500, 1500]);
    }
    expect(summary?.lots).toBe(lots.length);
    // The second batch's first lots wait for its orders.
    expect(
      lots
        .filter((l: { lotNumber: string }) => l.lotNumber.includes('-B2-'))
        .map((l: { unitsFulfilled: number }) => l.unitsFulfilled),
    ).toEqual([0, 0]);
    // Something to try now: a presale and a crowdfunding live, a trial taking applications, a flash sale to come.
    const live = (await t.visitor.get('/api/v1/campaigns', { query: { state: 'live' } }))
      .json()
      .items.map((c: { mode: string }) => c.mode);
    expect(live.sort()).toEqual(['crowdfunding', 'presale', 'trial']);
    expect((await t.visitor.get('/api/v1/campaigns', { query: { state: 'scheduled' } })).json().items).toHaveLength(1);
    expect(summary).toMatchObject({ campaigns: 5 });
  });

  it('shares the flash sale’s value among the wineries, the platform and the co-creators, by a balanced ledger', async () => {
    await t.app.events.drain();
    const wine = (await t.visitor.get('/api/v1/needs', { query: { q: '红酒', sort: 'top' } })).json().items[0];
    const product = (await t.visitor.get('/api/v1/products', { query: { needId: wine.id } })).json().items[0];
    const shared = (await t.visitor.get(`/api/v1/products/${product.id}/value-shared`)).json();
    const sum = (purpose: string) =>
      shared.totals
        .filter((r: { purpose: string }) => r.purpose === purpose)
        .reduce((s: number, r: { amount: number }) => s + r.amount, 0);
    expect(shared.sales).toBeGreaterThan(100);
    expect(sum('maker-cost')).toBeGreaterThan(0);
    expect(sum('platform-fee')).toBeGreaterThan(0);
    expect(sum('cocreator-pool')).toBeGreaterThan(0);
    const op = await t.operator('审计');
    const overview = (await op.get('/api/v1/ledger/overview')).json();
    expect(overview.trialBalance.map((r: { difference: number }) => r.difference)).toEqual([0]);
    // Both wineries fulfilled their share of the orders: the makers' part is theirs, none left unassigned.
    const held = overview.kinds.find((k: { kind: string }) => k.kind === 'held');
    const earnings = overview.kinds.find((k: { kind: string }) => k.kind === 'earnings');
    expect(earnings.accounts).toBeGreaterThanOrEqual(3);
    expect(held?.balance ?? 0).toBeLessThan(sum('maker-cost'));
    // The pool by the agreement's role shares (lead and creator 40 % each, supporters 20 %), and the
    // supporters' share by contribution weight: two supported early and voted (2), one only voted (1).
    const role = (r: string) => shared.totals.find((x: { role: string | null }) => x.role === r).amount;
    expect(Math.abs(role('lead') - 2 * role('supporter'))).toBeLessThanOrEqual(shared.sales);
    const group = (await t.visitor.get(`/api/v1/chain-groups/${product.chainGroupId}`)).json();
    const supporters = group.members.filter((x: { role: string }) => x.role === 'supporter');
    const weights = [];
    for (const s of supporters) {
      const sale = (await op.get(`/api/v1/ledger/parties/member/${s.memberId}/sales`, { query: { limit: 1 } })).json().items[0];
      weights.push(sale.roles[0].weight);
      expect(sale.roles[0]).toMatchObject({ role: 'supporter', holders: 3, totalWeight: 5, equal: false });
    }
    expect(weights).toEqual([2, 2, 1]);
  });

  it('has needs at every stage', async () => {
    const stages = [
      'open',
      'qualified',
      'in_review',
      'accepted',
      'declined',
      'in_development',
      'launched',
      'delivered',
      'expired',
      'merged',
    ];
    for (const stage of stages) {
      const items = (await t.visitor.get('/api/v1/needs', { query: { stage } })).json().items;
      expect(items.length, stage).toBeGreaterThan(0);
    }
  });

  it('signs in the demo operator and does nothing on a database that has members', async () => {
    const res = await t.visitor.post('/api/v1/auth/login', { email: DEMO_OPERATOR.email, password: DEMO_OPERATOR.password });
    expect(res.json().member.roles).toContain('operator');
    expect(await seedDemo(t.app, { onlyIfEmpty: true })).toBeNull();
  });

  it('loads the story once when two servers start on one empty database at the same time', async () => {
    const first = await createTestApp(backend);
    const second = await createTestApp(backend, { database: first.db });
    try {
      const results = await Promise.all([
        seedDemo(first.app, { onlyIfEmpty: true }),
        seedDemo(second.app, { onlyIfEmpty: true }),
      ]);
      expect(results.filter((r) => r === null)).toHaveLength(1);
      expect((await first.visitor.get('/api/v1/communities')).json().items).toHaveLength(5);
    } finally {
      await second.app.close();
      await first.close();
    }
  });

  it('is deterministic: a second empty database gets the same story', async () => {
    const other = await createTestApp(backend);
    try {
      expect(await seedDemo(other.app, { onlyIfEmpty: true })).toEqual(summary);
      const counts = async (x: TestApp) =>
        (await x.visitor.get('/api/v1/needs', { query: { sort: 'top', limit: 100, stage: 'open' } }))
          .json()
          .items.map((n: { title: string; supportCount: number }) => [n.title, n.supportCount]);
      expect(await counts(other)).toEqual(await counts(t));
    } finally {
      await other.close();
    }
  });
});
