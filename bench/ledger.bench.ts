// npm run bench -- ledger [--backends sqlite,postgres]
//
// 1. Postings: paid orders of the demo wine (the demo story loaded, two more supporters in its chain
//    group, every order referred), each split into 10 parties — the makers' holding, the platform
//    fee, the referrer's commission, lead, creator and five supporters by contribution weight read
//    from the contribution log — posted in batches of 200 as the `ledger.postings` subscriber does
//    (one transaction per batch: the split, the entry, 11 lines with running balances, the accounts
//    locked and updated, the sale and its parties). Next to it, in the same run, a raw insert of the
//    same entry and line rows (read back from the ledger) into a fresh database, in the same batches.
// 2. Statements: a member with 100,000 lines; a page of 50 lines newest first with running
//    balances (service and HTTP route), a filtered page, a page deep in the past; the CSV export of
//    all of them; the earnings summary (totals and days over all lines); next to a plain read of 50
//    of the member's line rows by the account index.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { DEMO_MEMBER_PASSWORD, seedDemo } from '../src/demo/seed.js';
import type { DomainEvent } from '../src/platform/events/event-bus.js';
import { type BenchBackend as Backend, fmt, median, openApp, timed } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SALES = Number(process.env.BENCH_SALES ?? 10_000);
const STATEMENT_LINES = Number(process.env.BENCH_STATEMENT_LINES ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const BATCH = 200;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const open = (backend: Backend, tag: string) => openApp(backend, `ledger-${tag}`);

type Opened = Awaited<ReturnType<typeof open>>;

/** The demo story, two more supporters in the wine's chain group, and a paid wine order to copy. */
async function prepare(o: Opened) {
  await seedDemo(o.app, { onlyIfEmpty: true });
  // The log first (the ledger follows it), then the demo's own sales.
  await o.app.events.drain();
  const ex = o.db.kysely;
  const product = await ex
    .selectFrom('products' as never)
    .select(['id', 'need_id', 'chain_group_id'] as never)
    .where('name' as never, '=', '小支红酒 375ml' as never)
    .executeTakeFirstOrThrow();
  const p = product as { id: string; need_id: string; chain_group_id: string };
  const operator = await ex
    .selectFrom('members' as never)
    .select('id' as never)
    .where('email' as never, '=', 'operator@covalue.demo' as never)
    .executeTakeFirstOrThrow();
  const op = { memberId: (operator as { id: string }).id, roles: ['operator' as const], via: 'token' as const };
  const crowd = (await ex
    .selectFrom('members' as never)
    .select('id' as never)
    .where('email' as never, 'in', ['member050@covalue.demo', 'member060@covalue.demo', 'member070@covalue.demo'] as never)
    .orderBy('email' as never)
    .execute()) as { id: string }[];
  for (const m of crowd.slice(0, 2)) {
    await o.app.modules.chainGroups.service.putMember(op, p.chain_group_id, m.id, 'supporter');
    // A party shares sales of the agreement version it accepted.
    await o.app.modules.chainGroups.service.acceptAgreement(
      { memberId: m.id, roles: ['member'], via: 'token' },
      p.chain_group_id,
      1,
    );
  }
  const referrer = crowd[2]!.id;
  const template = (await ex
    .selectFrom('outbox_events' as never)
    .select(['payload', 'occurred_at'] as never)
    .where('type' as never, '=', 'order.paid' as never)
    .orderBy('id' as never)
    .limit(1)
    .executeTakeFirstOrThrow()) as { payload: string; occurred_at: string };
  const lead = (await ex
    .selectFrom('chain_group_members' as never)
    .select('member_id' as never)
    .where('chain_group_id' as never, '=', p.chain_group_id as never)
    .where('role' as never, '=', 'lead' as never)
    .executeTakeFirstOrThrow()) as { member_id: string };
  return { template: JSON.parse(template.payload) as Record<string, unknown>, referrer, leadId: lead.member_id };
}

let serial = 0;

/** `n` paid orders like the template, each referred (their attributions stored first). */
async function paidEvents(o: Opened, template: Record<string, unknown>, referrer: string, n: number): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  const attributions = [];
  for (let i = 0; i < n; i++) {
    const orderId = `ord_bench_${process.pid}_${++serial}`;
    const quantity = 1 + (serial % 4);
    events.push({
      id: 1_000_000_000 + serial,
      type: 'order.paid',
      aggregateType: 'order',
      aggregateId: orderId,
      actorId: null,
      payload: {
        ...template,
        orderId,
        paymentId: `pay_bench_${serial}`,
        quantity,
        total: { amount: 5_900 * quantity, currency: 'CNY' },
      },
      occurredAt: new Date().toISOString(),
    });
    attributions.push({ order_id: orderId, referrer_id: referrer, source: 'bench', created_at: new Date().toISOString() });
  }
  for (let i = 0; i < attributions.length; i += 500) {
    await o.db.kysely
      .insertInto('ledger_attributions' as never)
      .values(attributions.slice(i, i + 500) as never)
      .execute();
  }
  return events;
}

async function post(o: Opened, events: readonly DomainEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) {
    await o.db.transaction((trx) => o.app.modules.ledger.service.onEvents(events.slice(i, i + BATCH), trx));
  }
}

async function postingRounds(backend: Backend): Promise<void> {
  const o = await open(backend, 'post');
  const raw = await open(backend, 'raw');
  try {
    const { template, referrer } = await prepare(o);
    // Warm-up, not counted.
    await post(o, await paidEvents(o, template, referrer, 1_000));
    const accounts = await o.db.kysely
      .selectFrom('ledger_accounts' as never)
      .selectAll()
      .execute();
    await raw.db.kysely
      .insertInto('ledger_accounts' as never)
      .values(accounts as never)
      .execute();
    const results: { postings: number; raw: number; lines: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const events = await paidEvents(o, template, referrer, SALES);
      let t0 = performance.now();
      await post(o, events);
      const postings = SALES / ((performance.now() - t0) / 1000);
      // The same rows, read back, inserted raw in the same batches of 200 sales.
      const ids = events.map((e) => (e.payload as { orderId: string }).orderId);
      // Entries (and lines) of this round's orders: the bench's order ids carry the round's serials.
      const wanted = new Set(ids);
      const mine = (
        (await o.db.kysely
          .selectFrom('ledger_entries' as never)
          .selectAll()
          .where('order_id' as never, 'like', 'ord_bench_%' as never)
          .execute()) as { id: string; order_id: string }[]
      ).filter((e) => wanted.has(e.order_id));
      const byOrder = new Map(mine.map((e) => [e.order_id, e]));
      const lines = (await o.db.kysely
        .selectFrom('ledger_lines' as never)
        .selectAll()
        .where('order_id' as never, 'like', 'ord_bench_%' as never)
        .execute()) as { id: number; entry_id: string }[];
      const linesOf = new Map<string, Record<string, unknown>[]>();
      const mineIds = new Set(mine.map((e) => e.id));
      for (const l of lines) {
        if (!mineIds.has(l.entry_id)) continue;
        const { id: _id, ...rest } = l;
        linesOf.set(l.entry_id, [...(linesOf.get(l.entry_id) ?? []), rest]);
      }
      const lineCount = [...linesOf.values()].reduce((s, x) => s + x.length, 0);
      t0 = performance.now();
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH).map((id) => byOrder.get(id)!);
        await raw.db.transaction(async (trx) => {
          await trx
            .insertInto('ledger_entries' as never)
            .values(batch as never)
            .execute();
          const rows = batch.flatMap((e) => linesOf.get(e.id) ?? []);
          for (let j = 0; j < rows.length; j += 200) {
            await trx
              .insertInto('ledger_lines' as never)
              .values(rows.slice(j, j + 200) as never)
              .execute();
          }
        });
      }
      const rawRate = SALES / ((performance.now() - t0) / 1000);
      results.push({ postings, raw: rawRate, lines: lineCount / SALES });
      console.log(
        `  ${backend} round ${r + 1}: ${fmt(postings)} sales/s posted (${fmt(postings * (lineCount / SALES))} lines/s); raw insert of the same rows ${fmt(rawRate)} sales/s; ${fmt(lineCount / SALES, 1)} lines per sale`,
      );
    }
    const ratios = results.map((x) => x.postings / x.raw);
    const check = await o.app.modules.ledger.service.overview();
    console.log(
      `  ${backend}: postings ${fmt(median(results.map((x) => x.postings)))} sales/s; raw ${fmt(median(results.map((x) => x.raw)))} sales/s; ` +
        `ratio ${fmt(median(ratios) * 100, 1)} % (rounds: ${ratios.map((x) => `${fmt(x * 100, 1)} %`).join(', ')}); ` +
        `trial balance ${check.trialBalance.map((t) => `${t.currency} ${t.difference}`).join(', ')}`,
    );
    if (check.trialBalance.some((t) => t.difference !== 0)) throw new Error('the trial balance is not zero');
  } finally {
    await o.close();
    await raw.close();
  }
}

async function statements(backend: Backend): Promise<void> {
  const o = await open(backend, 'statement');
  try {
    const { template, referrer, leadId } = await prepare(o);
    const t0 = performance.now();
    // The lead has a pool part in every sale: one line each.
    for (let made = 0; made < STATEMENT_LINES; made += 5_000) {
      await post(o, await paidEvents(o, template, referrer, Math.min(5_000, STATEMENT_LINES - made)));
    }
    if (backend === 'postgres') await sql`analyze`.execute(o.db.kysely);
    const account = `earnings:member:${leadId}:CNY`;
    const n = Number(
      (
        (await o.db.kysely
          .selectFrom('ledger_lines' as never)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('account_id' as never, '=', account as never)
          .executeTakeFirstOrThrow()) as { n: number }
      ).n,
    );
    console.log(
      `  ${backend}: ${fmt(n)} lines on the lead's earnings account, posted in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    const op = { memberId: leadId, roles: ['member' as const], via: 'token' as const };
    const email = (
      (await o.db.kysely
        .selectFrom('members' as never)
        .select('email' as never)
        .where('id' as never, '=', leadId as never)
        .executeTakeFirstOrThrow()) as { email: string }
    ).email;
    const issued = await o.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      payload: { email, password: DEMO_MEMBER_PASSWORD },
    });
    const authHeaders = { authorization: `Bearer ${issued.json().token}` };
    const svc = o.app.modules.ledger.service;
    const base = { limit: 50 } as const;
    const first = await svc.statement(op, 'member', leadId, base);
    const middleCursor = (await svc.statement(op, 'member', leadId, { limit: 500 })).nextCursor;
    const lines = first.items;
    const mid = lines[lines.length - 1]!.postedAt;
    const cases: [string, () => Promise<unknown>][] = [
      [
        'plain read of 50 line rows by the account index',
        () =>
          o.db.kysely
            .selectFrom('ledger_lines' as never)
            .selectAll()
            .where('account_id' as never, '=', account as never)
            .orderBy('id' as never, 'desc')
            .limit(50)
            .execute(),
      ],
      ['statement, newest 50 lines (service)', () => svc.statement(op, 'member', leadId, base)],
      [
        'statement, a page of 50 after 500 (service)',
        () => svc.statement(op, 'member', leadId, { ...base, cursor: middleCursor! }),
      ],
      [
        'statement, 50 lines of one product up to a time (service)',
        () => svc.statement(op, 'member', leadId, { ...base, productId: template.productId as string, to: mid }),
      ],
      ['earnings: balances, totals by purpose, per day (service)', () => svc.earnings(op, 'member', leadId)],
      [
        'statement, newest 50 lines (HTTP route, inject)',
        () =>
          o.app.http.inject({
            method: 'GET',
            url: `/api/v1/ledger/parties/member/${leadId}/statement?limit=50`,
            headers: authHeaders,
          }),
      ],
    ];
    const rows: [string, { p50: number; p99: number }][] = [];
    for (let r = 0; r < ROUNDS; r++) for (const [what, fn] of cases) rows.push([what, await timed(REQUESTS, fn)]);
    for (const [what] of cases) {
      const mine = rows.filter(([w]) => w === what).map(([, v]) => v);
      console.log(
        `  ${backend}: ${what.padEnd(58)} p50 ${fmt(median(mine.map((m) => m.p50)), 2)} ms  p99 ${fmt(median(mine.map((m) => m.p99)), 2)} ms (median of ${ROUNDS} × ${REQUESTS})`,
      );
    }
    const c0 = performance.now();
    const csv = await svc.statementCsv(op, 'member', leadId, {});
    console.log(
      `  ${backend}: CSV of all ${fmt(csv.split('\r\n').length - 2)} lines in ${fmt(performance.now() - c0)} ms (${fmt(csv.length / 1e6, 1)} MB)`,
    );
  } finally {
    await o.close();
  }
}

export async function run(): Promise<void> {
  const backends = arg('backends', 'sqlite,postgres').split(',') as Backend[];
  if (!process.argv.includes('--no-postings')) {
    console.log(`postings: ${fmt(SALES)} referred sales of 10 parties each in batches of ${BATCH}, ${ROUNDS} rounds per backend`);
    for (const backend of backends) await postingRounds(backend);
  }
  if (!process.argv.includes('--no-statements')) {
    console.log(`statements: a member with ${fmt(STATEMENT_LINES)} lines`);
    for (const backend of backends) await statements(backend);
  }
}
