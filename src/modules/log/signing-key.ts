import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../platform/config.js';

/** The Ed25519 key the log signs its tree heads with. */
export interface SigningKey {
  /** The raw 32-byte public key. */
  publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
}

/** PKCS #8 DER of an Ed25519 private key is this prefix and the 32-byte seed (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI DER of an Ed25519 public key is this prefix and the 32 raw bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const KEY_FILE = 'log-signing-key.pem';

function parseKey(text: string, source: string): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seedOf(trimmed)]), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new ConfigError([
      `${source}: not an Ed25519 private key (a PKCS #8 PEM, or the base64 of a 32-byte seed): ${(err as Error).message}`,
    ]);
  }
}

function seedOf(base64: string): Buffer {
  const seed = Buffer.from(base64, 'base64');
  if (seed.length !== 32) throw new Error(`the seed is ${seed.length} bytes, not 32`);
  return seed;
}

function fromKeyObject(privateKey: KeyObject): SigningKey {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: Buffer.from(spki.subarray(SPKI_PREFIX.length)), sign: (m) => sign(null, m, privateKey) };
}

/**
 * The configured key (`LOG_SIGNING_KEY`), or the one in the data directory, made there on first
 * use (linked into place atomically, so that processes starting together on one data directory keep one key).
 */
export function loadSigningKey(options: { configured: string | null; dataDir: string }): SigningKey {
  if (options.configured) return fromKeyObject(parseKey(options.configured, 'LOG_SIGNING_KEY'));
  const file = path.join(options.dataDir, KEY_FILE);
  try {
    return fromKeyObject(parseKey(fs.readFileSync(file, 'utf8'), file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  // Written whole under a temporary name, then linked into place: link() fails if the file exists,
  // so of processes starting together exactly one key wins, and nobody reads a half-written file.
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromKeyObject(parseKey(fs.readFileSync(file, 'utf8'), file));
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return fromKeyObject(privateKey);
}

/** Checks an Ed25519 signature with a raw 32-byte public key. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * The bytes a tree head signature covers: RFC 6962 §3.5's TreeHeadSignature — version v1 (0x00),
 * signature type tree_hash (0x01), the timestamp (uint64, ms), the tree size (uint64), the root hash.
 */
export function treeHeadBytes(head: { treeSize: number; timestamp: number; rootHash: Uint8Array }): Buffer {
  const out = Buffer.alloc(2 + 8 + 8 + 32);
  out[0] = 0;
  out[1] = 1;
  out.writeBigUInt64BE(BigInt(head.timestamp), 2);
  out.writeBigUInt64BE(BigInt(head.treeSize), 10);
  Buffer.from(head.rootHash).copy(out, 18);
  return out;
}
