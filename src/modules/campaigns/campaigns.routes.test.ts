import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignBody, idem, newLaunchableProduct, newLiveCampaign } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let member: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    member = await t.signUp('Mia');
    product = await newLaunchableProduct(t, op);
  });
  afterAll(() => t.close());

  const at = (minutes: number) => new Date(t.clock.now().getTime() + minutes * 60_000).toISOString();
  const snapshot = async () => Promise.all(['campaigns', 'outbox_events'].map((x) => countRows(t, x)));

  describe('drafting', () => {
    it('drafts a campaign for a need’s only product with its terms, seen by operators only until launched', async () => {
      const res = await op.post(
        '/api/v1/campaigns',
        campaignBody(t, product.productId, {
          productId: undefined,
          needId: product.needId,
          mode: 'presale',
          quantity: 3000,
          priceTiers: [
            { upTo: 1000, unitPrice: { amount: 4_900, currency: 'CNY' } },
            { upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } },
          ],
          perMemberLimit: 6,
          startsAt: at(60),
          endsAt: at(60 * 24),
          firstClaim: { minutes: 30, reservedUnits: 300 },
        }),
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        id: expect.stringMatching(/^camp_/),
        state: 'draft',
        productId: product.productId,
        productName: '小支红酒 375ml',
        needId: product.needId,
        chainGroupId: product.chainGroupId,
        mode: 'presale',
        quantity: 3000,
        sold: 0,
        remaining: 3000,
        tier: { index: 0, unitPrice: { amount: 4_900, currency: 'CNY' }, unitsLeft: 1000 },
        perMemberLimit: 6,
        goal: null,
        firstClaim: { minutes: 30, reservedUnits: 300, reservedMinutes: null, publicStartsAt: at(90) },
        paymentTimeoutMinutes: 15,
        agreementVersion: null,
        createdBy: op.id,
      });
      const id = res.json().id;
      expect(problem(await t.visitor.get(`/api/v1/campaigns/${id}`)).status).toBe(404);
      expect((await op.get(`/api/v1/campaigns/${id}`)).statusCode).toBe(200);
      expect((await t.visitor.get('/api/v1/campaigns', { query: { productId: product.productId } })).json().items).toEqual([]);
      expect(
        (await op.get('/api/v1/campaigns', { query: { productId: product.productId, state: 'draft' } })).json().items,
      ).toHaveLength(1);
      const patched = await op.patch(`/api/v1/campaigns/${id}`, { title: '第二批', perMemberLimit: 4 });
      expect(patched.json()).toMatchObject({ title: '第二批', perMemberLimit: 4, quantity: 3000 });
      expect((await t.app.events.eventsOf('campaign', id)).map((e) => e.type)).toEqual(['campaign.created', 'campaign.updated']);
    });

    it('refuses inconsistent terms with 422 naming each field, writing nothing', async () => {
      const before = await snapshot();
      const cases: [Record<string, unknown>, string][] = [
        [{ endsAt: at(-1) }, 'endsAt'],
        [{ perMemberLimit: 101 }, 'perMemberLimit'],
        [{ priceTiers: [{ upTo: 50, unitPrice: { amount: 100, currency: 'CNY' } }] }, 'priceTiers.0.upTo'],
        [{ priceTiers: [{ upTo: null, unitPrice: { amount: 0, currency: 'CNY' } }] }, 'priceTiers.0.unitPrice.amount'],
        [{ mode: 'crowdfunding' }, 'goal'],
        [{ mode: 'crowdfunding', goal: { units: 101 } }, 'goal.units'],
        [{ mode: 'crowdfunding', goal: { amount: { amount: 100, currency: 'USD' } } }, 'goal.amount.currency'],
        [{ goal: { units: 5 } }, 'goal'],
        [{ firstClaim: { reservedUnits: 101 } }, 'firstClaim.reservedUnits'],
        [{ firstClaim: { minutes: 24 * 60 } }, 'firstClaim.minutes'],
        [{ mode: 'trial', priceTiers: undefined, firstClaim: { minutes: 5 } }, 'firstClaim'],
        [{ productId: 'prod_01JZZZZZZZZZZZZZZZZZZZZZZZ' }, 'productId'],
        [{ productId: undefined }, 'productId'],
        [{ quantity: 0 }, 'quantity'],
        [{ mode: 'auction' }, 'mode'],
      ];
      for (const [over, path] of cases) {
        const res = await op.post('/api/v1/campaigns', campaignBody(t, product.productId, over));
        expect(res.statusCode, `${JSON.stringify(over)} ${res.body}`).toBe(422);
        expect(problem(res).errors?.map((e) => e.path)).toContain(path);
      }
      expect(problem(await member.post('/api/v1/campaigns', campaignBody(t, product.productId))).status).toBe(403);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('launching', () => {
    it('launches on the accepted agreement: scheduled until its start, live from then (the job records it)', async () => {
      const created = (
        await op.post('/api/v1/campaigns', campaignBody(t, product.productId, { startsAt: at(5), endsAt: at(65) }))
      ).json();
      const launched = await op.post(`/api/v1/campaigns/${created.id}/launch`);
      expect(launched.json()).toMatchObject({ state: 'scheduled', agreementVersion: 1, launchedAt: t.clock.now().toISOString() });
      expect((await op.post(`/api/v1/campaigns/${created.id}/launch`)).json().state).toBe('scheduled');
      expect(problem(await op.patch(`/api/v1/campaigns/${created.id}`, { title: 'x' })).status).toBe(409);
      expect(
        (await t.visitor.get('/api/v1/campaigns', { query: { state: 'scheduled', productId: product.productId } })).json().items,
      ).toHaveLength(1);
      t.clock.advance({ minutes: 5 });
      // Live by the clock before anything is recorded.
      expect((await t.visitor.get(`/api/v1/campaigns/${created.id}`)).json().state).toBe('live');
      expect(
        (await t.visitor.get('/api/v1/campaigns', { query: { state: 'live', productId: product.productId } }))
          .json()
          .items.map((c: { id: string }) => c.id),
      ).toContain(created.id);
      await t.app.modules.campaigns.service.advance();
      t.clock.advance({ minutes: 60 });
      expect((await t.visitor.get(`/api/v1/campaigns/${created.id}`)).json().state).toBe('ended');
      await t.app.modules.campaigns.service.advance();
      const types = (await t.app.events.eventsOf('campaign', created.id)).map((e) => e.type);
      expect(types).toEqual(['campaign.created', 'campaign.launched', 'campaign.live', 'campaign.ended', 'campaign.settled']);
      expect((await t.visitor.get(`/api/v1/campaigns/${created.id}`)).json()).toMatchObject({
        state: 'settled',
        endedAt: expect.any(String),
      });
    });

    it('refuses to launch until every party accepted the agreement (409 naming who has not), or when it would end in the past', async () => {
      const pending = await newLaunchableProduct(t, op, { accepted: false });
      const created = (await op.post('/api/v1/campaigns', campaignBody(t, pending.productId))).json();
      const refused = await op.post(`/api/v1/campaigns/${created.id}/launch`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ reason: 'agreement-pending', version: 1 });
      expect(refused.json().pending).toHaveLength(3);
      expect((await op.get(`/api/v1/campaigns/${created.id}`)).json().state).toBe('draft');
      const old = (
        await op.post('/api/v1/campaigns', campaignBody(t, product.productId, { startsAt: at(-120), endsAt: at(-60) }))
      ).json();
      expect(problem(await op.post(`/api/v1/campaigns/${old.id}/launch`))).toMatchObject({ reason: 'ends-in-past', status: 409 });
      // The agreement shares sales in CNY: a campaign in USD would sell what it cannot share.
      const dollars = (
        await op.post(
          '/api/v1/campaigns',
          campaignBody(t, product.productId, { priceTiers: [{ upTo: null, unitPrice: { amount: 800, currency: 'USD' } }] }),
        )
      ).json();
      expect(problem(await op.post(`/api/v1/campaigns/${dollars.id}/launch`))).toMatchObject({
        reason: 'currency-mismatch',
        status: 409,
      });
      expect((await op.get(`/api/v1/campaigns/${dollars.id}`)).json().state).toBe('draft');
    });

    it('ends early on the operator’s word and settles once nothing waits on money', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Pending');
      const o = (await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 1 }, idem())).json();
      expect((await op.post(`/api/v1/campaigns/${c.id}/end`)).json()).toMatchObject({
        state: 'ended',
        endedAt: t.clock.now().toISOString(),
      });
      expect(problem(await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 1 }, idem())).type).toMatch(/not-live/);
      // The unpaid order may still be paid within its reservation: settling waits for it.
      expect(problem(await op.post(`/api/v1/campaigns/${c.id}/settle`))).toMatchObject({
        reason: 'waiting-on-money',
        waiting: 1,
      });
      expect((await buyer.post(`/api/v1/orders/${o.id}/payments`, { provider: 'simulated' }, idem())).json().state).toBe(
        'captured',
      );
      expect((await op.post(`/api/v1/campaigns/${c.id}/settle`)).json().state).toBe('settled');
    });
  });

  describe('watching the sale', () => {
    it('charts units placed and paid per interval and counts orders by state', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 20 });
      const buyer = await t.signUp('Charted');
      const first = (await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 2 }, idem())).json();
      await buyer.post(`/api/v1/orders/${first.id}/payments`, { provider: 'simulated' }, idem());
      t.clock.advance({ seconds: 61 });
      await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 3 }, idem());
      const sales = (await op.get(`/api/v1/campaigns/${c.id}/sales`, { query: { interval: 'minute' } })).json();
      expect(sales.points).toHaveLength(2);
      expect(sales.points[0]).toMatchObject({ placedUnits: 2, paidUnits: 2, paidAmount: { amount: 11_800, currency: 'CNY' } });
      expect(sales.points[1]).toMatchObject({ placedUnits: 3, paidUnits: 0 });
      expect(sales.points[0].at.endsWith(':00.000Z')).toBe(true);
      expect(sales.byState).toEqual({ paid: { orders: 1, units: 2 }, pending_payment: { orders: 1, units: 3 } });
      expect(problem(await member.get(`/api/v1/campaigns/${c.id}/sales`)).status).toBe(403);
    });
  });
});
