// Builds the web app when web/dist is missing or older than its sources (run before `npm start`
// and by the browser tests). Exits non-zero when the build fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const root = path.dirname(web);
const built = path.join(web, 'dist', 'index.html');

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name)));
  return max;
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => path.join(web, p));
sources.push(path.join(root, 'src', 'contracts'), path.join(root, 'package-lock.json'));
const sourceTime = Math.max(...sources.map(newest));
const builtTime = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;

if (builtTime >= sourceTime) {
  console.log('web app is up to date (web/dist)');
} else {
  console.log(builtTime ? 'web app sources changed: building web/dist' : 'web app not built yet: building web/dist');
  const result = spawnSync('npm', ['run', '-s', 'build:web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(result.status ?? 1);
}
