// Baselines: a bare Fastify POST route that parses a JSON body and answers JSON, nothing else; the
// same route committing one row to SQLite (WAL, synchronous=NORMAL, as Covalue opens it); and a bare
// sale: the HTTP exchanges of one paid order in the flash bench with no work behind them.
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify from 'fastify';
import { request as send } from 'undici';

const db = new SqliteDatabase(path.join(process.env.BENCH_DIR ?? '.', 'bare.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO hits (body, at) VALUES (?, ?)');

const app = Fastify({ logger: false });
const port = Number(process.env.PORT);
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/bare', async (request) => ({ ok: true, got: request.body }));
app.post('/bare-write', async (request) => {
  const r = insert.run(JSON.stringify(request.body), Date.now());
  return { ok: true, id: Number(r.lastInsertRowid) };
});

// The bare sale, on the flash bench's paths: an order answers 201 with an id until the units are
// gone, then 409 sold-out; a payment answers 201 captured and sends one webhook to this server over
// HTTP (undici's request, as the simulated provider does), which answers 200. No authentication, no
// database, no events: the ceiling that the same exchanges allow on this machine.
let units = 0;
let sold = 0;
app.post<{ Body: { units: number } }>('/bare-sale/reset', async (request) => {
  units = request.body.units;
  sold = 0;
  return { ok: true };
});
app.post<{ Body: { quantity: number } }>('/api/v1/campaigns/:id/orders', async (request, reply) => {
  if (sold + request.body.quantity > units) {
    return reply.code(409).type('application/problem+json').send({ type: 'https://covalue.dev/problems/sold-out' });
  }
  sold += request.body.quantity;
  return reply.code(201).send({ id: `ord_${sold}`, state: 'pending_payment', quantity: request.body.quantity });
});
app.post<{ Params: { id: string } }>('/api/v1/orders/:id/payments', async (request, reply) => {
  const event = JSON.stringify({
    id: `evt_${request.params.id}`,
    type: 'charge.captured',
    data: { paymentId: request.params.id },
  });
  send(`http://127.0.0.1:${port}/bare-sale/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: event,
  })
    .then((res) => res.body.dump())
    .catch(() => undefined);
  return reply.code(201).send({ id: `pay_${request.params.id}`, state: 'captured' });
});
app.post('/bare-sale/webhook', async () => ({ received: true }));
await app.listen({ port, host: '127.0.0.1' });
