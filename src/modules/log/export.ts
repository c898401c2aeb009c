import fs from 'node:fs';
import path from 'node:path';
import type { LogService } from './log.service.js';
import { EXPORT_FILES } from './verify.js';

const PAGE = 10_000;

async function writeAll(stream: fs.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
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
  await service.signNow();
  const parts = await service.exportParts();
  const size = Math.max(parts.size, parts.heads[parts.heads.length - 1]?.treeSize ?? 0);
  const entries = fs.createWriteStream(path.join(dir, EXPORT_FILES.entries));
  const hashes = fs.createWriteStream(path.join(dir, EXPORT_FILES.leafHashes));
  for (let start = 0; start < size; start += PAGE) {
    const rows = await parts.entries(start, Math.min(size, start + PAGE) - 1);
    await writeAll(entries, rows.map((r) => `${r.leaf_input}\n`).join(''));
    await writeAll(hashes, rows.map((r) => `${r.leaf_hash.toString('hex')}\n`).join(''));
  }
  await closed(entries);
  await closed(hashes);
  fs.writeFileSync(path.join(dir, EXPORT_FILES.heads), `${JSON.stringify(parts.heads, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, EXPORT_FILES.publicKey), `${JSON.stringify(service.publicKey(), null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, EXPORT_FILES.manifest),
    `${JSON.stringify({ format: 'covalue-log-export/1', entries: size, heads: parts.heads.length, files: EXPORT_FILES }, null, 2)}\n`,
  );
  return { entries: size, heads: parts.heads.length };
}
