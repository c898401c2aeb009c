import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { countRows, createTestApp, forEachBackend, type Persona, problem, type TestApp } from '../../../test/harness.js';

/**
 * The ledger over HTTP on both backends: a paid order of the demo terms (59.00 a unit: maker 33.00,
 * fee 10 %, commission 5 % when referred, the rest to the pool, lead and creator 50/50) is posted
 * as its split, explained from the contribution log, moved to the maker on fulfilment, reversed by
 * refunds, and paid out.
 */
forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;
  let campaignId: string;
  let lotNumber: string;
  let buyer: Persona;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营 Olga');
    product = await newLaunchableProduct(t, op);
    lotNumber = (await newLotToShipFrom(t, op, product, { quantity: 1_000 })).lotNumber;
    campaignId = (await newLiveCampaign(t, op, product.productId, { quantity: 500 })).id;
    buyer = await t.signUp('买家');
    await t.app.events.drain();
  });
  afterAll(() => t.close());

  const paidOrder = async (quantity: number, who: Persona = buyer, before?: (orderId: string) => Promise<void>) => {
    const placed = await who.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity }, idem());
    expect(placed.statusCode, placed.body).toBe(201);
    const id = placed.json().id as string;
    await before?.(id);
    const paid = await who.post(`/api/v1/orders/${id}/payments`, { provider: 'simulated' }, idem());
    expect(paid.json().state, paid.body).toBe('captured');
    await t.app.events.drain();
    return id;
  };
  const party = (kind: string, id: string) => `/api/v1/ledger/parties/${kind}/${id}`;
  const statementOf = async (who: Persona, kind: string, id: string, query: Record<string, string> = {}) => {
    const res = await who.get(`${party(kind, id)}/statement`, { query });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const balanceOf = async (kind: string, id: string, accountKind: string) => {
    const s = await statementOf(op, kind, id);
    return (s.accounts as { kind: string; balance: number }[]).find((a) => a.kind === accountKind)?.balance ?? 0;
  };
  const trialBalanceIsZero = async () => {
    const o = (await op.get('/api/v1/ledger/overview')).json();
    for (const row of o.trialBalance) expect(row.difference).toBe(0);
    const byKind = (o.kinds as { balance: number }[]).reduce((s, k) => s + k.balance, 0);
    expect(byKind).toBe(0);
    return o;
  };
  const linesOfOrder = async (orderId: string) =>
    (
      await t.db.kysely
        .selectFrom('ledger_lines' as never)
        .select(['account_id', 'amount', 'entry_kind'] as never)
        .where('order_id' as never, '=', orderId as never)
        .orderBy('id' as never)
        .execute()
    ).map((r) => r as { account_id: string; amount: number; entry_kind: string });

  describe('a paid order', () => {
    let orderId: string;
    beforeAll(async () => {
      orderId = await paidOrder(2);
    });

    it('is posted as one entry whose lines split the 118.00 by the agreement and add up to zero', async () => {
      const lines = await linesOfOrder(orderId);
      expect(lines.map((l) => [l.account_id.replace(/:CNY$/, ''), Number(l.amount)])).toEqual([
        ['receivable:platform:platform', -11_800],
        ['held:unassigned:makers-unassigned', 6_600],
        ['fees:platform:platform', 1_180],
        ['earnings:member:' + product.lead.id, 2_010],
        ['earnings:member:' + product.supporter.id, 2_010],
      ]);
      expect(lines.reduce((s, l) => s + Number(l.amount), 0)).toBe(0);
      await trialBalanceIsZero();
    });

    it('shows the creator how their share was computed, from contribution log entries anyone can prove', async () => {
      const res = await product.supporter.get(`${party('member', product.supporter.id)}/sales`);
      expect(res.statusCode, res.body).toBe(200);
      const [sale] = res.json().items;
      expect(sale).toMatchObject({
        orderId,
        productId: product.productId,
        paid: { amount: 11_800, currency: 'CNY' },
        quantity: 2,
        agreementVersion: 1,
        pool: 4_020,
        parts: [{ purpose: 'cocreator-pool', role: 'creator', amount: 2_010, reversed: 0 }],
      });
      // The supporter proposed the chosen solution (weight 3) and was the first supporter (weight 1).
      const [role] = sale.roles;
      expect(role).toMatchObject({
        role: 'creator',
        bps: 5_000,
        amount: 2_010,
        holders: 1,
        weight: 4,
        totalWeight: 4,
        equal: false,
      });
      expect(role.contributions.map((c: { kind: string; weight: number }) => [c.kind, c.weight])).toEqual([
        ['chosenSolutionAuthors', 3],
        ['earlySupporters', 1],
      ]);
      const kinds: string[] = [];
      for (const c of role.contributions) {
        for (const index of c.entries) {
          expect(index).toBeLessThan(sale.logSize);
          const entry = (await t.visitor.get('/api/v1/log/entries', { query: { start: index, end: index } })).json().entries[0];
          expect(entry.entry.actor).toBe(product.supporter.id);
          kinds.push(entry.entry.kind);
        }
      }
      expect(kinds).toEqual(['solution.proposed', 'need.supported']);
      // The lead holds the lead role with no weighted contribution: its only holder takes it all.
      const lead = (await product.lead.get(`${party('member', product.lead.id)}/sales`)).json().items[0];
      expect(lead.roles[0]).toMatchObject({ role: 'lead', holders: 1, equal: true, weight: 1, contributions: [] });
    });

    it('is posted once: a redelivered event posts nothing', async () => {
      const before = await countRows(t, 'ledger_lines');
      const events = (await t.app.events.eventsOf('order', orderId)).filter((e) => e.type === 'order.paid');
      await t.db.transaction((trx) => t.app.modules.ledger.service.onEvents(events, trx));
      expect(await countRows(t, 'ledger_lines')).toBe(before);
    });

    it('moves the makers’ part to the winery once it fulfils the order', async () => {
      const res = await product.maker.post(`/api/v1/orders/${orderId}/fulfil`, {
        organisationId: product.wineryId,
        lot: lotNumber,
        carrier: '顺丰速运',
        trackingNumber: 'SF100',
      });
      expect(res.statusCode, res.body).toBe(200);
      await t.app.events.drain();
      const winery = await statementOf(product.maker, 'organisation', product.wineryId);
      expect(winery.items.map((l: { purpose: string; amount: number; balanceAfter: number }) => [l.purpose, l.amount])).toEqual([
        ['maker-cost', 6_600],
      ]);
      expect(await balanceOf('unassigned', 'makers-unassigned', 'held')).toBe(0);
      const sale = (await product.maker.get(`${party('organisation', product.wineryId)}/sales`)).json().items[0];
      expect(sale.parts).toEqual([{ purpose: 'maker-cost', role: null, amount: 6_600, reversed: 0 }]);
      await trialBalanceIsZero();
    });

    it('takes back exactly its share on a partial refund, and everything on refunding the rest', async () => {
      const part = await op.post(
        `/api/v1/orders/${orderId}/refunds`,
        { amount: { amount: 5_900, currency: 'CNY' }, reason: '破损一瓶' },
        idem(),
      );
      expect(part.statusCode, part.body).toBe(201);
      await t.app.events.drain();
      expect(await balanceOf('organisation', product.wineryId, 'earnings')).toBe(3_300);
      expect(await balanceOf('member', product.supporter.id, 'earnings')).toBe(1_005);
      expect(await balanceOf('platform', 'platform', 'fees')).toBe(590);
      const rest = await op.post(`/api/v1/orders/${orderId}/refunds`, { reason: '整单退款' }, idem());
      expect(rest.statusCode, rest.body).toBe(201);
      await t.app.events.drain();
      for (const [kind, id, account] of [
        ['organisation', product.wineryId, 'earnings'],
        ['member', product.supporter.id, 'earnings'],
        ['member', product.lead.id, 'earnings'],
        ['platform', 'platform', 'fees'],
        ['platform', 'platform', 'receivable'],
      ] as const) {
        expect(await balanceOf(kind, id, account)).toBe(0);
      }
      const lines = await linesOfOrder(orderId);
      expect(lines.filter((l) => l.entry_kind === 'refund').length).toBe(10);
      await trialBalanceIsZero();
    });
  });

  describe('referrals (the attribution hook)', () => {
    it('pays the referral commission to the member an order is attributed to, out of the pool', async () => {
      const referrer = await t.signUp('分享者');
      const orderId = await paidOrder(1, buyer, async (id) => {
        const res = await op.post(`/api/v1/orders/${id}/attribution`, { referrerId: referrer.id });
        expect(res.statusCode, res.body).toBe(201);
        expect(problem(await op.post(`/api/v1/orders/${id}/attribution`, { referrerId: referrer.id })).status).toBe(409);
      });
      const lines = await linesOfOrder(orderId);
      expect(lines.map((l) => [l.account_id.replace(/:CNY$/, ''), Number(l.amount)])).toContainEqual([
        `commissions:member:${referrer.id}`,
        295,
      ]);
      // The pool is 59.00 − 33.00 − 5.90 − 2.95 = 17.15, half to each role; the tie on the odd fen goes
      // to the role first in code-unit order (creator before lead).
      const earnings = lines.filter((l) => l.account_id.startsWith('earnings:member:'));
      expect(earnings.map((l) => [l.account_id.split(':')[2], Number(l.amount)])).toEqual([
        [product.lead.id, 857],
        [product.supporter.id, 858],
      ]);
      expect(problem(await op.post(`/api/v1/orders/${orderId}/attribution`, { referrerId: referrer.id })).status).toBe(409);
    });

    it('refuses a self-referral and an unknown member with 422, an unknown order with 404', async () => {
      const placed = await buyer.post(`/api/v1/campaigns/${campaignId}/orders`, { quantity: 1 }, idem());
      const id = placed.json().id as string;
      const self = problem(await op.post(`/api/v1/orders/${id}/attribution`, { referrerId: buyer.id }));
      expect([self.status, self.errors?.[0]?.path]).toEqual([422, 'referrerId']);
      expect(problem(await op.post(`/api/v1/orders/${id}/attribution`, { referrerId: 'mem_nobody' })).status).toBe(422);
      expect(problem(await op.post('/api/v1/orders/ord_nope/attribution', { referrerId: buyer.id })).status).toBe(404);
      expect(problem(await buyer.post(`/api/v1/orders/${id}/attribution`, { referrerId: op.id })).status).toBe(403);
      expect(await countRows(t, 'ledger_attributions', ['order_id', id])).toBe(0);
    });
  });

  describe('statements and access', () => {
    it('lets a member, an organisation’s partner and operators see their statements; nobody else', async () => {
      const other = await t.signUp('旁人');
      expect(problem(await other.get(`${party('member', product.supporter.id)}/statement`)).status).toBe(403);
      expect(problem(await other.get(`${party('organisation', product.wineryId)}/earnings`)).status).toBe(403);
      expect(problem(await other.get(`${party('platform', 'platform')}/statement`)).status).toBe(403);
      expect(problem(await t.visitor.get(`${party('member', product.supporter.id)}/statement`)).status).toBe(401);
      expect((await product.supporter.get(`${party('member', product.supporter.id)}/statement`)).statusCode).toBe(200);
      expect((await op.get(`${party('platform', 'platform')}/statement`)).statusCode).toBe(200);
      expect(problem(await op.get(`${party('robot', 'x')}/statement`)).status).toBe(422);
    });

    it('pages lines newest first with the running balance, filters them, and exports CSV', async () => {
      const all = await statementOf(op, 'platform', 'platform', { accountKind: 'fees' });
      const amounts = all.items.map((l: { amount: number }) => l.amount);
      expect(all.items[0].balanceAfter).toBe(all.accounts.find((a: { kind: string }) => a.kind === 'fees').balance);
      // Each line's balance is the next (older) one's plus its own amount.
      for (let i = 0; i + 1 < all.items.length; i++) {
        expect(all.items[i].balanceAfter).toBe(all.items[i + 1].balanceAfter + all.items[i].amount);
      }
      const first = await statementOf(op, 'platform', 'platform', { accountKind: 'fees', limit: '2' });
      const second = await statementOf(op, 'platform', 'platform', { accountKind: 'fees', limit: '2', cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((l: { amount: number }) => l.amount)).toEqual(amounts.slice(0, 4));
      // Across all of a party's accounts (receivable and fees here), pages still come newest first.
      const every = await statementOf(op, 'platform', 'platform', { limit: '500' });
      expect(new Set(every.items.map((l: { accountKind: string }) => l.accountKind))).toEqual(new Set(['receivable', 'fees']));
      const ids = every.items.map((l: { lineId: number }) => l.lineId);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const p1 = await statementOf(op, 'platform', 'platform', { limit: '3' });
      const p2 = await statementOf(op, 'platform', 'platform', { limit: '3', cursor: p1.nextCursor });
      expect([...p1.items, ...p2.items].map((l: { lineId: number }) => l.lineId)).toEqual(ids.slice(0, 6));
      const refunds = await statementOf(op, 'platform', 'platform', { accountKind: 'fees', to: '2000-01-01T00:00:00Z' });
      expect(refunds.items).toEqual([]);
      const csv = await op.get(`${party('platform', 'platform')}/statement.csv`, { query: { accountKind: 'fees' } });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const rows = csv.body.trim().split('\r\n');
      expect(rows[0]).toBe(
        'posted_at,entry,entry_kind,account,currency,purpose,role,product,order,amount_minor,amount,balance_after_minor,memo',
      );
      expect(rows.length).toBe(amounts.length + 1);
      expect(rows[1]!.split(',')[9]).toBe(String(amounts[0]));
    });

    it('shows a product’s value shared so far by purpose and role, to anyone', async () => {
      const res = await t.visitor.get(`/api/v1/products/${product.productId}/value-shared`);
      expect(res.statusCode, res.body).toBe(200);
      const v = res.json();
      expect(v.sales).toBe(2);
      const total = v.totals.reduce((s: number, r: { amount: number }) => s + r.amount, 0);
      expect(total).toBe(5_900); // the refunded order nets to zero; the referred one is 59.00
      expect(problem(await t.visitor.get('/api/v1/products/prd_nope/value-shared')).status).toBe(404);
    });
  });

  describe('payouts', () => {
    it('pays every balance at or above the threshold once, even when two operators create batches at once', async () => {
      const op2 = await t.operator('运营 Wang');
      await paidOrder(4);
      const available = await balanceOf('member', product.supporter.id, 'earnings');
      expect(available).toBeGreaterThan(0);
      const [a, b] = await Promise.all([
        op.post('/api/v1/ledger/payout-batches', { currency: 'CNY', threshold: 100 }),
        op2.post('/api/v1/ledger/payout-batches', { currency: 'CNY', threshold: 100 }),
      ]);
      const made = [a, b].filter((r) => r.statusCode === 201);
      expect(made.length, `${a.body} ${b.body}`).toBe(1);
      expect(problem([a, b].find((r) => r.statusCode !== 201)!).status).toBe(409);
      const batch = made[0]!.json();
      const supporterPayout = batch.payouts.find((p: { party: { id: string } }) => p.party.id === product.supporter.id);
      expect(supporterPayout).toMatchObject({ amount: { amount: available, currency: 'CNY' }, state: 'pending' });
      expect(await balanceOf('member', product.supporter.id, 'earnings')).toBe(0);
      expect(await balanceOf('platform', 'platform', 'payouts-in-transit')).toBe(batch.total.amount);
      const csv = await op.get(`/api/v1/ledger/payout-batches/${batch.id}/payouts.csv`);
      expect(csv.body.split('\r\n')[0]).toBe('reference,party_kind,party_id,party_name,currency,amount_minor,amount,state');
      expect(csv.body).toContain(`${supporterPayout.reference},member,${product.supporter.id},支持者,CNY,${available},`);

      const failed = await op.post(`/api/v1/ledger/payouts/${supporterPayout.id}/failed`, { reason: '账户名不符' });
      expect(failed.statusCode, failed.body).toBe(200);
      expect(await balanceOf('member', product.supporter.id, 'earnings')).toBe(available);
      expect(problem(await op.post(`/api/v1/ledger/payouts/${supporterPayout.id}/paid`)).status).toBe(409);
      for (const p of batch.payouts.filter((x: { id: string }) => x.id !== supporterPayout.id)) {
        expect((await op.post(`/api/v1/ledger/payouts/${p.id}/paid`)).statusCode).toBe(200);
      }
      expect(await balanceOf('platform', 'platform', 'payouts-in-transit')).toBe(0);
      const earnings = (await product.lead.get(`${party('member', product.lead.id)}/earnings`)).json();
      expect(earnings.balances[0]).toMatchObject({ currency: 'CNY', available: 0 });
      expect(earnings.balances[0].paidOut).toBeGreaterThan(0);
      const listed = (await op.get('/api/v1/ledger/payout-batches')).json().items[0];
      expect(listed).toMatchObject({ id: batch.id, failed: 1, pending: 0, paid: batch.count - 1 });
      expect(problem(await op.post('/api/v1/ledger/payout-batches', { currency: 'CNY', threshold: 1_000_000 })).status).toBe(409);
      expect(problem(await buyer.post('/api/v1/ledger/payout-batches', { currency: 'CNY', threshold: 1 })).status).toBe(403);
      await trialBalanceIsZero();
    });
  });

  describe('adjustments', () => {
    it('posts a balanced correction once per Idempotency-Key and refuses one that does not add up', async () => {
      const lines = [
        { party: { kind: 'platform', id: 'platform' }, accountKind: 'fees', amount: -100 },
        { party: { kind: 'member', id: product.author.id }, accountKind: 'earnings', amount: 100 },
      ];
      const before = await countRows(t, 'ledger_entries');
      const bad = await op.post(
        '/api/v1/ledger/adjustments',
        { currency: 'CNY', memo: '补偿', lines: [lines[0], { ...lines[1], amount: 99 }] },
        idem(),
      );
      expect([problem(bad).status, problem(bad).errors?.[0]?.path]).toEqual([422, 'lines']);
      expect(await countRows(t, 'ledger_entries')).toBe(before);
      const key = idem();
      const made = await op.post('/api/v1/ledger/adjustments', { currency: 'CNY', memo: '需求作者奖励', lines }, key);
      expect(made.statusCode, made.body).toBe(201);
      expect(made.json()).toMatchObject({ kind: 'adjustment', memo: '需求作者奖励' });
      const again = await op.post('/api/v1/ledger/adjustments', { currency: 'CNY', memo: '需求作者奖励', lines }, key);
      expect([again.statusCode, again.json().id]).toEqual([200, made.json().id]);
      // The key again with another body, an unknown member, an account the party does not have: 422, nothing posted.
      const other = await op.post('/api/v1/ledger/adjustments', { currency: 'CNY', memo: '别的', lines }, key);
      expect(problem(other).type).toMatch(/idempotency-key-reused/);
      const typo = await op.post(
        '/api/v1/ledger/adjustments',
        { currency: 'CNY', memo: '错字', lines: [lines[0], { ...lines[1], party: { kind: 'member', id: 'mem_typo' } }] },
        idem(),
      );
      expect(problem(typo).errors?.map((e) => e.path)).toEqual(['lines.1.party']);
      const wrong = await op.post(
        '/api/v1/ledger/adjustments',
        { currency: 'CNY', memo: '错户', lines: [lines[0], { ...lines[1], accountKind: 'fees' }] },
        idem(),
      );
      expect(problem(wrong).errors?.map((e) => e.path)).toEqual(['lines.1.accountKind']);
      expect(await countRows(t, 'ledger_entries')).toBe(before + 1);
      expect(await balanceOf('member', product.author.id, 'earnings')).toBe(100);
      expect((await op.get(`/api/v1/ledger/entries/${made.json().id}`)).json().lines).toHaveLength(2);
      await trialBalanceIsZero();
    });
  });
});
