import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, members, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';
import { SIGNATURE_HEADER, sign } from './webhook-signature.js';

const PROBLEMS = 'https://covalue.dev/problems/';
const SECRET = 'covalue-development-webhook-secret-do-not-use-in-production';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    // The simulated provider sends its webhooks over HTTP to the server: it must listen.
    await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    await newLotToShipFrom(t, op, product, { lotNumber: 'L', quantity: 100 });
  });
  afterAll(() => t.close());

  const order = async (who: Persona, campaignId: string, quantity = 1) => {
    const res = await who.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity }, idem());
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; total: { amount: number } };
  };
  const pay = (who: Persona, orderId: string, body: Record<string, unknown> = { provider: 'simulated' }, headers = idem()) =>
    who.post(`/api/v1/orders/${orderId}/payments`, body, headers);
  const orderOf = async (id: string) => (await op.get(`/api/v1/orders/${id}`)).json();
  const audit = async (campaignId: string) => (await op.get(`/api/v1/campaigns/${campaignId}/audit`)).json();
  const simulated = () => t.app.modules.payments.simulated!;
  /** What the worker does in the background: events to subscribers, provider work, webhooks. */
  const work = async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.events.drain();
      await t.app.modules.payments.service.processDue();
      await simulated().deliverWebhooks();
    }
    await t.app.events.drain();
  };
  const webhook = (body: string, headers: Record<string, string>) =>
    t.app.http.inject({
      method: 'POST',
      url: '/api/v1/payments/webhooks/simulated',
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const nowSeconds = () => Math.floor(t.clock.now().getTime() / 1000);

  describe('paying', () => {
    it('captures at once with the simulated provider, pays the order, and takes the provider’s webhook once', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Payer');
      const o = await order(buyer, c.id, 2);
      const res = await pay(buyer, o.id);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        id: expect.stringMatching(/^pay_/),
        orderId: o.id,
        provider: 'simulated',
        state: 'captured',
        captureMode: 'capture',
        amount: { amount: 11_800, currency: 'CNY' },
        providerRef: expect.stringMatching(/^sim_ch_/),
      });
      expect(await orderOf(o.id)).toMatchObject({ state: 'paid', paidAt: t.clock.now().toISOString(), expiresAt: null });
      const webhooks = await countRows(t, 'payment_webhook_events');
      expect(await simulated().deliverWebhooks()).toBeGreaterThanOrEqual(1);
      expect(await countRows(t, 'payment_webhook_events')).toBeGreaterThan(webhooks);
      expect(await simulated().undelivered()).toBe(0);
      const types = (await t.app.events.eventsOf('order', o.id)).map((e) => e.type);
      expect(types).toEqual(['order.placed', 'order.paid']);
      const paid = (await t.app.events.eventsOf('order', o.id))[1]!;
      expect(paid.payload).toMatchObject({
        paymentId: res.json().id,
        agreementVersion: 1,
        total: { amount: 11_800, currency: 'CNY' },
      });
      const payEvents = (await t.app.events.eventsOf('payment', res.json().id)).map((e) => e.type);
      expect(payEvents).toEqual(['payment.captured']);
    });

    it('fails a declined payment and leaves the order pending, to be paid again with a new key', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Declined');
      const o = await order(buyer, c.id);
      const declined = await pay(buyer, o.id, { provider: 'simulated', simulate: { outcome: 'decline' } });
      expect(declined.statusCode).toBe(201);
      expect(declined.json()).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/declined/) });
      expect((await orderOf(o.id)).state).toBe('pending_payment');
      expect((await pay(buyer, o.id)).json().state).toBe('captured');
      expect((await orderOf(o.id)).state).toBe('paid');
      expect((await buyer.get(`/api/v1/orders/${o.id}/payments`)).json().items.map((p: { state: string }) => p.state)).toEqual([
        'failed',
        'captured',
      ]);
    });

    it('keeps a delayed payment pending until the provider’s signed webhook says it was captured', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Waiting');
      const o = await order(buyer, c.id);
      const res = await pay(buyer, o.id, { provider: 'simulated', simulate: { delayMs: 5_000 } });
      expect(res.json()).toMatchObject({ state: 'pending', nextAction: { kind: 'wait' } });
      // A second payment while this one is under way is refused.
      expect(problem(await pay(buyer, o.id)).status).toBe(409);
      await simulated().deliverWebhooks();
      expect((await orderOf(o.id)).state).toBe('pending_payment');
      t.clock.advance({ seconds: 5 });
      expect(await simulated().deliverWebhooks()).toBe(1);
      expect((await buyer.get(`/api/v1/payments/${res.json().id}`)).json().state).toBe('captured');
      expect((await orderOf(o.id)).state).toBe('paid');
    });

    it('answers a replayed key with the same payment; refuses another body, others’ orders, paid orders and unknown providers', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const [buyer, other] = await members(t, 2, 'rp');
      const o = await order(buyer!, c.id);
      const key = idem();
      const first = await pay(buyer!, o.id, { provider: 'simulated' }, key);
      const again = await pay(buyer!, o.id, { provider: 'simulated' }, key);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json().id).toBe(first.json().id);
      expect(problem(await pay(buyer!, o.id, { provider: 'manual' }, key))).toMatchObject({
        type: `${PROBLEMS}idempotency-key-reused`,
      });
      const before = await countRows(t, 'payments');
      expect(problem(await pay(buyer!, o.id)).status).toBe(409);
      const o2 = await order(buyer!, c.id);
      expect(problem(await pay(other!, o2.id)).status).toBe(403);
      expect(problem(await pay(buyer!, o2.id, { provider: 'paypal' })).status).toBe(422);
      expect(problem(await pay(buyer!, o2.id, { provider: 'manual', simulate: { outcome: 'decline' } })).errors?.[0]?.path).toBe(
        'simulate',
      );
      expect(problem(await buyer!.post(`/api/v1/orders/${o2.id}/payments`, { provider: 'simulated' })).status).toBe(422);
      expect(await countRows(t, 'payments')).toBe(before);
    });
  });

  describe('webhooks', () => {
    it('refuses a bad signature, a stale one and a replayed event with 400 webhook-rejected, changing nothing', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Hooked');
      const o = await order(buyer, c.id);
      const p = (await pay(buyer, o.id, { provider: 'simulated', simulate: { delayMs: 60_000 } })).json();
      const event = (id: string) =>
        JSON.stringify({
          id,
          type: 'charge.captured',
          created: nowSeconds(),
          data: { paymentId: p.id, providerRef: p.providerRef, amount: o.total.amount, currency: 'CNY' },
        });
      const body = event('evt_test_forged');
      const before = await Promise.all(['payment_webhook_events', 'outbox_events'].map((x) => countRows(t, x)));
      const forged = await webhook(body, { [SIGNATURE_HEADER]: sign('another-secret-another-secret-1234', body, nowSeconds()) });
      expect(forged.statusCode).toBe(400);
      expect(problem(forged)).toMatchObject({
        type: `${PROBLEMS}webhook-rejected`,
        detail: expect.stringMatching(/does not match/),
      });
      expect(problem(await webhook(body, {})).detail).toMatch(/no covalue-signature/);
      const stale = await webhook(body, { [SIGNATURE_HEADER]: sign(SECRET, body, nowSeconds() - 301) });
      expect(problem(stale).detail).toMatch(/tolerance/);
      const tampered = await webhook(body.replace(String(o.total.amount), '1'), {
        [SIGNATURE_HEADER]: sign(SECRET, body, nowSeconds()),
      });
      expect(problem(tampered).status).toBe(400);
      expect(await Promise.all(['payment_webhook_events', 'outbox_events'].map((x) => countRows(t, x)))).toEqual(before);
      expect((await orderOf(o.id)).state).toBe('pending_payment');

      // A correctly signed one is taken once; the same event again is a replay.
      const signed = { [SIGNATURE_HEADER]: sign(SECRET, body, nowSeconds()) };
      const taken = await webhook(body, signed);
      expect(taken.statusCode, taken.body).toBe(200);
      expect(taken.json()).toEqual({ received: true, eventId: 'evt_test_forged' });
      expect((await orderOf(o.id)).state).toBe('paid');
      const replay = await webhook(body, signed);
      expect(problem(replay)).toMatchObject({ status: 400, detail: expect.stringMatching(/replay/) });
      // An event for an amount the payment is not for is refused.
      const wrong = JSON.stringify({
        ...JSON.parse(event('evt_test_amount')),
        data: { paymentId: p.id, providerRef: p.providerRef, amount: 1, currency: 'CNY' },
      });
      expect(problem(await webhook(wrong, { [SIGNATURE_HEADER]: sign(SECRET, wrong, nowSeconds()) })).detail).toMatch(
        /not what payment/,
      );
      expect((await t.app.events.eventsOf('order', o.id)).filter((e) => e.type === 'order.paid')).toHaveLength(1);
    });
  });

  describe('bank transfer', () => {
    it('waits with the transfer’s reference until an operator confirms the money arrived, or records that it did not', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Transfer');
      const o = await order(buyer, c.id);
      const p = (await pay(buyer, o.id, { provider: 'manual' })).json();
      expect(p).toMatchObject({
        state: 'pending',
        nextAction: { kind: 'bank_transfer', reference: expect.stringMatching(/^CV-/) },
      });
      // The order's reservation is held for the transfer (24 h), not the 15 min timeout.
      expect((await orderOf(o.id)).expiresAt).toBe(new Date(t.clock.now().getTime() + 24 * 3_600_000).toISOString());
      expect(problem(await buyer.post(`/api/v1/payments/${p.id}/confirm`)).status).toBe(403);
      const desk = (await op.get('/api/v1/payments', { query: { provider: 'manual', state: 'pending' } })).json();
      expect(desk.items.map((x: { id: string }) => x.id)).toContain(p.id);
      expect((await op.post(`/api/v1/payments/${p.id}/confirm`)).json().state).toBe('captured');
      expect((await orderOf(o.id)).state).toBe('paid');
      expect(problem(await op.post(`/api/v1/payments/${p.id}/confirm`)).status).toBe(409);

      const o2 = await order(buyer, c.id);
      const p2 = (await pay(buyer, o2.id, { provider: 'manual' })).json();
      expect((await op.post(`/api/v1/payments/${p2.id}/reject`, { reason: '未收到转账' })).json()).toMatchObject({
        state: 'failed',
        failureReason: '未收到转账',
      });
      expect((await orderOf(o2.id)).state).toBe('pending_payment');
    });
  });

  describe('refunds', () => {
    it('refunds in part and then the rest; refunded in full, the order is refunded and its units return to stock', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Refunded');
      const o = await order(buyer, c.id, 2);
      await pay(buyer, o.id);
      expect(problem(await buyer.post(`/api/v1/orders/${o.id}/refunds`, { reason: 'x' })).status).toBe(403);
      const over = await op.post(`/api/v1/orders/${o.id}/refunds`, {
        amount: { amount: 11_801, currency: 'CNY' },
        reason: '破损',
      });
      expect(problem(over).errors?.[0]).toMatchObject({ path: 'amount.amount', message: expect.stringMatching(/11800/) });
      const part = await op.post(
        `/api/v1/orders/${o.id}/refunds`,
        { amount: { amount: 1_800, currency: 'CNY' }, reason: '破损一瓶' },
        idem(),
      );
      expect(part.statusCode, part.body).toBe(201);
      expect(part.json()).toMatchObject({ state: 'succeeded', amount: { amount: 1_800, currency: 'CNY' } });
      expect(await orderOf(o.id)).toMatchObject({ state: 'paid', refunded: { amount: 1_800 } });
      expect((await audit(c.id)).sold).toBe(2);
      const rest = await op.post(`/api/v1/orders/${o.id}/refunds`, { reason: '整单退款' });
      expect(rest.json().amount.amount).toBe(10_000);
      expect(await orderOf(o.id)).toMatchObject({ state: 'refunded', refunded: { amount: 11_800 } });
      expect(await audit(c.id)).toMatchObject({ sold: 0, remaining: 5, consistent: true });
      expect(problem(await op.post(`/api/v1/orders/${o.id}/refunds`, { reason: 'again' })).status).toBe(409);
      const refunds = (await t.app.events.eventsOf('order', o.id)).filter((e) => e.type === 'order.refunded');
      expect(refunds.map((e) => e.payload.full)).toEqual([false, true]);
      await work();
      expect((await buyer.get('/api/v1/me/notifications')).json().items.map((n: { kind: string }) => n.kind)).toEqual([
        'order.refunded',
        'order.refunded',
        'order.paid',
      ]);
    });

    it('refunds a cancelled paid order in full on its own; a shipped order’s refund leaves its units sold', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Changed mind');
      const o = await order(buyer, c.id, 1);
      await pay(buyer, o.id);
      expect((await buyer.post(`/api/v1/orders/${o.id}/cancel`)).json().state).toBe('cancelled');
      expect((await audit(c.id)).sold).toBe(0);
      await work();
      expect(await orderOf(o.id)).toMatchObject({ state: 'cancelled', refunded: { amount: 5_900 } });

      const shipped = await order(buyer, c.id, 1);
      await pay(buyer, shipped.id);
      await product.maker.post(`/api/v1/orders/${shipped.id}/fulfil`, { lot: 'L', carrier: 'EMS', trackingNumber: 'E' });
      expect((await op.post(`/api/v1/orders/${shipped.id}/refunds`, { reason: '未送达' })).json().state).toBe('succeeded');
      expect(await orderOf(shipped.id)).toMatchObject({ state: 'refunded' });
      expect(await audit(c.id)).toMatchObject({ sold: 1, consistent: true });
    });

    it('refunds money captured for an order cancelled while its payment was under way', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5 });
      const buyer = await t.signUp('Raced');
      const o = await order(buyer, c.id, 1);
      const p = (await pay(buyer, o.id, { provider: 'simulated', simulate: { delayMs: 1_000 } })).json();
      expect((await op.post(`/api/v1/orders/${o.id}/cancel`)).json().state).toBe('cancelled');
      // The provider's capture arrives before Covalue's void request is sent.
      t.clock.advance({ seconds: 1 });
      expect(await simulated().deliverWebhooks()).toBeGreaterThanOrEqual(1);
      expect((await op.get(`/api/v1/payments/${p.id}`)).json().state).toBe('captured');
      await work();
      expect((await op.get(`/api/v1/payments/${p.id}`)).json()).toMatchObject({ state: 'captured', refunded: { amount: 5_900 } });
      expect(await orderOf(o.id)).toMatchObject({ state: 'cancelled', refunded: { amount: 5_900 } });
      expect(await audit(c.id)).toMatchObject({ sold: 0, consistent: true });
    });
  });

  describe('late and failed money', () => {
    it('refunds a bank transfer that arrives after its order lapsed, when the operator confirms it', async () => {
      const c = await newLiveCampaign(t, op, product.productId, { quantity: 5, paymentTimeoutMinutes: 10 });
      const buyer = await t.signUp('Late transfer');
      const o = await order(buyer, c.id);
      const p = (await pay(buyer, o.id, { provider: 'manual' })).json();
      t.clock.advance({ hours: 25 });
      await t.app.modules.campaigns.orders.expireLapsed();
      await work();
      expect((await op.get(`/api/v1/payments/${p.id}`)).json().state).toBe('voided');
      expect((await op.post(`/api/v1/payments/${p.id}/confirm`)).json()).toMatchObject({ state: 'captured' });
      await work();
      expect((await op.get(`/api/v1/payments/${p.id}`)).json()).toMatchObject({
        state: 'captured',
        refunded: { amount: 5_900 },
        refunds: [{ reason: 'late-transfer', state: 'succeeded' }],
      });
      expect(await orderOf(o.id)).toMatchObject({ state: 'cancelled', cancelReason: 'expired', refunded: { amount: 5_900 } });
      expect(await audit(c.id)).toMatchObject({ sold: 0, consistent: true });
    });

    it('ends a pledge whose capture failed: cancelled with its units back', async () => {
      const c = await newLiveCampaign(t, op, product.productId, {
        mode: 'crowdfunding',
        quantity: 5,
        goal: { units: 1 },
        endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
      });
      const backer = await t.signUp('Expired card');
      const o = await order(backer, c.id, 2);
      const p = (await pay(backer, o.id)).json();
      expect(p.state).toBe('authorised');
      // The provider says the hold expired before the capture, by a signed webhook.
      const body = JSON.stringify({
        id: 'evt_test_hold_expired',
        type: 'charge.failed',
        created: nowSeconds(),
        data: {
          paymentId: p.id,
          providerRef: p.providerRef,
          amount: o.total.amount,
          currency: 'CNY',
          failureReason: 'authorisation expired',
        },
      });
      expect((await webhook(body, { [SIGNATURE_HEADER]: sign(SECRET, body, nowSeconds()) })).statusCode).toBe(200);
      expect((await op.get(`/api/v1/payments/${p.id}`)).json()).toMatchObject({
        state: 'failed',
        failureReason: 'authorisation expired',
      });
      expect(await orderOf(o.id)).toMatchObject({ state: 'cancelled', cancelReason: 'payment-failed' });
      expect(await audit(c.id)).toMatchObject({ sold: 0, consistent: true });
    });
  });

  describe('crowdfunding', () => {
    const crowdfunding = (goal: Record<string, unknown>) => ({
      mode: 'crowdfunding',
      quantity: 10,
      goal,
      endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
    });

    it('authorises pledges and captures them all when the goal is met at the deadline, then settles', async () => {
      const c = await newLiveCampaign(t, op, product.productId, crowdfunding({ units: 3 }));
      const backers = await members(t, 3, 'win');
      const orders = [];
      for (const b of backers) {
        const o = await order(b, c.id);
        expect((await pay(b, o.id)).json()).toMatchObject({ state: 'authorised', captureMode: 'authorise' });
        orders.push(o);
      }
      for (const o of orders) expect((await orderOf(o.id)).state).toBe('authorised');
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json().progress).toEqual({
        units: 3,
        amount: { amount: 17_700, currency: 'CNY' },
        reached: true,
      });
      expect(problem(await op.post(`/api/v1/campaigns/${c.id}/settle`)).status).toBe(409);
      t.clock.advance({ hours: 1 });
      await t.app.modules.campaigns.service.advance();
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({ state: 'ended', outcome: 'goal-met' });
      await work();
      for (const o of orders) expect((await orderOf(o.id)).state).toBe('paid');
      await t.app.modules.campaigns.service.advance();
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({ state: 'settled', outcome: 'goal-met' });
      const told = (await backers[0]!.get('/api/v1/me/notifications')).json().items;
      expect(told).toMatchObject([
        { kind: 'order.paid', payload: { orderId: orders[0]!.id, from: 'authorised', campaignTitle: '小支红酒 限量首发' } },
      ]);
    });

    it('keeps voiding a pledge withdrawn before the deadline, even when the goal is met', async () => {
      const c = await newLiveCampaign(t, op, product.productId, crowdfunding({ units: 1 }));
      const [stays, leaves] = await members(t, 2, 'withdraw');
      const kept = await order(stays!, c.id);
      const gone = await order(leaves!, c.id);
      await pay(stays!, kept.id);
      const goneP = (await pay(leaves!, gone.id)).json();
      expect((await leaves!.post(`/api/v1/orders/${gone.id}/cancel`)).json().state).toBe('cancelled');
      await t.app.events.drain();
      t.clock.advance({ hours: 1 });
      await t.app.modules.campaigns.service.advance();
      await work();
      expect((await op.get(`/api/v1/payments/${goneP.id}`)).json()).toMatchObject({ state: 'voided' });
      expect(await orderOf(kept.id)).toMatchObject({ state: 'paid' });
      // The goal decided, a backer's withdrawal is refused; an operator may still cancel.
      expect(problem(await stays!.post(`/api/v1/orders/${kept.id}/cancel`))).toMatchObject({
        status: 409,
        reason: 'campaign-ended',
      });
    });

    it('voids every authorisation and refunds transfers when the goal is missed, cancelling the orders and telling the buyers', async () => {
      const c = await newLiveCampaign(t, op, product.productId, crowdfunding({ amount: { amount: 100_000, currency: 'CNY' } }));
      const [a, b, m, late] = await members(t, 4, 'miss');
      const oa = await order(a!, c.id, 2);
      const ob = await order(b!, c.id, 1);
      const om = await order(m!, c.id, 1);
      const ol = await order(late!, c.id, 1);
      await pay(a!, oa.id);
      await pay(b!, ob.id);
      // A bank transfer cannot be held: it is taken in full.
      const pm = (await pay(m!, om.id, { provider: 'manual' })).json();
      expect(pm.captureMode).toBe('capture');
      await op.post(`/api/v1/payments/${pm.id}/confirm`);
      expect((await orderOf(om.id)).state).toBe('paid');
      expect((await audit(c.id)).sold).toBe(5);
      t.clock.advance({ hours: 1 });
      expect(problem(await pay(late!, ol.id)).status).toBe(409);
      const settled = await op.post(`/api/v1/campaigns/${c.id}/settle`);
      // Settling decides the goal at once, but the money is still being returned.
      expect(problem(settled).detail).toMatch(/voided or refunded/);
      expect((await t.visitor.get(`/api/v1/campaigns/${c.id}`)).json()).toMatchObject({ state: 'ended', outcome: 'goal-missed' });
      expect(await orderOf(ol.id)).toMatchObject({ state: 'cancelled', cancelReason: 'campaign-ended' });
      await work();
      for (const o of [oa, ob, om])
        expect(await orderOf(o.id)).toMatchObject({ state: 'cancelled', cancelReason: 'goal-missed' });
      expect(await orderOf(om.id)).toMatchObject({ refunded: { amount: 5_900 } });
      const payments = (await a!.get(`/api/v1/orders/${oa.id}/payments`)).json().items;
      expect(payments.map((p: { state: string }) => p.state)).toEqual(['voided']);
      expect(await audit(c.id)).toMatchObject({ sold: 0, remaining: 10, consistent: true });
      expect((await op.post(`/api/v1/campaigns/${c.id}/settle`)).json()).toMatchObject({
        state: 'settled',
        outcome: 'goal-missed',
      });
      for (const who of [a!, b!, m!]) {
        const told = (await who.get('/api/v1/me/notifications')).json().items;
        expect(told[0]).toMatchObject({ kind: 'order.cancelled', payload: { reason: 'goal-missed' } });
      }
      expect((await late!.get('/api/v1/me/notifications')).json().items).toMatchObject([
        { kind: 'order.cancelled', payload: { reason: 'campaign-ended' } },
      ]);
      const unread = await a!.get('/api/v1/me/notifications/unread');
      expect(unread.json()).toEqual({ unread: 1 });
      expect((await m!.get('/api/v1/me/notifications')).json().items.map((n: { kind: string }) => n.kind)).toEqual([
        'order.cancelled',
        'order.refunded',
        'order.paid',
      ]);
      expect((await a!.post('/api/v1/me/notifications/read', {})).json()).toEqual({ unread: 0 });
    });
  });
});
