/**
 * Start-up benchmark (issue 9 #14): how long after `npm start` the map is usable, on a persisted
 * embedded database (a copy of the PGlite folder a first start left behind), client already built.
 *  - first start (empty folder: migrate, demo city, accounts; client built if missing): for the record;
 *  - second start on a copy of that folder: until GET / answers, until a z15 building tile answers,
 *    and until headless Chromium shows the map 'idle' (when Chromium is there). Target ≤ 10 s;
 *  - reference in the same run: a bare `node -e 0` and `npx tsx -e 0` (what any start pays on this
 *    machine, its load included).
 *
 * Run alone: `npx tsx bench/startup.bench.ts` (BENCH_BUILDINGS sets the first start's city size).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, round, type Comparison } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TARGET_S = 10;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** z/x/y of the tile holding lon/lat. */
function tileAt(lon: number, lat: number, z: number): string {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return `${z}/${x}/${y}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 2xx; seconds since `t0`. */
async function answered(url: string, t0: number, child: ChildProcess, limitS: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`npm start exited (${child.exitCode}) before ${url} answered`);
    if ((performance.now() - t0) / 1000 > limitS) throw new Error(`${url} did not answer in ${limitS} s`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.ok) return (performance.now() - t0) / 1000;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
}

interface Start {
  child: ChildProcess;
  log: string[];
  t0: number;
  port: number;
}

async function npmStart(pgliteDir: string): Promise<Start> {
  const port = await freePort();
  const log: string[] = [];
  const t0 = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PGLITE_DIR: pgliteDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'startup-bench-pass',
      ...(process.env.BENCH_BUILDINGS ? { DEMO_BUILDINGS: process.env.BENCH_BUILDINGS } : {}),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return { child, log, t0, port };
}

/** Stops `npm start` and everything it started (its own process group). */
async function stop(s: Start): Promise<void> {
  if (s.child.exitCode !== null || !s.child.pid) return;
  const done = new Promise((r) => s.child.once('exit', r));
  process.kill(-s.child.pid, 'SIGINT');
  const killed = await Promise.race([done.then(() => true), sleep(20_000).then(() => false)]);
  if (!killed) process.kill(-s.child.pid, 'SIGKILL');
}

/** Seconds from `t0` until headless Chromium shows the map idle at `url`; null without Chromium. */
async function mapIdle(url: string, t0: number): Promise<number | null> {
  if (!existsSync(CHROMIUM)) return null;
  const { launchBrowser } = await import('../tests/helpers/browser.ts');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 120_000 });
    return (performance.now() - t0) / 1000;
  } finally {
    await browser.close();
  }
}

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  spawnSync(cmd, args, { cwd: ROOT, stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wuyou-startup-'));
  const first = join(dir, 'first');
  const copy = join(dir, 'copy');
  const tile = tileAt(105.59, 30.53, 15);
  try {
    // First start on an empty folder: it builds the client if needed, migrates, loads the city.
    const a = await npmStart(first);
    let firstS: number;
    try {
      firstS = await answered(`http://127.0.0.1:${a.port}/`, a.t0, a.child, 900);
      await answered(`http://127.0.0.1:${a.port}/tiles/buildings/${tile}.mvt`, a.t0, a.child, 900);
    } catch (e) {
      console.error(a.log.join(''));
      throw e;
    } finally {
      await stop(a);
    }
    cpSync(first, copy, { recursive: true });

    // Second start on the persisted copy: what a user waits for every morning.
    const b = await npmStart(copy);
    let pageS: number;
    let tileS: number;
    let idleS: number | null;
    try {
      pageS = await answered(`http://127.0.0.1:${b.port}/`, b.t0, b.child, 300);
      tileS = await answered(`http://127.0.0.1:${b.port}/tiles/buildings/${tile}.mvt`, b.t0, b.child, 300);
      idleS = await mapIdle(`http://127.0.0.1:${b.port}/`, b.t0);
    } catch (e) {
      console.error(b.log.join(''));
      throw e;
    } finally {
      await stop(b);
    }
    const rebuilt = b.log.join('').includes('building the client');

    const nodeS = timed(process.execPath, ['-e', '0']);
    const tsxS = timed('npx', ['tsx', '-e', '0']);
    const usable = idleS ?? tileS;
    const comparisons: Comparison[] = [
      {
        what: `second start → map usable (${idleS == null ? 'tile answered' : 'Chromium map idle'})`,
        unit: 's',
        value: usable,
        reference: tsxS,
        referenceName: '`npx tsx -e 0` (bare start of the runtime)',
        ratio: usable / tsxS,
        target: `≤ ${TARGET_S} s`,
        pass: usable <= TARGET_S && !rebuilt,
      },
    ];
    report(
      'startup',
      {
        first_start_s: round(firstS, 2),
        second_start_page_s: round(pageS, 2),
        second_start_tile_s: round(tileS, 2),
        second_start_map_idle_s: idleS == null ? 'no Chromium' : round(idleS, 2),
        second_start_rebuilt_client: rebuilt ? 'yes' : 'no',
        node_e_s: round(nodeS, 2),
        npx_tsx_e_s: round(tsxS, 2),
      },
      comparisons,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
