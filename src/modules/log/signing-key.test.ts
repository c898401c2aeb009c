import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestApp, createTestDatabase, forEachBackend } from '../../../test/harness.js';
import { ConfigError } from '../../platform/config.js';
import { KEY_FILE, loadSigningKey, treeHeadBytes, verifySignature } from './signing-key.js';

describe('the log signing key', () => {
  it('is made once in the data directory and read back after', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-key-'));
    try {
      const first = loadSigningKey({ configured: null, dataDir: dir });
      expect(fs.statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
      const again = loadSigningKey({ configured: null, dataDir: dir });
      expect(again.publicKey.equals(first.publicKey)).toBe(true);
      const message = treeHeadBytes({ treeSize: 3, timestamp: 1, rootHash: Buffer.alloc(32, 1) });
      expect(verifySignature(first.publicKey, message, again.sign(message))).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([KEY_FILE]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is taken from LOG_SIGNING_KEY as a PEM or a base64 seed, and a bad one is a configuration error', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-key-'));
    try {
      expect(loadSigningKey({ configured: pem, dataDir: dir }).publicKey).toHaveLength(32);
      const seed = Buffer.alloc(32, 9).toString('base64');
      expect(
        loadSigningKey({ configured: seed, dataDir: dir }).publicKey.equals(
          loadSigningKey({ configured: seed, dataDir: dir }).publicKey,
        ),
      ).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(() => loadSigningKey({ configured: 'c2hvcnQ=', dataDir: dir })).toThrow(ConfigError);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
        format: 'pem',
        type: 'pkcs8',
      }) as string;
      expect(() => loadSigningKey({ configured: rsa, dataDir: dir })).toThrow(/not an Ed25519 private key/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

forEachBackend((backend) => {
  it('a process with another key than the log’s refuses to start on its database', async () => {
    const created = await createTestDatabase(backend);
    const a = await createTestApp(backend, { database: created.db });
    try {
      await expect(
        createTestApp(backend, { database: created.db, config: { LOG_SIGNING_KEY: Buffer.alloc(32, 5).toString('base64') } }),
      ).rejects.toThrow(/is not the log's/);
    } finally {
      await a.close();
      await created.drop();
    }
  });
});
