import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Polygon } from 'geojson';
import pino from 'pino';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localPlane, toLonLat } from '../../core/viewshed/index.ts';
import { createApp } from '../../server/src/app.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { loadConfig } from '../../server/src/config.ts';
import { ARTIFACTS_DIR, CLIENT_DIST, describeInBrowser, launchBrowser } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Issue 9: the editor must never break the page, nor change what the user did not touch. A hand-made
// street with one service area (0..100 m square), a building in it, and a camera west of the area
// whose sector covers the area's south-west corner, so that corner is where an area drag and a camera
// aim could meet.

const O = localPlane(105.59, 30.53);
const pt = (x: number, y: number) => toLonLat(O, x, y);
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
const point = (x: number, y: number) => `POINT(${pt(x, y).join(' ')})`;

const STREET = '510903001';
const PASSWORD = 'soundness-pass';
const ZOOM = 18;
const CENTRE = pt(50, 50);

describeInBrowser('issue 9: the editor keeps the page and other data sound', () => {
  let t: TestDb;
  let server: Server;
  let url: string;
  let browser: Browser;
  const ids: Record<string, number> = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    [t, browser] = await Promise.all([createTestDb(), launchBrowser()]);
    const q = t.db;
    const one = async (sql: string, params: unknown[]) =>
      Number((await q.query<{ id: number }>(sql, params)).rows[0]!.id);
    await q.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
          ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
          ($2, '测试街道', 'street', '510903', ST_Multi(ST_GeomFromText($1, 4326)))`,
      [wkt(rect(-600, -600, 600, 600)), STREET],
    );
    ids.area = await one(
      `INSERT INTO service_areas (name, street_code, management_mode, geom)
       VALUES ('测试区域', $2, 'resident_self', ST_GeomFromText($1, 4326)) RETURNING id`,
      [wkt(rect(0, 0, 100, 100)), STREET],
    );
    for (const b of [rect(40, 40, 60, 60), rect(-60, 40, -40, 60)])
      await q.query('INSERT INTO buildings (geom) VALUES (ST_GeomFromText($1, 4326))', [wkt(b)]);
    // 20 m west of the corner (0,0), looking east: the corner lies inside its sector.
    ids.camera = await one(
      `INSERT INTO cameras (system, direction_deg, fov_deg, range_m, geom)
       VALUES ('xueliang', 90, 60, 40, ST_GeomFromText($1, 4326)) RETURNING id`,
      [point(-20, 0)],
    );
    await ensureDemoAccounts(q, PASSWORD);
    const config = loadConfig({
      ...process.env,
      CLIENT_DIST,
      LOG_LEVEL: 'silent',
      AUTH_SECRET: 'soundness-test',
      TIANDITU_TK: '',
    });
    const app = createApp({ db: q, config, logger: pino({ level: 'silent' }) });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.drop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  /** Screen pixel of a local (x, y) metres, through the map's own projection. */
  async function pixel(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const xy = await page.evaluate((p) => window.__wuyouEditor!.project(p), pt(x, y));
    return { x: box.x + xy.x, y: box.y + xy.y };
  }

  /** Opens the page on the area, opens the editor and signs in as the street's editor in the dialog. */
  async function openEditor(page: Page, centre = CENTRE) {
    await page.goto(`${url}/#${ZOOM}/${centre[1]}/${centre[0]}`);
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 60_000 });
    await page.click('[data-testid=editor-open]');
    await page.click('[data-testid=editor-login]');
    await page.fill('[data-testid=login-username]', `editor-${STREET}`);
    await page.fill('[data-testid=login-password]', PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=editor-user]');
    await page.waitForFunction(() => !!window.__wuyouEditor);
  }

  /** Clicks inside the area until the editor has it open (the view's areas load a moment after the map). */
  async function openArea(page: Page) {
    await page.waitForFunction(() => !!window.__wuyouEditor);
    for (let i = 0; i < 30; i++) {
      // West half: still this area after the #9 test splits off the east half.
      const at = await pixel(page, 20, 80);
      await page.mouse.click(at.x, at.y);
      const opened = await page
        .waitForFunction((want) => window.__wuyouEditor?.getState().draft?.id === want, ids.area, {
          timeout: 1000,
        })
        .then(() => true)
        .catch(() => false);
      if (opened) return;
    }
    throw new Error(`area ${ids.area} did not open`);
  }

  /** Closes the editor with × and waits until the launcher is back or the app went blank. */
  async function closeEditor(page: Page, label: string) {
    await page.click('[data-testid=editor-close]');
    await page.waitForFunction(
      () =>
        !!document.querySelector('[data-testid=editor-open]') ||
        !document.querySelector('[data-testid=topbar]'),
    );
    await page.screenshot({ path: join(ARTIFACTS_DIR, `soundness-closed-${label}.png`) });
    expect(pageErrors, `page errors after closing (${label})`).toEqual([]);
    expect(await page.locator('[data-testid=topbar]').count(), `app not blank (${label})`).toBe(1);
    expect(await page.locator('[data-testid=map] canvas').count()).toBeGreaterThan(0);
  }

  /** 新建, then one click per vertex (snapping off), each waiting for the drawing layer, then close the ring. */
  async function drawPolygon(page: Page, ring: [number, number][]) {
    await page.click('[data-testid=editor-new]');
    if (await page.isChecked('[data-testid=editor-snapping]'))
      await page.uncheck('[data-testid=editor-snapping]');
    const drawing = () => page.evaluate(() => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features));
    for (const [x, y] of [...ring, ring[0]!]) {
      const was = await drawing();
      const at = await pixel(page, x, y);
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction(
        (w) =>
          JSON.stringify(window.__wuyouEditor!.drawSnapshot().features) !== w ||
          window.__wuyouEditor!.getState().draft?.geometry != null,
        was,
      );
    }
    await page.waitForFunction(() => window.__wuyouEditor!.getState().draft?.geometry != null);
  }

  it('issue 9 #1: closing the editor never blanks the page (plain, after undo, after save, after 在地图上显示)', async () => {
    const page = await newPage();
    await openEditor(page);
    await openArea(page);
    await closeEditor(page, 'plain');

    // After undo.
    await page.click('[data-testid=editor-open]');
    await openArea(page);
    await page.fill('[data-testid=field-notes]', '改一下');
    await page.click('[data-testid=editor-undo]');
    await page.waitForFunction(() => window.__wuyouEditor!.getState().past.length === 0);
    await closeEditor(page, 'undo');

    // After save.
    await page.click('[data-testid=editor-open]');
    await openArea(page);
    await page.fill('[data-testid=field-notes]', '保存一次');
    const saved = page.waitForResponse(
      (r) => r.url().includes('/api/service-areas/') && r.request().method() === 'PUT',
    );
    await page.click('[data-testid=editor-save]');
    expect((await saved).status()).toBe(200);
    await page.waitForSelector('[data-testid=editor-message].ok');
    await closeEditor(page, 'save');

    // After showing an old version on the map.
    await page.click('[data-testid=editor-open]');
    await openArea(page);
    await page.locator('[data-testid^=history-show-]').first().click();
    await closeEditor(page, 'history-show');

    // The editor opens again and works after all that.
    await page.click('[data-testid=editor-open]');
    await openArea(page);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('issue 9 #7: undo of a drawn polygon clears its figures and warnings; a save’s words go when the area is edited again', async () => {
    const page = await newPage();
    await openEditor(page, pt(-30, 50)); // clear of the legend on the left
    // West of the area, cutting the second building (-60..-40 m): a cut_building warning.
    await drawPolygon(page, [
      [-80, 20],
      [-50, 20],
      [-50, 80],
      [-80, 80],
    ]);
    await page.waitForSelector('[data-testid=issue-cut_building]');
    // Read aloud (its text), the badge and the reason are two words, not "提示建筑…" / "Must fixOutside…".
    expect(await page.textContent('[data-testid=issue-cut_building]')).toMatch(/^提示[:：]\s*\S/);
    await page.waitForSelector('[data-testid=stat-area]');
    await page.click('[data-testid=editor-undo]');
    await page.waitForFunction(() => window.__wuyouEditor!.getState().draft?.geometry === null);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-undo-drawn.png') });
    expect(await page.locator('[data-testid=stat-area]').count(), 'area of the undone polygon').toBe(0);
    expect(await page.locator('[data-testid=issue-cut_building]').count(), 'its warning').toBe(0);

    // Redo, name it and save: the server's check (cut_building) and 已保存 are shown …
    await page.click('[data-testid=editor-redo]');
    await page.waitForSelector('[data-testid=issue-cut_building]');
    await page.fill('[data-testid=field-name]', '西边新区');
    await page.selectOption('[data-testid=field-management_mode]', 'resident_self');
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/service-areas') && r.request().method() === 'POST',
    );
    await page.click('[data-testid=editor-save]');
    expect((await saved).status()).toBe(201);
    await page.waitForSelector('[data-testid=editor-message].ok');
    await page.waitForSelector('[data-testid=editor-server-issues]');
    // … and go as soon as the area is unsaved again.
    await page.fill('[data-testid=field-notes]', '再改');
    await page.waitForSelector('[data-testid=editor-dirty]');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-edited-after-save.png') });
    expect(await page.locator('[data-testid=editor-message].ok').count(), '已保存 while unsaved').toBe(0);
    expect(await page.locator('[data-testid=editor-server-issues]').count(), 'old server check').toBe(0);
    // The header with everything in it (unsaved, 放弃修改, who, 退出): no word broken over two lines.
    // Defect: squeezed into one row of the 360 px panel, each wrapped ("未保/存", "放弃修/改").
    for (const id of ['editor-dirty', 'editor-discard', 'editor-user', 'editor-sign-out']) {
      const lines = await page.$eval(
        `[data-testid=${id}]`,
        (el) => el.getBoundingClientRect().height < 1.8 * parseFloat(getComputedStyle(el).fontSize),
      );
      expect(lines, `${id} on one line`).toBe(true);
    }
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('issue 9 #6: the live check of an area off-screen still sees the buildings it covers', async () => {
    const page = await newPage();
    await openEditor(page);
    await openArea(page);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=stat-buildings]')?.textContent === '1',
    );
    // 2 km north: nothing of the area is in view any more.
    const far = pt(50, 2050);
    const viewLoaded = page.waitForResponse((r) => {
      const m = /\/api\/buildings\?bbox=([^&]+)/.exec(r.url());
      const [w, south, e, n] = (m?.[1] ?? '').split(',').map(Number);
      return !!m && w! < far[0]! && far[0]! < e! && south! < far[1]! && far[1]! < n!;
    });
    await page.evaluate(([lon, lat]) => (window.location.hash = `#${18}/${lat}/${lon}`), far);
    await (await viewLoaded).finished();
    // Two frames: the answer is in the editor's state and drawn.
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))),
    );
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-area-off-screen.png') });
    expect(await page.textContent('[data-testid=stat-buildings]')).toBe('1');
    expect(await page.locator('[data-testid=issue-empty]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('issue 9 #2: dragging an area corner inside a camera sector leaves the camera alone', async () => {
    const before = await (await fetch(`${url}/api/cameras/${ids.camera}`)).json();
    const page = await newPage();
    const cameraWrites: string[] = [];
    page.on('request', (r: Request) => {
      if (/\/api\/(cameras|gates)/.test(r.url()) && r.method() !== 'GET')
        cameraWrites.push(`${r.method()} ${r.url()}`);
    });
    await openEditor(page);
    // The camera's sector is drawn before the drag (else the test proves nothing).
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=map]')?.getAttribute('data-security-cameras')) >= 1,
    );
    await openArea(page);
    const ring0 = await page.evaluate(() => window.__wuyouEditor!.getState().draft!.geometry!.coordinates[0]);
    const from = await pixel(page, 0, 0);
    const to = await pixel(page, 6, -8);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    for (let i = 1; i <= 15; i++)
      await page.mouse.move(from.x + ((to.x - from.x) * i) / 15, from.y + ((to.y - from.y) * i) / 15);
    await page.mouse.up();
    // The drag reached the area: its ring changed.
    await page.waitForFunction(
      (r0) => JSON.stringify(window.__wuyouEditor!.getState().draft!.geometry!.coordinates[0]) !== r0,
      JSON.stringify(ring0),
    );
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-area-drag-near-camera.png') });
    // Save the area: by the time its answer is back, a camera save started by the same drag would have been sent.
    const saved = page.waitForResponse(
      (r) => r.url().includes('/api/service-areas/') && r.request().method() === 'PUT',
    );
    await page.click('[data-testid=editor-save]');
    await saved;
    expect(cameraWrites).toEqual([]);
    const after = await (await fetch(`${url}/api/cameras/${ids.camera}`)).json();
    expect(after.properties.version).toBe(before.properties.version);
    expect(after.properties.direction_deg).toBe(before.properties.direction_deg);
    expect(after.properties.range_m).toBe(before.properties.range_m);
    expect(after.geometry).toEqual(before.geometry);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('issue 9 #9: a split names the new piece apart and says it was created; the merge choices differ', async () => {
    const page = await newPage();
    await openEditor(page);
    await openArea(page);
    const state = () => page.evaluate(() => window.__wuyouEditor!.getState());
    const drawing = () => page.evaluate(() => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features));
    // Split north–south through the middle: two clicks, Enter.
    await page.click('[data-testid=editor-split]');
    for (const [x, y] of [
      [50, -20],
      [50, 120],
    ] as const) {
      const was = await drawing();
      const at = await pixel(page, x, y);
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction(
        (w) => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features) !== w,
        was,
      );
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__wuyouEditor!.getState().pending.splitOff.length === 1);
    const cutOff = (await state()).pending.splitOff[0]!;
    await page.click('[data-testid=editor-save]');
    const message = page.locator('[data-testid=editor-message].ok');
    await message.filter({ hasText: '已新建区域 #' }).waitFor();
    const id = Number(/已新建区域 #(\d+)/.exec((await message.textContent())!)![1]);
    expect(id).not.toBe(ids.area);
    const piece = await (await fetch(`${url}/api/service-areas/${id}`)).json();
    expect(piece.properties.name).toBe('测试区域（二）');
    const kept = await (await fetch(`${url}/api/service-areas/${ids.area}`)).json();
    expect(kept.properties.name).toBe('测试区域');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-split-saved.png') });

    // Merge: click the new piece (once the view's areas have it); the two choices name two areas.
    await page.click('[data-testid=editor-merge]');
    // Defect (try-out, 2026-12-04): in 合并 the area being edited stayed editable, so a click on the
    // other piece near the shared edge also put a vertex on that edge (未保存 at once; the merge was
    // then refused as not adjacent, and 保存 stored the stray vertex). The click only picks now.
    const before = JSON.stringify((await state()).draft!.geometry);
    for (let i = 0; i < 30 && !(await page.locator('[data-testid=merge-dialog]').count()); i++) {
      const near = await pixel(page, 53, 50);
      await page.mouse.click(near.x, near.y);
      await page.waitForSelector('[data-testid=merge-dialog]', { timeout: 1000 }).catch(() => undefined);
    }
    expect(JSON.stringify((await state()).draft!.geometry)).toBe(before);
    const ring = cutOff.coordinates[0]!.slice(0, -1);
    const cx = ring.reduce((t, p) => t + p[0]!, 0) / ring.length;
    const cy = ring.reduce((t, p) => t + p[1]!, 0) / ring.length;
    for (let i = 0; i < 30 && !(await page.locator('[data-testid=merge-dialog]').count()); i++) {
      const xy = await page.evaluate((p) => window.__wuyouEditor!.project(p), [cx, cy]);
      const box = (await page.locator('[data-testid=map]').boundingBox())!;
      await page.mouse.click(box.x + xy.x, box.y + xy.y);
      await page.waitForSelector('[data-testid=merge-dialog]', { timeout: 1000 }).catch(() => undefined);
    }
    const mine = await page.textContent('[data-testid=merge-keep-mine]');
    const theirs = await page.textContent('[data-testid=merge-keep-theirs]');
    // With the dashboard opened beside the editor, the dialog stays on top and its choices take the
    // click. Defect (2,000-step walk, seed 2): the dialog lived in the editor panel's stacking context
    // (z-index 5), so the dashboard, later in the page, covered both choices.
    await page.click('[data-testid=dashboard-button]');
    await page.waitForSelector('[data-testid=dashboard-child]', { timeout: 60_000 });
    for (const id of ['merge-keep-mine', 'merge-keep-theirs']) {
      const onTop = await page.$eval(`[data-testid=${id}]`, (el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      });
      expect(onTop, `${id} above the dashboard`).toBe(true);
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-merge-choices.png') });
    expect(mine).not.toBe(theirs);
    expect(theirs).toContain('测试区域（二）');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('issue 9: the editor and the dashboard share one dock; the map and its own buttons stay free to click', async () => {
    // Defect (screenshots, 1,200 × 800): opened together, the dashboard sat beside the editor and left
    // ~170 px of map; MapLibre's zoom buttons lay under the editor. Now one column with two tabs.
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openEditor(page);
    await openArea(page);
    await page.fill('[data-testid=field-notes]', '停靠面板');
    await page.click('[data-testid=dashboard-button]');
    await page.waitForSelector('[data-testid=dashboard-child]', { timeout: 60_000 });
    const onTop = (testid: string) =>
      page.$eval(`[data-testid=${testid}]`, (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      });
    const shown = (sel: string) => page.locator(sel).isVisible();
    const free = async () => {
      for (const id of ['measure-distance', 'dashboard-button', 'dock-tab-editor', 'dock-tab-dashboard'])
        expect(await onTop(id), `${id} is the element at its centre`).toBe(true);
      // MapLibre's buttons, and the area's coverage box beside them (which had slid over the compass).
      for (const sel of [
        '.maplibregl-ctrl-zoom-in',
        '.maplibregl-ctrl-zoom-out',
        '.maplibregl-ctrl-compass',
      ]) {
        const free = await page.$eval(sel, (el) => {
          const r = el.getBoundingClientRect();
          return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
        });
        expect(free, `the map’s ${sel} is free`).toBe(true);
      }
      expect(await onTop('security-suggest'), '建议机位 is free').toBe(true);
      // The map keeps more than half of the window between the legend and the dock.
      const right = await page.$eval('[data-testid=dock-tabs]', (el) => el.getBoundingClientRect().left);
      const left = await page.$eval('[data-testid=layer-panel]', (el) => el.getBoundingClientRect().right);
      expect(right - left).toBeGreaterThan(500);
    };
    // The dashboard in front, the editor behind it, its unsaved work marked on its tab.
    expect(await shown('[data-testid=dashboard]')).toBe(true);
    expect(await shown('[data-testid=editor-panel]')).toBe(false);
    expect(await page.getAttribute('[data-testid=dock-tab-dashboard]', 'aria-selected')).toBe('true');
    expect(await page.textContent('[data-testid=dock-tab-editor]')).toContain('•');
    await free();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-dock-dashboard.png') });
    // The editor's tab brings it back with its draft; ← → move between the tabs.
    await page.click('[data-testid=dock-tab-editor]');
    expect(await shown('[data-testid=editor-panel]')).toBe(true);
    expect(await shown('[data-testid=dashboard]')).toBe(false);
    expect(await page.inputValue('[data-testid=field-notes]')).toBe('停靠面板');
    await free();
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-dock-editor.png') });
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[data-testid=dashboard]', { state: 'visible' });
    // 看板 with the dashboard in front closes it; the editor is alone again, where it was.
    await page.click('[data-testid=dashboard-button]');
    await page.waitForSelector('[data-testid=dashboard]', { state: 'detached' });
    expect(await page.locator('[data-testid=dock-tabs]').count()).toBe(0);
    expect(await shown('[data-testid=editor-panel]')).toBe(true);
    // (The notes field filled above scrolled the panel: its toolbar is brought into view, as a user scrolls.)
    await page.locator('[data-testid=editor-save]').scrollIntoViewIfNeeded();
    expect(await onTop('editor-save')).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('issue 9 guards: 放弃修改, the save notice, asking before closing or leaving, and a fault kept inside the panel', async () => {
    const page = await newPage();
    await openEditor(page);
    await openArea(page);
    const notes = () => page.inputValue('[data-testid=field-notes]');
    const original = await notes();
    await page.fill('[data-testid=field-notes]', '要放弃的修改');
    await page.waitForSelector('[data-testid=editor-dirty]');
    // 放弃修改: back to what is stored; undo brings the change back.
    await page.click('[data-testid=editor-discard]');
    await page.waitForSelector('[data-testid=editor-dirty]', { state: 'detached' });
    expect(await notes()).toBe(original);
    await page.click('[data-testid=editor-undo]');
    await page.waitForSelector('[data-testid=editor-dirty]');
    expect(await notes()).toBe('要放弃的修改');

    // After a save, what it changed in the street's coverage (notes only: nothing).
    await page.click('[data-testid=editor-save]');
    await page.waitForSelector('[data-testid=save-notice]');
    expect(await page.textContent('[data-testid=save-notice]')).toContain('未覆盖楼栋数量没有变化');

    // Unsaved again: the notice goes; closing asks, and "no" keeps the editor open.
    await page.fill('[data-testid=field-notes]', '未保存的修改');
    await page.waitForSelector('[data-testid=save-notice]', { state: 'detached' });
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.type());
      void d.dismiss();
    });
    await page.click('[data-testid=editor-close]');
    await expect.poll(() => asked).toEqual(['confirm']);
    expect(await page.locator('[data-testid=editor-panel]').count()).toBe(1);

    // A fault in the panel: said in its place, the map stays, the unsaved outline can be copied.
    const draft = await page.evaluate(() => window.__wuyouEditor!.getState().draft!.geometry);
    await page.evaluate(() => (window.__wuyouEditorFault = true));
    await page.fill('[data-testid=field-notes]', '触发一次渲染');
    await page.waitForSelector('[data-testid=panel-fault][data-panel=editor]');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'soundness-panel-fault.png') });
    expect(await page.locator('[data-testid=topbar]').count()).toBe(1);
    expect(await page.locator('[data-testid=map] canvas').count()).toBeGreaterThan(0);
    const copied = JSON.parse(await page.inputValue('[data-testid=panel-fault-geojson]'));
    expect(copied.geometry).toEqual(draft);
    // Open again: the draft is still there, unsaved.
    await page.evaluate(() => (window.__wuyouEditorFault = false));
    await page.click('[data-testid=panel-fault-retry]');
    await page.waitForSelector('[data-testid=editor-dirty]');
    expect(await notes()).toBe('触发一次渲染');

    // Leaving the page with unsaved work asks first.
    const unload = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const dialog = await unload;
    expect(dialog.type()).toBe('beforeunload');
    await dialog.accept();
    expect(pageErrors).toEqual([]);
  });
});
