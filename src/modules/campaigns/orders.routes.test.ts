import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, members, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const PROBLEMS = 'https://covalue.dev/problems/';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;
  let lot: Awaited<ReturnType<typeof newLotToShipFrom>>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    lot = await newLotToShipFrom(t, op, product, { lotNumber: 'HL-2026-001', quantity: 1_000 });
  });
  afterAll(() => t.close());

  const order = (who: Persona, campaignId: string, quantity: number, headers = idem()) =>
    who.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity }, headers);
  const pay = (who: Persona, orderId: string) =>
    who.post(`/api/v1/orders/${orderId}/payments`, { provider: 'simulated' }, idem());
  const audit = async (campaignId: string) => (await op.get(`/api/v1/campaigns/${campaignId}/audit`)).json();
  const snapshot = async () => Promise.all(['orders', 'outbox_events', 'payments'].map((x) => countRows(t, x)));
  const inMinutes = (m: number) => new Date(t.clock.now().getTime() + m * 60_000).toISOString();

  describe('placing', () => {
    it('reserves units at once, priced by tier, and answers pending payment until the timeout', async () => {
      const c = await newLiveCampaign(t, op, product.productId, {
        quantity: 10,
        priceTiers: [
          { upTo: 3, unitPrice: { amount: 4_900, currency: 'CNY' } },
          { upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } },
        ],
      });
      const buyer = await t.signUp('Buyer');
      const res = await order(buyer, c.id, 4);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        id: expect.stringMatching(/^ord_/),
        campaignId: c.id,
        productId: product.productId,
        memberId: buyer.id,
        quantity: 4,
        lines: [
          { tier: 0, unitPrice: { amount: 4_900, currency: 'CNY' }, quantity: 3 },
          { tier: 1, unitPrice: { amount: 5_900, currency: 'CNY' }, quantity: 1 },
        ],
        total: { amount: 3 * 4_900 + 5_900, currency: 'CNY' },
        state: 'pending_payment',
        expiresAt: inMinutes(15),
        firstClaim: false,
      });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({
        state: 'live',
        quantity: 10,
        sold: 4,
        remaining: 6,
        tier: { index: 1, unitPrice: { amount: 5_900 }, unitsLeft: 6 },
      });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}/stock`)).json()).toMatchObject({
        sold: 4,
        remaining: 6,
        now: t.clock.now().toISOString(),
      });
      const events = await t.app.events.eventsOf('order', res.json().id);
      expect(events.map((e) => e.type)).toEqual(['order.placed']);
      expect(events[0]!.payload).toMatchObject({ campaignId: c.id, quantity: 4, total: { amount: 20_600, currency: 'CNY' } });
    });

    it('refuses more than is left with 409 sold-out naming what remains, and a sold-out campaign says so', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 3 });
      const [a, b] = await members(t, 2, 'so');
      expect((await order(a!, c.id, 2)).statusCode).toBe(201);
      const before = await snapshot();
      const tooMany = await order(b!, c.id, 2);
      expect(tooMany.statusCode).toBe(409);
      expect(problem(tooMany)).toMatchObject({ type: `${PROBLEMS}sold-out`, remaining: 1 });
      expect(await snapshot()).toEqual(before);
      expect((await order(b!, c.id, 1)).statusCode).toBe(201);
      const none = await order(b!, c.id, 1);
      expect(problem(none)).toMatchObject({ type: `${PROBLEMS}sold-out`, status: 409, remaining: 0 });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({
        state: 'sold_out',
        sold: 3,
        remaining: 0,
        tier: null,
      });
      const events = await t.app.events.eventsOf('campaign', c.id);
      expect(events.filter((e) => e.type === 'campaign.sold-out')).toHaveLength(1);
    });

    it('refuses orders over the per-member limit with 422 limit-exceeded, counting what the member holds', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 20, perMemberLimit: 3 });
      const buyer = await t.signUp('Limited');
      expect((await order(buyer, c.id, 2)).statusCode).toBe(201);
      const before = await snapshot();
      const over = await order(buyer, c.id, 2);
      expect(over.statusCode).toBe(422);
      expect(problem(over)).toMatchObject({ type: `${PROBLEMS}limit-exceeded`, limit: 3, alreadyOrdered: 2 });
      expect(await snapshot()).toEqual(before);
      expect((await order(buyer, c.id, 1)).statusCode).toBe(201);
      // Two orders of one member arriving together count together.
      const other = await t.signUp('Twice');
      const both = await Promise.all([order(other, c.id, 2), order(other, c.id, 2)]);
      expect(both.map((r) => r.statusCode).sort()).toEqual([201, 422]);
      expect((await audit(c.id)).consistent).toBe(true);
    });

    it('is not live before its exact start or after its end (409 not-live), and a trial takes no orders', async () => {
      const buyer = await t.signUp('Early');
      const c = await newLiveCampaign(t, op, product.productId, { startsAt: inMinutes(10), endsAt: inMinutes(70), quantity: 5 });
      expect(c.state).toBe('scheduled');
      const early = await order(buyer, c.id, 1);
      expect(early.statusCode).toBe(409);
      expect(problem(early)).toMatchObject({ type: `${PROBLEMS}not-live`, startsAt: inMinutes(10) });
      t.clock.advance({ minutes: 10 });
      expect((await order(buyer, c.id, 1)).statusCode).toBe(201);
      t.clock.advance({ minutes: 60 });
      const late = await order(buyer, c.id, 1);
      expect(problem(late)).toMatchObject({ type: `${PROBLEMS}not-live`, status: 409 });
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json().state).toBe('ended');

      const trial = await newLiveCampaign(t, op, product.productId, { mode: 'trial', priceTiers: undefined, quantity: 5 });
      expect(problem(await order(buyer, trial.id, 1))).toMatchObject({
        status: 409,
        type: `${PROBLEMS}conflict`,
        reason: 'is-trial',
      });
    });

    it('needs an Idempotency-Key (422 naming the header) and a whole positive quantity', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Keyless');
      const before = await snapshot();
      const noKey = await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 1 });
      expect(noKey.statusCode).toBe(422);
      expect(problem(noKey).errors?.map((e) => e.path)).toEqual(['headers.idempotency-key']);
      for (const quantity of [0, -1, 1.5, '2']) {
        const bad = await buyer.post(`/api/v1/campaigns/${c.id}/orders`, { quantity }, idem());
        expect(bad.statusCode).toBe(422);
        expect(problem(bad).errors?.[0]?.path).toBe('quantity');
      }
      expect(problem(await order(buyer, 'camp_01JZZZZZZZZZZZZZZZZZZZZZZZ', 1)).status).toBe(404);
      expect(problem(await t.visitor.post(`/api/v1/campaigns/${c.id}/orders`, { quantity: 1 }, idem())).status).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it('answers a replayed key with the same order, never a second one; the key with another body is a 422', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 50 });
      const buyer = await t.signUp('Retrier');
      const key = idem();
      const first = await order(buyer, c.id, 2, key);
      expect(first.statusCode).toBe(201);
      const again = await order(buyer, c.id, 2, key);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json().id).toBe(first.json().id);
      const other = await order(buyer, c.id, 3, key);
      expect(other.statusCode).toBe(422);
      expect(problem(other)).toMatchObject({ type: `${PROBLEMS}idempotency-key-reused`, orderId: first.json().id });
      // Ten retries of one key at once make one order.
      const burstKey = idem();
      const burst = await Promise.all(Array.from({ length: 10 }, () => order(buyer, c.id, 1, burstKey)));
      expect(burst.every((r) => r.statusCode === 201)).toBe(true);
      expect(new Set(burst.map((r) => r.json().id)).size).toBe(1);
      expect(await audit(c.id)).toMatchObject({ sold: 3, heldByOrders: 3, consistent: true });
    });

    it('sells exactly the quantity to 120 buyers ordering at once', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 50 });
      const crowd = await members(t, 120, 'crowd');
      const results = await Promise.all(crowd.map((m) => order(m, c.id, 1)));
      const codes = results.map((r) => r.statusCode);
      expect(codes.filter((s) => s === 201)).toHaveLength(50);
      expect(codes.filter((s) => s === 409)).toHaveLength(70);
      expect(await audit(c.id)).toMatchObject({ sold: 50, remaining: 0, heldByOrders: 50, consistent: true });
    });
  });

  describe('the first claim', () => {
    it('opens the window to supporters with purchase intent and holds the reserved units for them after it', async () => {
      // A need still open, supported with and without purchase intent, then accepted and made a product.
      const withIntent = await t.signUp('FC intent');
      const without = await t.signUp('FC plain');
      const stranger = await t.signUp('FC stranger');
      const p = await newLaunchableProduct(t, op, {
        extraSupports: 2,
        beforeAccept: async (needId) => {
          const r1 = await withIntent.put(`/api/v1/needs/${needId}/support`, {
            intent: { quantity: 2, maxUnitPrice: { amount: 6_000, currency: 'CNY' } },
          });
          expect(r1.statusCode, r1.body).toBe(200);
          expect((await without.put(`/api/v1/needs/${needId}/support`)).statusCode).toBe(200);
        },
      });
      const c = await newLiveCampaign(t, op, p.productId, { quantity: 5, firstClaim: { minutes: 30, reservedUnits: 3 } });
      expect(problem(await order(without, c.id, 1)).type).toBe(`${PROBLEMS}not-live`);
      expect(problem(await order(stranger, c.id, 1)).type).toBe(`${PROBLEMS}not-live`);
      const first = await order(withIntent, c.id, 1);
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json().firstClaim).toBe(true);
      t.clock.advance({ minutes: 30 });
      // Public now: 5 - 1 sold - 2 still held for supporters = 2 for everyone.
      expect((await order(stranger, c.id, 2)).statusCode).toBe(201);
      expect(problem(await order(without, c.id, 1))).toMatchObject({ type: `${PROBLEMS}sold-out`, remaining: 0 });
      const claim = await order(withIntent, c.id, 2);
      expect(claim.statusCode, claim.body).toBe(201);
      expect(claim.json().firstClaim).toBe(true);
      expect(await audit(c.id)).toMatchObject({ sold: 5, consistent: true });
    });
  });

  describe('after the order', () => {
    it('cancels a pending order for its buyer or an operator, returning its units; a second cancel changes nothing', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const [buyer, other] = await members(t, 2, 'cx');
      const o = (await order(buyer!, c.id, 3)).json();
      const stranger = await other!.post(`/api/v1/orders/${o.id}/cancel`);
      expect(problem(stranger).status).toBe(403);
      expect(problem(await other!.get(`/api/v1/orders/${o.id}`)).status).toBe(403);
      const cancelled = await buyer!.post(`/api/v1/orders/${o.id}/cancel`);
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json()).toMatchObject({
        state: 'cancelled',
        cancelReason: 'by-member',
        cancelledAt: t.clock.now().toISOString(),
      });
      expect((await buyer!.post(`/api/v1/orders/${o.id}/cancel`)).json().state).toBe('cancelled');
      expect(await audit(c.id)).toMatchObject({ sold: 0, remaining: 5, consistent: true });
      const byOp = (await order(buyer!, c.id, 1)).json();
      expect((await op.post(`/api/v1/orders/${byOp.id}/cancel`)).json()).toMatchObject({
        state: 'cancelled',
        cancelReason: 'by-operator',
      });
      const types = (await t.app.events.eventsOf('order', o.id)).map((e) => e.type);
      expect(types).toEqual(['order.placed', 'order.cancelled']);
    });

    it('releases an unpaid order’s units when its reservation lapses under the clock, and refuses to pay it then', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 4, paymentTimeoutMinutes: 10 });
      const buyer = await t.signUp('Slow');
      const o = (await order(buyer, c.id, 4)).json();
      expect(o.expiresAt).toBe(inMinutes(10));
      const expire = () => t.app.modules.campaigns.orders.expireLapsed();
      t.clock.advance({ minutes: 9, seconds: 59 });
      await expire();
      expect((await buyer.get(`/api/v1/orders/${o.id}`)).json().state).toBe('pending_payment');
      t.clock.advance({ seconds: 1 });
      // Before the job runs, paying a lapsed order is refused already.
      const late = await pay(buyer, o.id);
      expect(late.statusCode).toBe(409);
      expect(problem(late).detail).toMatch(/lapsed/);
      expect(await expire()).toBeGreaterThanOrEqual(1);
      expect((await buyer.get(`/api/v1/orders/${o.id}`)).json()).toMatchObject({ state: 'cancelled', cancelReason: 'expired' });
      expect(await audit(c.id)).toMatchObject({ sold: 0, remaining: 4, consistent: true });
      expect((await order(buyer, c.id, 4)).statusCode).toBe(201);
    });

    it('is shipped by its product’s maker with lot and tracking, delivered, and completed by the buyer', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Shipped');
      const o = (await order(buyer, c.id, 2)).json();
      const address = { recipient: '王小明', phone: '13800000000', address: '北京市朝阳区 1 号' };
      expect((await buyer.put(`/api/v1/orders/${o.id}/shipping`, address)).json().shipping).toEqual(address);
      const ship = { lot: 'HL-2026-001', carrier: '顺丰', trackingNumber: 'SF123456' };
      // Not paid yet: nothing to ship.
      expect(problem(await product.maker.post(`/api/v1/orders/${o.id}/fulfil`, ship)).status).toBe(409);
      expect((await pay(buyer, o.id)).json().state).toBe('captured');
      // Another organisation's partner cannot ship it; a member without the partner role is refused by the route.
      const rival = await t.signUp('Rival');
      const rivalOrg = await op.post('/api/v1/organisations', { slug: `rival-${Date.now()}`, name: 'Rival' });
      await op.put(`/api/v1/organisations/${rivalOrg.json().id}/members/${rival.id}`);
      expect(problem(await rival.post(`/api/v1/orders/${o.id}/fulfil`, ship)).status).toBe(403);
      expect(problem(await buyer.post(`/api/v1/orders/${o.id}/fulfil`, ship)).status).toBe(403);
      expect(
        problem(await product.maker.post(`/api/v1/orders/${o.id}/fulfil`, { ...ship, organisationId: rivalOrg.json().id }))
          .status,
      ).toBe(422);
      const queue = await product.maker.get('/api/v1/fulfilment/orders', { query: { state: 'paid', campaignId: c.id } });
      expect(queue.json().items.map((x: { id: string }) => x.id)).toEqual([o.id]);
      expect(problem(await rival.get('/api/v1/fulfilment/orders', { query: { campaignId: c.id } })).status).toBe(403);
      expect((await rival.get('/api/v1/fulfilment/orders')).json().items).toEqual([]);
      // A maker sees the orders to ship, not the carts still waiting for payment.
      const cart = (await order(buyer, c.id, 1)).json();
      expect(problem(await product.maker.get(`/api/v1/orders/${cart.id}`)).status).toBe(403);
      const shipped = await product.maker.post(`/api/v1/orders/${o.id}/fulfil`, ship);
      expect(shipped.statusCode, shipped.body).toBe(200);
      expect(shipped.json()).toMatchObject({
        state: 'fulfilled',
        fulfilment: { organisationId: product.wineryId, ...ship, fulfilledAt: t.clock.now().toISOString() },
      });
      // The maker sees the order; cancelling a shipped order is refused.
      expect((await product.maker.get(`/api/v1/orders/${o.id}`)).statusCode).toBe(200);
      expect(problem(await buyer.post(`/api/v1/orders/${o.id}/cancel`)).status).toBe(409);
      expect(problem(await buyer.put(`/api/v1/orders/${o.id}/shipping`, address)).status).toBe(409);
      expect((await product.maker.post(`/api/v1/orders/${o.id}/deliver`)).json().state).toBe('delivered');
      expect((await buyer.post(`/api/v1/orders/${o.id}/complete`)).json()).toMatchObject({ state: 'completed' });
      const types = (await t.app.events.eventsOf('order', o.id)).map((e) => e.type);
      expect(types).toEqual(['order.placed', 'order.paid', 'order.fulfilled', 'order.delivered', 'order.completed']);
      const fulfilled = (await t.app.events.eventsOf('order', o.id)).find((e) => e.type === 'order.fulfilled')!;
      expect(fulfilled.payload).toMatchObject({
        lot: 'HL-2026-001',
        lotId: lot.id,
        organisationId: product.wineryId,
        quantity: 2,
      });
      // The units came from the lot.
      expect((await t.visitor.get(`/api/v1/lots/${lot.id}`)).json().unitsFulfilled).toBeGreaterThanOrEqual(2);
    });

    it('completes delivered orders on their own after the configured days', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Quiet');
      const o = (await order(buyer, c.id, 1)).json();
      await pay(buyer, o.id);
      await product.maker.post(`/api/v1/orders/${o.id}/fulfil`, { lot: 'HL-2026-001', carrier: 'EMS', trackingNumber: 'E1' });
      await product.maker.post(`/api/v1/orders/${o.id}/deliver`);
      t.clock.advance({ days: 13, hours: 23 });
      await t.app.modules.campaigns.orders.completeDelivered();
      expect((await buyer.get(`/api/v1/orders/${o.id}`)).json().state).toBe('delivered');
      t.clock.advance({ hours: 1 });
      expect(await t.app.modules.campaigns.orders.completeDelivered()).toBeGreaterThanOrEqual(1);
      expect((await buyer.get(`/api/v1/orders/${o.id}`)).json().state).toBe('completed');
    });

    it('lists my orders newest first, page by page, and an operator lists a campaign’s', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 10 });
      const buyer = await t.signUp('Lister');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await order(buyer, c.id, 1)).json().id);
        t.clock.advance({ ms: 5 });
      }
      const first = (await buyer.get('/api/v1/me/orders', { query: { limit: 2 } })).json();
      expect(first.items.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
      const second = (await buyer.get('/api/v1/me/orders', { query: { limit: 2, cursor: first.nextCursor } })).json();
      expect(second).toMatchObject({ nextCursor: null });
      expect(second.items.map((x: { id: string }) => x.id)).toEqual([ids[0]]);
      expect((await op.get(`/api/v1/campaigns/${c.id}/orders`)).json().items.map((x: { id: string }) => x.id)).toEqual(ids);
      expect(problem(await buyer.get(`/api/v1/campaigns/${c.id}/orders`)).status).toBe(403);
    });
  });
});
