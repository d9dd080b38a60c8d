import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { beforeEach, describe, it } from 'vitest';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import type { Db } from '../../server/src/db/index.ts';
import { createSeededTestDb } from './db.ts';

/** Debian's Chromium (package `chromium`), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The built client; WUYOU_CLIENT_DIST points elsewhere (e.g. a build made with `--outDir`). */
export const CLIENT_DIST =
  process.env.WUYOU_CLIENT_DIST || fileURLToPath(new URL('../../client/dist', import.meta.url));
/** Screenshots land here (git-ignored; CI keeps them as artefacts). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts', import.meta.url));

/**
 * Whether the browser tests can run. Without Chromium they are skipped with this message, except
 * under CI=true, where a missing browser is a failure (see `describeInBrowser`).
 */
export const BROWSER_MISSING: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `No Chromium at ${CHROMIUM_PATH}: browser tests are skipped, and fail under CI=true (apt-get install chromium, or set CHROMIUM_PATH)`;

export const IN_CI = process.env.CI === 'true';

/**
 * A suite that needs Chromium: without it the suite is skipped with the reason on the console, or,
 * under CI=true, replaced by one failing test that says what is missing.
 */
export function describeInBrowser(name: string, suite: () => void): void {
  const missing = BROWSER_MISSING;
  if (missing && IN_CI) {
    it('has a browser (CI=true requires one)', () => {
      throw new Error(missing);
    });
    return;
  }
  if (missing) console.warn(missing);
  describe.skipIf(!!missing)(name, suite);
}

// Flags that give WebGL2 through ANGLE/SwiftShader headless. Not --use-gl=swiftshader (breaks WebGL
// unless --enable-unsafe-swiftshader is also set; see STACK-NOTES).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface RunningServer {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/**
 * The real server over a fresh database holding the demo city, serving the built client, on an
 * ephemeral port. The client must have been built (`npm test` runs `npm run build` first).
 */
export async function startServerWithDemoCity(opts: {
  buildings: number;
  /** More settings for the server (e.g. BASEMAP_DIR). */
  env?: Record<string, string>;
}): Promise<RunningServer> {
  if (!existsSync(`${CLIENT_DIST}/index.html`)) {
    throw new Error(`${CLIENT_DIST}/index.html is missing: run \`npm run build\` before the browser tests`);
  }
  const t = await createSeededTestDb({ buildings: opts.buildings });
  try {
    const config = loadConfig({
      ...process.env,
      CLIENT_DIST,
      LOG_LEVEL: 'silent',
      AUTH_SECRET: 'browser-test-secret',
      // No outside basemap, whatever the environment says: the test checks that nothing leaves the machine.
      TIANDITU_TK: '',
      ...opts.env,
    });
    const app = createApp({ db: t.db, config, logger: pino({ level: 'silent' }) });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      db: t.db,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await t.drop();
      },
    };
  } catch (e) {
    await t.drop();
    throw e;
  }
}

/** Pixels of an RGBA image within `tolerance` (per channel) of one of `colours`. */
export function countPixels(
  rgba: Uint8Array | Uint8ClampedArray,
  colours: readonly (readonly [number, number, number])[],
  tolerance: number,
): number {
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    for (const [r, g, b] of colours) {
      if (
        Math.abs(rgba[i]! - r) <= tolerance &&
        Math.abs(rgba[i + 1]! - g) <= tolerance &&
        Math.abs(rgba[i + 2]! - b) <= tolerance
      ) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** '#rrggbb' blended with `opacity` over `under` (also '#rrggbb'), as the map draws a translucent fill. */
export function blend(hex: string, opacity: number, under: string): [number, number, number] {
  const rgb = (h: string) =>
    [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  const a = rgb(hex);
  const b = rgb(under);
  return [0, 1, 2].map((i) => Math.round(a[i]! * opacity + b[i]! * (1 - opacity))) as [
    number,
    number,
    number,
  ];
}

/**
 * How many pixels of a PNG (a screenshot) lie within `tolerance` per channel of any of `colours`,
 * decoded by the browser of `page`.
 */
export function countColoursInPng(
  page: Page,
  png: Buffer,
  colours: readonly (readonly [number, number, number])[],
  tolerance = 14,
): Promise<number> {
  return page.evaluate(
    async ({ b64, colours, tolerance }) => {
      const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
      const bmp = await createImageBitmap(blob);
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      const px = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        for (const [r, g, b] of colours) {
          if (
            Math.abs(px[i]! - r) <= tolerance &&
            Math.abs(px[i + 1]! - g) <= tolerance &&
            Math.abs(px[i + 2]! - b) <= tolerance
          ) {
            n++;
            break;
          }
        }
      }
      return n;
    },
    { b64: png.toString('base64'), colours: colours as [number, number, number][], tolerance },
  );
}

/**
 * Waits until the map has settled after something moved it or changed its layers: two animation
 * frames (so a move or a layer change begun has marked the map busy, and deck.gl has drawn and can
 * pick), then the map's idle state. A condition, never a fixed time, so it holds on a busy machine.
 */
export async function mapSettled(page: Page, timeout = 60_000): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
  await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout });
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

/**
 * GET a JSON answer, asking again while the server answers 503 (a heavy request — gaps, proposals —
 * past its time limit or queue on a loaded machine; the product tells its user to try again). Any
 * other status fails at once with the answer's body.
 */
export async function fetchJsonWhenServed<T>(
  url: string,
  init?: RequestInit,
  timeoutMs = 180_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(url, init);
    if (r.status === 200) return (await r.json()) as T;
    const body = await r.text();
    if (r.status !== 503 || Date.now() > until) throw new Error(`GET ${url}: ${r.status} ${body}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * What a failed browser test leaves for the person reading CI's log, which is often all there is: a
 * screenshot (failed-<test>.png in the artefacts), the page's text, and its last requests with their
 * status and how long each took (or that it never finished). Call it in the suite with the page the
 * tests drive; each test's requests are recorded from its start.
 */
export function keepEvidenceOnFailure(currentPage: () => Page | undefined): void {
  type Seen = { at: number; what: string; status: string; ms: number | null };
  let log: Seen[] = [];
  let t0 = Date.now();
  const watched = new WeakSet<Page>();
  const started = new WeakMap<object, Seen>();
  const watch = (page: Page) => {
    if (watched.has(page)) return;
    watched.add(page);
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/api/')) return;
      const seen = {
        at: Date.now() - t0,
        what: `${r.method()} ${u.pathname}${u.search}`,
        status: '…',
        ms: null,
      };
      started.set(r, seen);
      log.push(seen);
      if (log.length > 60) log = log.slice(-40);
    });
    const end = (r: Request, status: string) => {
      const seen = started.get(r);
      if (!seen) return;
      seen.status = status;
      seen.ms = Date.now() - t0 - seen.at;
    };
    page.on('response', (a) => end(a.request(), String(a.status())));
    page.on('requestfailed', (r) => end(r, `failed (${r.failure()?.errorText ?? '?'})`));
  };
  beforeEach((ctx) => {
    log = [];
    t0 = Date.now();
    const page = currentPage();
    if (page) watch(page);
    ctx.onTestFailed(async () => {
      const p = currentPage();
      if (!p || p.isClosed()) return;
      const name = ctx.task.name.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60);
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const shot = join(ARTIFACTS_DIR, `failed-${name}.png`);
      await p.screenshot({ path: shot, timeout: 10_000 }).catch(() => undefined);
      const text = await p
        .evaluate(() => document.body.innerText, undefined)
        .catch((e: Error) => `(no text: ${e.message})`);
      const requests = log
        .map(
          (s) =>
            `  +${(s.at / 1000).toFixed(1)}s ${s.what} → ${s.status}${s.ms === null ? ' (unanswered)' : ` in ${s.ms} ms`}`,
        )
        .join('\n');
      console.log(
        `evidence of "${ctx.task.name}" (screenshot ${shot}):\npage text: ${text.replace(/\s+/g, ' ').slice(0, 1500)}\nlast requests:\n${requests}`,
      );
    });
  });
}

export type Rgb = [number, number, number];
/** The colours of the page at some screen points, read from a screenshot (WebGL canvases keep no buffer). */
export async function colours(page: Page, points: [number, number][]): Promise<Rgb[]> {
  const png = (await page.screenshot()).toString('base64');
  return page.evaluate(
    async ([b64, pts]) => {
      const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return pts.map(([x, y]) => [...ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3)]);
    },
    [png, points] as const,
  ) as Promise<Rgb[]>;
}
export const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
