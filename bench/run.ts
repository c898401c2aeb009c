// npm run bench -- NAME: runs bench/NAME.ts, which prints its figure next to a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const available = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
const mod = (await import(path.join(import.meta.dirname, `${name}.bench.ts`))) as { run: (args: string[]) => Promise<void> };
await mod.run(process.argv.slice(3));
