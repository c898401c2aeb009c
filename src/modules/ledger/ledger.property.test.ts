import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idem, members, newLaunchableProduct, newLiveCampaign, newLotToShipFrom } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, type TestApp } from '../../../test/harness.js';

/**
 * Random agreements, prices, quantities, referrals, fulfilments, partial refunds and payouts, run
 * through the whole app on both backends; after each run the journal is checked from its rows:
 * every entry adds up to zero, the trial balance is zero, every sale is allocated in full, refunds
 * take back exactly what they refund, balances match their lines, and payouts never leave a
 * balance below zero.
 */
forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let product: Awaited<ReturnType<typeof newLaunchableProduct>>;
  let lotNumber: string;
  let buyers: Persona[];
  let referrer: Persona;
  let version = 1;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator('运营');
    product = await newLaunchableProduct(t, op);
    lotNumber = (await newLotToShipFrom(t, op, product, { quantity: 100_000 })).lotNumber;
    buyers = await members(t, 2, 'lp');
    referrer = await t.signUp('推荐人');
  });
  afterAll(() => t.close());

  const terms = fc
    .record({
      price: fc.integer({ min: 1, max: 100_000 }),
      fee: fc.integer({ min: 0, max: 3_000 }),
      commission: fc.integer({ min: 0, max: 2_000 }),
      share: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
      costPermille: fc.integer({ min: 0, max: 1_000 }),
      lead: fc.integer({ min: 0, max: 10_000 }),
      creatorOfRest: fc.integer({ min: 0, max: 10_000 }),
      weights: fc.tuple(...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: 5 }))),
      first: fc.integer({ min: 0, max: 3 }),
    })
    .map((r) => {
      const pool = r.share === null ? { mode: 'rest' as const } : { mode: 'share' as const, bps: r.share };
      const stated = r.share ?? 0;
      const room = Math.floor((r.price * (10_000 - r.fee - r.commission - stated)) / 10_000);
      const creator = Math.floor(((10_000 - r.lead) * r.creatorOfRest) / 10_000);
      const [needAuthor, chosen, early, voters, reviewers] = r.weights;
      return {
        referenceUnitPrice: { amount: r.price, currency: 'CNY' },
        makerUnitCost: { amount: Math.floor((room * r.costPermille) / 1_000), currency: 'CNY' },
        platformFeeBps: r.fee,
        referralCommissionBps: r.commission,
        pool,
        roleShares: { lead: r.lead, creator, maker: 10_000 - r.lead - creator },
        contributionWeights: {
          needAuthor,
          chosenSolutionAuthors: chosen,
          earlySupporters: { first: r.first, weight: early === 0 && needAuthor + chosen + voters + reviewers === 0 ? 1 : early },
          pollVoters: voters,
          trialReviewers: reviewers,
        },
      };
    });
  const order = fc.record({
    quantity: fc.integer({ min: 1, max: 4 }),
    buyer: fc.integer({ min: 0, max: 1 }),
    referred: fc.boolean(),
    /** Fulfilled after this many of its refunds (3: never). */
    fulfilAfter: fc.integer({ min: 0, max: 3 }),
    refunds: fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 3 }),
  });
  const run = fc.record({
    terms,
    tiers: fc.tuple(fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 5 })),
    orders: fc.array(order, { minLength: 1, maxLength: 4 }),
    threshold: fc.integer({ min: 1, max: 50_000 }),
    failEvery: fc.integer({ min: 1, max: 3 }),
    /** A refund after the payouts, of this much of the first order (per mille). */
    lateRefund: fc.integer({ min: 0, max: 1_000 }),
  });

  /** Each member's and organisation's earnings and commissions added up, by party. */
  const available = async () =>
    new Map(
      (
        await one<{ party: string; total: number }>(
          `select party_kind || ':' || party_id as party, sum(balance) as total from ledger_accounts
            where kind in ('earnings', 'commissions') and party_kind in ('member', 'organisation') group by party_kind, party_id`,
        )
      ).map((r) => [r.party, Number(r.total)]),
    );
  const one = async <T>(query: string) => (await sql.raw<T>(query).execute(t.db.kysely)).rows;

  const checkJournal = async () => {
    expect(await one('select entry_id from ledger_lines group by entry_id having sum(amount) <> 0')).toEqual([]);
    const trial = await one<{ currency: string; total: number }>(
      'select currency, sum(amount) as total from ledger_lines group by currency',
    );
    for (const row of trial) expect(Number(row.total)).toBe(0);
    // Balances and running balances agree with the lines.
    const accounts = await one<{ id: string; balance: number; debits: number; credits: number; sum: number; last: number }>(
      `select a.id, a.balance, a.debits, a.credits,
              (select coalesce(sum(l.amount), 0) from ledger_lines l where l.account_id = a.id) as sum,
              (select l.balance_after from ledger_lines l where l.account_id = a.id order by l.id desc limit 1) as last
         from ledger_accounts a`,
    );
    for (const a of accounts) {
      expect(Number(a.balance)).toBe(Number(a.sum));
      expect(Number(a.balance)).toBe(Number(a.credits) - Number(a.debits));
      if (a.last !== null) expect(Number(a.last)).toBe(Number(a.balance));
    }
    // The day and product totals the earnings pages read agree with the lines.
    const days = await one<{ account_id: string; total: number }>(
      'select account_id, sum(amount) as total from ledger_account_days group by account_id',
    );
    const balances = new Map(accounts.map((a) => [a.id, Number(a.balance)]));
    expect(new Map(days.map((d) => [d.account_id, Number(d.total)]))).toEqual(balances);
    const fromLines = await one<{ k: string; total: number }>(
      `select product_id || '|' || purpose || '|' || coalesce(role, '') as k, sum(amount) as total from ledger_lines
        where product_id is not null and purpose not in ('payment', 'payout') group by product_id, purpose, role`,
    );
    const totals = await one<{ k: string; total: number }>(
      `select product_id || '|' || purpose || '|' || role as k, amount as total from ledger_product_totals`,
    );
    const asMap = (rows: { k: string; total: number }[]) => new Map(rows.map((r) => [r.k, Number(r.total)]));
    expect(asMap(totals)).toEqual(asMap(fromLines));
    // Every sale is allocated in full; refunds take back exactly what was refunded.
    const sales = await one<{ order_id: string; paid: number; refunded: number; positions: string }>(
      'select order_id, paid, refunded, positions from ledger_sales',
    );
    for (const s of sales) {
      const positions = JSON.parse(s.positions) as { gross: number; taken: number }[];
      expect(positions.reduce((sum, p) => sum + p.gross, 0)).toBe(Number(s.paid));
      expect(positions.reduce((sum, p) => sum + p.taken, 0)).toBe(Number(s.refunded));
      for (const p of positions) expect(p.taken).toBeLessThanOrEqual(p.gross);
      // Each purpose gave back its share of the refunds, within a minor unit per allocation, also
      // when the makers' part moved to the maker between refunds.
      const paid = Number(s.paid);
      const refunded = Number(s.refunded);
      const byPurpose = new Map<string, { gross: number; taken: number; n: number }>();
      for (const p of positions as { purpose: string; gross: number; taken: number }[]) {
        const g = byPurpose.get(p.purpose) ?? { gross: 0, taken: 0, n: 0 };
        byPurpose.set(p.purpose, { gross: g.gross + p.gross, taken: g.taken + p.taken, n: g.n + 1 });
      }
      for (const [purpose, g] of byPurpose) {
        expect(Math.abs(g.taken * paid - g.gross * refunded), `${s.order_id} ${purpose}`).toBeLessThanOrEqual((g.n + 1) * paid);
      }
      const [byKind] = await one<{ sale: number; refund: number }>(
        `select coalesce(sum(case when entry_kind = 'sale' then amount else 0 end), 0) as sale,
                coalesce(sum(case when entry_kind = 'refund' then amount else 0 end), 0) as refund
           from ledger_lines where order_id = '${s.order_id}' and purpose <> 'payment'`,
      );
      expect(Number(byKind!.sale)).toBe(Number(s.paid));
      expect(Number(byKind!.refund) + Number(s.refunded)).toBe(0);
      if (Number(s.refunded) === Number(s.paid)) {
        const open = await one(
          `select account_id from ledger_lines where order_id = '${s.order_id}' and purpose <> 'payment' group by account_id having sum(amount) <> 0`,
        );
        expect(open).toEqual([]);
      }
    }
  };

  it('keeps the journal balanced and every sale, refund and payout exact', async () => {
    await fc.assert(
      fc.asyncProperty(run, async (r) => {
        version++;
        const proposed = await product.lead.post(`/api/v1/chain-groups/${product.chainGroupId}/agreement/versions`, r.terms);
        expect(proposed.statusCode, proposed.body).toBe(201);
        for (const who of [product.lead, product.supporter, product.maker]) {
          const res = await who.post(`/api/v1/chain-groups/${product.chainGroupId}/agreement/versions/${version}/accept`);
          expect(res.statusCode, res.body).toBe(200);
        }
        const [early, later, upTo] = r.tiers;
        const campaign = await newLiveCampaign(t, op, product.productId, {
          quantity: 100,
          priceTiers: [
            { upTo, unitPrice: { amount: early, currency: 'CNY' } },
            { upTo: null, unitPrice: { amount: later, currency: 'CNY' } },
          ],
        });
        const placedOrders: { id: string; left: number }[] = [];
        for (const o of r.orders) {
          const buyer = buyers[o.buyer]!;
          const placed = await buyer.post(`/api/v1/campaigns/${campaign.id}/orders`, { quantity: o.quantity }, idem());
          expect(placed.statusCode, placed.body).toBe(201);
          const { id, total } = placed.json() as { id: string; total: { amount: number } };
          if (o.referred)
            expect((await op.post(`/api/v1/orders/${id}/attribution`, { referrerId: referrer.id })).statusCode).toBe(201);
          expect((await buyer.post(`/api/v1/orders/${id}/payments`, { provider: 'simulated' }, idem())).json().state).toBe(
            'captured',
          );
          await t.app.events.drain();
          const fulfil = async () => {
            const res = await product.maker.post(`/api/v1/orders/${id}/fulfil`, {
              organisationId: product.wineryId,
              lot: lotNumber,
              carrier: '顺丰速运',
              trackingNumber: 'SF1',
            });
            expect(res.statusCode, res.body).toBe(200);
            await t.app.events.drain();
          };
          let left = total.amount;
          for (const [k, permille] of o.refunds.entries()) {
            if (k === o.fulfilAfter && left > 0) await fulfil();
            const amount = Math.min(left, Math.max(1, Math.floor((total.amount * permille) / 1_000)));
            if (amount <= 0) break;
            const res = await op.post(
              `/api/v1/orders/${id}/refunds`,
              { amount: { amount, currency: 'CNY' }, reason: '退款' },
              idem(),
            );
            expect(res.statusCode, res.body).toBe(201);
            left -= amount;
            await t.app.events.drain();
          }
          if (o.fulfilAfter >= o.refunds.length && o.fulfilAfter < 3 && left > 0) await fulfil();
          placedOrders.push({ id, left });
        }
        await checkJournal();
        const before = await available();
        const batch = await op.post('/api/v1/ledger/payout-batches', { currency: 'CNY', threshold: r.threshold });
        const after = await available();
        const paidOut = new Map<string, number>();
        if (batch.statusCode === 201) {
          for (const p of batch.json().payouts as { party: { kind: string; id: string }; amount: { amount: number } }[]) {
            paidOut.set(`${p.party.kind}:${p.party.id}`, p.amount.amount);
          }
        } else {
          expect(batch.statusCode, batch.body).toBe(409);
        }
        // A payout takes exactly what is available, only when it reaches the threshold; nobody else changes.
        for (const [party, was] of before) {
          const amount = paidOut.get(party);
          if (amount === undefined) {
            expect(after.get(party), party).toBe(was);
            expect(was < r.threshold, party).toBe(true);
          } else {
            expect([amount, after.get(party)], party).toEqual([was, 0]);
          }
        }
        if (batch.statusCode === 201) {
          for (const [i, p] of (batch.json().payouts as { id: string }[]).entries()) {
            const res =
              i % r.failEvery === 0
                ? await op.post(`/api/v1/ledger/payouts/${p.id}/failed`, { reason: '退回' })
                : await op.post(`/api/v1/ledger/payouts/${p.id}/paid`);
            expect(res.statusCode, res.body).toBe(200);
          }
        }
        // A refund after the payouts: the next batch pays only what is left (a balance may be below zero).
        const first = placedOrders[0]!;
        const late = Math.min(first.left, Math.floor((first.left * r.lateRefund) / 1_000));
        if (late > 0) {
          const res = await op.post(
            `/api/v1/orders/${first.id}/refunds`,
            { amount: { amount: late, currency: 'CNY' }, reason: '售后' },
            idem(),
          );
          expect(res.statusCode, res.body).toBe(201);
          await t.app.events.drain();
        }
        await checkJournal();
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
