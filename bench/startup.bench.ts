/**
 * Start-up benchmark (issue 9 #14): how long after `npm start` the map is usable, on a persisted
 * embedded database (a PGlite folder that already holds the demo city), client already built.
 *  - spawn → /api/health ok: what `npm start` costs before anything can be asked;
 *  - page open → map usable: headless Chromium opens `/` right after, until the map is idle at the
 *    view it opens on with the service-area and compound tiles drawn (the state the map's container
 *    reports as `data-map-state=idle`), with every request of the page logged (what, size, when);
 *  - spawn → map usable: the two together, what a user waits for every morning. Target ≤ 10 s.
 *  - reference in the same run, on the same loaded machine: a bare `node -e` HTTP server from spawn
 *    to its first answer, and Chromium loading a blank page from it; each figure is given as a ratio
 *    to its reference (spawn → map usable against the sum of both).
 *
 * The persisted folder is made by a first start on an empty folder (migrations, demo city, accounts;
 * timed for the record), or copied from BENCH_PGLITE_DIR when set (a folder a start left behind).
 * Run alone: `npx tsx bench/startup.bench.ts` (BENCH_BUILDINGS sets the first start's city size);
 * `--page-only` times only the page against a server already running at BENCH_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { freePort, report, round, type Comparison } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TARGET_S = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 2xx; seconds since `t0`. */
async function answered(url: string, t0: number, child: ChildProcess, limitS: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the process exited (${child.exitCode}) before ${url} answered`);
    if ((performance.now() - t0) / 1000 > limitS) throw new Error(`${url} did not answer in ${limitS} s`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.ok) return (performance.now() - t0) / 1000;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
}

interface Started {
  child: ChildProcess;
  log: string[];
  t0: number;
  port: number;
}

/** Spawns `cmd` in a process group of its own (so stop() ends all it started), output kept. */
async function start(cmd: string, args: string[], env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const log: string[] = [];
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return { child, log, t0, port };
}

const npmStart = (pgliteDir: string) =>
  start('npm', ['start'], {
    DATABASE_URL: '',
    PGLITE_DIR: pgliteDir,
    HOST: '127.0.0.1',
    ADMIN_PASSWORD: 'startup-bench-pass',
    ...(process.env.BENCH_BUILDINGS ? { DEMO_BUILDINGS: process.env.BENCH_BUILDINGS } : {}),
    LOG_LEVEL: 'warn',
  });

/** Stops a started process group: SIGINT, then SIGKILL after 20 s. */
async function stop(s: Started): Promise<void> {
  if (s.child.exitCode !== null || !s.child.pid) return;
  const done = new Promise((r) => s.child.once('exit', r));
  process.kill(-s.child.pid, 'SIGINT');
  const ended = await Promise.race([done.then(() => true), sleep(20_000).then(() => false)]);
  if (!ended) process.kill(-s.child.pid, 'SIGKILL');
}

/** One request of the page: path, bytes of body, start and end in ms from opening the page. */
interface Request {
  path: string;
  kb: number;
  start_ms: number;
  end_ms: number | null;
}

export interface PageRun {
  /** From page.goto to the map idle at its view with its layers' tiles in. */
  usable_ms: number;
  /** performance.now() of this process at that moment. */
  usable_at: number;
  dom_content_loaded_ms: number;
  /** Per kind of request: how many, KB, when the last one ended, the longest. */
  resources: Record<string, { n: number; kb: number; last_end_ms: number; longest_ms: number }>;
  font_downloads: number;
  /** Zoom levels of the tiles asked for: one when the map starts at its final view. */
  tile_zooms: number[];
  requests: Request[];
}

const kindOf = (path: string) => {
  if (path.startsWith('/tiles/')) return `tiles ${path.split('/')[2]}`;
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/fonts/')) return 'font';
  if (/worker/.test(path)) return 'worker';
  if (/\.m?js$/.test(path)) return 'script';
  if (path.endsWith('.css')) return 'css';
  return 'other';
};

/** Opens `url` in a new page and times it until the map is usable, logging every request. */
async function openMap(browser: Browser, url: string): Promise<PageRun> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // tsx names the functions it compiles with a helper the page does not have. The map's state changes
  // are timed inside the page (a MutationObserver runs as MapLibre sets them): polling from here is
  // late whenever the page's thread is busy.
  await page.addInitScript({
    content: `window.__name = (f) => f;
      window.__mapStates = [];
      new MutationObserver((ms) => {
        for (const m of ms)
          if (m.attributeName === 'data-map-state' && m.target.dataset.testid === 'map')
            window.__mapStates.push([performance.now(), m.target.dataset.mapState]);
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-map-state'] });`,
  });
  try {
    const requests = new Map<object, Request>();
    let opened = performance.now();
    const origin = new URL(url).origin;
    page.on('request', (r) => {
      if (!r.url().startsWith(origin)) return;
      const u = new URL(r.url());
      requests.set(r, {
        path: u.pathname + u.search,
        kb: 0,
        start_ms: Math.round(performance.now() - opened),
        end_ms: null,
      });
    });
    page.on('requestfinished', (r) => {
      const e = requests.get(r);
      if (!e) return;
      e.end_ms = Math.round(performance.now() - opened);
      void r.sizes().then(
        (s) => (e.kb = round(s.responseBodySize / 1024, 1)),
        () => undefined,
      );
    });
    const layerTiles = () =>
      [...requests.values()].filter(
        (r) => r.end_ms !== null && /^\/tiles\/(service-areas|compounds)\//.test(r.path),
      ).length;
    opened = performance.now();
    await page.goto(url);
    // Usable: idle (every tile of the view loaded and drawn) once the service-area and compound tiles are in.
    let seen = 0;
    for (;;) {
      await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 120_000 });
      seen = performance.now() - opened;
      if (layerTiles() >= 2) break;
      await page.waitForSelector('[data-testid=map]:not([data-map-state=idle])', { timeout: 120_000 });
    }
    // When it became idle, by the page's clock (from the navigation's start, which is `opened`).
    const states = await page.evaluate(
      () => (window as unknown as { __mapStates: [number, string][] }).__mapStates,
    );
    // MapLibre says idle again after any later repaint (deck.gl's chunk arriving, say): the map was
    // usable at the first idle after the last busy one before it was seen idle here.
    const lastBusy = states.filter(([t, s]) => s !== 'idle' && t <= seen).at(-1)?.[0] ?? 0;
    const usable = states.find(([t, s]) => s === 'idle' && t >= lastBusy)?.[0] ?? seen;
    const changes = states.filter(([, s], i) => s !== states[i - 1]?.[1]);
    console.log(
      `map states (ms from opening): ${changes.map(([t, s]) => `${Math.round(t)} ${s}`).join(', ')}`,
    );
    const dcl = await page.evaluate(
      () =>
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
          .domContentLoadedEventEnd,
    );
    await sleep(200); // the last sizes() answers
    const list = [...requests.values()].sort((a, b) => a.start_ms - b.start_ms);
    const resources: PageRun['resources'] = {};
    for (const r of list) {
      const k = (resources[kindOf(r.path)] ??= { n: 0, kb: 0, last_end_ms: 0, longest_ms: 0 });
      k.n++;
      k.kb = round(k.kb + r.kb, 1);
      if (r.end_ms !== null) {
        k.last_end_ms = Math.max(k.last_end_ms, r.end_ms);
        k.longest_ms = Math.max(k.longest_ms, r.end_ms - r.start_ms);
      }
    }
    const zooms = new Set(
      list.flatMap((r) => r.path.match(/^\/tiles\/[^/]+\/(\d+)\//)?.[1] ?? []).map(Number),
    );
    return {
      usable_ms: Math.round(usable),
      usable_at: opened + usable,
      dom_content_loaded_ms: Math.round(dcl),
      resources,
      font_downloads: list.filter((r) => r.path.startsWith('/fonts/')).length,
      tile_zooms: [...zooms].sort((a, b) => a - b),
      requests: list,
    };
  } finally {
    await page.close();
  }
}

/** The reference: a bare Node HTTP server from spawn to its first answer, and Chromium loading a blank page from it. */
async function reference(browser: Browser): Promise<{ spawn_s: number; page_ms: number }> {
  const blank = '<!doctype html><html><head><title>blank</title></head><body></body></html>';
  const s = await start(
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, s) => s.end(${JSON.stringify(blank)})).listen(+process.env.PORT, '127.0.0.1')`,
    ],
    {},
  );
  try {
    const spawnS = await answered(`http://127.0.0.1:${s.port}/`, s.t0, s.child, 60);
    const page = await browser.newPage();
    try {
      const t = performance.now();
      await page.goto(`http://127.0.0.1:${s.port}/`, { waitUntil: 'load' });
      return { spawn_s: spawnS, page_ms: performance.now() - t };
    } finally {
      await page.close();
    }
  } finally {
    await stop(s);
  }
}

async function launch(): Promise<Browser> {
  const { launchBrowser } = await import('../tests/helpers/browser.ts');
  return launchBrowser();
}

/** Only the page of a server already running at `url` (BENCH_URL): `npx tsx bench/startup.bench.ts --page-only`. */
export async function pageOnly(url: string): Promise<PageRun | null> {
  if (!existsSync(CHROMIUM)) return null;
  const browser = await launch();
  try {
    return await openMap(browser, url);
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`startup bench skipped: no Chromium at ${CHROMIUM} (the map's time is the point of it)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wuyou-startup-'));
  const copy = join(dir, 'copy');
  const load = loadavg().map((l) => round(l, 2));
  let firstS: number | string = 'skipped (BENCH_PGLITE_DIR)';
  const browser = await launch();
  try {
    if (process.env.BENCH_PGLITE_DIR) {
      cpSync(process.env.BENCH_PGLITE_DIR, copy, { recursive: true });
    } else {
      // First start on an empty folder: it builds the client if needed, migrates, loads the city.
      const first = join(dir, 'first');
      const a = await npmStart(first);
      try {
        firstS = round(await answered(`http://127.0.0.1:${a.port}/api/health`, a.t0, a.child, 900), 2);
      } catch (e) {
        console.error(a.log.join(''));
        throw e;
      } finally {
        await stop(a);
      }
      cpSync(first, copy, { recursive: true });
    }

    // The reference first, on the same machine in the same minute.
    const ref = await reference(browser);

    // Second start on the persisted copy, then the page at once.
    const b = await npmStart(copy);
    let healthS: number;
    let page: PageRun;
    let usableS: number;
    try {
      healthS = await answered(`http://127.0.0.1:${b.port}/api/health`, b.t0, b.child, 300);
      page = await openMap(browser, `http://127.0.0.1:${b.port}/`);
      usableS = (page.usable_at - b.t0) / 1000;
    } catch (e) {
      console.error(b.log.join(''));
      throw e;
    } finally {
      await stop(b);
    }
    const rebuilt = b.log.join('').includes('building the client');
    console.log('requests of the page (ms from opening it):');
    for (const r of page.requests)
      console.log(
        `  ${String(r.start_ms).padStart(6)} → ${String(r.end_ms ?? '-').padStart(6)}  ${String(r.kb).padStart(8)} KB  ${r.path.slice(0, 90)}`,
      );

    const refPageS = ref.page_ms / 1000;
    const comparisons: Comparison[] = [
      {
        what: 'spawn of npm start → /api/health ok',
        unit: 's',
        value: healthS,
        reference: ref.spawn_s,
        referenceName: 'bare `node -e` HTTP server, spawn → first answer',
        ratio: healthS / ref.spawn_s,
        target: 'for the record',
        pass: true,
      },
      {
        what: 'page open → map usable (idle at its view, layers in)',
        unit: 's',
        value: page.usable_ms / 1000,
        reference: refPageS,
        referenceName: 'Chromium loading a blank page from that server',
        ratio: page.usable_ms / 1000 / refPageS,
        target: 'one font download, tiles of one view',
        pass: page.font_downloads === 1 && page.tile_zooms.length === 1,
      },
      {
        what: 'spawn of npm start → map usable',
        unit: 's',
        value: usableS,
        reference: ref.spawn_s + refPageS,
        referenceName: 'the two references together',
        ratio: usableS / (ref.spawn_s + refPageS),
        target: `≤ ${TARGET_S} s, client not rebuilt`,
        pass: usableS <= TARGET_S && !rebuilt,
      },
    ];
    report(
      'startup',
      {
        load_average_1_5_15: load.join(' '),
        first_start_health_s: firstS,
        spawn_to_health_s: round(healthS, 2),
        page_open_to_map_usable_s: round(page.usable_ms / 1000, 2),
        spawn_to_map_usable_s: round(usableS, 2),
        rebuilt_client: rebuilt ? 'yes' : 'no',
        page_dom_content_loaded_ms: page.dom_content_loaded_ms,
        page_font_downloads: page.font_downloads,
        page_tile_zooms: page.tile_zooms.join(' '),
        page_requests: page.requests.length,
        page_kb: round(
          page.requests.reduce((t, r) => t + r.kb, 0),
          0,
        ),
        ...Object.fromEntries(
          Object.entries(page.resources).map(([k, r]) => [
            `page ${k}`,
            `${r.n} × ${r.kb} KB, last ends ${r.last_end_ms} ms, longest ${r.longest_ms} ms`,
          ]),
        ),
        reference_node_http_spawn_s: round(ref.spawn_s, 3),
        reference_blank_page_ms: Math.round(ref.page_ms),
      },
      comparisons,
    );
  } finally {
    await browser.close();
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
