import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAwardedBid, newLaunchableProduct, newLot } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

const PROBLEMS = 'https://covalue.dev/problems/';

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;
  let bidId: string;
  let rival: Persona;
  let member: Persona;
  let slug = 0;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    bidId = await newAwardedBid(t, op, product, 1_000);
    // A partner of another organisation (the partner role, but not this maker's) and a plain member.
    rival = await t.signUp('Rival partner');
    const org = await op.post('/api/v1/organisations', { slug: `lots-rival-${backend}-${++slug}`, name: '对手酒庄' });
    expect((await op.put(`/api/v1/organisations/${org.json().id}/members/${rival.id}`)).statusCode).toBe(204);
    member = await t.signUp('Member');
  });
  afterAll(() => t.close());

  const today = () => t.clock.now().toISOString().slice(0, 10);
  const record = (who: Persona, body: Record<string, unknown>, productId = product.productId) =>
    who.post(`/api/v1/products/${productId}/lots`, {
      bidId,
      quantity: 10,
      producedOn: today(),
      ...body,
    });
  const snapshot = () => Promise.all(['lots', 'lot_shipments', 'outbox_events'].map((x) => countRows(t, x)));
  const eventsOf = (lotId: string) => t.app.events.eventsOf('lot', lotId);

  describe('recording lots', () => {
    it('records a lot against the maker’s awarded bid, QA pending, and announces lot.produced', async () => {
      const res = await record(product.maker, { lotNumber: 'HL-2026-01', quantity: 400 });
      expect(res.statusCode, res.body).toBe(201);
      const lot = res.json();
      expect(lot).toEqual({
        id: expect.stringMatching(/^lot_/),
        productId: product.productId,
        bidId,
        organisation: { id: product.wineryId, name: '贺兰山酒庄' },
        lotNumber: 'HL-2026-01',
        quantity: 400,
        producedOn: today(),
        qa: { result: 'pending', notes: null, recordedAt: null },
        unitsFulfilled: 0,
        shipments: [],
        createdAt: t.clock.now().toISOString(),
      });
      expect((await t.visitor.get(`/api/v1/lots/${lot.id}`)).json()).toEqual(lot);
      const events = await eventsOf(lot.id);
      expect(events.map((e) => [e.type, e.actorId])).toEqual([['lot.produced', product.maker.id]]);
      const call = (await t.visitor.get('/api/v1/calls', { query: { needId: product.needId } })).json().items[0];
      expect(events[0]!.payload).toEqual({
        lotId: lot.id,
        lotNumber: 'HL-2026-01',
        productId: product.productId,
        needId: product.needId,
        bidId,
        callId: call.id,
        organisationId: product.wineryId,
        quantity: 400,
        producedOn: today(),
      });
    });

    it('lets an operator record for the awarded maker, and refuses other partners (403), members and visitors', async () => {
      const before = await snapshot();
      expect(problem(await record(rival, { lotNumber: 'X-RIVAL' }))).toMatchObject({ status: 403, type: `${PROBLEMS}forbidden` });
      expect(problem(await record(member, { lotNumber: 'X-MEMBER' })).status).toBe(403);
      expect(problem(await record(t.visitor as Persona, { lotNumber: 'X-VISITOR' })).status).toBe(401);
      expect(await snapshot()).toEqual(before);
      const byOperator = await record(op, { lotNumber: 'HL-OP-1', organisationId: product.wineryId });
      expect(byOperator.statusCode, byOperator.body).toBe(201);
      expect(byOperator.json().organisation.id).toBe(product.wineryId);
      expect((await eventsOf(byOperator.json().id))[0]!.actorId).toBe(op.id);
    });

    it('refuses with 422 naming bidId a bid that is unknown, not awarded or not of this product; and a wrong organisation', async () => {
      // Another product, with a call whose bid is still live.
      const other = await newLaunchableProduct(t, op);
      const call = await op.post('/api/v1/calls', {
        needId: other.needId,
        quantity: 100,
        targetUnitPrice: { amount: 3_500, currency: 'CNY' },
        deadline: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
        requirements: '375ml',
      });
      const live = await other.maker.put(`/api/v1/calls/${call.json().id}/bids/${other.wineryId}`, {
        unitCost: { amount: 3_300, currency: 'CNY' },
        minQuantity: 1,
        maxQuantity: 100,
        leadTimeDays: 5,
        capacityPerWeek: 100,
        sampleOffered: false,
      });
      expect(live.statusCode, live.body).toBe(200);
      const before = await snapshot();
      const bidProblem = async (res: Awaited<ReturnType<typeof record>>) => {
        const p = problem(res);
        expect(p.status).toBe(422);
        return p.errors?.map((e) => e.path);
      };
      expect(
        await bidProblem(await record(product.maker, { lotNumber: 'U-1', bidId: 'bid_01JZZZZZZZZZZZZZZZZZZZZZZZ' })),
      ).toEqual(['bidId']);
      expect(await bidProblem(await record(other.maker, { lotNumber: 'U-2', bidId: live.json().id }, other.productId))).toEqual([
        'bidId',
      ]);
      // This product's awarded bid is not a bid for the other product.
      expect(await bidProblem(await record(op, { lotNumber: 'U-3' }, other.productId))).toEqual(['bidId']);
      expect(await bidProblem(await record(product.maker, { lotNumber: 'U-4', organisationId: other.wineryId }))).toEqual([
        'organisationId',
      ]);
      const tomorrow = new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
      expect(await bidProblem(await record(product.maker, { lotNumber: 'U-5', producedOn: tomorrow }))).toEqual(['producedOn']);
      expect(await bidProblem(await record(product.maker, { lotNumber: 'U-6', producedOn: '2026-02-30' }))).toEqual([
        'producedOn',
      ]);
      expect(await bidProblem(await record(product.maker, { lotNumber: 'U-7', quantity: 0 }))).toEqual(['quantity']);
      expect(await bidProblem(await record(product.maker, { lotNumber: '' }))).toEqual(['lotNumber']);
      expect(problem(await record(product.maker, { lotNumber: 'U-8' }, 'prod_01JZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
      expect(await snapshot()).toEqual(before);
      await op.post(`/api/v1/calls/${call.json().id}/award`, { awards: [{ bidId: live.json().id, quantity: 100 }] });
    });

    it('answers 409 conflict for a lot number already used for the product; another product may use it', async () => {
      expect((await record(product.maker, { lotNumber: 'DUP-1' })).statusCode).toBe(201);
      const before = await snapshot();
      const again = await record(product.maker, { lotNumber: 'DUP-1' });
      expect(problem(again)).toMatchObject({
        status: 409,
        type: `${PROBLEMS}conflict`,
        errors: [{ path: 'lotNumber', message: 'is already used for this product' }],
      });
      // Two at once: one of them.
      const both = await Promise.all([record(product.maker, { lotNumber: 'DUP-2' }), record(op, { lotNumber: 'DUP-2' })]);
      expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      expect((await snapshot())[0]).toBe(before[0]! + 1);
      const other = await newLaunchableProduct(t, op);
      const otherBid = await newAwardedBid(t, op, other, 50);
      expect((await record(other.maker, { lotNumber: 'DUP-1', bidId: otherBid }, other.productId)).statusCode).toBe(201);
    });

    it('refuses with 422 lots that would together exceed the bid’s awarded quantity', async () => {
      const p = await newLaunchableProduct(t, op);
      const bid = await newAwardedBid(t, op, p, 1_000);
      expect((await record(p.maker, { bidId: bid, lotNumber: 'Q-1', quantity: 600 }, p.productId)).statusCode).toBe(201);
      const over = await record(p.maker, { bidId: bid, lotNumber: 'Q-2', quantity: 401 }, p.productId);
      expect(problem(over)).toMatchObject({ status: 422, awardedQuantity: 1_000, recorded: 600 });
      expect(problem(over).errors).toEqual([
        { path: 'quantity', message: 'is more than the 400 units left of the bid’s awarded 1000' },
      ]);
      // Lots recorded at once against one bid are counted one after the other.
      const racing = await Promise.all(
        [1, 2, 3].map((i) => record(p.maker, { bidId: bid, lotNumber: `Q-R${i}`, quantity: 150 }, p.productId)),
      );
      expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 201, 422]);
      expect((await record(p.maker, { bidId: bid, lotNumber: 'Q-3', quantity: 100 }, p.productId)).statusCode).toBe(201);
      expect(problem(await record(p.maker, { bidId: bid, lotNumber: 'Q-4', quantity: 1 }, p.productId)).status).toBe(422);
    });

    it('lists a product’s lots newest first with their shipments, page by page; 404 for an unknown product or lot', async () => {
      const p = await newLaunchableProduct(t, op);
      const bid = await newAwardedBid(t, op, p, 100);
      const ids: string[] = [];
      for (const n of ['A', 'B', 'C']) {
        ids.push((await newLot(t, p, bid, { lotNumber: `L-${n}`, quantity: 10 })).id);
        t.clock.advance({ ms: 5 });
      }
      await p.maker.post(`/api/v1/lots/${ids[0]}/shipments`, { quantity: 4, carrier: '顺丰', destination: '品牌仓 上海' });
      const first = (await t.visitor.get(`/api/v1/products/${p.productId}/lots`, { query: { limit: 2 } })).json();
      expect(first.items.map((l: { id: string }) => l.id)).toEqual([ids[2], ids[1]]);
      const second = (
        await t.visitor.get(`/api/v1/products/${p.productId}/lots`, { query: { limit: 2, cursor: first.nextCursor } })
      ).json();
      expect(second).toMatchObject({ nextCursor: null, items: [{ id: ids[0], shipments: [{ quantity: 4 }] }] });
      expect(problem(await t.visitor.get('/api/v1/products/prod_01JZZZZZZZZZZZZZZZZZZZZZZZ/lots')).status).toBe(404);
      expect(problem(await t.visitor.get('/api/v1/lots/lot_01JZZZZZZZZZZZZZZZZZZZZZZZ')).status).toBe(404);
    });
  });

  describe('QA', () => {
    it('records the result once, with notes on the lot but not in the lot.qa-recorded event; 409 after', async () => {
      const lot = await newLot(t, product, bidId, { qa: 'pending', quantity: 5 });
      expect(problem(await rival.post(`/api/v1/lots/${lot.id}/qa`, { result: 'passed' })).status).toBe(403);
      expect(problem(await member.post(`/api/v1/lots/${lot.id}/qa`, { result: 'passed' })).status).toBe(403);
      expect(problem(await product.maker.post(`/api/v1/lots/${lot.id}/qa`, { result: 'maybe' })).errors?.[0]?.path).toBe(
        'result',
      );
      t.clock.advance({ minutes: 1 });
      const res = await product.maker.post(`/api/v1/lots/${lot.id}/qa`, { result: 'passed', notes: '酒精度 13.5%，无沉淀' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().qa).toEqual({ result: 'passed', notes: '酒精度 13.5%，无沉淀', recordedAt: t.clock.now().toISOString() });
      const again = await op.post(`/api/v1/lots/${lot.id}/qa`, { result: 'failed' });
      expect(problem(again)).toMatchObject({ status: 409, type: `${PROBLEMS}conflict`, result: 'passed' });
      const events = await eventsOf(lot.id);
      expect(events.map((e) => e.type)).toEqual(['lot.produced', 'lot.qa-recorded']);
      expect(events[1]!.payload).toEqual({
        lotId: lot.id,
        lotNumber: lot.lotNumber,
        productId: product.productId,
        organisationId: product.wineryId,
        result: 'passed',
      });
      expect(problem(await op.post('/api/v1/lots/lot_01JZZZZZZZZZZZZZZZZZZZZZZZ/qa', { result: 'passed' })).status).toBe(404);
    });
  });

  describe('shipments', () => {
    const toWarehouse = { carrier: '顺丰速运', trackingNumber: 'SF100200300', destination: '品牌仓 上海' };

    it('ships only a lot that passed QA (409 otherwise), never more than its units (422)', async () => {
      const pending = await newLot(t, product, bidId, { qa: 'pending', quantity: 5 });
      const failed = await newLot(t, product, bidId, { qa: 'failed', quantity: 5 });
      const passed = await newLot(t, product, bidId, { quantity: 5 });
      const before = await snapshot();
      for (const lot of [pending, failed]) {
        const res = await product.maker.post(`/api/v1/lots/${lot.id}/shipments`, { quantity: 1, ...toWarehouse });
        expect(problem(res)).toMatchObject({ status: 409, type: `${PROBLEMS}conflict` });
      }
      expect(problem(await rival.post(`/api/v1/lots/${passed.id}/shipments`, { quantity: 1, ...toWarehouse })).status).toBe(403);
      expect(
        problem(await product.maker.post(`/api/v1/lots/${passed.id}/shipments`, { quantity: 6, ...toWarehouse })),
      ).toMatchObject({ status: 422, errors: [{ path: 'quantity' }] });
      expect(
        problem(await product.maker.post(`/api/v1/lots/${passed.id}/shipments`, { quantity: 1, carrier: '顺丰' })).errors?.[0]
          ?.path,
      ).toBe('destination');
      expect(await snapshot()).toEqual(before);
      expect((await product.maker.post(`/api/v1/lots/${passed.id}/shipments`, { quantity: 3, ...toWarehouse })).statusCode).toBe(
        201,
      );
      const rest = await op.post(`/api/v1/lots/${passed.id}/shipments`, {
        quantity: 2,
        carrier: '自提',
        destination: '品牌仓 北京',
      });
      expect(rest.statusCode, rest.body).toBe(201);
      expect(rest.json().trackingNumber).toBeNull();
      expect(
        problem(await product.maker.post(`/api/v1/lots/${passed.id}/shipments`, { quantity: 1, ...toWarehouse })),
      ).toMatchObject({ status: 422, quantity: 5, shipped: 5 });
    });

    it('records a shipment and its delivery once (idempotent), announcing lot.shipped and lot.delivered without tracking', async () => {
      const lot = await newLot(t, product, bidId, { quantity: 20 });
      const shipped = await product.maker.post(`/api/v1/lots/${lot.id}/shipments`, { quantity: 12, ...toWarehouse });
      expect(shipped.statusCode, shipped.body).toBe(201);
      const shipment = shipped.json();
      expect(shipment).toEqual({
        id: expect.stringMatching(/^shp_/),
        lotId: lot.id,
        quantity: 12,
        ...toWarehouse,
        shippedAt: t.clock.now().toISOString(),
        deliveredAt: null,
      });
      expect(problem(await rival.post(`/api/v1/shipments/${shipment.id}/delivered`)).status).toBe(403);
      expect(problem(await op.post('/api/v1/shipments/shp_01JZZZZZZZZZZZZZZZZZZZZZZZ/delivered')).status).toBe(404);
      t.clock.advance({ days: 2 });
      const delivered = await product.maker.post(`/api/v1/shipments/${shipment.id}/delivered`);
      expect(delivered.statusCode, delivered.body).toBe(200);
      expect(delivered.json()).toEqual({ ...shipment, deliveredAt: t.clock.now().toISOString() });
      t.clock.advance({ hours: 1 });
      const again = await op.post(`/api/v1/shipments/${shipment.id}/delivered`);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(delivered.json());
      expect((await t.visitor.get(`/api/v1/lots/${lot.id}`)).json().shipments).toEqual([delivered.json()]);
      const events = await eventsOf(lot.id);
      expect(events.map((e) => e.type)).toEqual(['lot.produced', 'lot.qa-recorded', 'lot.shipped', 'lot.delivered']);
      const about = { lotId: lot.id, lotNumber: lot.lotNumber, productId: product.productId, organisationId: product.wineryId };
      expect(events[2]!.payload).toEqual({ ...about, shipmentId: shipment.id, quantity: 12, destination: '品牌仓 上海' });
      expect(events[3]!.payload).toEqual({ ...about, shipmentId: shipment.id, quantity: 12 });
      expect(events.every((e) => e.aggregateType === 'lot' && e.actorId === product.maker.id)).toBe(true);
    });
  });
});
