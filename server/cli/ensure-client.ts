/**
 * `npm start` (server/index.ts --ensure-client) checks `staleReason` itself and runs this file only
 * when the client is stale, while the database opens: builds the client (client/dist) only when it is missing or older than
 * what it is built from — client/** (but dist), core/**, the Vite config and package-lock.json — so a
 * second start serves at once instead of rebuilding. `--force` builds anyway.
 *
 * Exits 0 when client/dist is up to date (built or not), 1 when the build failed.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processAlive } from '../src/process-alive.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, 'client', 'vite.config.ts');

/** Newest modification time (ms) under `path`, skipping `skip` directories; the file that has it. */
function newest(path: string, skip: ReadonlySet<string>): { mtime: number; file: string } {
  let best = { mtime: 0, file: path };
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return best;
  if (!st.isDirectory()) return { mtime: st.mtimeMs, file: path };
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    // .dist-<pid> folders and the lock are a build under way, not sources.
    // Test files beside the sources are no part of the build.
    if (skip.has(p) || entry.name === 'node_modules' || entry.name.startsWith('.dist')) continue;
    if (/\.test\.tsx?$/.test(entry.name)) continue;
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

/**
 * Takes client/.dist.lock (created exclusively, holding our pid), waiting while another live process
 * holds it; a lock whose process is gone is taken over. Returns the release function.
 */
async function lock(root: string, pollMs: number): Promise<() => void> {
  const file = join(root, 'client', '.dist.lock');
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(readFileSync(file, { encoding: 'utf8', flag: 'r' }).trim() || NaN);
    // Written but not yet filled (a moment), or a live builder: wait. A dead one's lock is stale.
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface EnsureClientOptions {
  root?: string;
  force?: boolean;
  /** Builds the client into `outDir` (default: Vite with client/vite.config.ts). */
  build?: (outDir: string) => Promise<void>;
  log?: (line: string) => void;
  /** How often a start waiting for another's build looks again. */
  pollMs?: number;
}

/**
 * Builds client/dist when stale. Safe when several starts run at once (two `npm start`s): one builds
 * under a lock file while the others wait, then find it fresh; the build goes to a temporary folder
 * renamed into place, so no server ever serves a half-written client/dist. Returns whether it built.
 */
export async function ensureClient(opts: EnsureClientOptions = {}): Promise<boolean> {
  const root = opts.root ?? ROOT;
  const log = opts.log ?? ((l: string) => console.log(l));
  const dist = join(root, 'client', 'dist');
  if (!opts.force && !staleReason(root)) {
    log('client/dist is up to date: not rebuilding');
    return false;
  }
  const release = await lock(root, opts.pollMs ?? 250);
  try {
    // Another start may have built it while this one waited.
    const why = opts.force ? 'asked to (--force)' : staleReason(root);
    if (!why) {
      log('client/dist was just built by another start: not rebuilding');
      return false;
    }
    log(`building the client: ${why}`);
    const started = Date.now();
    const tmp = join(root, 'client', `.dist-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    try {
      await (opts.build ?? viteBuild)(tmp);
      if (!existsSync(join(tmp, 'index.html'))) throw new Error('the build wrote no index.html');
      const old = join(root, 'client', `.dist-old-${process.pid}`);
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(tmp, dist);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    log(`client built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    release();
  }
}

async function viteBuild(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureClient({ force: process.argv.includes('--force') }).catch((e: unknown) => {
    console.error(`client build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
