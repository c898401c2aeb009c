import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './harness.js';
import { freshStore, logLines, portOf, refused, run, serve, waitFor } from './processes.js';

describe('covalue (any backend)', () => {
  it('refuses to serve with PORT=abc: exit code 78 and a message naming PORT', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-proc-'));
    try {
      const r = await run(['serve'], { COVALUE_DATA_DIR: dataDir, PORT: 'abc' });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/PORT/);
      // It failed before touching the data directory.
      expect(fs.existsSync(path.join(dataDir, 'covalue.sqlite'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints usage for --help and for operator create --help', async () => {
    const top = await run(['--help'], {});
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: covalue/);
    for (const command of ['serve', 'migrate', 'seed', 'operator']) expect(top.stdout).toContain(command);

    const create = await run(['operator', 'create', '--help'], {});
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/Usage: covalue operator create/);
    expect(create.stdout).toContain('--email');
    expect(create.stdout).toContain('--password');
  });
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe.skipIf(!backends.includes(backend))(`covalue on ${backend}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    beforeAll(async () => {
      store = await freshStore(backend);
    });
    afterAll(() => store?.drop());

    it('migrate applies the migrations, then reports the database is up to date', async () => {
      const own = await freshStore(backend);
      try {
        const first = await run(['migrate'], own.env);
        expect(first.code).toBe(0);
        expect(first.stdout).toMatch(/^applied: .*2026112301_platform/m);
        const second = await run(['migrate'], own.env);
        expect(second.code).toBe(0);
        expect(second.stdout.trim()).toBe('database is up to date');
      } finally {
        await own.drop();
      }
    });

    it('serves a fresh store end to end, and on SIGTERM answers the request in flight and exits 0', async () => {
      const server = await serve(store.env);
      if (backend === 'sqlite') expect(fs.existsSync(path.join(store.dataDir, 'covalue.sqlite'))).toBe(true);
      const logs = logLines(server.stdout());
      expect(logs.some((l) => l.msg === 'migrations applied')).toBe(true);
      expect(logs.some((l) => l.msg === 'demo story loaded into the empty database')).toBe(true);

      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);

      // A second process on the same store, while the server runs.
      const email = `op.${randomBytes(3).toString('hex')}@b.test`;
      const password = 'long enough pw';
      const made = await run(['operator', 'create', '--email', email, '--password', password], store.env);
      expect(made.code).toBe(0);
      expect(made.stdout).toMatch(/^operator mem_\w+ .*roles: .*operator/m);

      const issued = await fetch(`${server.url}/api/v1/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(issued.status).toBe(201);
      const { token } = (await issued.json()) as { token: string };
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { roles: string[] }).roles).toContain('operator');

      // A request in flight: headers sent, body not yet complete.
      const requestId = `inflight-${randomBytes(4).toString('hex')}`;
      const body = JSON.stringify({ email, password });
      const socket = net.connect(portOf(server.url), '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8').on('data', (d: string) => {
        answer += d;
      });
      const socketClosed = new Promise((resolve) => socket.once('close', resolve));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(
        'POST /api/v1/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body.slice(0, 5)}`,
      );
      await waitFor(
        'the server to log the in-flight request',
        () => (logLines(server.stdout()).some((l) => l.reqId === requestId) ? true : undefined),
        10_000,
      );

      server.child.kill('SIGTERM');
      // The server stops taking connections while the request is still open…
      await waitFor('the server to stop listening', async () => ((await refused(portOf(server.url))) ? true : undefined), 10_000);
      expect(server.child.exitCode).toBeNull();
      // …and the request still gets its answer.
      socket.write(body.slice(5));
      await waitFor('the in-flight answer', () => (/\r\n\r\n\{.*\}/s.test(answer) ? true : undefined), 10_000);
      expect(answer).toMatch(/^HTTP\/1\.1 201 /);
      expect(answer).toMatch(/"token":"cvt_/);

      expect(await server.exit(15_000)).toBe(0);
      expect(logLines(server.stdout()).some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
      socket.destroy();
      await socketClosed;
    });
  });
}
