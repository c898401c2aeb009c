/**
 * Issue 7 in a real browser against the real server with the demo story (both backends): the
 * contribution log is proven by the browser itself. A visitor opens the trace of 小支红酒 375ml from
 * its product page and sees who co-created, made and delivered it, every step marked 已验证 by the
 * page's own check of the inclusion proof against the signed tree head. A member who supported the
 * wine need sees their contributions verified; the operator sees the head history with its
 * signatures, the public key and a consistent pair of heads. Then the proofs are tampered with on
 * the way (one hash changed by `page.route`): that step shows 验证失败, and the consistency check
 * says 不一致 — the pages' verdicts are the browser's, not the server's. Last, the shared value: the
 * supporter's earnings show the sale's supporter share by weight 2 of 5, its contribution entries
 * 已验证; the operator sees the ledger's trial balance 平衡 and pays a batch; the product shows what
 * its sales shared.
 */
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MEMBER_PASSWORD, DEMO_OPERATOR, seedDemo } from '../src/demo/seed.js';
import { backends } from '../test/harness.js';
import en from '../web/src/i18n/en.json' with { type: 'json' };
import zh from '../web/src/i18n/zh-CN.json' with { type: 'json' };
import {
  apiClient,
  chromiumAvailable,
  ensureWebBuilt,
  fill,
  launchBrowser,
  newPerson,
  type PageProblems,
  type Server,
  screenshot,
  signIn,
  startServer,
} from './browser.js';

const runs = chromiumAvailable();
const PRODUCT = '小支红酒 375ml';
const WINE_NEED = '开瓶的红酒喝不完：想要一次能喝完的小瓶装';
/** The wine need's first supporter in the story (the crowd after its author and three solvers). */
const FIRST_SUPPORTER = 'member005@covalue.demo';

interface Head {
  treeSize: number;
  rootHash: string;
  timestamp: number;
  signature: string;
}
interface Step {
  index: number;
  entry: { kind: string; data: Record<string, unknown> };
}
interface Trace {
  cocreated: Step[];
  made: Step[];
  delivered: Step[];
  fulfilled: { orders: number; units: number };
}

/** One hex digit of a hash changed: still a well-formed hash, no longer the right one. */
const tamper = (hash: string) => (hash[0] === '0' ? '1' : '0') + hash.slice(1);

for (const backend of backends) {
  describe.skipIf(!runs)(`issue 7 contribution log in the browser (${backend})`, () => {
    let server: Server;
    let browser: Browser;
    let head: Head;
    let trace: Trace;
    let productId: string;
    const contexts: BrowserContext[] = [];
    const problems: PageProblems = { errors: [] };
    const shot = (page: Page, name: string) => screenshot(page, `issue7-${backend}-${name}`);
    const person = async (options?: { locale?: string; width?: number }) => {
      const p = await newPerson(browser, server.baseUrl, problems, options);
      contexts.push(p.context);
      return p;
    };
    const { call, tokenOf } = apiClient(() => server.baseUrl);
    /** Waits until the page has no proof still being checked. */
    const settled = async (page: Page) => {
      await page.locator('[data-proof]').first().waitFor();
      await expect.poll(() => page.locator('[data-proof="checking"]').count(), { timeout: 30_000 }).toBe(0);
    };
    const badges = async (scope: ReturnType<Page['locator']>) => ({
      all: await scope.locator('[data-proof]').count(),
      verified: await scope.locator('[data-proof="verified"]').count(),
    });

    beforeAll(async () => {
      ensureWebBuilt();
      server = await startServer(backend);
      await seedDemo(server.app, { onlyIfEmpty: true });
      // The story's events reach the log through the outbox; then a head signs all of it.
      await server.app.events.drain();
      await server.app.modules.log.service.signNow();
      head = await call<Head>(undefined, 'GET', '/log/head');
      const products = await call<{ items: { id: string; name: string }[] }>(undefined, 'GET', '/products?limit=100');
      productId = products.items.find((p) => p.name === PRODUCT)!.id;
      trace = await call<Trace>(undefined, 'GET', `/products/${productId}/trace`);
      browser = await launchBrowser();
    });

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await server?.close();
    });

    it('shows the demo product’s trace with every step verified by the browser', async () => {
      expect(trace.cocreated.length).toBeGreaterThan(0);
      expect(trace.made.length).toBeGreaterThan(0);
      expect(trace.delivered.length).toBeGreaterThan(0);
      const { page } = await person();
      // Every proof the page checks is asked for against the head it shows.
      const asked: URL[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/log/proof/inclusion')) asked.push(new URL(r.url()));
      });
      await page.goto(`/products/${productId}`);
      await page.getByRole('link', { name: zh.product.trace }).click();
      await page.waitForURL(/\/products\/[^/]+\/trace$/);
      await page.getByRole('heading', { level: 1, name: PRODUCT }).waitFor();
      await settled(page);

      const all = trace.cocreated.length + trace.made.length + trace.delivered.length;
      await page
        .getByTestId('trace-tally')
        .getByText(fill(zh.trace.tally_other, { verified: all, n: all }))
        .waitFor();
      for (const [id, steps] of [
        ['trace-cocreated', trace.cocreated],
        ['trace-made', trace.made],
        ['trace-delivered', trace.delivered],
      ] as const) {
        const section = page.locator(`section[aria-labelledby="${id}"]`);
        expect(await badges(section), id).toEqual({ all: steps.length, verified: steps.length });
      }
      const cocreated = page.locator('section[aria-labelledby="trace-cocreated"]');
      const made = page.locator('section[aria-labelledby="trace-made"]');
      const delivered = page.locator('section[aria-labelledby="trace-delivered"]');
      // Co-created by: the need's author, its first supporters by rank, the chosen solution's author, the poll decided.
      await cocreated.locator('[data-kind="need.raised"]').first().waitFor();
      const first = cocreated.locator('[data-kind="need.supported"]').first();
      await first.getByText(fill(zh.log.kind.need.supported, { rank: 1 })).waitFor();
      expect(await first.locator('[data-proof]').textContent()).toContain(zh.log.proof.verified);
      await cocreated.locator('[data-kind="solution.proposed"]').first().waitFor();
      await cocreated.locator('[data-kind="poll.decided"]').first().waitFor();
      // Made by: the awarded wineries, lots with their day, quantity and QA.
      await made.locator('[data-kind="bid.awarded"]').first().getByText('山谷酒庄').waitFor();
      const lot = trace.made.find((s) => s.entry.kind === 'lot.produced')!;
      const lotItem = made.locator(`[data-index="${lot.index}"]`);
      expect(await lotItem.textContent()).toContain(String(lot.entry.data.lotNumber));
      await made.locator('[data-kind="lot.qa-recorded"]').first().getByText(zh.log.qa.passed, { exact: false }).waitFor();
      // Delivered: shipments and their delivery.
      await delivered.locator('[data-kind="lot.shipped"]').first().waitFor();
      await delivered.locator('[data-kind="lot.delivered"]').first().waitFor();
      expect(await page.getByTestId('trace-fulfilled').textContent()).toContain(
        new Intl.NumberFormat('zh-CN').format(trace.fulfilled.orders),
      );
      // The signed head the badges were checked against, its signature checked here too.
      await page.locator('[data-signature="verified"]').first().waitFor();
      expect(await page.getByTestId('head-size').textContent()).toBe(new Intl.NumberFormat('zh-CN').format(head.treeSize));
      expect(new Set(asked.map((u) => u.searchParams.get('index')))).toEqual(
        new Set([...trace.cocreated, ...trace.made, ...trace.delivered].map((s) => String(s.index))),
      );
      expect(asked.every((u) => u.searchParams.get('treeSize') === String(head.treeSize))).toBe(true);
      await shot(page, '01-trace');

      // In English, and on a phone.
      await page.getByTestId('language-switch').selectOption('en');
      await page.getByRole('heading', { level: 2, name: en.trace.cocreated }).waitFor();
      await page.locator('[data-proof="verified"]', { hasText: en.log.proof.verified }).first().waitFor();
      await shot(page, '01-trace-en');
      const phone = (await person({ width: 375 })).page;
      await phone.goto(`/products/${productId}/trace`);
      await settled(phone);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shot(phone, '02-trace-375');
      expect(problems.errors).toEqual([]);
    });

    it('shows a supporter of the wine need their contributions, verified', async () => {
      const { page } = await person();
      await signIn(page, FIRST_SUPPORTER, DEMO_MEMBER_PASSWORD);
      await page.goto('/me');
      await page.getByRole('link', { name: zh.profile.contributions }).click();
      await page.waitForURL(/\/me\/contributions$/);
      await page.getByRole('heading', { level: 1, name: zh.contributions.title }).waitFor();
      await settled(page);
      const list = page.locator('section[aria-labelledby="contribution-list"]');
      const counts = await badges(list);
      expect(counts.all).toBeGreaterThan(0);
      expect(counts.verified).toBe(counts.all);
      await page.getByText(zh.log.head.explain).waitFor();

      // Their support of the wine need, as its first supporter, with a link to it.
      await page.getByLabel(zh.contributions.kind).selectOption('need.supported');
      const support = list.locator('[data-kind="need.supported"]', {
        has: page.getByRole('link', { name: fill(zh.log.subject.named, { what: zh.log.subject.needId, name: WINE_NEED }) }),
      });
      await support.getByText(fill(zh.log.kind.need.supported, { rank: 1 })).waitFor();
      await settled(page);
      expect(await support.locator('[data-proof]').textContent()).toContain(zh.log.proof.verified);
      expect(await list.locator('[data-kind]:not([data-kind="need.supported"])').count()).toBe(0);
      await shot(page, '03-my-contributions');
      expect(problems.errors).toEqual([]);
    });

    it('shows the operator the signed heads, the public key and a consistent pair of heads', async () => {
      const key = await call<{ publicKey: string }>(undefined, 'GET', '/log/public-key');
      const heads = await call<{ items: Head[] }>(undefined, 'GET', '/log/heads?limit=20');
      expect(heads.items.length).toBeGreaterThanOrEqual(2);
      const { page } = await person();
      await signIn(page, DEMO_OPERATOR.email, DEMO_OPERATOR.password);
      await page.goto('/operator');
      await page.getByRole('link', { name: zh.operator.log }).click();
      await page.waitForURL(/\/operator\/log$/);
      expect(await page.getByTestId('public-key').textContent()).toBe(key.publicKey);
      const rows = page.locator('table.log-heads tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(heads.items.length);
      expect(await rows.first().getAttribute('data-size')).toBe(String(head.treeSize));
      await expect.poll(() => page.locator('table.log-heads [data-signature="verified"]').count()).toBe(heads.items.length);
      await page.locator('[data-consistency="consistent"]', { hasText: zh.logDesk.outcome.consistent }).waitFor();
      await page
        .getByText(fill(zh.logDesk.between, { first: fmt(heads.items[1]!.treeSize), second: fmt(heads.items[0]!.treeSize) }))
        .waitFor();
      await shot(page, '04-operator-log');

      // One node of the consistency proof changed on the way: the browser says the heads disagree.
      await page.route('**/api/v1/log/proof/consistency?*', (route) =>
        rewrite(route, (body: { proof: string[] }) => ({ ...body, proof: body.proof.map((h, i) => (i === 0 ? tamper(h) : h)) })),
      );
      await page.reload();
      await page.locator('[data-consistency="inconsistent"]', { hasText: zh.logDesk.outcome.inconsistent }).waitFor();
      expect(problems.errors).toEqual([]);
    });

    it('marks a step 验证失败 when one hash of its proof is changed on the way', async () => {
      const { page } = await person();
      const victim = trace.cocreated.find((s) => s.entry.kind === 'need.raised')!;
      await page.route('**/api/v1/log/proof/inclusion?*', (route) => {
        const index = new URL(route.request().url()).searchParams.get('index');
        if (index !== String(victim.index)) return route.continue();
        return rewrite(route, (body: { auditPath: string[] }) => ({
          ...body,
          auditPath: body.auditPath.map((h, i) => (i === body.auditPath.length - 1 ? tamper(h) : h)),
        }));
      });
      await page.goto(`/products/${productId}/trace`);
      await settled(page);
      const step = page.locator(`[data-index="${victim.index}"]`);
      await step.locator('[data-proof="failed"]', { hasText: zh.log.proof.failed }).waitFor();
      const all = trace.cocreated.length + trace.made.length + trace.delivered.length;
      expect(await page.locator('[data-proof="verified"]').count()).toBe(all - 1);
      await page
        .getByTestId('trace-tally')
        .getByText(fill(zh.trace.tallyFailed_other, { n: 1, total: all }))
        .waitFor();
      await shot(page, '05-trace-tampered');

      // A leaf hash the server claims that is not the one of the bytes shown fails too.
      await page.unroute('**/api/v1/log/proof/inclusion?*');
      await page.route('**/api/v1/log/proof/inclusion?*', (route) => {
        const index = new URL(route.request().url()).searchParams.get('index');
        if (index !== String(victim.index)) return route.continue();
        return rewrite(route, (body: { leafHash: string }) => ({ ...body, leafHash: tamper(body.leafHash) }));
      });
      await page.reload();
      await settled(page);
      await step.locator('[data-proof="failed"]').waitFor();
      expect(problems.errors).toEqual([]);
    });

    it('shows a supporter their earnings with the share explained and proven, the operator a balanced ledger and a payout', async () => {
      // The server's worker posts the flash sale's payments to the ledger: wait for the supporter's first part.
      const token = await tokenOf(FIRST_SUPPORTER, DEMO_MEMBER_PASSWORD);
      const { me } = await call<{ me: { id: string } }>(token, 'GET', '/auth/session');
      const salesOf = () => call<{ items: unknown[] }>(token, 'GET', `/ledger/parties/member/${me.id}/sales?limit=1`);
      await expect.poll(async () => (await salesOf()).items.length, { timeout: 30_000 }).toBeGreaterThan(0);

      const { page } = await person();
      await signIn(page, FIRST_SUPPORTER, DEMO_MEMBER_PASSWORD);
      await page.goto('/');
      await page.getByRole('navigation', { name: zh.nav.label }).getByRole('link', { name: zh.nav.earnings }).click();
      await page.waitForURL(/\/me\/earnings$/);
      await page.getByRole('heading', { level: 1, name: zh.earnings.title }).waitFor();
      expect(Number(await page.getByTestId('balance-available').getAttribute('data-amount'))).toBeGreaterThan(0);
      // The newest sale's supporter part: 20% of the pool, shared by weight 2 of 5 (early support + poll vote),
      // each of those log entries proven by the browser.
      const share = page.locator('.sale-share').first().locator('[data-role="supporter"]');
      await share
        .getByTestId('role-weight')
        .getByText(fill(zh.earnings.weightOf, { weight: 2, total: 5 }))
        .waitFor();
      expect(await share.getByTestId('role-bps').textContent()).toContain('20%');
      await settled(page);
      await share.locator('[data-contribution="earlySupporters"] [data-kind="need.supported"]').waitFor();
      await share.locator('[data-contribution="pollVoters"] [data-kind="poll.ballot-cast"]').waitFor();
      const proofs = await badges(share);
      expect(proofs.all).toBeGreaterThanOrEqual(2);
      expect(proofs.verified).toBe(proofs.all);
      expect(await share.locator('[data-proof="verified"]').first().textContent()).toContain(zh.log.proof.verified);
      // The statement, and its CSV through the session cookie.
      await page.locator('table.statement-lines tbody tr').first().waitFor();
      const csv = await page.context().request.get((await page.getByTestId('statement-csv').getAttribute('href'))!);
      expect(csv.status()).toBe(200);
      expect((await csv.text()).split('\n')[0]).toContain('balance_after_minor');
      await shot(page, '06-my-earnings');

      // The operator: a balanced trial balance, then a payout batch of every balance of at least ¥1, one payout paid.
      const op = (await person()).page;
      await signIn(op, DEMO_OPERATOR.email, DEMO_OPERATOR.password);
      await op.goto('/operator');
      const tabs = op.getByRole('navigation', { name: zh.operator.nav });
      await tabs.getByRole('link', { name: zh.operator.ledger }).click();
      await op.waitForURL(/\/operator\/ledger$/);
      await op.locator('[data-balanced="true"]', { hasText: zh.ledgerDesk.balanced }).waitFor();
      await shot(op, '07-operator-ledger');
      await tabs.getByRole('link', { name: zh.operator.payouts }).click();
      await op.getByLabel(fill(zh.payoutsDesk.threshold, { currency: 'CNY' })).fill('1');
      await op.getByRole('button', { name: zh.payoutsDesk.createSubmit }).click();
      const created = zh.payoutsDesk.created_other;
      await op.locator('.notice-ok', { hasText: created.slice(0, created.indexOf('{{')) }).waitFor();
      const batch = op.locator('[data-batch]').first();
      const first = batch.locator('tr[data-state="pending"]').first();
      await first.getByRole('button', { name: zh.payoutsDesk.markPaid }).click();
      await batch.locator('tr[data-state="paid"]').first().waitFor();
      await batch.locator('li[data-state="paid"]', { hasText: '1' }).waitFor();
      await shot(op, '08-operator-payouts');

      // The product page: what its sales shared so far, by purpose and role.
      await op.goto(`/products/${productId}`);
      const shared = op.locator('section[aria-labelledby="product-value-shared"]');
      await shared.getByRole('heading', { name: zh.valueShared.title }).waitFor();
      await shared.getByTestId('value-shared-sales').waitFor();
      await shared.locator('[data-purpose="maker-cost"]').waitFor();
      await shared.locator('[data-purpose="cocreator-pool"][data-role="supporter"]').waitFor();
      await shot(op, '09-product-value-shared');
      expect(problems.errors).toEqual([]);
    });
  });
}

const fmt = (n: number) => new Intl.NumberFormat('zh-CN').format(n);

/** Answers a request with the server's own answer, changed by `change`. */
async function rewrite<T>(route: Route, change: (body: T) => T): Promise<void> {
  const response = await route.fetch();
  const body = (await response.json()) as T;
  await route.fulfill({ response, json: change(body) });
}
