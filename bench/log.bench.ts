// npm run bench -- log [--sizes 1000000,10000000] [--backends sqlite,postgres]
//
// 1. Append throughput: entries appended in batches of 200 (as the event subscriber does: canonical
//    JSON, leaf hashes, the tree's new subtrees, the member/subject index, the state row locked and
//    updated, heads signed every 1,000), next to a raw insert of the same entry rows in the same
//    batches into a fresh log table, in the same run.
// 2. Inclusion-proof latency at large sizes: a log bulk-loaded to each size, a head signed, then
//    proofs for random entries through the service and through the HTTP route (inject), next to a
//    plain read of one entry row by its key.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { NewLogEntry } from '../src/modules/log/log.entries.js';
import type { Database } from '../src/platform/db/database.js';
import { type BenchBackend as Backend, fmt, median, openApp, timed } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const APPEND_ENTRIES = Number(process.env.BENCH_APPEND_ENTRIES ?? 20_000);
const BATCH = 200;
const PROOFS = Number(process.env.BENCH_PROOFS ?? 2000);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** A realistic entry: the n-th support of one of 27,000 needs, by one of 270,000 members. */
function entry(n: number): NewLogEntry {
  const id = (prefix: string, k: number) => `${prefix}_01KZ${String(k).padStart(22, '0')}`;
  return {
    v: 1,
    kind: 'need.supported',
    at: new Date(Date.UTC(2026, 9, 1) + n * 37).toISOString(),
    actor: id('mem', n % 270_000),
    credits: [],
    subjects: { needId: id('need', n % 27_000) },
    data: {
      rank: 1 + Math.floor(n / 27_000),
      intent: { quantity: 1 + (n % 3), maxUnitPrice: { amount: 5900, currency: 'CNY' } },
    },
  };
}

async function open(backend: Backend, tag: string) {
  const o = await openApp(backend, `log-${tag}`);
  return { ...o, log: o.app.modules.log.service };
}

async function appendRound(backend: Backend, round: number): Promise<{ append: number; raw: number }> {
  const entries = Array.from({ length: APPEND_ENTRIES }, (_, i) => entry(i));
  // The log's appends.
  const a = await open(backend, `append${round}`);
  let t0 = performance.now();
  for (let i = 0; i < entries.length; i += BATCH) {
    await a.db.transaction((trx) => a.log.append(trx, entries.slice(i, i + BATCH)));
  }
  const append = entries.length / ((performance.now() - t0) / 1000);
  // The same entry rows, hashed beforehand, inserted raw in the same batches into a fresh log table.
  const raw = await open(backend, `raw${round}`);
  const { canonicalJson } = await import('../src/platform/canonical-json.js');
  const { leafHash } = await import('../src/modules/log/merkle.js');
  const rows = entries.map((e, i) => {
    const leaf_input = canonicalJson({ ...e, index: i });
    return { idx: i, leaf_input, leaf_hash: leafHash(Buffer.from(leaf_input)), kind: e.kind, occurred_at: e.at };
  });
  t0 = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    await raw.db.transaction((trx) =>
      trx
        .insertInto('log_entries')
        .values(rows.slice(i, i + BATCH))
        .execute(),
    );
  }
  const rawRate = rows.length / ((performance.now() - t0) / 1000);
  await a.close();
  await raw.close();
  return { append, raw: rawRate };
}

/**
 * Settles the store after a bulk load and reads the two indexes proofs are answered from (~1.3 GB
 * at 10 M entries on PostgreSQL, ~0.9 GB on SQLite) once, as a server answering proofs has them in
 * memory. On PostgreSQL a CHECKPOINT first writes out what the load left dirty (otherwise the
 * first minutes of proofs share the disk with it), then the indexes are read into the OS cache and
 * into shared buffers, as far as they fit (this machine's page cache keeps only a few GB).
 */
async function warmProofIndexes(db: Database, backend: Backend): Promise<void> {
  const t0 = performance.now();
  if (backend === 'postgres') {
    await sql`checkpoint`.execute(db.kysely);
    await sql`create extension if not exists pg_prewarm`.execute(db.kysely);
    for (const mode of ['read', 'buffer'])
      await sql`select pg_prewarm('log_nodes_pkey', ${mode}), pg_prewarm('log_entries_pkey', ${mode})`.execute(db.kysely);
  } else {
    await sql`select sum(length(hash)) from log_nodes`.execute(db.kysely);
    await sql`select sum(length(leaf_hash)) from log_entries indexed by log_entries_leaves`.execute(db.kysely);
  }
  const settings =
    backend === 'postgres'
      ? `; shared_buffers = ${(await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db.kysely)).rows[0]!.shared_buffers}`
      : '';
  console.log(
    `  ${backend}: settled, proof indexes read into the cache in ${fmt((performance.now() - t0) / 1000, 1)} s${settings}`,
  );
}

async function proofLatency(backend: Backend, sizes: number[]): Promise<void> {
  const o = await open(backend, 'proofs');
  try {
    let size = 0;
    for (const target of sizes) {
      const t0 = performance.now();
      size = await o.log.bulkLoad(target - size, entry, (n) => {
        if (n % 1_000_000 === 0) process.stdout.write(`  ${backend}: ${fmt(n)} entries loaded\n`);
      });
      const head = await o.log.signNow();
      console.log(`  ${backend}: ${fmt(size)} entries bulk-loaded in ${fmt((performance.now() - t0) / 1000, 1)} s; head signed`);
      const rand = (i: number) => Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * head.treeSize);
      await warmProofIndexes(o.db, backend);
      for (let i = 0; i < 200; i++) await o.log.inclusionProof({ index: rand(i + PROOFS), treeSize: head.treeSize });
      const rows: [string, { p50: number; p99: number }][] = [];
      for (let r = 0; r < ROUNDS; r++) {
        rows.push(['plain read of one entry by key', await timed(PROOFS, (i) => o.log.entries(rand(i), rand(i)))]);
        rows.push([
          'inclusion proof (service)',
          await timed(PROOFS, (i) => o.log.inclusionProof({ index: rand(i), treeSize: head.treeSize })),
        ]);
        rows.push([
          'inclusion proof (HTTP route, inject)',
          await timed(PROOFS, (i) =>
            o.app.http.inject({ method: 'GET', url: `/api/v1/log/proof/inclusion?index=${rand(i)}&treeSize=${head.treeSize}` }),
          ),
        ]);
      }
      for (const what of [...new Set(rows.map(([w]) => w))]) {
        const mine = rows.filter(([w]) => w === what).map(([, v]) => v);
        console.log(
          `  ${backend} @ ${fmt(size)}: ${what.padEnd(38)} p50 ${fmt(median(mine.map((m) => m.p50)), 3)} ms  p99 ${fmt(median(mine.map((m) => m.p99)), 3)} ms (median of ${ROUNDS} × ${PROOFS})`,
        );
      }
    }
  } finally {
    await o.close();
  }
}

export async function run(): Promise<void> {
  const backends = arg('backends', 'sqlite,postgres').split(',') as Backend[];
  const sizes = arg('sizes', '1000000,10000000')
    .split(',')
    .map(Number)
    .sort((a, b) => a - b);
  if (!process.argv.includes('--no-append')) {
    console.log(`append: ${fmt(APPEND_ENTRIES)} entries in batches of ${BATCH}, ${ROUNDS} rounds per backend`);
    for (const backend of backends) {
      const rounds: { append: number; raw: number }[] = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await appendRound(backend, r));
      const ratios = rounds.map((x) => x.append / x.raw);
      console.log(
        `  ${backend}: log append ${fmt(median(rounds.map((x) => x.append)))} entries/s; raw insert of the same rows ${fmt(median(rounds.map((x) => x.raw)))} rows/s; ` +
          `ratio ${fmt(median(ratios) * 100, 1)} % (rounds: ${ratios.map((x) => `${fmt(x * 100, 1)} %`).join(', ')})`,
      );
    }
  }
  if (!process.argv.includes('--no-proofs')) {
    console.log(`inclusion proofs at ${sizes.map((s) => fmt(s)).join(' and ')} entries`);
    for (const backend of backends) await proofLatency(backend, sizes);
  }
}
