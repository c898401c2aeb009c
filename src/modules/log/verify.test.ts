import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, forEachBackend, type TestApp } from '../../../test/harness.js';
import { run } from '../../../test/processes.js';
import { exportLog } from './export.js';
import type { NewLogEntry } from './log.entries.js';
import { EXPORT_FILES, verifyConsistencyFile, verifyExport, verifyInclusionFile } from './verify.js';

const entry = (i: number, needId = 'need_1'): NewLogEntry => ({
  v: 1,
  kind: 'need.supported',
  at: new Date(Date.UTC(2026, 2, 1, 8, 0, i)).toISOString(),
  actor: `mem_${String(i).padStart(4, '0')}`,
  credits: [],
  subjects: { needId },
  data: { rank: i + 1 },
});

function copyOf(dir: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-export-'));
  fs.cpSync(dir, to, { recursive: true });
  return to;
}

function editLine(file: string, index: number, edit: (line: string) => string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const before = lines[index]!;
  lines[index] = edit(before);
  expect(lines[index]).not.toBe(before);
  fs.writeFileSync(file, lines.join('\n'));
}

const writeJson = (dir: string, name: string, value: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};

forEachBackend((backend) => {
  // `covalue verify` reads files only: its process runs once, on the SQLite export.
  const cliToo = backend === 'sqlite';
  describe('covalue log export and covalue verify', () => {
    let t: TestApp;
    let dir: string;
    const dirs: string[] = [];
    const temp = (d: string) => {
      dirs.push(d);
      return d;
    };

    beforeAll(async () => {
      t = await createTestApp(backend, { config: { LOG_HEAD_EVERY_ENTRIES: '25' } });
      for (let i = 0; i < 100; i += 10) {
        await t.db.transaction((trx) =>
          t.app.modules.log.service.append(
            trx,
            Array.from({ length: 10 }, (_, j) => entry(i + j)),
          ),
        );
      }
      await t.db.transaction((trx) => t.app.modules.log.service.append(trx, [entry(100), entry(101), entry(102)]));
      dir = temp(fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-export-')));
      expect(await exportLog(t.app.modules.log.service, dir)).toEqual({ entries: 103, heads: 5 });
    });
    afterAll(async () => {
      await t.close();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    it('verifies an untouched export, with the CLI exiting 0', async () => {
      const verdict = await verifyExport(dir);
      expect(verdict).toMatchObject({ ok: true });
      if (!cliToo) return;
      const cli = await run(['verify', dir], {});
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toContain('verified');
    });

    it('names the first bad entry when an entry in the file is edited, and the CLI exits 1', async () => {
      const bad = temp(copyOf(dir));
      editLine(path.join(bad, EXPORT_FILES.entries), 57, (l) => l.replace('"rank":58', '"rank":1'));
      editLine(path.join(bad, EXPORT_FILES.entries), 80, (l) => l.replace('"rank":81', '"rank":2'));
      const verdict = await verifyExport(bad);
      expect(verdict).toMatchObject({ ok: false });
      expect(!verdict.ok && verdict.failure).toContain('entry 57 (line 58) has been altered');
      if (!cliToo) return;
      const cli = await run(['verify', bad], {});
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('FAIL: entry 57');
    });

    it('catches every other kind of tampering', async () => {
      const cases: [string, (d: string) => void, string][] = [
        [
          'a line reformatted',
          (d) => editLine(path.join(d, EXPORT_FILES.entries), 3, (l) => l.replace(',', ', ')),
          'entry 3 (line 4) is not in canonical form',
        ],
        [
          'a line that is no entry',
          (d) => editLine(path.join(d, EXPORT_FILES.entries), 9, () => '{"hello":1}'),
          'entry 9 (line 10) is not a log entry',
        ],
        [
          'an entry removed',
          (d) => editLine(path.join(d, EXPORT_FILES.entries), 40, (l) => l.replace(/^.*$/, '').concat('§')),
          'entry 40 (line 41) is not JSON',
        ],
        [
          'the last entries cut off',
          (d) => {
            const f = path.join(d, EXPORT_FILES.entries);
            fs.writeFileSync(f, fs.readFileSync(f, 'utf8').split('\n').slice(0, 90).join('\n'));
          },
          'head 3 is for 100 entries, but the export holds 90',
        ],
        [
          'two entries swapped',
          (d) => {
            const f = path.join(d, EXPORT_FILES.entries);
            const lines = fs.readFileSync(f, 'utf8').split('\n');
            [lines[20], lines[21]] = [lines[21]!, lines[20]!];
            fs.writeFileSync(f, lines.join('\n'));
          },
          'entry 20 (line 21) says it is entry 21: entries were moved',
        ],
        [
          'a line ending in CRLF',
          (d) => editLine(path.join(d, EXPORT_FILES.entries), 5, (l) => `${l}\r`),
          'entry 5 (line 6) is not in canonical form',
        ],
        [
          'a forged entry after the last head',
          (d) => {
            const f = path.join(d, EXPORT_FILES.entries);
            const forged = fs.readFileSync(f, 'utf8').split('\n')[0]!.replace('"index":0', '"index":103');
            fs.appendFileSync(f, `${forged}\n`);
            const h = createHash('sha256')
              .update(Buffer.from([0]))
              .update(forged)
              .digest('hex');
            fs.appendFileSync(path.join(d, EXPORT_FILES.leafHashes), `${h}\n`);
          },
          'entries 103..103 are not covered by a signed head',
        ],
        [
          'a malformed recorded hash',
          (d) => editLine(path.join(d, EXPORT_FILES.leafHashes), 4, () => 'zz'),
          'the recorded leaf hash of entry 4',
        ],
        [
          'a recorded leaf hash changed',
          (d) => editLine(path.join(d, EXPORT_FILES.leafHashes), 12, (l) => `${l.slice(0, -1)}${l.endsWith('0') ? '1' : '0'}`),
          'the recorded leaf hash of entry 12',
        ],
        [
          'an entry and its recorded hash changed together',
          (d) => {
            editLine(path.join(d, EXPORT_FILES.entries), 30, (l) => l.replace('"rank":31', '"rank":3'));
            const line = fs.readFileSync(path.join(d, EXPORT_FILES.entries), 'utf8').split('\n')[30]!;
            const h = createHash('sha256')
              .update(Buffer.from([0]))
              .update(line)
              .digest('hex');
            editLine(path.join(d, EXPORT_FILES.leafHashes), 30, () => h);
          },
          'the entries after 10 up to 40 do not give the root head 1 signs',
        ],
        [
          'a head’s root changed',
          (d) => {
            const f = path.join(d, EXPORT_FILES.heads);
            const heads = JSON.parse(fs.readFileSync(f, 'utf8'));
            heads[1].rootHash = `${'0'.repeat(63)}1`;
            fs.writeFileSync(f, JSON.stringify(heads));
          },
          'head 1 (size 40) does not carry a valid signature',
        ],
        [
          'another public key',
          (d) =>
            writeJson(d, EXPORT_FILES.publicKey, { algorithm: 'Ed25519', publicKey: Buffer.alloc(32, 7).toString('base64') }),
          'head 0 (size 10) does not carry a valid signature',
        ],
      ];
      for (const [what, tamper, message] of cases) {
        const bad = temp(copyOf(dir));
        tamper(bad);
        const verdict = await verifyExport(bad);
        expect(verdict.ok, what).toBe(false);
        expect(!verdict.ok && verdict.failure, what).toContain(message);
      }
    });

    it('checks a head saved earlier against the export: consistent, or a fork', async () => {
      const heads = JSON.parse(fs.readFileSync(path.join(dir, EXPORT_FILES.heads), 'utf8'));
      const saved = writeJson(temp(fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-head-'))), 'head.json', heads[2]);
      expect(await verifyExport(dir, { extraHeads: [saved] })).toMatchObject({ ok: true });

      // The same key over different entries: a forked log, signed by the log's own key.
      const fork = await createTestApp(backend);
      try {
        await fork.db.transaction((trx) =>
          fork.app.modules.log.service.append(
            trx,
            Array.from({ length: 30 }, (_, i) => entry(i, i === 17 ? 'need_2' : 'need_1')),
          ),
        );
        const forkHead = await fork.app.modules.log.service.signNow();
        const file = writeJson(path.dirname(saved), 'fork.json', forkHead);
        const verdict = await verifyExport(dir, { extraHeads: [file] });
        expect(verdict.ok).toBe(false);
        expect(!verdict.ok && verdict.failure).toContain('do not give the root the saved head');
      } finally {
        await fork.close();
      }
    });

    it('checks single inclusion and consistency proofs from files, and refuses altered ones', async () => {
      const d = temp(fs.mkdtempSync(path.join(os.tmpdir(), 'covalue-proof-')));
      const head = (await t.visitor.get('/api/v1/log/head')).json();
      const headFile = writeJson(d, 'head.json', head);
      const keyFile = writeJson(d, 'key.json', (await t.visitor.get('/api/v1/log/public-key')).json());
      const proof = (
        await t.visitor.get('/api/v1/log/proof/inclusion', { query: { index: 42, treeSize: head.treeSize } })
      ).json();
      const [logged] = (await t.visitor.get('/api/v1/log/entries', { query: { start: 42, end: 42 } })).json().entries;
      const good = writeJson(d, 'inclusion.json', { ...proof, leafInput: logged.leafInput });
      expect(verifyInclusionFile(good, headFile, keyFile)).toMatchObject({ ok: true });
      if (cliToo) {
        const cli = await run(['verify', '--inclusion', good, '--head', headFile, '--public-key', keyFile], {});
        expect(cli.code, cli.stderr).toBe(0);
      }
      const forged = writeJson(d, 'forged.json', {
        ...proof,
        leafInput: Buffer.from(Buffer.from(logged.leafInput, 'base64').toString().replace('"rank":43', '"rank":1')).toString(
          'base64',
        ),
      });
      expect(verifyInclusionFile(forged, headFile, keyFile)).toMatchObject({ ok: false });

      const first = (await t.visitor.get('/api/v1/log/heads', { query: { limit: 100 } })).json().items.at(-2);
      const firstFile = writeJson(d, 'first.json', first);
      const consistency = (
        await t.visitor.get('/api/v1/log/proof/consistency', { query: { first: first.treeSize, second: head.treeSize } })
      ).json();
      const cFile = writeJson(d, 'consistency.json', consistency);
      expect(verifyConsistencyFile(cFile, firstFile, headFile, keyFile)).toMatchObject({ ok: true });
      if (cliToo) {
        const cli = await run(
          ['verify', '--consistency', cFile, '--head', firstFile, '--head', headFile, '--public-key', keyFile],
          {},
        );
        expect(cli.code, cli.stderr).toBe(0);
      }
      const dropped = writeJson(d, 'dropped.json', { ...consistency, proof: consistency.proof.slice(1) });
      expect(verifyConsistencyFile(dropped, firstFile, headFile, keyFile)).toMatchObject({ ok: false });
      const swapped = writeJson(d, 'swapped.json', consistency);
      expect(verifyConsistencyFile(swapped, headFile, firstFile, keyFile)).toMatchObject({ ok: false });
    });
  });
});
