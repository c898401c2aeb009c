// Prints the gzip size of the JavaScript a member page loads first (the entry chunk and its static
// imports), fails when it passes the budget or when zod slipped into the bundle, and writes .gz/.br
// files next to every asset so the server can send them pre-compressed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const BUDGET_KB = 200;
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gzipSize = (file) => zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entryKey) throw new Error('no entry chunk in the Vite manifest');
const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const k of chunk.imports ?? []) visit(k);
};
visit(entryKey);

let total = 0;
for (const file of initial) {
  const size = gzipSize(file);
  total += size;
  console.log(`  initial  ${file.padEnd(44)} ${kb(size).padStart(10)} gzip`);
}
const css = manifest[entryKey].css ?? [];
for (const file of css) console.log(`  css      ${file.padEnd(44)} ${kb(gzipSize(file)).padStart(10)} gzip`);
const lazy = Object.values(manifest).filter((c) => c.file.endsWith('.js') && !initial.has(c.file));
for (const c of lazy) console.log(`  lazy     ${c.file.padEnd(44)} ${kb(gzipSize(c.file)).padStart(10)} gzip`);
console.log(`entry chunk (initial JS of member pages): ${kb(total)} gzip, budget ${BUDGET_KB} KB`);

const assets = path.join(dist, 'assets');
let leaked = false;
for (const name of fs.readdirSync(assets)) {
  const file = path.join(assets, name);
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const body = fs.readFileSync(file);
  if (name.endsWith('.js') && body.includes('Download the React DevTools')) {
    console.error(`${name} holds React's development build: build with NODE_ENV=production`);
    leaked = true;
  }
  if (name.endsWith('.js') && /\bZodError\b|\$ZodType/.test(body.toString('utf8'))) {
    console.error(`zod reached the browser bundle in ${name}: import contract types with \`import type\` only`);
    leaked = true;
  }
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body));
}

if (total > BUDGET_KB * 1024) {
  console.error(`the entry chunk is over budget: ${kb(total)} > ${BUDGET_KB} KB gzip`);
  process.exit(1);
}
if (leaked) process.exit(1);
