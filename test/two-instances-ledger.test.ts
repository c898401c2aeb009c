import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { isUniqueViolation } from '../src/platform/db/dialect.js';
import { idem, newLaunchableProduct, newLiveCampaign } from './factories.js';
import { backends, countRows, createTestApp, createTestDatabase, type Persona, type TestApp } from './harness.js';

/**
 * The ledger on two Covalue servers sharing one PostgreSQL: the same event posted by both at once is
 * posted once (two real processes with their workers: test/two-processes-ledger.test.ts).
 */
const describeOnPostgres = backends.includes('postgres') ? describe : describe.skip;

describeOnPostgres('the ledger on two instances on one PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let secondPool: Database;
  let drop: () => Promise<void>;
  let op: Persona;
  let campaignId: string;

  beforeAll(async () => {
    const created = await createTestDatabase('postgres');
    drop = created.drop;
    secondPool = openDatabase({ dialect: 'postgres', connectionString: created.url, poolMax: 10 });
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    a = await createTestApp('postgres', { database: created.db, clock });
    b = await createTestApp('postgres', { database: secondPool, clock });
    op = await a.operator('运营');
    const product = await newLaunchableProduct(a, op);
    campaignId = (await newLiveCampaign(a, op, product.productId, { quantity: 1_000 })).id;
    await a.app.events.drain();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await secondPool?.close();
    await drop?.();
  });

  const paidOrder = async (buyer: Persona) => {
    const placed = await buyer.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity: 1 }, idem());
    expect(placed.statusCode, placed.body).toBe(201);
    const id = placed.json().id as string;
    expect((await buyer.post(`/api/v1/orders/${id}/payments`, { provider: 'simulated' }, idem())).json().state).toBe('captured');
    return id;
  };
  const saleEntries = (orderId: string) => countRows(a, 'ledger_entries', ['order_id', orderId]);

  it('posts an event that both instances post at once exactly once (the loser retries and finds it posted)', async () => {
    const orderId = await paidOrder(await a.signUp('买家甲'));
    const event = (await a.app.events.eventsOf('order', orderId)).find((e) => e.type === 'order.paid')!;
    // What the event bus does with a failed batch: retry it (the second attempt sees the entry).
    const postWithRetry = async (t: TestApp) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await t.db.transaction((trx) => t.app.modules.ledger.service.onEvents([event], trx));
        } catch (err) {
          if (!isUniqueViolation(err) || attempt > 2) throw err;
        }
      }
    };
    await Promise.all([postWithRetry(a), postWithRetry(b)]);
    expect(await saleEntries(orderId)).toBe(1);
    await Promise.all([a.app.events.drain(), b.app.events.drain()]);
    expect(await saleEntries(orderId)).toBe(1);
  });
});
