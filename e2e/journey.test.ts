/**
 * The co-creation journey in a real browser (Debian's Chromium), against the real server on a
 * fresh database with the demo story loaded: a visitor browses and searches in Chinese; an
 * operator sets up a community whose first milestone is 3 supports; a member signs up, describes
 * a scene and raises a need; three members support it until the milestone is reached and the bar
 * moves on; a member proposes a solution, others vote and discuss; an operator accepts the need,
 * chooses the solution and hides a comment; the language switch turns the UI into English.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OPERATOR, seedDemo } from '../src/demo/seed.js';
import { backends } from '../test/harness.js';
import en from '../web/src/i18n/en.json' with { type: 'json' };
import zh from '../web/src/i18n/zh-CN.json' with { type: 'json' };
import {
  chromiumAvailable,
  ensureWebBuilt,
  fill,
  launchBrowser,
  newPerson,
  type PageProblems,
  type Server,
  screenshot,
  startServer,
} from './browser.js';

const runs = chromiumAvailable();

for (const backend of backends) {
  describe.skipIf(!runs)(`web app journey (${backend})`, () => {
    let server: Server;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problems: PageProblems = { errors: [] };
    const shot = (page: Page, name: string) => screenshot(page, `${backend}-${name}`);
    const person = async (options?: { locale?: string; width?: number }) => {
      const p = await newPerson(browser, server.baseUrl, problems, options);
      contexts.push(p.context);
      return p;
    };
    const password = 'e2e-password-123';
    let people = 0;
    const signUpByApi = async (context: BrowserContext, displayName: string) => {
      const res = await context.request.post('/api/v1/auth/register', {
        data: { email: `person${++people}-${backend}@e2e.test`, password, displayName },
      });
      expect(res.status()).toBe(201);
    };

    beforeAll(async () => {
      ensureWebBuilt();
      server = await startServer(backend);
      await seedDemo(server.app, { onlyIfEmpty: true });
      browser = await launchBrowser();
    });

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await server?.close();
    });

    it('serves the app with its CSP on client routes, and problem+json for unknown API paths', async () => {
      const page = await fetch(`${server.baseUrl}/needs/anything`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const api = await fetch(`${server.baseUrl}/api/v1/no-such-route`);
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toContain('application/problem+json');
    });

    it('runs the co-creation journey in the browser', async () => {
      // A visitor browses the communities and hot needs, and searches in Chinese.
      const visitor = await person();
      let page = visitor.page;
      await page.goto('/');
      await page.getByRole('heading', { level: 1, name: zh.home.title }).waitFor();
      // Keyboard: the first Tab reaches the skip link, which takes focus to the page.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(zh.nav.skip);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await page.getByRole('link', { name: '美食', exact: true }).waitFor();
      await shot(page, '01-home');
      await page.getByRole('searchbox', { name: zh.search.label }).fill('红酒');
      await page.getByRole('button', { name: zh.search.submit }).click();
      await page.waitForURL(/\/search\?q=/);
      await page.getByRole('heading', { level: 1, name: fill(zh.search.title, { q: '红酒' }) }).waitFor();
      await page.getByRole('link', { name: '开瓶的红酒一次喝不完', exact: true }).waitFor();
      await shot(page, '02-search');
      await page.getByRole('link', { name: '开瓶的红酒一次喝不完', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: '开瓶的红酒一次喝不完' }).waitFor();
      await page.getByText(zh.scene.persona, { exact: true }).waitFor();
      await shot(page, '03-scene-demo');
      await page.goto('/c/meishi');
      await page.getByRole('heading', { level: 1, name: '美食' }).waitFor();
      await shot(page, '04-community');

      // An operator sets up a community whose needs qualify at 4 supports, with a first milestone of 3.
      const op = await person();
      page = op.page;
      await page.goto('/signin?next=/operator/communities');
      await page.getByLabel(zh.auth.email).fill(DEMO_OPERATOR.email);
      await page.getByLabel(zh.auth.password).fill('not-the-password');
      await page.getByRole('button', { name: zh.nav.signIn }).click();
      await page.getByRole('alert').filter({ hasText: zh.auth.badCredentials }).waitFor();
      await page.getByLabel(zh.auth.password).fill(DEMO_OPERATOR.password);
      await page.getByRole('button', { name: zh.nav.signIn }).click();
      await page.waitForURL(/\/operator\/communities$/);
      await page.getByText(zh.operator.newCommunity).click();
      const create = page.locator('details.create-community');
      await create.getByLabel(zh.operator.communityName).fill('品酒会');
      await create.getByLabel(zh.operator.communitySlug).fill(`pinjiu-${backend}`);
      await create.getByLabel(zh.operator.communityDescription).fill('喜欢葡萄酒的朋友');
      await create.getByRole('button', { name: zh.operator.createCommunity }).click();
      await page.getByLabel(zh.operator.pickCommunity).locator('option', { hasText: '品酒会' }).waitFor({ state: 'attached' });
      await page.getByLabel(zh.operator.pickCommunity).selectOption({ label: '品酒会' });
      const goal = (i: number) => page.getByLabel(fill(zh.operator.milestoneGoal, { index: i }));
      // A ladder that does not climb is refused by the server, and the form says so next to the ladder.
      await goal(1).fill('3');
      await goal(2).fill('2');
      await page.getByRole('button', { name: zh.common.save, exact: true }).click();
      await page.locator('.milestones-editor .field-error').waitFor();
      await goal(2).fill('4');
      await page.getByRole('button', { name: fill(zh.operator.removeMilestone, { index: 4 }) }).click();
      await page.getByRole('button', { name: fill(zh.operator.removeMilestone, { index: 3 }) }).click();
      await page.getByRole('button', { name: zh.common.save, exact: true }).click();
      await page.getByRole('status').filter({ hasText: zh.common.saved }).waitFor();
      await shot(page, '05-operator-community-settings');

      // A member signs up, describes a scene (an empty form first: the server's field errors show), raises a need.
      const author = await person();
      page = author.page;
      const authorName = `作者${backend}`;
      await page.goto('/signup');
      await page.getByLabel(zh.auth.displayName).fill(authorName);
      await page.getByLabel(zh.auth.email).fill(`author-${backend}@e2e.test`);
      await page.getByLabel(zh.auth.password).fill(password);
      await page.getByRole('button', { name: zh.nav.signUp }).click();
      await page.getByRole('button', { name: zh.nav.signOut }).waitFor();
      await page.getByRole('link', { name: zh.nav.newScene }).click();
      await page.getByRole('heading', { level: 1, name: zh.sceneForm.title }).waitFor();
      await page.getByRole('button', { name: zh.sceneForm.submit }).click();
      const titleField = page.locator('.field', { has: page.getByLabel(zh.sceneForm.sceneTitle) });
      await titleField.getByText(zh.fieldErrors.required).waitFor();
      await shot(page, '06-scene-form-errors');
      await page.getByLabel(zh.sceneForm.community).selectOption({ label: '品酒会' });
      await page.getByLabel(zh.sceneForm.sceneTitle).fill('周末聚会剩下的半瓶酒');
      await page.getByLabel(zh.scene.persona, { exact: true }).fill('喜欢周末请朋友来家里吃饭的上班族');
      await page.getByLabel(zh.scene.goal, { exact: true }).fill('聚会后剩下的酒下周还能喝');
      await page.getByLabel(zh.scene.pain, { exact: true }).fill('开瓶后几天就变酸，只能倒掉');
      await page.getByLabel(zh.scene.context, { exact: true }).fill('周日晚上，家里，没有真空塞');
      await page.getByLabel(zh.scene.tags, { exact: true }).fill('红酒，聚会');
      await page.getByRole('button', { name: zh.sceneForm.submit }).click();
      await page.getByRole('heading', { level: 1, name: '周末聚会剩下的半瓶酒' }).waitFor();
      const sceneId = new URL(page.url()).pathname.split('/').pop();
      await shot(page, '07-scene');
      await page.getByRole('link', { name: zh.scene.raiseNeed }).click();
      await page.getByLabel(zh.needForm.needTitle).fill('开瓶后的红酒能保存到下周');
      await page.getByLabel(zh.needForm.body).fill('希望有简单的办法，让开瓶的红酒放一周也不变味。');
      await page.getByRole('button', { name: zh.needForm.submit }).click();
      await page.waitForURL(/\/needs\/need_/);
      const needPath = new URL(page.url()).pathname;
      await page.getByRole('heading', { level: 1, name: '开瓶后的红酒能保存到下周' }).waitFor();
      await page.locator('.badge', { hasText: zh.stage.open }).first().waitFor();
      await page.getByText(zh.support.own).waitFor();
      const bar = (p: Page) => p.getByRole('progressbar', { name: zh.milestone.label });
      expect(await bar(page).getAttribute('aria-valuemax')).toBe('3');
      await shot(page, '08-need-new');

      // Three members support it; the first sees a failed request roll back and retries it.
      const supporters: Page[] = [];
      for (const [i, name] of [`支持者甲${backend}`, `支持者乙${backend}`, `支持者丙${backend}`].entries()) {
        const s = await person();
        await signUpByApi(s.context, name);
        await s.page.goto(needPath);
        const count = () => s.page.getByTestId('support-count').textContent();
        await expect.poll(count).toBe(fill(zh.need.supports_other, { n: i }));
        if (i === 0) {
          await s.page.route(
            '**/api/v1/needs/*/support',
            (route) =>
              route.fulfill({
                status: 500,
                contentType: 'application/problem+json',
                body: JSON.stringify({ type: 'https://covalue.dev/problems/internal', title: 'x', status: 500, detail: 'x' }),
              }),
            { times: 1 },
          );
          await s.page.getByRole('button', { name: zh.support.support }).click();
          await s.page.getByRole('alert').filter({ hasText: zh.errors.server }).waitFor();
          await expect.poll(count).toBe(fill(zh.need.supports_other, { n: 0 }));
          await s.page.getByRole('button', { name: zh.common.retry }).click();
        } else {
          await s.page.getByRole('button', { name: zh.support.support }).click();
        }
        await s.page.getByRole('button', { name: zh.support.supported }).waitFor();
        await expect.poll(count).toBe(fill(zh.need.supports_other, { n: i + 1 }));
        supporters.push(s.page);
      }
      const [first, second, third] = supporters as [Page, Page, Page];
      // The first supporter says they would buy two at up to ¥60.
      await first.getByLabel(zh.intent.quantity).fill('2');
      await first.getByLabel(fill(zh.intent.maxPrice, { currency: '¥' })).fill('60');
      await first.getByRole('button', { name: zh.intent.save }).click();
      await first.getByText(fill(zh.intent.mine, { quantity: '2', price: '¥60' })).waitFor();
      await first.getByText(fill(zh.intent.summary_other, { n: 1, units: 2 })).waitFor();
      // The third support reached the first milestone (3): the bar moved on to the next goal, 4.
      await expect.poll(() => bar(third).getAttribute('aria-valuemax')).toBe('4');
      await third.getByText(fill(zh.milestone.step, { index: 2, of: 2 })).waitFor();
      await third.getByText(fill(zh.milestone.progress_other, { n: 3, goal: 4 })).waitFor();
      await shot(third, '09-need-milestone-reached');

      // A member proposes a solution, mentions the author in the discussion; others vote and reply.
      const proposer = await person();
      page = proposer.page;
      const proposerName = `提案人${backend}`;
      await signUpByApi(proposer.context, proposerName);
      await page.goto(needPath);
      await page.getByRole('link', { name: zh.solutions.propose }).click();
      await page.getByLabel(zh.solutionForm.solutionTitle).fill('真空泵瓶塞配小瓶分装');
      await page.getByLabel(zh.solutionForm.body).fill('随酒附赠真空泵瓶塞，并提供 375ml 分装小瓶，开瓶后可保存一周。');
      await page.getByRole('button', { name: zh.solutionForm.submit }).click();
      await page.waitForURL((url) => url.pathname === needPath);
      const voteName = fill(zh.solutions.voteFor, { title: '真空泵瓶塞配小瓶分装' });
      await page.getByRole('button', { name: voteName }).waitFor();
      await page.getByLabel(zh.comments.label).fill(`@${authorName} 这个场景我家也常遇到`);
      await page.getByRole('button', { name: zh.comments.post }).click();
      await page.locator('mark.mention', { hasText: `@${authorName}` }).waitFor();
      // The proposer iterates: a second version, with the first kept in the history.
      await page.getByRole('link', { name: '真空泵瓶塞配小瓶分装' }).click();
      await page.getByRole('heading', { level: 1, name: '真空泵瓶塞配小瓶分装' }).waitFor();
      await page.getByRole('button', { name: zh.solution.revise }).click();
      await page.getByLabel(zh.solutionForm.body).fill('随酒附赠真空泵瓶塞；另提供 375ml 与 187ml 两种分装小瓶。');
      await page.getByRole('button', { name: zh.solution.publishVersion }).click();
      await page.locator('.page-head .badge', { hasText: fill(zh.solutions.version, { version: 2 }) }).waitFor();
      await expect.poll(() => page.locator('.version-list > li').count()).toBe(2);
      await shot(page, '10-solution-versions');
      await page.goto(needPath);
      for (const [i, voter] of [first, second].entries()) {
        await voter.reload();
        const vote = voter.getByRole('button', { name: voteName });
        await vote.click();
        await expect.poll(() => vote.getAttribute('aria-pressed')).toBe('true');
        await expect.poll(() => vote.locator('.vote-count').textContent()).toBe(String(i + 1));
      }
      const thread = first.locator('li.comment').first();
      await thread.getByRole('button', { name: zh.comments.reply }).click();
      await thread.getByLabel(zh.comments.replyLabel).fill(`@${proposerName} 同感，支持！`);
      await thread.getByRole('button', { name: zh.comments.reply }).click();
      await first.locator('.replies mark.mention', { hasText: `@${proposerName}` }).waitFor();
      // The support chart (ECharts, its own chunk) loads on demand.
      await first.getByRole('button', { name: zh.chart.show }).click();
      await first.getByRole('img', { name: fill(zh.chart.label_other, { count: 3 }) }).waitFor();
      await shot(first, '11-need-discussion');

      // The proposer's support is the fourth: the need qualifies.
      await page.reload();
      await page.getByRole('button', { name: zh.support.support }).click();
      await page.getByRole('button', { name: zh.support.supported }).waitFor();
      await expect.poll(() => page.locator('.page-head .badge').first().textContent()).toBe(zh.stage.qualified);

      // A duplicate raised by the author is merged into it by the operator, picked by a search.
      const csrf = (await author.context.cookies()).find((c) => c.name === 'covalue_csrf')?.value ?? '';
      const dup = await author.context.request.post('/api/v1/needs', {
        headers: { 'x-csrf-token': csrf },
        data: { sceneId, title: '红酒开瓶后放不住', body: '开了的酒两天就坏' },
      });
      expect(dup.status()).toBe(201);
      page = op.page;
      await page.goto(`/operator/needs/${((await dup.json()) as { id: string }).id}`);
      await page.getByRole('button', { name: zh.operator.merge, exact: true }).click();
      await page.getByRole('searchbox', { name: zh.operator.mergeSearch }).fill('保存到下周');
      await page.getByRole('button', { name: zh.search.submit }).click();
      await page
        .locator('.picker-row', { hasText: '开瓶后的红酒能保存到下周' })
        .getByRole('button', { name: zh.operator.pickTarget })
        .click();
      await page.getByRole('button', { name: zh.operator.confirmMerge }).click();
      await page.locator('.page-head .badge', { hasText: zh.stage.merged }).waitFor();
      await shot(page, '12-operator-merged');

      // The operator accepts it from the review queue, chooses the solution and hides a comment.
      await page.goto('/operator');
      const item = page.locator('li.queue-item', { hasText: '开瓶后的红酒能保存到下周' });
      await item.waitFor();
      await shot(page, '12-operator-review-queue');
      await item.getByRole('button', { name: zh.operator.accept, exact: true }).click();
      await item.getByLabel(zh.operator.acceptReason).fill('支持者多，有明确的购买意向');
      await item.getByRole('button', { name: zh.operator.confirmAccept, exact: true }).click();
      await item.waitFor({ state: 'detached' });
      await page.goto(needPath);
      await page.locator('.page-head .badge', { hasText: zh.stage.accepted }).waitFor();
      await page.getByRole('button', { name: zh.solutions.choose }).click();
      await page.locator('.solution-card.is-chosen').getByText(zh.solutions.chosen).waitFor();
      const reply = page.locator('li.comment-reply', { hasText: '同感，支持！' });
      await reply.getByRole('button', { name: zh.comments.hide, exact: true }).click();
      await reply.getByText(zh.comments.hiddenBadge).waitFor();
      await shot(page, '13-need-accepted-operator');
      // Moderation finds the need by a search and lists its discussion with the hidden reply.
      await page.goto('/operator/moderation');
      await page.getByRole('searchbox', { name: zh.operator.moderationSearch }).fill('保存到下周');
      await page.getByRole('button', { name: zh.search.submit }).click();
      await page
        .locator('.picker-row', { hasText: '开瓶后的红酒能保存到下周' })
        .getByRole('button', { name: zh.operator.moderate })
        .click();
      await page
        .locator('li.comment-reply', { hasText: '同感，支持！' })
        .getByRole('button', { name: zh.comments.unhide })
        .waitFor();
      await shot(page, '13-operator-moderation');
      await page.goto(needPath);

      // The language switch turns the UI into English, and the choice survives a reload.
      await page.getByTestId('language-switch').selectOption('en');
      await page.getByRole('link', { name: en.nav.home, exact: true }).waitFor();
      await page.locator('.page-head .badge', { hasText: en.stage.accepted }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: en.solutions.heading }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await shot(page, '14-need-english');

      // The author's profile lists the scene and the need; a phone-width look at the need.
      page = author.page;
      await page.goto('/me');
      await page.getByRole('link', { name: '开瓶后的红酒能保存到下周' }).waitFor();
      await page.getByRole('link', { name: '周末聚会剩下的半瓶酒' }).waitFor();
      await shot(page, '15-profile');
      const phone = await person({ width: 375 });
      await phone.page.goto(needPath);
      await phone.page.getByRole('heading', { level: 1, name: '开瓶后的红酒能保存到下周' }).waitFor();
      await shot(phone.page, '16-need-375px');
      await phone.page.goto('/');
      await phone.page.getByRole('heading', { level: 1, name: zh.home.title }).waitFor();
      await shot(phone.page, '17-home-375px');

      expect(problems.errors).toEqual([]);
    }, 240_000);
  });
}
