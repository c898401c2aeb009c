import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpApp } from './server.js';
import { registerWebApp } from './web.js';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>';
const SCRIPT = 'console.log("covalue");'.repeat(50);

async function server(dist: string): Promise<{ app: HttpApp; served: boolean }> {
  const app = await createHttpServer({
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    cookieSecret: 'web-test-cookie-secret-that-is-long-enough-0123',
    version: 'test',
    authenticator: () => ({ fromSessionToken: async () => null, fromBearerToken: async () => null }),
  });
  app.get('/api/v1/ping', { config: { access: 'public' } }, async () => ({ pong: true }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  const { served } = await registerWebApp(app, { dist });
  await app.ready();
  return { app, served };
}

describe('the web app served by the API server', () => {
  let dir: string;
  let app: HttpApp;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js.br'), zlib.brotliCompressSync(SCRIPT));
    ({ app } = await server(dir));
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers client routes with index.html, a strict CSP and no caching', async () => {
    for (const url of ['/', '/needs/need_01ABC', '/operator/communities?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets with a year-long immutable cache, pre-compressed when the client accepts it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);
  });

  it('serves other top-level files with a short cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers a missing asset and unknown API paths with problem+json 404, never index.html', async () => {
    for (const url of ['/assets/gone-000.js', '/api/v1/no-such-thing', '/api']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
  });

  it('leaves the API and health routes alone', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/ping' })).json()).toEqual({ pong: true });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'POST', url: '/needs/x' })).statusCode).toBe(404);
  });

  it('runs API-only when the web app is not built', async () => {
    const missing = path.join(dir, 'not-built');
    const { app: bare, served } = await server(missing);
    try {
      expect(served).toBe(false);
      expect((await bare.inject({ method: 'GET', url: '/api/v1/ping' })).statusCode).toBe(200);
      const res = await bare.inject({ method: 'GET', url: '/needs/x' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      await bare.close();
    }
  });
});
