import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idem, members, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, type TestApp } from '../../../test/harness.js';

/**
 * Random sequences of orders, payments, cancellations, lapses, refunds and shipments against one
 * campaign, checked step by step against a model of what each should answer, and against the
 * stock invariant: sold + remaining = quantity, and sold = the units of the orders still holding stock.
 */
type Op =
  | { kind: 'order'; member: number; quantity: number }
  | { kind: 'pay'; order: number }
  | { kind: 'cancel'; order: number }
  | { kind: 'wait'; minutes: number }
  | { kind: 'refund'; order: number; part: boolean }
  | { kind: 'ship'; order: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('order' as const), member: fc.nat(3), quantity: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), order: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), order: fc.nat(20), part: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ship' as const), order: fc.nat(20) }) },
);

interface ModelOrder {
  id: string;
  member: number;
  quantity: number;
  total: number;
  state: string;
  placedAt: number;
  refunded: number;
  holds: boolean;
  shipped: boolean;
}

const UNIT = 1_000;
const TIMEOUT_MIN = 10;
const LIMIT = 4;

forEachBackend((backend) => {
  let t: TestApp;
  let opr: Persona;
  let buyers: Persona[];
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    opr = await t.operator();
    product = await newLaunchableProduct(t, opr);
    await newLotToShipFrom(t, opr, product, { lotNumber: 'P', quantity: 1_000_000 });
    buyers = await members(t, 4, 'prop');
  });
  afterAll(() => t.close());

  const work = async () => {
    await t.app.events.drain();
    await t.app.modules.payments.service.processDue();
    await t.app.events.drain();
  };

  it('keeps sold + remaining = quantity and sold = units held by orders, answering each step as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(op, { minLength: 1, maxLength: 25 }), async (quantity, ops) => {
        const c = await newLiveCampaign(t, opr, product.productId, {
          quantity,
          perMemberLimit: Math.min(LIMIT, quantity),
          paymentTimeoutMinutes: TIMEOUT_MIN,
          priceTiers: [{ upTo: null, unitPrice: { amount: UNIT, currency: 'CNY' } }],
        });
        const orders: ModelOrder[] = [];
        const held = () => orders.filter((o) => o.holds).reduce((s, o) => s + o.quantity, 0);
        const now = () => t.clock.now().getTime();
        for (const step of ops) {
          const o = step.kind === 'order' || step.kind === 'wait' ? undefined : orders[step.order % Math.max(1, orders.length)];
          switch (step.kind) {
            case 'order': {
              const mine = orders.filter((x) => x.member === step.member && x.holds).reduce((s, x) => s + x.quantity, 0);
              const res = await buyers[step.member]!.post(
                `/api/v1/campaigns/${c.id}/orders`,
                { quantity: step.quantity },
                idem(),
              );
              if (held() + step.quantity > quantity) expect(res.statusCode, res.body).toBe(409);
              else if (mine + step.quantity > Math.min(LIMIT, quantity)) expect(res.statusCode, res.body).toBe(422);
              else {
                expect(res.statusCode, res.body).toBe(201);
                orders.push({
                  id: res.json().id,
                  member: step.member,
                  quantity: step.quantity,
                  total: step.quantity * UNIT,
                  state: 'pending_payment',
                  placedAt: now(),
                  refunded: 0,
                  holds: true,
                  shipped: false,
                });
              }
              break;
            }
            case 'pay': {
              if (!o) break;
              const res = await buyers[o.member]!.post(`/api/v1/orders/${o.id}/payments`, { provider: 'simulated' }, idem());
              const lapsed = now() >= o.placedAt + TIMEOUT_MIN * 60_000;
              if (o.state === 'pending_payment' && !lapsed) {
                expect(res.statusCode, res.body).toBe(201);
                o.state = 'paid';
              } else expect(res.statusCode, res.body).toBe(409);
              break;
            }
            case 'cancel': {
              if (!o) break;
              const res = await buyers[o.member]!.post(`/api/v1/orders/${o.id}/cancel`);
              if (['pending_payment', 'paid', 'cancelled'].includes(o.state)) {
                expect(res.statusCode, res.body).toBe(200);
                if (o.state === 'paid') o.refunded = o.total;
                if (o.state !== 'cancelled') Object.assign(o, { state: 'cancelled', holds: false });
                await work();
              } else expect(res.statusCode, res.body).toBe(409);
              break;
            }
            case 'wait': {
              t.clock.advance({ minutes: step.minutes });
              await t.app.modules.campaigns.orders.expireLapsed();
              for (const x of orders) {
                if (x.state === 'pending_payment' && now() >= x.placedAt + TIMEOUT_MIN * 60_000)
                  Object.assign(x, { state: 'cancelled', holds: false });
              }
              break;
            }
            case 'refund': {
              if (!o) break;
              const left = o.total - o.refunded;
              const refundable = ['paid', 'fulfilled'].includes(o.state) && left > 0;
              const amount = step.part ? 1 : left;
              const res = await opr.post(`/api/v1/orders/${o.id}/refunds`, {
                reason: 'property',
                ...(step.part ? { amount: { amount, currency: 'CNY' } } : {}),
              });
              if (!refundable) {
                expect(res.statusCode, res.body).toBe(409);
                break;
              }
              expect(res.statusCode, res.body).toBe(201);
              o.refunded += step.part ? amount : left;
              if (o.refunded === o.total) Object.assign(o, { state: 'refunded', holds: o.shipped });
              break;
            }
            case 'ship': {
              if (!o) break;
              const res = await product.maker.post(`/api/v1/orders/${o.id}/fulfil`, {
                lot: 'P',
                carrier: 'C',
                trackingNumber: 'T',
              });
              if (o.state === 'paid') {
                expect(res.statusCode, res.body).toBe(200);
                Object.assign(o, { state: 'fulfilled', shipped: true });
              } else expect(res.statusCode, res.body).toBe(o.state === 'fulfilled' ? 200 : 409);
              break;
            }
          }
          const audit = (await opr.get(`/api/v1/campaigns/${c.id}/audit`)).json();
          expect(audit.consistent, JSON.stringify(audit)).toBe(true);
          expect(audit.sold + audit.remaining).toBe(quantity);
          expect(audit.sold).toBe(held());
          expect(audit.sold).toBeGreaterThanOrEqual(0);
        }
        for (const m of orders) {
          const got = (await opr.get(`/api/v1/orders/${m.id}`)).json();
          expect({ id: m.id, state: got.state, refunded: got.refunded.amount }).toEqual({
            id: m.id,
            state: m.state,
            refunded: m.refunded,
          });
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 20) },
    );
  });
});
