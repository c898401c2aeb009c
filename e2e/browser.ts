/**
 * Browser-test plumbing: Debian's Chromium through playwright-core, the real server in process on
 * a fresh database, and the built web app. No browser is downloaded: `npx playwright install`
 * cannot run here, so the tests drive /usr/bin/chromium (apt-get install chromium).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type App, buildApp } from '../src/app.js';
import { systemClock } from '../src/platform/clock.js';
import { type Backend, createTestDatabase, testConfig } from '../test/harness.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOTS = path.join(root, 'test-results', 'screenshots');

/**
 * Whether the browser tests can run. With CI=true a missing Chromium is an error (the run fails);
 * elsewhere the tests are skipped with a warning.
 */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const message = `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\``;
  if (process.env.CI === 'true') throw new Error(`${message} (browser tests are required when CI=true)`);
  console.warn(`\n[covalue] ${message}; browser tests are skipped\n`);
  return false;
}

/** Builds web/dist unless it is already newer than its sources. */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [path.join(root, 'web/scripts/build-if-stale.mjs')], { cwd: root, stdio: 'pipe' });
}

export interface Server {
  app: App;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real Covalue server on a fresh database of the backend, listening on a free local port. */
export async function startServer(backend: Backend): Promise<Server> {
  const database = await createTestDatabase(backend);
  const config = testConfig();
  const app = await buildApp({ config, db: database.db, clock: systemClock, logger: pino({ level: config.log.level }) });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.http.server.address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Problems a page reported that a test should fail on: script errors and CSP violations. */
export interface PageProblems {
  errors: string[];
}

/** A new browser context (its own cookies: one person) in the given language and width. */
export async function newPerson(
  browser: Browser,
  baseUrl: string,
  problems: PageProblems,
  options: { locale?: string; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: options.locale ?? 'zh-CN',
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.errors.push(msg.text());
  });
  return { context, page };
}

/** Saves a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // The header is sticky: from the top, a full-page capture shows it once, where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fills `{{name}}` placeholders of a locale string. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k] ?? ''));
}

/**
 * Calls a server's API with a bearer token (no CSRF needed), failing on any error status: for a
 * test's set-up around what it does in the browser. `baseUrl` is read at each call.
 */
export function apiClient(baseUrl: () => string) {
  const call = async <T>(token: string | undefined, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl()}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const tokenOf = async (email: string, password: string) =>
    (await call<{ token: string }>(undefined, 'POST', '/auth/tokens', { email, password })).token;
  return { call, tokenOf };
}

/** Signs a browser context in through the API: its cookies then hold the session. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  const res = await page.context().request.post('/api/v1/auth/login', { data: { email, password } });
  if (res.status() !== 200) throw new Error(`sign-in of ${email} failed: ${res.status()}`);
}
