/**
 * `npm start` runs this first: builds the client (client/dist) only when it is missing or older than
 * what it is built from — client/** (but dist), core/**, the Vite config and package-lock.json — so a
 * second start serves at once instead of rebuilding. `--force` builds anyway.
 *
 * Exits 0 when client/dist is up to date (built or not), 1 when the build failed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'client', 'dist');
const CONFIG = join(ROOT, 'client', 'vite.config.ts');

/** Newest modification time (ms) under `path`, skipping `skip` directories; the file that has it. */
function newest(path: string, skip: ReadonlySet<string>): { mtime: number; file: string } {
  let best = { mtime: 0, file: path };
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return best;
  if (!st.isDirectory()) return { mtime: st.mtimeMs, file: path };
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (skip.has(p) || entry.name === 'node_modules') continue;
    const n = entry.isDirectory() ? newest(p, skip) : { mtime: statSync(p).mtimeMs, file: p };
    if (n.mtime > best.mtime) best = n;
  }
  return best;
}

/** Why the client must be built, or null when client/dist is newer than all its sources. */
export function staleReason(root = ROOT): string | null {
  const dist = join(root, 'client', 'dist');
  const index = statSync(join(dist, 'index.html'), { throwIfNoEntry: false });
  if (!index) return 'client/dist is missing';
  const skip = new Set([dist]);
  const sources = [
    join(root, 'client'),
    join(root, 'core'),
    join(root, 'client', 'vite.config.ts'),
    join(root, 'package-lock.json'),
  ].map((p) => newest(p, skip));
  const latest = sources.reduce((a, b) => (b.mtime > a.mtime ? b : a));
  return latest.mtime > index.mtimeMs ? `${relative(root, latest.file)} is newer than client/dist` : null;
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const why = force ? 'asked to (--force)' : staleReason();
  if (!why) {
    console.log('client/dist is up to date: not rebuilding');
    return;
  }
  console.log(`building the client: ${why}`);
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'warn' });
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('the build wrote no client/dist/index.html');
  console.log(`client built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(`client build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
