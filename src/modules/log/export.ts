import fs from 'node:fs';
import path from 'node:path';
import type { LogService } from './log.service.js';
import { EXPORT_FILES } from './verify.js';

const PAGE = 10_000;

async function writeAll(stream: fs.WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    stream.once('error', failed);
    stream.once('drain', () => {
      stream.off('error', failed);
      resolve();
    });
  });
}

async function closed(stream: fs.WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/**
 * `covalue log export --out DIR`: signs a head covering every entry, then writes the public key,
 * every signed head, the entries (one canonical JSON per line: line i is the leaf input of entry i)
 * and the leaf hashes the log recorded (hex, one per line) — everything `covalue verify` needs.
 */
export async function exportLog(service: LogService, dir: string): Promise<{ entries: number; heads: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const head = await service.signNow();
  const parts = await service.exportParts();
  // Exactly the entries the head signs: later ones wait for the next export.
  const size = head.treeSize;
  const heads = parts.heads.filter((h) => h.treeSize <= size);
  const entries = fs.createWriteStream(path.join(dir, EXPORT_FILES.entries));
  const hashes = fs.createWriteStream(path.join(dir, EXPORT_FILES.leafHashes));
  for (let start = 0; start < size; start += PAGE) {
    const end = Math.min(size, start + PAGE) - 1;
    const rows = await parts.entries(start, end);
    if (rows.length !== end - start + 1 || rows[0]?.idx !== start)
      throw new Error(`the log lacks entries between ${start} and ${end}`);
    await writeAll(entries, rows.map((r) => `${r.leaf_input}\n`).join(''));
    await writeAll(hashes, rows.map((r) => `${r.leaf_hash.toString('hex')}\n`).join(''));
  }
  await closed(entries);
  await closed(hashes);
  fs.writeFileSync(path.join(dir, EXPORT_FILES.heads), `${JSON.stringify(heads, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, EXPORT_FILES.publicKey), `${JSON.stringify(service.publicKey(), null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, EXPORT_FILES.manifest),
    `${JSON.stringify({ format: 'covalue-log-export/1', entries: size, heads: heads.length, files: EXPORT_FILES }, null, 2)}\n`,
  );
  return { entries: size, heads: heads.length };
}
