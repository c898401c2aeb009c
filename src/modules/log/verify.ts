import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LogEntry, LogPublicKey, SignedTreeHead } from '../../contracts/log.js';
import { canonicalJson } from '../../platform/canonical-json.js';
import { appendLeaves, type Hash, leafHash, rootOfFrontier, verifyConsistency, verifyInclusion } from './merkle.js';
import { treeHeadBytes, verifySignature } from './signing-key.js';

/**
 * `covalue verify`: checks a contribution log offline, from files only — an export made by
 * `covalue log export`, a saved head, an inclusion or consistency proof as the API gives them. Never
 * the database: what it trusts is the public key and the signatures.
 */

export const EXPORT_FILES = {
  entries: 'entries.jsonl',
  leafHashes: 'leaf-hashes.txt',
  heads: 'heads.json',
  publicKey: 'public-key.json',
  manifest: 'manifest.json',
} as const;

export type Verdict = { ok: true; report: string[] } | { ok: false; failure: string; report: string[] };

class Failure extends Error {}
const fail = (message: string): never => {
  throw new Failure(message);
};

const hexHash = (s: string) => Buffer.from(s, 'hex');
const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`${what} (${file}) cannot be read as JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return fail(
      `${what} (${file}) is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

function publicKeyFrom(file: string): Buffer {
  const key = Buffer.from(readJson(file, LogPublicKey, 'the public key').publicKey, 'base64');
  if (key.length !== 32) fail(`the public key (${file}) is not 32 bytes`);
  return key;
}

/** A head's signature, checked over the RFC 6962 TreeHeadSignature bytes. */
function checkSignature(head: SignedTreeHead, key: Buffer, what: string): void {
  const signed = treeHeadBytes({ treeSize: head.treeSize, timestamp: head.timestamp, rootHash: hexHash(head.rootHash) });
  if (!verifySignature(key, signed, Buffer.from(head.signature, 'base64'))) {
    fail(`${what} (size ${head.treeSize}) does not carry a valid signature by the public key`);
  }
}

/**
 * The lines of a file as raw bytes, split on LF only (a CR is kept, and refused by the checks): what
 * is hashed is the file's own bytes, never a decoding of them.
 */
async function* rawLines(file: string): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file)) {
    let data = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let at = data.indexOf(0x0a);
    while (at >= 0) {
      yield data.subarray(0, at);
      data = data.subarray(at + 1);
      at = data.indexOf(0x0a);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) yield rest;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks one line of entries.jsonl: canonical JSON of a well-formed entry holding its own index. Returns its leaf hash. */
function entryLeaf(bytes: Buffer, index: number): Hash {
  const at = `entry ${index} (line ${index + 1})`;
  let line: string;
  try {
    line = utf8.decode(bytes);
  } catch {
    return fail(`${at} is not UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return fail(`${at} is not JSON`);
  }
  const parsed = LogEntry.safeParse(value);
  if (!parsed.success) return fail(`${at} is not a log entry: ${parsed.error.issues[0]?.message}`);
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch (err) {
    return fail(`${at} is not canonical JSON: ${(err as Error).message}`);
  }
  if (canonical !== line) fail(`${at} is not in canonical form (keys sorted, no spaces, nothing else on the line)`);
  if (parsed.data.index !== index) fail(`${at} says it is entry ${parsed.data.index}: entries were moved`);
  return leafHash(bytes);
}

/**
 * Checks an export: every entry well-formed and canonical, every leaf hash recomputed, the tree
 * rebuilt, every signed head's root equal to the rebuilt root at its size and its signature valid
 * (so each head is consistent with every other), sizes and timestamps in order; plus heads saved
 * earlier (`extraHeads`), which must be consistent with the export in the same way. Names the first
 * bad entry: the recorded leaf hashes, once their tree matches the signed heads, say which entry
 * changed.
 */
export async function verifyExport(dir: string, options: { extraHeads?: string[]; publicKey?: string } = {}): Promise<Verdict> {
  const report: string[] = [];
  try {
    const key = publicKeyFrom(options.publicKey ?? path.join(dir, EXPORT_FILES.publicKey));
    const heads = readJson(path.join(dir, EXPORT_FILES.heads), z.array(SignedTreeHead), 'the heads');
    const saved = (options.extraHeads ?? []).map((f) => ({ file: f, head: readJson(f, SignedTreeHead, 'the saved head') }));
    heads.forEach((h, i) => {
      checkSignature(h, key, `head ${i}`);
      const prev = heads[i - 1];
      if (prev && h.treeSize <= prev.treeSize) fail(`head ${i} (size ${h.treeSize}) is not larger than the head before it`);
      if (prev && h.timestamp < prev.timestamp)
        fail(`head ${i} (size ${h.treeSize}) is signed earlier than the smaller head before it`);
    });
    for (const s of saved) checkSignature(s.head, key, `the saved head ${s.file}`);
    report.push(`public key and ${heads.length} head signature(s): valid`);

    // Every size that has a head to compare with.
    const checks = new Map<number, { what: string; rootHash: string }[]>();
    const expect = (size: number, what: string, rootHash: string) => {
      checks.set(size, [...(checks.get(size) ?? []), { what, rootHash }]);
    };
    heads.forEach((h, i) => {
      expect(h.treeSize, `head ${i}`, h.rootHash);
    });
    for (const s of saved) expect(s.head.treeSize, `the saved head ${s.file}`, s.head.rootHash);

    const hashesFile = path.join(dir, EXPORT_FILES.leafHashes);
    const recorded = fs.existsSync(hashesFile) ? rawLines(hashesFile) : null;
    let computed = { size: 0, frontier: [] as Hash[] };
    let asRecorded = { size: 0, frontier: [] as Hash[] };
    let firstDiffering: number | null = null;
    let recordedTrusted = recorded !== null;
    let lastGood = 0;

    const compare = (size: number) => {
      for (const c of checks.get(size) ?? []) {
        const root = hex(rootOfFrontier(computed.frontier));
        if (root === c.rootHash) continue;
        const recordedRoot = hex(rootOfFrontier(asRecorded.frontier));
        if (recordedTrusted && recordedRoot === c.rootHash && firstDiffering !== null) {
          fail(
            `entry ${firstDiffering} (line ${firstDiffering + 1}) has been altered: its hash is not the one the signed ${c.what} covers`,
          );
        }
        if (firstDiffering !== null) {
          fail(
            `entry ${firstDiffering} (line ${firstDiffering + 1}) does not match its recorded hash, and the root at size ${size} is not the one ${c.what} signs`,
          );
        }
        fail(
          `the entries after ${lastGood} up to ${size} do not give the root ${c.what} signs (entries or recorded hashes were altered in that range)`,
        );
      }
      if (checks.has(size)) lastGood = size;
    };

    compare(0);
    let index = 0;
    const hashLines = recorded?.[Symbol.asyncIterator]();
    for await (const line of rawLines(path.join(dir, EXPORT_FILES.entries))) {
      const leaf = entryLeaf(line, index);
      computed = { size: index + 1, frontier: appendLeaves(index, computed.frontier, [leaf]).frontier };
      if (hashLines) {
        const next = await hashLines.next();
        const rec = next.done ? null : next.value.toString('latin1');
        if (rec === null || !/^[0-9a-f]{64}$/.test(rec)) {
          // A missing or malformed recorded hash: the recorded tree stops here and is not trusted.
          recordedTrusted = false;
          if (firstDiffering === null) firstDiffering = index;
        } else if (recordedTrusted) {
          asRecorded = { size: index + 1, frontier: appendLeaves(index, asRecorded.frontier, [hexHash(rec)]).frontier };
          if (rec !== hex(leaf) && firstDiffering === null) firstDiffering = index;
        } else if (rec !== hex(leaf) && firstDiffering === null) {
          firstDiffering = index;
        }
      }
      index++;
      compare(index);
    }
    const size = index;
    report.push(`${size} entries: well-formed, canonical, each holding its index, hashed`);
    for (const [s, cs] of checks) {
      if (s > size) fail(`${cs[0]!.what} is for ${s} entries, but the export holds ${size}`);
    }
    if (hashLines && !(await hashLines.next()).done) fail(`${EXPORT_FILES.leafHashes} has more lines than the ${size} entries`);
    if (firstDiffering !== null) {
      if (lastGood > firstDiffering) {
        fail(
          `the recorded leaf hash of entry ${firstDiffering} (${EXPORT_FILES.leafHashes} line ${firstDiffering + 1}) was altered; the entry matches the signed heads`,
        );
      }
      fail(`entry ${firstDiffering} (line ${firstDiffering + 1}) does not match its recorded leaf hash`);
    }
    const last = heads[heads.length - 1];
    if (!last) return fail('the export has no signed head');
    // Entries no head signs prove nothing: an export covers exactly its last head.
    if (last.treeSize < size) fail(`entries ${last.treeSize}..${size - 1} are not covered by a signed head`);
    report.push(`every head's root recomputed from the entries: equal (${heads.length} heads, each consistent with the others)`);
    for (const s of saved) report.push(`saved head ${s.file} (size ${s.head.treeSize}): consistent with the export`);
    const manifestFile = path.join(dir, EXPORT_FILES.manifest);
    if (fs.existsSync(manifestFile)) {
      const manifest = readJson(manifestFile, z.looseObject({ entries: z.number(), heads: z.number() }), 'the manifest');
      if (manifest.entries !== size || manifest.heads !== heads.length) {
        fail(
          `the manifest lists ${manifest.entries} entries and ${manifest.heads} heads; the export holds ${size} and ${heads.length}`,
        );
      }
    }
    if (!options.publicKey && saved.length === 0) {
      report.push(
        `key ${keyFingerprint(key)} was read from the export itself: compare it with the key the log publishes ` +
          '(GET /api/v1/log/public-key), or pin it with --public-key or a --head you saved',
      );
    }
    return { ok: true, report };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, failure: err.message, report };
    return { ok: false, failure: `the export cannot be checked: ${(err as Error).message}`, report };
  }
}

/** SHA-256 of the raw public key, hex: what to compare with the published key. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex');
}

const InclusionFile = z.object({
  index: z.number().int().min(0),
  treeSize: z.number().int().min(1),
  leafInput: z.string().describe('base64 of the entry bytes'),
  auditPath: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});

/**
 * Checks one inclusion proof: the entry's leaf hash recomputed from its bytes, the audit path up to
 * the head's root (RFC 9162 §2.1.3.2), the head's size and signature.
 */
export function verifyInclusionFile(proofFile: string, headFile: string, keyFile: string): Verdict {
  try {
    const key = publicKeyFrom(keyFile);
    const head = readJson(headFile, SignedTreeHead, 'the head');
    checkSignature(head, key, 'the head');
    const proof = readJson(proofFile, InclusionFile, 'the inclusion proof');
    if (proof.treeSize !== head.treeSize) fail(`the proof is for a tree of ${proof.treeSize}, the head for ${head.treeSize}`);
    const leaf = leafHash(Buffer.from(proof.leafInput, 'base64'));
    if (!verifyInclusion(leaf, proof.index, proof.treeSize, proof.auditPath.map(hexHash), hexHash(head.rootHash))) {
      fail(`entry ${proof.index} is not proven to be in the tree the head signs`);
    }
    return { ok: true, report: [`entry ${proof.index} is in the signed tree of ${head.treeSize}`] };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, failure: err.message, report: [] };
    throw err;
  }
}

const ConsistencyFile = z.object({
  first: z.number().int().min(0),
  second: z.number().int().min(0),
  proof: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});

/** Checks a consistency proof between two signed heads (RFC 9162 §2.1.4.2, both roots recomputed). */
export function verifyConsistencyFile(
  proofFile: string,
  firstHeadFile: string,
  secondHeadFile: string,
  keyFile: string,
): Verdict {
  try {
    const key = publicKeyFrom(keyFile);
    const first = readJson(firstHeadFile, SignedTreeHead, 'the first head');
    const second = readJson(secondHeadFile, SignedTreeHead, 'the second head');
    checkSignature(first, key, 'the first head');
    checkSignature(second, key, 'the second head');
    const proof = readJson(proofFile, ConsistencyFile, 'the consistency proof');
    if (proof.first !== first.treeSize || proof.second !== second.treeSize) {
      fail(`the proof is from ${proof.first} to ${proof.second}, the heads are of ${first.treeSize} and ${second.treeSize}`);
    }
    if (
      !verifyConsistency(
        first.treeSize,
        second.treeSize,
        hexHash(first.rootHash),
        hexHash(second.rootHash),
        proof.proof.map(hexHash),
      )
    ) {
      fail(`the tree of ${first.treeSize} is not proven to be a prefix of the tree of ${second.treeSize}`);
    }
    return { ok: true, report: [`the signed tree of ${first.treeSize} is a prefix of the signed tree of ${second.treeSize}`] };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, failure: err.message, report: [] };
    throw err;
  }
}
