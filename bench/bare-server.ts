// Baselines: a bare Fastify POST route that parses a JSON body and answers JSON, nothing else; and
// the same route committing one row to SQLite (WAL, synchronous=NORMAL, as Covalue opens it).
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify from 'fastify';

const db = new SqliteDatabase(path.join(process.env.BENCH_DIR ?? '.', 'bare.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO hits (body, at) VALUES (?, ?)');

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/bare', async (request) => ({ ok: true, got: request.body }));
app.post('/bare-write', async (request) => {
  const r = insert.run(JSON.stringify(request.body), Date.now());
  return { ok: true, id: Number(r.lastInsertRowid) };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
