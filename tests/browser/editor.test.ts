import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Polygon, Position } from 'geojson';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import {
  ARTIFACTS_DIR,
  launchBrowser,
  startServerWithDemoCity,
  type RunningServer,
  describeInBrowser,
  mapSettled,
} from '../helpers/browser.ts';
import { loginToken } from '../helpers/app.ts';

// The service-area editor in a real browser against the real server over the seeded demo city:
// mouse clicks draw, drags reshape, and the database is asked what was stored.

const PASSWORD = 'editor-test-pass';
const M_PER_DEG_LAT = 111_320;

interface Spot {
  lon: number;
  lat: number;
  street: string;
}

/** lon/lat `east`/`north` metres from a spot. */
function offset(s: { lon: number; lat: number }, east: number, north: number): Position {
  const mLon = M_PER_DEG_LAT * Math.cos((s.lat * Math.PI) / 180);
  return [s.lon + east / mLon, s.lat + north / M_PER_DEG_LAT];
}

function square(s: Spot, x0: number, y0: number, x1: number, y1: number): Polygon {
  const ring = [offset(s, x0, y0), offset(s, x1, y0), offset(s, x1, y1), offset(s, x0, y1)];
  return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
}

describeInBrowser('service-area editor in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  /** Uncovered buildings with no service area near, in a street with an editor. */
  let spot: Spot;
  /** A spot in another street, for the jurisdiction test. */
  let foreign: Spot;
  let adminToken: string;

  async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []) {
    return (await server.db.query<T>(text, params)).rows;
  }

  /**
   * A spot among buildings, well inside a street, cleared of service areas for 150 m around (the demo
   * city is densely drawn): room to draw an area and its neighbour. The street must hold a box of
   * 0.0027° (≥ 250 m at this latitude) around it; the neighbours within 30 m are found through the
   * index (0.00035° ≥ 30 m) before the exact distance, or the query takes 20 s on PGlite.
   */
  async function clearSpot(exceptStreet: string | null): Promise<Spot> {
    const rows = await sql<{ lon: number; lat: number; street: string }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat, j.code AS street
       FROM (SELECT id, ST_Centroid(geom) AS p FROM buildings) b
       JOIN jurisdictions j ON j.level = 'street' AND ST_Contains(j.geom, ST_Expand(b.p, 0.0027))
       WHERE ($1::text IS NULL OR j.code <> $1)
       ORDER BY (SELECT count(*) FROM buildings o
                 WHERE ST_DWithin(o.geom, b.p, 0.00035) AND ST_DWithin(o.geom::geography, b.p::geography, 30)) DESC, b.id
       LIMIT 1`,
      [exceptStreet],
    );
    expect(rows, 'the demo city has buildings well inside a street').toHaveLength(1);
    const s = rows[0]!;
    await sql(
      'DELETE FROM service_areas WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, 150)',
      [s.lon, s.lat],
    );
    return s;
  }

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        ...(adminToken ? { Authorization: `Bearer ${adminToken}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: r.status === 204 ? null : await r.json() };
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    [server, browser] = await Promise.all([startServerWithDemoCity({ buildings: 2000 }), launchBrowser()]);
    await ensureDemoAccounts(server.db, PASSWORD);
    spot = await clearSpot(null);
    foreign = await clearSpot(spot.street);
    adminToken = await loginToken(server.url, 'admin', PASSWORD);
    // A neighbour east of where the test draws: 45–105 m east, ±30 m north.
    const created = await api('POST', '/api/service-areas', {
      type: 'Feature',
      geometry: square(spot, 45, -30, 105, 30),
      properties: { name: '东邻服务区', street_code: spot.street, management_mode: 'resident_self' },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'warning' && !/GPU stall|uniform block/.test(m.text()))
        console.warn('page:', m.text());
    });
    return page;
  }

  async function openEditorAt(page: Page, at: { lon: number; lat: number }, user: string) {
    await page.goto(`${server.url}/#18/${at.lat}/${at.lon}`);
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 60_000 });
    const viewData = page.waitForResponse((r) => r.url().includes('/api/buildings?bbox') && r.ok(), {
      timeout: 60_000,
    });
    await page.click('[data-testid=editor-open]');
    await viewData;
    await page.click('[data-testid=editor-login]');
    await page.fill('[data-testid=login-username]', user);
    await page.fill('[data-testid=login-password]', PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=editor-user]');
    await page.waitForFunction(() => !!window.__wuyouEditor);
  }

  /** Screen position of a lon/lat on the page (the map fills the workspace). */
  async function pixel(page: Page, p: Position): Promise<{ x: number; y: number }> {
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const xy = await page.evaluate((q) => window.__wuyouEditor!.project(q), p);
    return { x: box.x + xy.x, y: box.y + xy.y };
  }

  const draftGeometry = (page: Page) =>
    page.evaluate(() => window.__wuyouEditor!.getState().draft?.geometry ?? null) as Promise<Polygon | null>;

  async function drawPolygon(page: Page, ring: Position[]) {
    await page.click('[data-testid=editor-new]');
    for (const p of ring) {
      const { x, y } = await pixel(page, p);
      const was = await drawn(page);
      await page.mouse.click(x, y);
      await page.waitForFunction(
        (w) => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features) !== w,
        was,
      );
    }
    const first = await pixel(page, ring[0]!);
    await page.mouse.click(first.x, first.y);
    await page.waitForFunction(() => !!window.__wuyouEditor!.getState().draft?.geometry, undefined, {
      timeout: 10_000,
    });
  }

  /** Clicks an area until the editor opens it (the view's areas load a moment after the map). */
  async function openAreaByClick(page: Page, at: Position, id: number) {
    for (let i = 0; i < 20; i++) {
      const { x, y } = await pixel(page, at);
      await page.mouse.click(x, y);
      const opened = await page
        .waitForFunction((want) => window.__wuyouEditor!.getState().draft?.id === want, id, { timeout: 1000 })
        .then(() => true)
        .catch(() => false);
      if (opened) return;
    }
    throw new Error(`area ${id} did not open`);
  }

  /** terra-draw holds the draft as an editable polygon (it refuses some geometries silently). */
  const areaOnMap = (page: Page) =>
    page.evaluate(() =>
      window
        .__wuyouEditor!.drawSnapshot()
        .features.some((f) => (f as { geometry: { type: string } }).geometry.type === 'Polygon'),
    );

  /** What the drawing layer holds now (a click taken changes it). */
  const drawn = (page: Page) =>
    page.evaluate(() => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features));

  async function shot(page: Page, name: string) {
    await mapSettled(page);
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
  }

  let areaId: number;

  it('draws an area with mouse clicks; the covered buildings appear; a dragged vertex shows the overlap; undo restores; save clips it', async () => {
    const page = await newPage();
    await openEditorAt(page, spot, 'admin');
    await openedCheck(page);
    const ring = square(spot, -30, -30, 30, 30).coordinates[0]!.slice(0, 4);
    await drawPolygon(page, ring);

    const expected = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM buildings WHERE ST_Within(geom, ST_GeomFromGeoJSON($1))`,
      [JSON.stringify(await draftGeometry(page))],
    );
    expect(expected[0]!.n).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=stat-buildings]')?.textContent === String(n),
      expected[0]!.n,
    );
    expect(await areaOnMap(page)).toBe(true);
    await shot(page, 'editor-1-drawn');

    await page.fill('[data-testid=field-name]', '测试服务区');
    await page.selectOption('[data-testid=field-street_code]', spot.street);
    await page.selectOption('[data-testid=field-management_mode]', 'resident_self');

    // Drag the north-east vertex 40 m east, into the neighbour.
    const before = (await draftGeometry(page))!;
    const ne = before.coordinates[0]!.slice(0, -1).reduce((a, b) => (b[0]! + b[1]! > a[0]! + a[1]! ? b : a));
    const from = await pixel(page, ne);
    const to = await pixel(page, offset({ lon: ne[0]!, lat: ne[1]! }, 40, -5));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.waitForSelector('[data-testid=issue-overlap]', { timeout: 10_000 });
    await page.mouse.up();
    await page.waitForFunction(
      (b) => JSON.stringify(window.__wuyouEditor!.getState().draft?.geometry) !== b,
      JSON.stringify(before),
    );
    expect(await page.textContent('[data-testid=issue-overlap]')).toContain('东邻服务区');
    await shot(page, 'editor-2-overlap');
    const dragged = (await draftGeometry(page))!;

    // Undo restores the shape exactly; redo brings the drag back.
    await page.mouse.move(20, 300); // off the vertex, keys go to the page
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (b) => JSON.stringify(window.__wuyouEditor!.getState().draft?.geometry) === b,
      JSON.stringify(before),
    );
    expect(await page.locator('[data-testid=issue-overlap]').count()).toBe(0);
    await page.keyboard.press('Control+Shift+Z');
    await page.waitForFunction(
      (b) => JSON.stringify(window.__wuyouEditor!.getState().draft?.geometry) === b,
      JSON.stringify(dragged),
    );
    await page.waitForSelector('[data-testid=issue-overlap]');

    // Avoid-overlap is on by default: saving clips against the neighbour and succeeds. So the overlap
    // reads as a 提示 saying so, not as 须修正 (a try-out found the red badge beside a save that worked).
    expect(await page.isChecked('[data-testid=editor-avoid-overlap]')).toBe(true);
    expect(await page.getAttribute('[data-testid=issue-overlap]', 'class')).toBe('issue warning');
    expect(await page.textContent('[data-testid=issue-overlap]')).toMatch(/^提示：.*保存时裁去重叠部分/);
    await page.click('[data-testid=editor-save]');
    await page.waitForFunction(() => window.__wuyouEditor!.getState().draft?.id != null, undefined, {
      timeout: 20_000,
    });
    expect(await page.textContent('[data-testid=editor-message]')).toMatch(/已保存/);
    areaId = (await page.evaluate(() => window.__wuyouEditor!.getState().draft!.id))!;
    const overlaps = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM service_areas a JOIN service_areas b ON a.id < b.id
       WHERE ST_Intersects(a.geom, b.geom) AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 0.01`,
    );
    expect(overlaps[0]!.n).toBe(0);
    const stored = await sql<{ name: string; touches: boolean }>(
      `SELECT a.name, ST_Intersects(a.geom, n.geom) AS touches FROM service_areas a, service_areas n
       WHERE a.id = $1 AND n.name = '东邻服务区'`,
      [areaId],
    );
    expect(stored[0]).toEqual({ name: '测试服务区', touches: true });
    expect(await areaOnMap(page)).toBe(true); // the clipped outline is still editable on the map
    await shot(page, 'editor-3-saved');
  });

  async function openedCheck(page: Page) {
    expect(await page.isChecked('[data-testid=editor-snapping]')).toBe(true);
    expect(await page.isChecked('[data-testid=editor-avoid-overlap]')).toBe(true);
  }

  it('two browsers edit one area: the second sees the conflict dialog and loses nothing', async () => {
    const [a, b] = [await newPage(), await newPage()];
    for (const page of [a, b]) {
      await openEditorAt(page, spot, 'admin');
      await openAreaByClick(page, offset(spot, -20, -20), areaId);
    }
    await a.fill('[data-testid=field-provider]', '甲物业公司');
    await a.click('[data-testid=editor-save]');
    await a.waitForSelector('[data-testid=editor-message]:has-text("已保存")');

    await b.fill('[data-testid=field-notes]', '乙写的备注，不能丢');
    await b.fill('[data-testid=field-grid_worker]', '王网格');
    await b.click('[data-testid=editor-save]');
    await b.waitForSelector('[data-testid=conflict-dialog]');
    await shot(b, 'editor-4-conflict');
    const mine = await b.evaluate(() => window.__wuyouEditor!.getState().conflict!.mine.attributes);
    expect(mine.notes).toBe('乙写的备注，不能丢');
    expect(mine.grid_worker).toBe('王网格');
    expect(await b.inputValue('[data-testid=field-notes]')).toBe('乙写的备注，不能丢');

    await b.click('[data-testid=conflict-keep-mine]');
    await b.waitForSelector('[data-testid=editor-message]:has-text("已保存")', { timeout: 20_000 });
    const row = await sql<{ version: number; notes: string; grid_worker: string }>(
      'SELECT version, notes, grid_worker FROM service_areas WHERE id = $1',
      [areaId],
    );
    expect(row[0]).toEqual({ version: 3, notes: '乙写的备注，不能丢', grid_worker: '王网格' });
  });

  it('Esc cancels a drawing; split along a line and merge back save as versions with history', async () => {
    const page = await newPage();
    await openEditorAt(page, spot, 'admin');
    const state = () => page.evaluate(() => window.__wuyouEditor!.getState());

    await page.click('[data-testid=editor-new]');
    for (const p of [offset(spot, -90, 60), offset(spot, -60, 60)]) {
      const { x, y } = await pixel(page, p);
      await page.mouse.click(x, y);
    }
    await page.keyboard.press('Escape');
    expect((await state()).tool).toBe('idle');
    expect((await state()).draft?.geometry ?? null).toBeNull();
    expect(await areaOnMap(page)).toBe(false);

    await openAreaByClick(page, offset(spot, -20, -20), areaId);
    // Drag a vertex 15 m west (it becomes the selected vertex), Delete removes it, undo brings both back.
    const original = (await state()).draft!.geometry!;
    const sw = original.coordinates[0]!.slice(0, -1).reduce((p, q) =>
      q[0]! + q[1]! < p[0]! + p[1]! ? q : p,
    );
    const from = await pixel(page, sw);
    const to = await pixel(page, offset({ lon: sw[0]!, lat: sw[1]! }, -15, 0));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__wuyouEditor!.getState().selectedVertex !== null);
    const n = original.coordinates[0]!.length;
    await page.keyboard.press('Delete');
    await page.waitForFunction(
      (len) => window.__wuyouEditor!.getState().draft!.geometry!.coordinates[0]!.length === len - 1,
      n,
    );
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (g) => JSON.stringify(window.__wuyouEditor!.getState().draft!.geometry) === g,
      JSON.stringify(original),
    );

    const whole = await sql<{ m2: number }>(
      'SELECT ST_Area(geom::geography) AS m2 FROM service_areas WHERE id = $1',
      [areaId],
    );

    // Split north–south through the middle.
    await page.click('[data-testid=editor-split]');
    const a = await pixel(page, offset(spot, 0, -70));
    const b = await pixel(page, offset(spot, 0, 70));
    for (const at of [a, b]) {
      const was = await drawn(page);
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction(
        (w) => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features) !== w,
        was,
      );
    }
    await page.mouse.click(b.x, b.y);
    await page.waitForFunction(() => window.__wuyouEditor!.getState().pending.splitOff.length === 1);
    const cutOff = (await state()).pending.splitOff[0]!;
    await shot(page, 'editor-6-split');
    await page.click('[data-testid=editor-save]');
    await page.waitForFunction(
      () => window.__wuyouEditor!.getState().pending.splitOff.length === 0,
      undefined,
      {
        timeout: 20_000,
      },
    );
    await page.waitForSelector('[data-testid=editor-message]:has-text("已保存")', { timeout: 20_000 });
    const parts = await sql<{ id: number; m2: number }>(
      "SELECT id::int, ST_Area(geom::geography) AS m2 FROM service_areas WHERE name LIKE '测试服务区%' ORDER BY id",
    );
    expect(parts).toHaveLength(2);
    expect(parts[0]!.m2 + parts[1]!.m2).toBeCloseTo(whole[0]!.m2, -1);

    // Merge the cut-off part back, keeping this area's attributes.
    await mapSettled(page); // the view data reloads after the save
    await page.click('[data-testid=editor-merge]');
    const ring = cutOff.coordinates[0]!;
    const centre = [0, 1].map((k) => ring.slice(0, -1).reduce((t, p) => t + p[k]!, 0) / (ring.length - 1));
    const c = await pixel(page, centre);
    await page.mouse.click(c.x, c.y);
    await page.waitForSelector('[data-testid=merge-dialog]');
    await page.click('[data-testid=merge-keep-mine]');
    await page.click('[data-testid=editor-save]');
    await page.waitForFunction(
      () => window.__wuyouEditor!.getState().pending.mergedAway.length === 0,
      undefined,
      {
        timeout: 20_000,
      },
    );
    await page.waitForSelector('[data-testid=editor-message]:has-text("已保存")', { timeout: 20_000 });
    // A try-out (2026-12-04): the save did not say the other area was merged in and deleted.
    expect(await page.textContent('[data-testid=editor-message]')).toMatch(/已并入并删除区域 #\d+「[^」]+」/);
    const merged = await sql<{ id: number; m2: number; version: number }>(
      "SELECT id::int, ST_Area(geom::geography) AS m2, version FROM service_areas WHERE name LIKE '测试服务区%'",
    );
    expect(merged).toHaveLength(1);
    expect(merged[0]!.id).toBe(areaId);
    expect(merged[0]!.m2).toBeCloseTo(whole[0]!.m2, -1);

    // History: every version with who and what; show an old one on the map.
    await page.waitForSelector(`[data-testid=history-${merged[0]!.version}]`);
    expect(await page.locator('[data-testid^=history-show-]').count()).toBeGreaterThanOrEqual(
      merged[0]!.version,
    );
    await page.click('[data-testid=history-show-1]');
    await shot(page, 'editor-7-history');
    expect(await page.textContent('[data-testid=history-1]')).toContain('admin');
  });

  it('a street editor cannot save outside its street: the error is shown and nothing is stored', async () => {
    const page = await newPage();
    await openEditorAt(page, foreign, `editor-${spot.street}`);
    const count = async () =>
      (await sql<{ n: number }>('SELECT count(*)::int AS n FROM service_areas'))[0]!.n;
    const before = await count();
    await drawPolygon(page, square(foreign, -25, -25, 25, 25).coordinates[0]!.slice(0, 4));
    await page.fill('[data-testid=field-name]', '越界区域');
    await page.selectOption('[data-testid=field-management_mode]', 'community_custodial');
    expect(await page.inputValue('[data-testid=field-street_code]')).toBe(spot.street);
    // The live check knows the editor's street even when it is out of view.
    await page.waitForSelector('[data-testid=editor-issue-list] [data-testid=issue-out_of_jurisdiction]');
    await page.click('[data-testid=editor-save]');
    await page.waitForSelector('[data-testid=editor-message]:has-text("辖区")', { timeout: 20_000 });
    await shot(page, 'editor-5-out-of-jurisdiction');
    expect(await count()).toBe(before);
    // Every editor string comes from the dictionary: the English switch reaches the editor too.
    await page.click('[data-testid=lang-switch]');
    expect(await page.textContent('[data-testid=editor-save]')).toBe('Save');
    expect(await page.textContent('[data-testid=editor-message]')).toContain('outside your subdistrict');
    expect(await page.textContent('[data-testid=editor-issue-list]')).toContain('Outside your subdistrict');
    await shot(page, 'editor-8-english');
  });

  it('threw no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
