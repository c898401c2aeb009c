/**
 * Checks the contribution log in the browser, with WebCrypto only: Merkle hashes of RFC 6962 /
 * RFC 9162 (leaf = SHA-256(0x00 ‖ leaf input), node = SHA-256(0x01 ‖ left ‖ right)), inclusion and
 * consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2), and the Ed25519 signature of a tree head
 * over the RFC 6962 §3.5 TreeHeadSignature bytes. Nothing the server says a hash is, is believed:
 * the leaf hash is computed from the very bytes the page shows.
 */
import { api } from '../api';
import type { InclusionProof, SignedTreeHead } from '../api/types';

/** Bytes backed by a plain ArrayBuffer: what WebCrypto takes. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** What the browser concluded about one entry. */
export type ProofStatus = 'verified' | 'failed' | 'pending';

/** Thrown when this browser's WebCrypto has no Ed25519: nothing was verified, nor found false. */
export class Ed25519UnsupportedError extends Error {
  constructor(cause?: unknown) {
    super('Ed25519 is not available in this browser’s WebCrypto', { cause });
    this.name = 'Ed25519UnsupportedError';
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Hex (either case) to bytes; throws on odd lengths and other characters. */
export function fromHex(hex: string): Bytes {
  if (!HEX.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Standard base64 to bytes; throws on anything that is not base64. */
export function fromBase64(b64: string): Bytes {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The leaf input (canonical JSON bytes) read as the entry it encodes. */
export function decodeLeafInput(leafInput: string): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(leafInput)));
}

async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    input.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf input). */
export function leafHash(leafInput: Uint8Array): Promise<Bytes> {
  return sha256(LEAF, leafInput);
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(NODE, left, right);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const isSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const allHashes = (list: Uint8Array[]) => list.every((h) => h.length === 32);
// Sizes go up to 2^53: halve with arithmetic, not with 32-bit `>>`.
const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/**
 * RFC 9162 §2.1.3.2: whether `auditPath` proves that the leaf of hash `leaf` is entry `index` of
 * the tree of `treeSize` leaves whose root is `rootHash`. An index outside the tree, a hash of the
 * wrong length, or a proof node left over fails.
 */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  auditPath: Uint8Array[],
  rootHash: Uint8Array,
): Promise<boolean> {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (leaf.length !== 32 || rootHash.length !== 32 || !allHashes(auditPath)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of auditPath) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, rootHash);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `second` leaves (root `secondHash`)
 * extends the tree of `first` leaves (root `firstHash`) without changing any of its entries. Equal
 * sizes need an empty proof and equal roots; the empty tree is a prefix of every tree.
 */
export async function verifyConsistency(
  first: number,
  second: number,
  firstHash: Uint8Array,
  secondHash: Uint8Array,
  proof: Uint8Array[],
): Promise<boolean> {
  if (!isSize(first) || !isSize(second) || first > second) return false;
  if (firstHash.length !== 32 || secondHash.length !== 32 || !allHashes(proof)) return false;
  // The empty tree's root is SHA-256 of nothing; it is a prefix of every tree.
  if (first === 0) {
    const empty = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(0)));
    return proof.length === 0 && equal(firstHash, empty) && (second > 0 || equal(secondHash, empty));
  }
  if (first === second) return proof.length === 0 && equal(firstHash, secondHash);
  if (proof.length === 0) return false;
  // A first tree of 2^k leaves is a whole subtree of the second: its root starts the path.
  const path = powerOfTwo(first) ? [firstHash, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, firstHash) && equal(sr, secondHash);
}

function powerOfTwo(n: number): boolean {
  while (n > 1) {
    if (odd(n)) return false;
    n = half(n);
  }
  return n === 1;
}

/**
 * The 50 bytes a tree head's signature covers (RFC 6962 §3.5 TreeHeadSignature): version v1 (0),
 * signature type tree_hash (1), the timestamp in ms and the tree size as big-endian uint64s, and
 * the 32-byte root hash.
 */
export function treeHeadSignatureInput(head: Pick<SignedTreeHead, 'timestamp' | 'treeSize' | 'rootHash'>): Bytes {
  const out = new Uint8Array(50);
  const view = new DataView(out.buffer);
  out[0] = 0;
  out[1] = 1;
  view.setBigUint64(2, BigInt(head.timestamp));
  view.setBigUint64(10, BigInt(head.treeSize));
  const root = fromHex(head.rootHash);
  if (root.length !== 32) throw new Error('root hash is not 32 bytes');
  out.set(root, 18);
  return out;
}

const keys = new Map<string, Promise<CryptoKey>>();

/** Imports a raw 32-byte Ed25519 public key (bytes or base64), once per key. */
export function importPublicKey(publicKey: Uint8Array | string): Promise<CryptoKey> {
  const raw = typeof publicKey === 'string' ? fromBase64(publicKey) : new Uint8Array(publicKey);
  const id = toHex(raw);
  let key = keys.get(id);
  if (!key) {
    key =
      raw.length !== 32
        ? Promise.reject(new Error('an Ed25519 public key is 32 bytes'))
        : crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']).catch((err: unknown) => {
            keys.delete(id);
            throw (err as Error)?.name === 'NotSupportedError' ? new Ed25519UnsupportedError(err) : err;
          });
    keys.set(id, key);
  }
  return key;
}

/** Ed25519 verification of `signature` over `message`; false for a malformed signature. */
export async function verifyEd25519(
  publicKey: Uint8Array | string,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const key = await importPublicKey(publicKey);
  if (signature.length !== 64) return false;
  return crypto.subtle.verify('Ed25519', key, new Uint8Array(signature), new Uint8Array(message));
}

/**
 * Whether the log's key signed this tree head. Throws `Ed25519UnsupportedError` when the browser
 * cannot check Ed25519 at all.
 */
export async function verifyHeadSignature(head: SignedTreeHead, publicKey: Uint8Array | string): Promise<boolean> {
  let message: Bytes;
  let signature: Bytes;
  try {
    message = treeHeadSignatureInput(head);
    signature = fromBase64(head.signature);
  } catch {
    return false;
  }
  return verifyEd25519(publicKey, message, signature);
}

/** Fetches an inclusion proof (the API by default; tests give their own). */
export type GetInclusionProof = (index: number, treeSize: number) => Promise<InclusionProof>;

const defaultGetProof: GetInclusionProof = (index, treeSize) => api.log.inclusion(index, treeSize);

/**
 * Proves entry `index` (its leaf input as the page received it) against the signed `head`: the
 * head's signature with `publicKey`, then the inclusion proof fetched for the head's size, with
 * the leaf hash computed here. `pending` when the entry came after the head (the next head signs it).
 *
 * @example
 * const status = await proveEntry(e.index, e.leafInput, head, key.publicKey);
 */
export async function proveEntry(
  index: number,
  leafInput: string,
  head: SignedTreeHead,
  publicKey: Uint8Array | string,
  getProof: GetInclusionProof = defaultGetProof,
): Promise<ProofStatus> {
  if (index >= head.treeSize) return 'pending';
  if (!(await verifyHeadSignature(head, publicKey))) return 'failed';
  let leaf: Bytes;
  try {
    leaf = await leafHash(fromBase64(leafInput));
  } catch {
    return 'failed';
  }
  const proof = await getProof(index, head.treeSize);
  try {
    // A proof about another leaf, or another tree, proves nothing about this one.
    if (proof.index !== index || proof.treeSize !== head.treeSize) return 'failed';
    if (proof.leafHash.toLowerCase() !== toHex(leaf)) return 'failed';
    const ok = await verifyInclusion(leaf, index, head.treeSize, proof.auditPath.map(fromHex), fromHex(head.rootHash));
    return ok ? 'verified' : 'failed';
  } catch {
    return 'failed';
  }
}
