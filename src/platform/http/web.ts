import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { HttpApp } from './server.js';

/** Where `npm run build:web` writes the web app. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/**
 * The web app's Content-Security-Policy: only its own scripts, styles and API. React sets styles
 * through the CSSOM, which style-src does not restrict, so no 'unsafe-inline' is needed. Images may
 * come from any https address: poll options and products name their pictures by URL (https only,
 * checked by the API).
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the server answers itself; never the web app's index.html. */
function isServerPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url === '/healthz' || url === '/readyz';
}

/**
 * Serves the built web app (web/dist) from the API's own server: hashed assets with a year-long
 * immutable cache (pre-compressed .br/.gz when the build wrote them), other top-level files, and
 * index.html for every other GET so client routes survive a reload. /api paths keep their
 * problem+json 404. When web/dist is absent the server runs API-only and says so in the log.
 */
export async function registerWebApp(app: HttpApp, options: { dist?: string } = {}): Promise<{ served: boolean }> {
  const dist = options.dist ?? WEB_DIST;
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) {
    app.log.warn({ dist }, 'the web app is not built (run `npm run build:web`): serving the API only');
    return { served: false };
  }

  const assets = path.join(dist, 'assets');
  await app.register(fastifyStatic, {
    root: fs.existsSync(assets) ? assets : dist,
    prefix: '/assets/',
    preCompressed: true,
    maxAge: '365d',
    immutable: true,
    index: false,
    setHeaders: (res) => res.setHeader('x-content-type-options', 'nosniff'),
  });

  // Top-level files besides index.html (icons, robots.txt), read once: the build does not change under a running server.
  const topLevel = new Set(
    fs
      .readdirSync(dist, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'index.html' && !/\.(gz|br)$/.test(e.name))
      .map((e) => e.name),
  );

  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (isServerPath(url)) return reply.callNotFound();
    const name = url.slice(1);
    if (topLevel.has(name)) return reply.sendFile(name, dist, { maxAge: '1h', immutable: false });
    if (url.startsWith('/assets/')) return reply.callNotFound();
    return reply
      .header('content-security-policy', WEB_CSP)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', dist, { cacheControl: false });
  });

  app.log.info({ dist }, 'serving the web app');
  return { served: true };
}
