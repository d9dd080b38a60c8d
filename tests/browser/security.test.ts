import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Polygon } from 'geojson';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localPlane, toLocal, toLonLat } from '../../core/viewshed/index.ts';
import { createApp } from '../../server/src/app.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { loadConfig } from '../../server/src/config.ts';
import {
  ARTIFACTS_DIR,
  CLIENT_DIST,
  colours,
  describeInBrowser,
  distance,
  launchBrowser,
  mapSettled,
  keepEvidenceOnFailure,
  type Rgb,
} from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { loginToken } from '../helpers/app.ts';

// The security layers in Chromium on a hand-made compound (as tests/http/security.test.ts): the east
// gate hides behind a building; dragging a camera from outside the area to beside the gate turns it
// green at once (viewshed computed in the browser) and, once saved, raises the area's coverage %.

const O = localPlane(105.59, 30.53);
const pt = (x: number, y: number) => toLonLat(O, x, y);
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
const point = (x: number, y: number) => `POINT(${pt(x, y).join(' ')})`;

const ZOOM = 18;
const FAR_STREET = '510903009';
const VIEW = { width: 1200, height: 800 };
const CENTRE = pt(50, 60);
/** Screen pixel of a local (x, y) with the map at CENTRE and ZOOM (Web Mercator, 512 px tiles). */
function pixel(
  map: { x: number; y: number; width: number; height: number },
  x: number,
  y: number,
): [number, number] {
  const [lon, lat] = pt(x, y);
  const world = 512 * 2 ** ZOOM;
  const mercY = (l: number) => Math.log(Math.tan(Math.PI / 4 + (l * Math.PI) / 360));
  return [
    map.x + map.width / 2 + ((lon - CENTRE[0]) / 360) * world,
    map.y + map.height / 2 - ((mercY(lat) - mercY(CENTRE[1])) / (2 * Math.PI)) * world,
  ];
}

/** 雪亮's colour (client/src/palette.ts CAMERA_COLOURS.xueliang): tile points and deck icons alike. */
const XUELIANG: Rgb = [0xc2, 0x18, 0x5b];
/** The ring of a gate with access control (client/src/map/security/icons.ts). */
const ACCESS_RING: Rgb = [0x1a, 0x2a, 0x56];

describeInBrowser('security layers in Chromium', () => {
  let t: TestDb;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  keepEvidenceOnFailure(() => page);
  const ids: Record<string, number> = {};
  const pageErrors: string[] = [];
  /** The admin's bearer token, for the changes "another tab" makes through the API. */
  let token = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    [t, browser] = await Promise.all([createTestDb(), launchBrowser()]);
    const q = t.db;
    const one = async (sql: string, params: unknown[]) =>
      Number((await q.query<{ id: number }>(sql, params)).rows[0]!.id);
    ids.area = await one(
      `INSERT INTO service_areas (name, management_mode, geom) VALUES ('测试区域', 'resident_self', ST_GeomFromText($1, 4326)) RETURNING id`,
      [wkt(rect(0, 0, 100, 100))],
    );
    ids.compound = await one(
      `INSERT INTO compounds (name, category, geom) VALUES ('测试小区', 'three_no', ST_Multi(ST_GeomFromText($1, 4326))) RETURNING id`,
      [wkt(rect(-5, -5, 105, 105))],
    );
    await q.query('INSERT INTO buildings (geom) VALUES (ST_GeomFromText($1, 4326))', [
      wkt(rect(40, 40, 60, 60)),
    ]);
    const gate = (x: number, y: number) =>
      one(`INSERT INTO gates (kind, geom) VALUES ('vehicle', ST_GeomFromText($1, 4326)) RETURNING id`, [
        point(x, y),
      ]);
    ids.west = await gate(0, 50);
    ids.east = await gate(100, 50);
    const cam = (x: number, y: number, dir: number, fov: number, range: number) =>
      one(
        `INSERT INTO cameras (system, direction_deg, fov_deg, range_m, geom) VALUES ('xueliang', $1, $2, $3, ST_GeomFromText($4, 4326)) RETURNING id`,
        [dir, fov, range, point(x, y)],
      );
    ids.c1 = await cam(10, 50, 90, 60, 80);
    ids.c2 = await cam(5, 50, 270, 90, 20);
    ids.mover = await cam(80, 130, 90, 60, 20); // outside the area, sees none of it
    // A street far from the test area, for its editor's 403 (out of jurisdiction).
    await q.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
          ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
          ($2, '远处街道', 'street', '510903', ST_Multi(ST_GeomFromText($1, 4326)))`,
      [wkt(rect(5000, 5000, 6000, 6000)), FAR_STREET],
    );
    await ensureDemoAccounts(q, 'demo-pass-2026');
    const config = loadConfig({
      ...process.env,
      CLIENT_DIST,
      LOG_LEVEL: 'silent',
      AUTH_SECRET: 'browser-test',
      TIANDITU_TK: '',
    });
    const app = createApp({ db: q, config, logger: pino({ level: 'silent' }) });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const context = await browser.newContext({ viewport: VIEW, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.drop();
  });

  const data = (name: string) => page.getAttribute('[data-testid=map]', `data-${name}`);
  const box = (name: string) => page.getAttribute('[data-testid=security-coverage]', `data-${name}`);

  it('draws the gates red or green and the area’s coverage', async () => {
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-pass-2026' }),
    });
    const { token: tk, user } = (await login.json()) as { token: string; user: unknown };
    token = tk;
    await page.goto(`${url}/api/health`); // same origin, for the session storage
    await page.evaluate(
      ([tk, u]) => {
        sessionStorage.setItem('wuyou.token', tk);
        sessionStorage.setItem('wuyou.user', u);
      },
      [tk, JSON.stringify(user)] as const,
    );
    await page.goto(`${url}/#${ZOOM}/${CENTRE[1]}/${CENTRE[0]}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=security-coverage]')?.getAttribute('data-seen-pct'),
      null,
      {
        timeout: 60_000,
      },
    );
    expect(await data('security-cameras')).toBe('3');
    expect(await data('security-gates-unwatched')).toBe(String(ids.east));
    expect(await box('gates-watched')).toBe('1');
    expect(await box('gates-total')).toBe('2');
  });

  it('turns the hidden gate green while a camera is dragged to it, and raises the coverage once saved', async () => {
    const before = Number(await box('seen-pct'));
    await mapSettled(page); // icons packed, deck ready for picking
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const [x0, y0] = pixel(map, 80, 130);
    const [x1, y1] = pixel(map, 85, 50);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 20, y0 + ((y1 - y0) * i) / 20);
    expect(await data('security-gates-unwatched')).toBe(''); // live, before the save
    await page.mouse.up();
    await page.waitForFunction(
      (b) =>
        Number(document.querySelector('[data-testid=security-coverage]')?.getAttribute('data-seen-pct')) > b,
      before,
      { timeout: 30_000 },
    );
    expect(await box('gates-watched')).toBe('2');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-after-drag.png') });
    const stored = await t.db.query<{ version: number }>('SELECT version FROM cameras WHERE id = $1', [
      ids.mover,
    ]);
    expect(stored.rows[0]!.version).toBe(2);
    expect(await data('security-error')).toBeNull();
    expect(pageErrors).toEqual([]);
  });

  it('aims a camera and sets its range by dragging inside its sector', async () => {
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const [x0, y0] = pixel(map, 35, 60); // inside C1's view, outside C2's
    const [x1, y1] = pixel(map, 30, 90);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10);
    await page.mouse.up();
    const saved = async () =>
      (
        await t.db.query<{ version: number; direction_deg: number; range_m: number }>(
          'SELECT version, direction_deg, range_m FROM cameras WHERE id = $1',
          [ids.c1],
        )
      ).rows[0]!;
    await expect.poll(async () => (await saved()).version, { timeout: 20_000 }).toBe(2);
    const c1 = await saved();
    // Bearing and distance from (10, 50) to (30, 90): 26.6°, 44.7 m (a pixel is ~0.26 m here).
    expect(c1.direction_deg).toBeGreaterThan(24);
    expect(c1.direction_deg).toBeLessThan(29);
    expect(c1.range_m).toBeGreaterThan(43);
    expect(c1.range_m).toBeLessThan(46.5);
    expect(pageErrors).toEqual([]);
  });

  it('issue 9 #8: one click on a suggested camera writes nothing and opens no card; 采纳 in its question stores it as planned', async () => {
    // No card open from before: any card after the click came from the click.
    await page.evaluate(() =>
      (document.querySelector('[data-testid=attribute-panel] .close') as HTMLButtonElement | null)?.click(),
    );
    await page.click('[data-testid=security-suggest]');
    // Until the first ghost is drawn and pickable there is nothing to click.
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid=map]')?.getAttribute('data-security-ghosts-ready')) > 0,
      null,
      { timeout: 30_000, polling: 200 },
    );
    const r = await fetch(`${url}/api/security-coverage/suggestions?service_area=${ids.area}&k=3`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const first = ((await r.json()) as { suggestions: { lon: number; lat: number }[] }).suggestions[0]!;
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const [lx, ly] = toLocal(O, first.lon, first.lat);
    const planned = async () =>
      (await t.db.query<{ n: number }>("SELECT count(*)::integer AS n FROM cameras WHERE status = 'planned'"))
        .rows[0]!.n;
    const before = await planned();
    const writes: string[] = [];
    const onRequest = (req: { method(): string; url(): string }) => {
      if (req.method() !== 'GET') writes.push(`${req.method()} ${req.url()}`);
    };
    page.on('request', onRequest);

    await page.mouse.click(...pixel(map, lx, ly));
    await page.waitForSelector('[data-testid=ghost-confirm]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid=ghost-confirm]')).toContain('采纳这个建议机位？');
    // Defect (try-out, 2026-12-04): the question lay in MapLibre's popup, which sets Helvetica/Arial;
    // on a machine without a system CJK font (this one, many intranet PCs) it read as empty boxes.
    // It is drawn in the app's own bundled CJK face, like every panel.
    const face = await page.$eval('[data-testid=ghost-confirm]', (el) => getComputedStyle(el).fontFamily);
    expect(face).toMatch(/^"?Noto Sans SC UI"?,/);
    expect(await page.locator('[data-testid=attribute-panel]').count(), 'no card under the ghost').toBe(0);
    expect(writes, 'the click alone writes nothing').toEqual([]);
    expect(await planned()).toBe(before);

    // 取消 drops the question, still without a write; asked again, 采纳 stores it.
    await page.click('[data-testid=ghost-cancel]');
    await page.waitForSelector('[data-testid=ghost-confirm]', { state: 'detached' });
    expect(writes).toEqual([]);
    await page.mouse.click(...pixel(map, lx, ly));
    await page.click('[data-testid=ghost-accept]', { timeout: 20_000 });
    await expect.poll(planned, { timeout: 20_000 }).toBe(before + 1);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^POST .*\/api\/cameras$/);
    page.off('request', onRequest);
    expect(await page.locator('[data-testid=attribute-panel]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  // Issue 9 #2 (ed9): the coverage box sat at the map's bottom right, under the editor panel (z-index
  // 5 over 2): with an area open for editing, 建议机位 could not be clicked.
  it('issue 9 #2: 建议机位 stays reachable beside the open editor panel, in Chinese and English', async () => {
    const reachable = () =>
      page.evaluate(() => {
        const b = document.querySelector<HTMLElement>('[data-testid=security-suggest]');
        if (!b) return 'missing';
        const r = b.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return hit === b || b.contains(hit)
          ? 'reachable'
          : `under ${hit?.closest('[data-testid]')?.getAttribute('data-testid')}`;
      });
    await page.click('[data-testid=editor-open]');
    await page.waitForSelector('[data-testid=editor-panel]');
    await page.waitForSelector('[data-testid=security-suggest]', { state: 'visible', timeout: 20_000 });
    await expect.poll(reachable, { timeout: 10_000 }).toBe('reachable');
    await page.click('[data-testid=security-suggest]', { trial: true, timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-suggest-editor-zh.png') });
    // Issue 9 #6 (ed9): at usual widths the header's buttons wrapped (看/板, Import/survey).
    const headerFits = () =>
      page.evaluate(() => {
        const bar = document.querySelector<HTMLElement>('[data-testid=topbar]')!;
        const tall = [...bar.querySelectorAll<HTMLElement>('.actions .button')]
          .filter((b) => b.getBoundingClientRect().height > 40)
          .map((b) => b.textContent);
        const title = bar.querySelector('h1')!.getBoundingClientRect();
        const brand = bar.querySelector('.brand')!.getBoundingClientRect();
        return { tall, clipped: bar.scrollWidth > bar.clientWidth, titleCut: title.right > brand.right + 1 };
      });
    expect(await headerFits()).toEqual({ tall: [], clipped: false, titleCut: false });
    // Issue 9 #5 (ed9): a <select> took the system font, which has no Chinese here: the 用户 page's
    // role and 街道 options showed boxes. Every form control takes the app's CJK face.
    const controlFonts = await page.evaluate(() =>
      ['select', 'option', 'input', 'textarea'].map((tag) => {
        const el = document.createElement(tag);
        document.body.appendChild(el);
        const font = getComputedStyle(el).fontFamily;
        el.remove();
        return `${tag}: ${font.includes('Noto Sans SC UI') ? 'CJK' : font}`;
      }),
    );
    expect(controlFonts).toEqual(['select: CJK', 'option: CJK', 'input: CJK', 'textarea: CJK']);
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=security-suggest]')?.textContent === 'Suggest cameras',
      null,
      { timeout: 10_000 },
    );
    await expect.poll(reachable, { timeout: 10_000 }).toBe('reachable');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-suggest-editor-en.png') });
    expect(await headerFits()).toEqual({ tall: [], clipped: false, titleCut: false });
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=security-suggest]')?.textContent === '建议机位',
      null,
      { timeout: 10_000 },
    );
    await page.click('[data-testid=editor-close]');
    await page.waitForSelector('[data-testid=editor-panel]', { state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  it('edits a camera’s numbers in its form, refusing range 0 in the user’s words', async () => {
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    await page.mouse.click(...pixel(map, 3.5, 50)); // C2's icon, left of C1's
    await page.waitForSelector('[data-testid=camera-form]', { timeout: 10_000 });
    await page.fill('#camera-range_m', '0');
    // Issue 9 #7: worded by the client, not core's English.
    expect(await page.textContent('[data-testid=camera-form-message]')).toBe(
      '射程须大于 0 米、不超过 1000 米',
    );
    expect(await page.isDisabled('[data-testid=camera-form] button[type=submit]')).toBe(true);
    await page.fill('#camera-range_m', '25');
    await page.fill('#camera-fov_deg', '100');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-form.png') });
    await page.click('[data-testid=camera-form] button[type=submit]');
    const saved = async () =>
      (
        await t.db.query<{ version: number; fov_deg: number; range_m: number }>(
          'SELECT version, fov_deg, range_m FROM cameras WHERE id = $1',
          [ids.c2],
        )
      ).rows[0]!;
    await expect.poll(async () => (await saved()).version, { timeout: 20_000 }).toBe(2);
    expect(await saved()).toEqual({ version: 2, fov_deg: 100, range_m: 25 });
    expect(pageErrors).toEqual([]);
  });

  it('places a gate of a kind with a click, and moves one by dragging (saved with If-Match)', async () => {
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const gates = async () =>
      (
        await t.db.query<{ id: number; kind: string; version: number; x: number; y: number }>(
          'SELECT id::integer, kind, version, ST_X(geom) AS x, ST_Y(geom) AS y FROM gates ORDER BY id',
        )
      ).rows;
    const before = await gates();
    expect(await page.textContent('[data-testid=gate-add]')).toBe('添加出入口');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-gate-tool.png') });
    await page.selectOption('[data-testid=gate-kind]', 'unit_door');
    await page.click('[data-testid=gate-add]');
    await page.mouse.click(...pixel(map, 90, 10)); // open ground inside the area, outside every sector
    await expect.poll(async () => (await gates()).length, { timeout: 20_000 }).toBe(before.length + 1);
    const added = (await gates()).at(-1)!;
    expect(added.kind).toBe('unit_door');
    const [lon, lat] = pt(90, 10);
    expect(Math.abs(added.x - lon)).toBeLessThan(2e-5);
    expect(Math.abs(added.y - lat)).toBeLessThan(2e-5);

    // Drag the new gate 15 m north (the west one may lie under a camera accepted above).
    await page.waitForFunction(
      (n) =>
        (document.querySelector('[data-testid=map]')?.getAttribute('data-security-gates-unwatched') ?? '')
          .split(',')
          .concat(
            (
              document.querySelector('[data-testid=map]')?.getAttribute('data-security-gates-watched') ?? ''
            ).split(','),
          )
          .filter(Boolean).length === n,
      before.length + 1,
      { timeout: 20_000 },
    );
    const from = pixel(map, 90, 10);
    const to = pixel(map, 90, 25);
    await page.mouse.move(...from);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++)
      await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / 10, from[1] + ((to[1] - from[1]) * i) / 10);
    await page.mouse.up();
    const moved = async () => (await gates()).find((g) => g.id === added.id)!;
    await expect.poll(async () => (await moved()).version, { timeout: 20_000 }).toBe(2);
    const [lon25, lat25] = pt(90, 25);
    expect(Math.abs((await moved()).y - lat25)).toBeLessThan(2e-5);
    expect(Math.abs((await moved()).x - lon25)).toBeLessThan(2e-5);
    expect(pageErrors).toEqual([]);
  });

  it('speaks English after the language switch: coverage box, gate tool and camera form', async () => {
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(
      () =>
        /camera coverage/.test(document.querySelector('[data-testid=security-coverage]')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    expect(await page.textContent('[data-testid=security-suggest]')).toBe('Suggest cameras');
    expect(await page.textContent('[data-testid=gate-add]')).toBe('Add gate');
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    await page.mouse.click(...pixel(map, 3.5, 50));
    await page.waitForSelector('[data-testid=camera-form]', { timeout: 10_000 });
    expect(await page.textContent('label[for=camera-range_m]')).toBe('Range m');
    expect(await page.textContent('[data-testid=camera-form] button[type=submit]')).toBe('Save');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-form-en.png') });
    await page.click('[data-testid=lang-switch]'); // back to Chinese, the form follows
    await page.waitForFunction(
      () => document.querySelector('label[for=camera-range_m]')?.textContent === '距离 m',
      null,
      { timeout: 10_000 },
    );
    expect(await page.textContent('[data-testid=gate-add]')).toBe('添加出入口');
    expect(pageErrors).toEqual([]);
  });
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const r = await fetch(`${url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
    });
    return { status: r.status, etag: r.headers.get('etag'), body: (await r.json().catch(() => null)) as T };
  };
  type GateFeature = {
    geometry: { type: 'Point'; coordinates: number[] };
    properties: { id: number; kind: string; access_control: boolean; name: string | null; version: number };
  };
  type Coverage = { gates: { total: number }; unit_doors: { total: number; with_access_control: number } };
  const coverage = async () => (await api<Coverage>(`/api/security-coverage?service_area=${ids.area}`)).body;
  /** Clicks a camera or gate until its form opens (deck picks only once its buffers are drawn). */
  const openForm = async (at: [number, number], selector: string) => {
    for (let i = 0; ; i++) {
      await page.mouse.click(...at);
      try {
        await page.waitForSelector(selector, { timeout: 2000 });
        return;
      } catch (e) {
        if (i < 4) continue;
        await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-form-not-opened.png') });
        throw e;
      }
    }
  };
  const submitted = (version: number) =>
    page.waitForSelector(`[data-testid=security-panel][data-version="${version}"]`, { timeout: 20_000 });

  it('edits a gate’s access control (门禁) and kind in its form: stored, and counted by /api/security-coverage', async () => {
    const made = await api<{ id: number }>('/api/gates', {
      method: 'POST',
      body: JSON.stringify({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: pt(50, 0) },
        properties: { kind: 'unit_door' },
      }),
    });
    expect(made.status).toBe(201);
    ids.south = made.body.id;
    const before = await coverage();
    await page.reload(); // the map learns of another client's gate on its next load
    await page.waitForFunction(
      (id) =>
        [
          document.querySelector('[data-testid=map]')?.getAttribute('data-security-gates-watched'),
          document.querySelector('[data-testid=map]')?.getAttribute('data-security-gates-unwatched'),
        ]
          .join(',')
          .split(',')
          .includes(String(id)),
      ids.south,
      { timeout: 60_000 },
    );
    await mapSettled(page); // deck ready for picking
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    await openForm(pixel(map, 50, 0), '[data-testid=gate-form]');
    expect(await page.getAttribute('[data-testid=security-panel]', 'data-id')).toBe(String(ids.south));
    // The shell's attribute panel gives way to the form (it would show the tile's stale copy).
    await expect.poll(() => page.locator('[data-testid=attribute-panel]').count()).toBe(0);
    expect(await page.isChecked('#gate-form-access_control')).toBe(false);
    expect(await page.inputValue('#gate-form-kind')).toBe('unit_door');

    // The gate's ring on the map says 门禁 once saved (white before, dark after).
    const ring = pixel(map, 50, 0);
    ring[1] -= 4;
    expect(distance((await colours(page, [ring]))[0]!, ACCESS_RING)).toBeGreaterThan(100);
    await page.check('#gate-form-access_control');
    await page.click('[data-testid=gate-form] button[type=submit]');
    await submitted(2);
    await expect
      .poll(async () => distance((await colours(page, [ring]))[0]!, ACCESS_RING), { timeout: 10_000 })
      .toBeLessThan(60);
    const v2 = await api<GateFeature>(`/api/gates/${ids.south}`);
    expect(v2.etag).toBe('"2"');
    expect(v2.body.properties).toMatchObject({ kind: 'unit_door', access_control: true, version: 2 });
    const mid = await coverage();
    expect(mid.unit_doors.with_access_control).toBe(before.unit_doors.with_access_control + 1);

    await page.selectOption('#gate-form-kind', 'pedestrian');
    await page.fill('#gate-form-name', '南门');
    await page.selectOption('#gate-form-compound_id', String(ids.compound)); // offered by name
    await page.click('[data-testid=gate-form] button[type=submit]');
    await submitted(3);
    const v3 = await api<GateFeature>(`/api/gates/${ids.south}`);
    expect(v3.body.properties).toMatchObject({
      kind: 'pedestrian',
      access_control: true,
      name: '南门',
      compound_id: ids.compound,
      version: 3,
    });
    expect(await page.textContent(`#gate-form-compound_id option[value="${ids.compound}"]`)).toBe('测试小区');
    const after = await coverage();
    expect(after.gates.total).toBe(before.gates.total + 1);
    expect(after.unit_doors.total).toBe(before.unit_doors.total - 1);
    expect(await page.textContent('[data-testid=security-panel] h2')).toBe('南门');

    await page.click('[data-testid=security-history-toggle]');
    await expect
      .poll(() => page.locator('[data-testid=security-history] li').count(), { timeout: 10_000 })
      .toBe(3);
    const ops = await page.$$eval('[data-testid=security-history] li', (lis) =>
      lis.map((li) => `${li.getAttribute('data-version')} ${li.getAttribute('data-operation')}`),
    );
    expect(ops).toEqual(['3 update', '2 update', '1 create']);
    expect(await page.textContent('[data-testid=security-history] li[data-version="3"]')).toContain('类型');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-gate-form.png') });
    expect(pageErrors).toEqual([]);
  });

  it('shows a 409 when another tab saved the gate first, keeps what was typed, and overwrites only when asked', async () => {
    const stored = await api<GateFeature>(`/api/gates/${ids.south}`);
    const other = await api<GateFeature>(`/api/gates/${ids.south}`, {
      method: 'PUT',
      headers: { 'if-match': '"3"' },
      body: JSON.stringify({
        ...stored.body,
        properties: { ...stored.body.properties, name: '北门' },
      }),
    });
    expect(other.status).toBe(200); // version 4, by "another tab"

    await page.uncheck('#gate-form-access_control');
    await page.fill('#gate-form-name', '南门（东侧）');
    await page.click('[data-testid=gate-form] button[type=submit]');
    const alert = await page.waitForSelector('[data-testid=security-form-error][data-status="409"]', {
      timeout: 20_000,
    });
    const message = (await alert.textContent())!;
    expect(message).toContain('版本 4');
    expect(message).toContain('名称'); // what the other tab changed
    // Nothing lost: the typed values are still in the form, and nothing was overwritten silently.
    expect(await page.inputValue('#gate-form-name')).toBe('南门（东侧）');
    expect(await page.isChecked('#gate-form-access_control')).toBe(false);
    expect((await api<GateFeature>(`/api/gates/${ids.south}`)).body.properties.name).toBe('北门');
    expect(await page.isVisible('[data-testid=security-reload]')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-gate-conflict.png') });

    await page.click('[data-testid=security-overwrite]');
    await submitted(5);
    const v5 = await api<GateFeature>(`/api/gates/${ids.south}`);
    expect(v5.body.properties).toMatchObject({ name: '南门（东侧）', access_control: false, version: 5 });
    expect(v5.body.geometry.coordinates).toEqual(stored.body.geometry.coordinates);
    expect(await page.locator('[data-testid=security-form-error]').count()).toBe(0);
    await page.click('[data-testid=security-close]');
    expect(pageErrors).toEqual([]);
  });

  it('draws the identify / recognise / observe bands when switched on, with their legend', async () => {
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    // The mover stands at (85, 50) facing east with a 20 m range: bands end at 5, 10 and 20 m.
    const probes = [pixel(map, 88, 50), pixel(map, 92, 50), pixel(map, 97, 50)];
    const before = await colours(page, probes);
    await page.check('[data-testid=security-bands-toggle]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=map]')?.getAttribute('data-security-bands')) > 0,
      null,
      { timeout: 10_000 },
    );
    expect(await data('security-bands-scope')).toBe('all');
    expect(await page.locator('[data-testid=legend-bands] .legend li').count()).toBe(4);
    expect(await page.textContent('[data-testid=legend-bands]')).toContain('识别');
    await mapSettled(page);
    const after = await colours(page, probes);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-bands.png') });
    // Red, orange and yellow all take blue away; the nearest band (identify, red) takes the most green.
    for (let i = 0; i < 3; i++) expect(before[i]![2] - after[i]![2]).toBeGreaterThan(20);
    expect(before[0]![1] - after[0]![1]).toBeGreaterThan(before[2]![1] - after[2]![1]);
    await page.uncheck('[data-testid=security-bands-toggle]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=map]')?.getAttribute('data-security-bands') === '0',
    );
    expect(pageErrors).toEqual([]);
  });

  it('draws a moved camera at its new place at once: its tiles are fetched again, no page reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const tiles: { status: number; at: number }[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/tiles/cameras/')) tiles.push({ status: r.status(), at: Date.now() });
    });
    const version = async () =>
      (await t.db.query<{ version: number }>('SELECT version FROM cameras WHERE id = $1', [ids.mover]))
        .rows[0]!.version;
    const v0 = await version();
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const from = pixel(map, 85, 50);
    const to = pixel(map, 70, 85);
    const dragAt = Date.now();
    await page.mouse.move(...from);
    await page.mouse.down();
    for (let i = 1; i <= 15; i++)
      await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / 15, from[1] + ((to[1] - from[1]) * i) / 15);
    await page.mouse.up();
    await expect.poll(version, { timeout: 20_000 }).toBe(v0 + 1);
    // No point is left where it stood (MapLibre would keep showing its old tiles) …
    await expect
      .poll(async () => distance((await colours(page, [from]))[0]!, XUELIANG), { timeout: 20_000 })
      .toBeGreaterThan(80);
    // … because the tiles were asked for again and came back new (200: the ETag changed with the data).
    expect(tiles.filter((x) => x.at >= dragAt && x.status === 200).length).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid=map][data-map-state=idle]', { timeout: 20_000 });
    const [now] = await colours(page, [[to[0], to[1] - 7]]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-moved-camera.png') });
    expect(distance(now!, XUELIANG)).toBeLessThan(40); // drawn where it stands now
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    expect(await data('security-error')).toBeNull();
    expect(pageErrors).toEqual([]);
  });

  it('opens the form with the server’s 422 when a camera is dragged into a building, and saves it once marked indoor', async () => {
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const from = pixel(map, 3.5, 50); // C2's icon
    const to = pixel(map, 50, 50); // inside the building
    await page.mouse.move(...from);
    await page.mouse.down();
    for (let i = 1; i <= 15; i++)
      await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / 15, from[1] + ((to[1] - from[1]) * i) / 15);
    await page.mouse.up();
    const alert = await page.waitForSelector('[data-testid=security-form-error][data-status="422"]', {
      timeout: 20_000,
    });
    expect(await alert.textContent()).toContain('室内');
    expect(await page.getAttribute('#camera-indoor', 'aria-invalid')).toBe('true');
    const c2 = async () =>
      (
        await t.db.query<{ version: number; indoor: boolean; x: number; y: number }>(
          'SELECT version, indoor, ST_X(geom) AS x, ST_Y(geom) AS y FROM cameras WHERE id = $1',
          [ids.c2],
        )
      ).rows[0]!;
    const v0 = (await c2()).version;
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-camera-422.png') });
    await page.check('#camera-indoor');
    await page.click('[data-testid=camera-form] button[type=submit]');
    await expect.poll(async () => (await c2()).version, { timeout: 20_000 }).toBe(v0 + 1);
    const saved = await c2();
    expect(saved.indoor).toBe(true);
    const [lon, lat] = pt(50, 50);
    expect(Math.abs(saved.x - lon)).toBeLessThan(2e-5);
    expect(Math.abs(saved.y - lat)).toBeLessThan(2e-5);
    expect(pageErrors).toEqual([]);
  });
  it('deletes a camera through its form (DELETE with If-Match, a 409 confirmed): gone from the map, its history ends in delete', async () => {
    const planned = (
      await t.db.query<{ id: number; lon: number; lat: number }>(
        "SELECT id::integer, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM cameras WHERE status = 'planned'",
      )
    ).rows[0]!;
    const shown = Number(await data('security-cameras'));
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    await openForm(
      pixel(map, ...toLocal(O, planned.lon, planned.lat)),
      `[data-testid=security-panel][data-id="${planned.id}"]`,
    );
    expect(await page.inputValue('#camera-status')).toBe('planned');
    await page.click('[data-testid=security-history-toggle]');
    await page.waitForSelector('[data-testid=security-history] li[data-operation=create]', {
      timeout: 10_000,
    });
    // Another tab renames it first: the delete is refused (409) until confirmed against that version.
    const stored = await api<GateFeature>(`/api/cameras/${planned.id}`);
    const renamed = await api(`/api/cameras/${planned.id}`, {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
      body: JSON.stringify({ ...stored.body, properties: { ...stored.body.properties, name: '改名' } }),
    });
    expect(renamed.status).toBe(200);
    await page.click('[data-testid=security-delete]');
    await page.click('[data-testid=security-delete-confirm]');
    await page.waitForSelector('[data-testid=security-form-error][data-status="409"]', { timeout: 20_000 });
    expect(await page.locator('[data-testid=security-overwrite]').count()).toBe(0);
    expect((await t.db.query('SELECT 1 FROM cameras WHERE id = $1', [planned.id])).rows).toHaveLength(1);
    await page.click('[data-testid=security-delete-anyway]');
    await page.waitForSelector('[data-testid=security-panel]', { state: 'detached', timeout: 20_000 });
    const left = await t.db.query('SELECT 1 FROM cameras WHERE id = $1', [planned.id]);
    expect(left.rows).toEqual([]);
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=map]')?.getAttribute('data-security-cameras')) === n,
      shown - 1,
      { timeout: 20_000 },
    );
    const h = await api<{ entries: { operation: string }[] }>(`/api/cameras/${planned.id}/history`);
    expect(h.body.entries.map((e) => e.operation)).toEqual(['create', 'update', 'delete']);
    expect(pageErrors).toEqual([]);
  });
  it('shows a street editor why a gate outside their street is not saved (403), keeping the form', async () => {
    const editor = await loginToken(url, `editor-${FAR_STREET}`, 'demo-pass-2026');
    await page.evaluate((tk) => sessionStorage.setItem('wuyou.token', tk), editor);
    const before = (await api<GateFeature>(`/api/gates/${ids.south}`)).body.properties;
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    await openForm(pixel(map, 50, 0), `[data-testid=security-panel][data-id="${ids.south}"]`);
    await page.fill('#gate-form-name', '不该保存');
    await page.click('[data-testid=gate-form] button[type=submit]');
    const alert = await page.waitForSelector('[data-testid=security-form-error][data-status="403"]', {
      timeout: 20_000,
    });
    expect(await alert.getAttribute('data-code')).toBe('out_of_jurisdiction');
    expect(await alert.textContent()).toContain(FAR_STREET);
    expect(await page.inputValue('#gate-form-name')).toBe('不该保存');
    expect((await api<GateFeature>(`/api/gates/${ids.south}`)).body.properties).toEqual(before);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-gate-403.png') });
    await page.evaluate((tk) => sessionStorage.setItem('wuyou.token', tk), token);
    await page.click('[data-testid=security-close]');
    expect(pageErrors).toEqual([]);
  });

  it('places a camera with a click and opens its form to aim it; refusals are said in the tool box', async () => {
    const cameras = async () =>
      (
        await t.db.query<{ id: number; x: number; y: number; updated_by: string }>(
          'SELECT id::int, ST_X(geom) AS x, ST_Y(geom) AS y, updated_by FROM cameras ORDER BY id',
        )
      ).rows;
    const before = await cameras();
    const map = (await page.locator('[data-testid=map]').boundingBox())!;
    const place = async (x: number, y: number) => {
      await page.click('[data-testid=camera-add]');
      expect(await page.textContent('[data-testid=camera-add]')).toBe('取消');
      await page.mouse.click(...pixel(map, x, y));
    };

    // Outside the far street's editor's jurisdiction: refused, said, nothing stored.
    const editor = await loginToken(url, `editor-${FAR_STREET}`, 'demo-pass-2026');
    await page.evaluate((tk) => sessionStorage.setItem('wuyou.token', tk), editor);
    await place(25, 80);
    const refused = await page.waitForSelector('[data-testid=place-error]', { timeout: 20_000 });
    expect(await refused.textContent()).toMatch(/^未能添加：.*510903009/);
    expect(await cameras()).toHaveLength(before.length);
    await page.evaluate((tk) => sessionStorage.setItem('wuyou.token', tk), token);

    // Inside the building without 室内: the indoor rule, said; nothing stored.
    await place(45, 45);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=place-error]')?.textContent?.includes('室内'),
      null,
      { timeout: 20_000 },
    );
    expect(await cameras()).toHaveLength(before.length);

    // On open ground: stored by the admin, and its form opens to aim it.
    await place(25, 80);
    await expect.poll(async () => (await cameras()).length, { timeout: 20_000 }).toBe(before.length + 1);
    const added = (await cameras()).at(-1)!;
    const [lon, lat] = pt(25, 80);
    expect(Math.abs(added.x - lon)).toBeLessThan(2e-5);
    expect(Math.abs(added.y - lat)).toBeLessThan(2e-5);
    expect(added.updated_by).toBe('admin');
    await page.waitForSelector(
      `[data-testid=security-panel][data-id="${added.id}"] [data-testid=camera-form]`,
      {
        timeout: 20_000,
      },
    );
    expect(await page.locator('[data-testid=place-error]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'security-camera-added.png') });
    await page.click('[data-testid=security-close]');
    expect(pageErrors).toEqual([]);
  });

  /** The test view in `p`, its cameras loaded and the map settled (deck ready for picking). */
  const openTestView = async (p: Page) => {
    await p.goto(`${url}/#${ZOOM}/${CENTRE[1]}/${CENTRE[0]}`);
    await p.waitForFunction(
      () => document.querySelector('[data-testid=map]')?.getAttribute('data-security-cameras'),
      null,
      { timeout: 60_000 },
    );
    await mapSettled(p);
  };

  it('opens a camera with the first click after the page loads', async () => {
    // A new user's try (2026-12-04): on 6 of 6 fresh pages the first click on a camera or gate did
    // nothing; the second opened it.
    const context = await browser.newContext({ viewport: VIEW, locale: 'zh-CN' });
    const fresh = await context.newPage();
    try {
      await openTestView(fresh);
      const map = (await fresh.locator('[data-testid=map]').boundingBox())!;
      await fresh.mouse.click(...pixel(map, 10, 50));
      await fresh.waitForSelector('[data-testid=camera-form]', { timeout: 20_000 });
    } finally {
      await context.close();
    }
  });

  it('lets a reader who is not signed in look but not move: a drag pans the map, nothing is sent, save is off', async () => {
    // Defect (a new user's try): not signed in, dragging a camera moved it and sent a PUT; the 401
    // came back worded as an expired sign-in, with 保存 and 删除 still on offer.
    const context = await browser.newContext({ viewport: VIEW, locale: 'zh-CN' });
    const reader = await context.newPage();
    const errors: string[] = [];
    reader.on('pageerror', (e) => errors.push(e.message));
    const writes: string[] = [];
    reader.on('request', (r) => {
      if (r.method() !== 'GET' && r.url().includes('/api/')) writes.push(`${r.method()} ${r.url()}`);
    });
    const openView = () => openTestView(reader);
    try {
      await openView();
      const version = async () =>
        (await t.db.query<{ version: number }>('SELECT version FROM cameras WHERE id = $1', [ids.c1]))
          .rows[0]!.version;
      const before = await version();
      expect(await reader.locator('[data-testid=gate-tool]').isVisible()).toBe(false);
      const map = (await reader.locator('[data-testid=map]').boundingBox())!;
      const [x0, y0] = pixel(map, 10, 50);
      const [x1, y1] = pixel(map, 30, 80);
      const hash = await reader.evaluate(() => location.hash);
      await reader.mouse.move(x0, y0);
      await reader.mouse.down();
      for (let i = 1; i <= 10; i++)
        await reader.mouse.move(x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * i) / 10);
      await reader.mouse.up();
      // The map panned instead (its hash follows the view).
      await reader.waitForFunction((h) => location.hash !== h, hash, { timeout: 20_000 });
      expect(writes).toEqual([]);
      expect(await version()).toBe(before);
      // A click still opens the camera's form, to read: save and delete are off, and it says why.
      await openView();
      await reader.mouse.click(...pixel(map, 10, 50));
      await reader.waitForSelector('[data-testid=camera-form]', { timeout: 20_000 });
      expect(await reader.locator('[data-testid=camera-form] button[type=submit]').isDisabled()).toBe(true);
      expect(await reader.locator('[data-testid=security-delete]').isDisabled()).toBe(true);
      // …and its fields cannot be changed either (a helper typed into them before).
      expect(await reader.locator('[data-testid=camera-form] input').first().isDisabled()).toBe(true);
      expect(await reader.textContent('.security-note')).toContain('登录');
      await reader.screenshot({ path: join(ARTIFACTS_DIR, 'security-reader.png') });
      expect(writes).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
