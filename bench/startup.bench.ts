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

/** Where the page's time goes, in ms from the navigation's start (resource timing of Chromium). */
export interface PageBreakdown {
  dom_content_loaded_ms: number;
  first_contentful_paint_ms: number | null;
  /** The map's first frame with its style and sources (data-map-state left `loading`). */
  map_loaded_ms: number | null;
  map_idle_ms: number;
  /** Per kind of request: how many, bytes over the wire, and when the last one ended. */
  resources: Record<string, { n: number; kb: number; last_end_ms: number; longest_ms: number }>;
}

/** Seconds from `t0` until headless Chromium shows the map idle at `url`, and where that time went. */
async function mapIdle(url: string, t0: number): Promise<{ s: number; page: PageBreakdown } | null> {
  if (!existsSync(CHROMIUM)) return null;
  const { launchBrowser } = await import('../tests/helpers/browser.ts');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx names the functions it compiles with a helper the page does not have.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    // When the map's container first leaves `loading`, seen from inside the page.
    await page.addInitScript(() => {
      const w = window as unknown as { __mapLoadedAt?: number };
      const id = setInterval(() => {
        const s = document.querySelector('[data-testid=map]')?.getAttribute('data-map-state');
        if (s && s !== 'loading') {
          w.__mapLoadedAt = performance.now();
          clearInterval(id);
        }
      }, 10);
    });
    // Tiles are fetched by MapLibre's worker, out of the page's resource timing: seen from here.
    const tiles: Record<string, { n: number; kb: number; last_end_ms: number; longest_ms: number }> = {};
    let navStart = performance.now();
    page.on('requestfinished', (r) => {
      const m = new URL(r.url()).pathname.match(/^\/tiles\/([^/]+)\//);
      if (!m) return;
      const end = performance.now() - navStart;
      void r.sizes().then(
        (sz) => {
          const k = (tiles[`tiles ${m[1]}`] ??= { n: 0, kb: 0, last_end_ms: 0, longest_ms: 0 });
          k.n++;
          k.kb += Math.round(sz.responseBodySize / 1024);
          k.last_end_ms = Math.max(k.last_end_ms, Math.round(end));
          const t = r.timing();
          k.longest_ms = Math.max(k.longest_ms, Math.round(t.responseEnd));
        },
        () => undefined,
      );
    });
    navStart = performance.now();
    await page.goto(url);
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 120_000 });
    const s = (performance.now() - t0) / 1000;
    const breakdown = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const kind = (u: string) => {
        const p = new URL(u).pathname;
        if (p.startsWith('/tiles/')) return `tiles ${p.split('/')[2]}`;
        if (p.startsWith('/api/')) return 'api';
        if (p.startsWith('/fonts/')) return 'font';
        if (/worker/.test(p)) return 'worker';
        if (p.endsWith('.js') || p.endsWith('.mjs')) return 'script';
        if (p.endsWith('.css')) return 'css';
        return 'other';
      };
      const resources: Record<string, { n: number; kb: number; last_end_ms: number; longest_ms: number }> =
        {};
      for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
        const r = (resources[kind(e.name)] ??= { n: 0, kb: 0, last_end_ms: 0, longest_ms: 0 });
        r.n++;
        r.kb += Math.round((e.encodedBodySize || e.transferSize) / 1024);
        r.last_end_ms = Math.max(r.last_end_ms, Math.round(e.responseEnd));
        r.longest_ms = Math.max(r.longest_ms, Math.round(e.duration));
      }
      const w = window as unknown as { __mapLoadedAt?: number };
      return {
        dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
        first_contentful_paint_ms: fcp ? Math.round(fcp.startTime) : null,
        map_loaded_ms: w.__mapLoadedAt == null ? null : Math.round(w.__mapLoadedAt),
        map_idle_ms: Math.round(performance.now()),
        resources,
      };
    });
    Object.assign(breakdown.resources, tiles);
    return { s, page: breakdown };
  } finally {
    await browser.close();
  }
}

/** Only the page load and map idle of a server already running at `url` (BENCH_URL): `npx tsx bench/startup.bench.ts --page-only`. */
export async function pageOnly(url: string): Promise<PageBreakdown | null> {
  const r = await mapIdle(url, performance.now());
  return r?.page ?? null;
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
    let idle: Awaited<ReturnType<typeof mapIdle>>;
    try {
      pageS = await answered(`http://127.0.0.1:${b.port}/`, b.t0, b.child, 300);
      tileS = await answered(`http://127.0.0.1:${b.port}/tiles/buildings/${tile}.mvt`, b.t0, b.child, 300);
      idle = await mapIdle(`http://127.0.0.1:${b.port}/`, b.t0);
    } catch (e) {
      console.error(b.log.join(''));
      throw e;
    } finally {
      await stop(b);
    }
    const rebuilt = b.log.join('').includes('building the client');
    const idleS = idle?.s ?? null;
    if (idle) console.log('page breakdown (ms from navigation start):', JSON.stringify(idle.page, null, 1));

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
        ...(idle
          ? {
              page_dom_content_loaded_ms: idle.page.dom_content_loaded_ms,
              page_map_loaded_ms: idle.page.map_loaded_ms ?? 'never',
              page_map_idle_ms: idle.page.map_idle_ms,
              page_script_kb: idle.page.resources.script?.kb ?? 0,
              page_tile_requests: Object.entries(idle.page.resources)
                .filter(([k]) => k.startsWith('tiles'))
                .reduce((t, [, r]) => t + r.n, 0),
            }
          : {}),
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
  (process.argv.includes('--page-only')
    ? pageOnly(process.env.BENCH_URL ?? 'http://127.0.0.1:3000/').then((p) =>
        console.log(JSON.stringify(p, null, 1)),
      )
    : run()
  ).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
