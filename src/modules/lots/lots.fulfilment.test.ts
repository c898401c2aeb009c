import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, members, newAwardedBid, newLaunchableProduct, newLiveCampaign, newLot } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

/** Orders are fulfilled from recorded lots: the checks, the units taken and moved, and that a lot never gives more than it holds. */
forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;
  let bidId: string;
  let campaignId: string;
  let buyers: Persona[];
  /** A second maker of the product, with its own lot. */
  let otherLot: { lotNumber: string };
  let otherOrgId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    bidId = await newAwardedBid(t, op, product, 100_000);
    // Launched before the second maker joins (a new party reopens the agreement's acceptance).
    campaignId = (await newLiveCampaign(t, op, product.productId, { quantity: 10_000 })).id;
    buyers = await members(t, 4, 'lf');
    const partner = await t.signUp('河畔伙伴');
    const org = await op.post('/api/v1/organisations', { slug: `lots-other-${backend}`, name: '河畔酒庄' });
    expect((await op.put(`/api/v1/organisations/${org.json().id}/members/${partner.id}`)).statusCode).toBe(204);
    otherOrgId = org.json().id as string;
    const other = { needId: product.needId, productId: product.productId, wineryId: otherOrgId, maker: partner };
    otherLot = await newLot(t, other, await newAwardedBid(t, op, other, 50), { lotNumber: 'HP-1', quantity: 50 });
  });
  afterAll(() => t.close());

  let orderNo = 0;
  /** A paid order of `quantity` units. */
  const paidOrder = async (quantity: number) => {
    const buyer = buyers[orderNo++ % buyers.length]!;
    const placed = await buyer.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity }, idem());
    expect(placed.statusCode, placed.body).toBe(201);
    const paid = await buyer.post(`/api/v1/orders/${placed.json().id}/payments`, { provider: 'simulated' }, idem());
    expect(paid.json().state, paid.body).toBe('captured');
    return placed.json() as { id: string; quantity: number };
  };
  const fulfil = (orderId: string, lot: string, who: Persona = product.maker, trackingNumber = 'SF1') =>
    who.post(`/api/v1/orders/${orderId}/fulfil`, { organisationId: product.wineryId, lot, carrier: '顺丰速运', trackingNumber });
  const lotOf = async (id: string) => (await t.visitor.get(`/api/v1/lots/${id}`)).json();
  const lotProblem = (res: Awaited<ReturnType<typeof fulfil>>) => {
    const p = problem(res);
    expect(p.status).toBe(422);
    expect(p.errors?.map((e) => e.path)).toEqual(['lot']);
    return p.errors![0]!.message;
  };

  describe('fulfilling from a lot', () => {
    it('takes the order’s units from a recorded lot that passed QA, and names the lot in order.fulfilled', async () => {
      const lot = await newLot(t, product, bidId, { lotNumber: 'SG-OK', quantity: 10 });
      const order = await paidOrder(3);
      const res = await fulfil(order.id, 'SG-OK');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ state: 'fulfilled', fulfilment: { lot: 'SG-OK', organisationId: product.wineryId } });
      expect((await lotOf(lot.id)).unitsFulfilled).toBe(3);
      const event = (await t.app.events.eventsOf('order', order.id)).find((e) => e.type === 'order.fulfilled')!;
      expect(event.payload).toMatchObject({ lot: 'SG-OK', lotId: lot.id, organisationId: product.wineryId, quantity: 3 });
    });

    it('refuses with 422 naming lot an unknown lot, one not passed QA, another organisation’s, or one without the units left', async () => {
      const pending = await newLot(t, product, bidId, { lotNumber: 'SG-PENDING', qa: 'pending', quantity: 10 });
      const failed = await newLot(t, product, bidId, { lotNumber: 'SG-FAILED', qa: 'failed', quantity: 10 });
      const small = await newLot(t, product, bidId, { lotNumber: 'SG-SMALL', quantity: 2 });
      const order = await paidOrder(3);
      expect(lotProblem(await fulfil(order.id, 'NOPE'))).toBe('is not a lot recorded for this product (NOPE)');
      expect(lotProblem(await fulfil(order.id, 'SG-PENDING'))).toMatch(/not passed QA/);
      expect(lotProblem(await fulfil(order.id, 'SG-FAILED'))).toMatch(/failed QA/);
      expect(lotProblem(await fulfil(order.id, otherLot.lotNumber))).toMatch(/another organisation/);
      expect(lotProblem(await fulfil(order.id, 'SG-SMALL'))).toBe("has 2 units left, fewer than the order's 3 (SG-SMALL)");
      // An operator is held to the same lots.
      expect(lotProblem(await fulfil(order.id, 'NOPE', op))).toMatch(/not a lot recorded/);
      expect((await op.get(`/api/v1/orders/${order.id}`)).json()).toMatchObject({ state: 'paid', fulfilment: null });
      for (const lot of [pending, failed, small]) expect((await lotOf(lot.id)).unitsFulfilled).toBe(0);
      expect((await t.app.events.eventsOf('order', order.id)).map((e) => e.type)).toEqual(['order.placed', 'order.paid']);
      // The other maker ships it from its own lot.
      const byOther = await op.post(`/api/v1/orders/${order.id}/fulfil`, {
        organisationId: otherOrgId,
        lot: otherLot.lotNumber,
        carrier: 'EMS',
        trackingNumber: 'E1',
      });
      expect(byOther.statusCode, byOther.body).toBe(200);
    });

    it('gives the last units to one of two orders fulfilled at once', async () => {
      const lot = await newLot(t, product, bidId, { lotNumber: 'SG-RACE', quantity: 3 });
      const [a, b] = [await paidOrder(2), await paidOrder(2)];
      const results = await Promise.all([fulfil(a.id, 'SG-RACE'), fulfil(b.id, 'SG-RACE')]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 422]);
      expect((await lotOf(lot.id)).unitsFulfilled).toBe(2);
    });

    it('moves the units on a correction: taken from the new lot, given back to the old; the same lot again changes nothing', async () => {
      const x = await newLot(t, product, bidId, { lotNumber: 'SG-X', quantity: 10 });
      const y = await newLot(t, product, bidId, { lotNumber: 'SG-Y', quantity: 5 });
      const tiny = await newLot(t, product, bidId, { lotNumber: 'SG-TINY', quantity: 1 });
      const order = await paidOrder(4);
      expect((await fulfil(order.id, 'SG-X')).statusCode).toBe(200);
      // A new tracking number from the same lot takes nothing more.
      const retracked = await fulfil(order.id, 'SG-X', product.maker, 'SF2');
      expect(retracked.json().fulfilment).toMatchObject({ lot: 'SG-X', trackingNumber: 'SF2' });
      expect([(await lotOf(x.id)).unitsFulfilled, (await lotOf(y.id)).unitsFulfilled]).toEqual([4, 0]);
      const moved = await fulfil(order.id, 'SG-Y', op);
      expect(moved.statusCode, moved.body).toBe(200);
      expect([(await lotOf(x.id)).unitsFulfilled, (await lotOf(y.id)).unitsFulfilled]).toEqual([0, 4]);
      // A lot without the units refuses the correction, and nothing moves.
      expect(lotProblem(await fulfil(order.id, 'SG-TINY'))).toMatch(/has 1 units left/);
      expect([(await lotOf(y.id)).unitsFulfilled, (await lotOf(tiny.id)).unitsFulfilled]).toEqual([4, 0]);
      expect((await op.get(`/api/v1/orders/${order.id}`)).json().fulfilment.lot).toBe('SG-Y');
      const events = (await t.app.events.eventsOf('order', order.id)).filter((e) => e.type.startsWith('order.fulfil'));
      expect(events.map((e) => [e.type, e.payload.lotId])).toEqual([
        ['order.fulfilled', x.id],
        ['order.fulfilment-corrected', x.id],
        ['order.fulfilment-corrected', y.id],
      ]);
    });
  });

  it('never fulfils more units from a lot than it holds, and counts exactly the units of the orders shipped from it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ order: fc.nat(3), lot: fc.nat(2) }), { minLength: 1, maxLength: 12 }),
        async (lotSizes, orderSizes, steps) => {
          run++;
          const lots = [];
          for (const [i, quantity] of lotSizes.entries()) {
            lots.push(await newLot(t, product, bidId, { lotNumber: `P${run}-${i}`, quantity }));
          }
          const orders = [];
          for (const quantity of orderSizes) orders.push(await paidOrder(quantity));
          const from: (number | undefined)[] = orders.map(() => undefined);
          const units = lots.map(() => 0);
          for (const step of steps) {
            const i = step.order % orders.length;
            const j = step.lot;
            const res = await fulfil(orders[i]!.id, lots[j]!.lotNumber);
            const q = orders[i]!.quantity;
            const previous = from[i];
            if (previous === j) expect(res.statusCode, res.body).toBe(200);
            else if ((units[j] ?? 0) + q > (lotSizes[j] ?? 0)) {
              expect(lotProblem(res)).toMatch(/units left/);
            } else {
              expect(res.statusCode, res.body).toBe(200);
              if (previous !== undefined) units[previous] = (units[previous] ?? 0) - q;
              units[j] = (units[j] ?? 0) + q;
              from[i] = j;
            }
            const got = await Promise.all(lots.map((l) => lotOf(l.id)));
            for (const [k, lot] of got.entries()) {
              expect(lot.unitsFulfilled).toBe(units[k]);
              expect(lot.unitsFulfilled).toBeGreaterThanOrEqual(0);
              expect(lot.unitsFulfilled).toBeLessThanOrEqual(lot.quantity);
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 15) },
    );
  }, 120_000);
});
