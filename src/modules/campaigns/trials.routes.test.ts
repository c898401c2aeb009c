import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, members, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';
import { draw } from './campaigns.rules.js';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    await newLotToShipFrom(t, op, product, { lotNumber: 'T-1', quantity: 100 });
  });
  afterAll(() => t.close());

  const trial = (over: Record<string, unknown> = {}) =>
    newLiveCampaign(t, op, product.productId, {
      mode: 'trial',
      priceTiers: undefined,
      quantity: 3,
      title: '梅洛 375ml 免费试饮',
      ...over,
    });
  const apply = (who: Persona, id: string) =>
    who.post(`/api/v1/campaigns/${id}/trial/applications`, { motivation: '想试试小瓶', usage: '一个人的晚餐', householdSize: 1 });

  describe('applying and selecting', () => {
    it('takes one application per member while live, and gives selected ones a free order', async () => {
      const c = await trial();
      const [a, b, late] = await members(t, 3, 'ta');
      const res = await apply(a!, c.id);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ state: 'applied', memberId: a!.id, motivation: '想试试小瓶', householdSize: 1 });
      expect(problem(await apply(a!, c.id))).toMatchObject({ status: 409, reason: 'already-applied' });
      expect((await apply(b!, c.id)).statusCode).toBe(201);
      expect((await a!.get(`/api/v1/campaigns/${c.id}/trial/application`)).json().state).toBe('applied');
      expect(problem(await a!.get(`/api/v1/campaigns/${c.id}/trial/applications`)).status).toBe(403);
      const list = (await op.get(`/api/v1/campaigns/${c.id}/trial/applications`)).json();
      expect(list.items.map((x: { memberId: string }) => x.memberId)).toEqual([a!.id, b!.id]);
      const selected = await op.post(`/api/v1/campaigns/${c.id}/trial/select`, { applicationIds: [res.json().id] });
      expect(selected.statusCode, selected.body).toBe(200);
      const mine = (await a!.get('/api/v1/me/orders')).json().items;
      expect(mine).toMatchObject([
        { trial: true, state: 'paid', total: { amount: 0, currency: 'CNY' }, quantity: 1, feedbackDue: false },
      ]);
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({ sold: 1, remaining: 2 });
      // Selecting an application twice, or one that is not this trial's, is a 422 naming it.
      const again = await op.post(`/api/v1/campaigns/${c.id}/trial/select`, { applicationIds: [res.json().id, 'tapp_x'] });
      expect(problem(again).errors?.map((e) => e.path)).toEqual(['applicationIds.0', 'applicationIds.1']);
      t.clock.advance({ days: 1 });
      expect(problem(await apply(late!, c.id)).type).toMatch(/not-live/);
      await t.app.events.drain();
      expect((await a!.get('/api/v1/me/notifications')).json().items).toMatchObject([{ kind: 'trial.selected' }]);
      // Settled: the applicants left waiting are told they were not selected.
      expect((await op.post(`/api/v1/campaigns/${c.id}/settle`)).json().state).toBe('settled');
      await t.app.events.drain();
      expect((await b!.get(`/api/v1/campaigns/${c.id}/trial/application`)).json().state).toBe('not_selected');
      expect((await b!.get('/api/v1/me/notifications')).json().items).toMatchObject([{ kind: 'trial.not-selected' }]);
    });

    it('draws winners reproducibly from the published seed and entrants, and no more than the samples left', async () => {
      const c = await trial({ quantity: 4 });
      const applicants = await members(t, 9, 'td');
      for (const a of applicants) expect((await apply(a, c.id)).statusCode).toBe(201);
      expect(problem(await op.post(`/api/v1/campaigns/${c.id}/trial/draw`, { seed: 's', count: 5 })).status).toBe(409);
      const before = await countRows(t, 'orders');
      const res = await op.post(`/api/v1/campaigns/${c.id}/trial/draw`, { seed: '2026-试饮-第一轮', count: 3 });
      expect(res.statusCode, res.body).toBe(201);
      const d = res.json();
      expect(d).toMatchObject({ seed: '2026-试饮-第一轮', count: 3, applicants: 9, method: expect.stringMatching(/SHA-256/) });
      expect(await countRows(t, 'orders')).toBe(before + 3);
      // Anyone can redo it from what is published.
      const published = (await t.visitor.get(`/api/v1/campaigns/${c.id}/trial/draws`)).json().items[0];
      const redo = draw(
        published.seed,
        published.applicationIds.map((id: string) => ({ id })),
        published.count,
      );
      expect(redo.map((w) => w.application.id)).toEqual(d.winners.map((w: { applicationId: string }) => w.applicationId));
      expect(redo.map((w) => w.ticket)).toEqual(d.winners.map((w: { ticket: string }) => w.ticket));
      // The rest of the samples go in a second draw among those left.
      const second = (await op.post(`/api/v1/campaigns/${c.id}/trial/draw`, { seed: 'round-2' })).json();
      expect(second).toMatchObject({ count: 1, applicants: 6 });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({ state: 'sold_out', remaining: 0 });
      expect(problem(await op.post(`/api/v1/campaigns/${c.id}/trial/draw`, { seed: 'round-3' })).status).toBe(409);
    });
  });

  describe('feedback and conversion', () => {
    it('takes structured feedback once the sample shipped, completes the order, and counts trial-to-purchase conversion', async () => {
      const c = await trial({ quantity: 2 });
      const [a, b] = await members(t, 2, 'tf');
      const appA = (await apply(a!, c.id)).json();
      const appB = (await apply(b!, c.id)).json();
      await op.post(`/api/v1/campaigns/${c.id}/trial/select`, { applicationIds: [appA.id, appB.id] });
      const orderA = (await a!.get('/api/v1/me/orders')).json().items[0];
      const feedback = { rating: 4, wouldBuy: 'yes', liked: '好喝', improve: '瓶盖难开' };
      expect(problem(await a!.post(`/api/v1/orders/${orderA.id}/feedback`, feedback)).status).toBe(409);
      await product.maker.post(`/api/v1/orders/${orderA.id}/fulfil`, { lot: 'T-1', carrier: 'EMS', trackingNumber: 'T1' });
      expect((await a!.get(`/api/v1/orders/${orderA.id}`)).json().feedbackDue).toBe(true);
      expect(problem(await b!.post(`/api/v1/orders/${orderA.id}/feedback`, feedback)).status).toBe(403);
      expect(problem(await a!.post(`/api/v1/orders/${orderA.id}/feedback`, { ...feedback, rating: 6 })).errors?.[0]?.path).toBe(
        'rating',
      );
      const given = await a!.post(`/api/v1/orders/${orderA.id}/feedback`, feedback);
      expect(given.statusCode, given.body).toBe(201);
      expect(given.json()).toMatchObject({ rating: 4, wouldBuy: 'yes', liked: '好喝', memberId: a!.id });
      expect(problem(await a!.post(`/api/v1/orders/${orderA.id}/feedback`, feedback)).status).toBe(409);
      expect((await a!.get(`/api/v1/orders/${orderA.id}`)).json()).toMatchObject({ state: 'completed', feedbackDue: false });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}/trial/feedback`)).json().items).toHaveLength(1);

      // Member A later buys the product in a presale: one conversion out of two samples.
      t.clock.advance({ days: 2 });
      const sale = await newLiveCampaign(t, op, product.productId, { quantity: 10 });
      const o = (await a!.post(`/api/v1/campaigns/${sale.id}/orders`, { quantity: 1 }, idem())).json();
      await a!.post(`/api/v1/orders/${o.id}/payments`, { provider: 'simulated' }, idem());
      const stats = (await op.get(`/api/v1/campaigns/${c.id}/trial/stats`)).json();
      expect(stats).toEqual({
        campaignId: c.id,
        applications: 2,
        selected: 2,
        feedback: 1,
        averageRating: 4,
        wouldBuy: { yes: 1, maybe: 0, no: 0 },
        converted: 1,
        conversionRate: 0.5,
      });
      const events = await t.app.events.eventsOf('order', orderA.id);
      expect(events.map((e) => e.type)).toContain('trial.feedback-given');
    });
  });
});
