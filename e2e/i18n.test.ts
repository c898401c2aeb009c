/**
 * The web app's words live in its locale files: both languages have the same keys, every key the
 * code asks for exists, and no component writes visible text of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from '../web/src/i18n/en.json' with { type: 'json' };
import zh from '../web/src/i18n/zh-CN.json' with { type: 'json' };

const src = fileURLToPath(new URL('../web/src', import.meta.url));
const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
/** Keys as the code names them: plural forms collapse to their base. */
const base = (list: string[]) => new Set(list.map((k) => k.replace(PLURAL, '')));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('web app locales', () => {
  const zhKeys = base(keys(zh));
  const enKeys = base(keys(en));

  it('have the same keys in Chinese and English', () => {
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it('give English both plural forms wherever Chinese has a counted string', () => {
    const enAll = new Set(keys(en));
    const counted = keys(zh).filter((k) => k.endsWith('_other'));
    expect(counted.filter((k) => !enAll.has(k) || !enAll.has(k.replace(/_other$/, '_one')))).toEqual([]);
  });

  it('have every key the code asks for', () => {
    const missing: string[] = [];
    for (const file of sources(src)) {
      const code = fs.readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) {
        const key = m[1]!;
        if (!zhKeys.has(key) || !enKeys.has(key)) missing.push(`${path.relative(src, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('leave no visible text literal in components', () => {
    const literal: string[] = [];
    for (const file of sources(src).filter((f) => f.endsWith('.tsx'))) {
      const code = fs.readFileSync(file, 'utf8');
      // JSX text between tags, and visible string attributes, that contain letters or CJK.
      for (const m of code.matchAll(/>\s*([^<>{}`]*[A-Za-z\u4e00-\u9fff][^<>{}`]*?)(\s*)</g)) {
        const text = m[1]!;
        // TypeScript, not JSX: `Promise<void>`, `(a): b => c<`.
        const generic = m[2] === '' && /^[A-Z]\w*$/.test(text);
        if (!generic && !/[=;()]|=>/.test(text)) literal.push(`${path.relative(src, file)}: ${text.trim()}`);
      }
      for (const m of code.matchAll(/\b(placeholder|title|aria-label|alt)="([^"]*[A-Za-z\u4e00-\u9fff][^"]*)"/g)) {
        literal.push(`${path.relative(src, file)}: ${m[1]}="${m[2]}"`);
      }
    }
    expect(literal).toEqual([]);
  });
});
