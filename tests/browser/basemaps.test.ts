import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BasemapStore } from '../../server/src/basemaps/store.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { solidPng, tileAt, writeMbtiles, writePmtiles, type FixtureTile } from '../helpers/basemap-files.ts';
import {
  ARTIFACTS_DIR,
  countColoursInPng,
  describeInBrowser,
  launchBrowser,
  mapSettled,
  startServerWithDemoCity,
  type RunningServer,
  keepEvidenceOnFailure,
} from '../helpers/browser.ts';

// Issue 11: an offline orthophoto (a magenta MBTiles written here) chosen in the layer panel is
// flown to, its tiles are asked for and drawn, and the app's own layers stay above it.
const MAGENTA: [number, number, number] = [230, 40, 200];
const ORTHO_BOUNDS: [number, number, number, number] = [105.575, 30.515, 105.605, 30.545];
const DECOY_BOUNDS: [number, number, number, number] = [105.5, 30.45, 105.52, 30.47];

/** Every tile of zoom z over `bounds`, each a solid PNG of `rgb`. */
function tilesOver([w, s, e, n]: number[], z: number, rgb: [number, number, number]): FixtureTile[] {
  const png = solidPng(rgb);
  const a = tileAt(w!, n!, z);
  const b = tileAt(e!, s!, z);
  const out: FixtureTile[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push({ z, x, y, data: png });
  return out;
}

describeInBrowser('offline basemaps in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  keepEvidenceOnFailure(() => page);
  let dir: string;
  let orthoId: number;
  const requested: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wuyou-basemaps-browser-'));
    const env = { BASEMAP_DIR: join(dir, 'store') };
    [server, browser] = await Promise.all([
      startServerWithDemoCity({ buildings: 200, env }),
      launchBrowser(),
    ]);
    const store = new BasemapStore({ dir: env.BASEMAP_DIR, mbtilesMaxBytes: 2 ** 28 });
    await writeMbtiles(
      join(dir, 'ortho.mbtiles'),
      [...tilesOver(ORTHO_BOUNDS, 13, MAGENTA), ...tilesOver(ORTHO_BOUNDS, 14, MAGENTA)],
      { name: '测试航拍', format: 'png', bounds: ORTHO_BOUNDS.join(','), attribution: '© 测试航拍' },
    );
    orthoId = (await store.add(server.db, join(dir, 'ortho.mbtiles'), {})).id;
    // Added later, so listed first and shown first: the orthophoto must be chosen.
    writePmtiles(join(dir, 'decoy.pmtiles'), tilesOver(DECOY_BOUNDS, 14, [40, 40, 40]), {
      tileType: 2,
      bounds: DECOY_BOUNDS,
      metadata: { name: '另一幅' },
    });
    await store.add(server.db, join(dir, 'decoy.pmtiles'), {});
    store.close();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.url().includes('/api/basemaps/')) requested.push(new URL(r.url()).pathname);
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('choosing the orthophoto flies to it, asks for its tiles, draws them under the app layers', async () => {
    await page.goto(`${server.url}/#13/30.46/105.51`);
    await page.waitForSelector('[data-testid=basemap-choice]', { timeout: 60_000 });
    await mapSettled(page, 90_000);
    const options = await page.locator('[data-testid=basemap-choice] option').allTextContents();
    expect(options).toEqual(['另一幅 · 离线影像', '测试航拍 · 离线影像']);
    await page.selectOption('[data-testid=basemap-choice]', `offline:${orthoId}`);
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=map]')?.getAttribute('data-basemap') === `offline:${id}`,
      orthoId,
    );
    await expect
      .poll(() => requested.filter((p) => p.startsWith(`/api/basemaps/${orthoId}/`)).length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    await mapSettled(page, 90_000);
    // Flown to the orthophoto: the view's centre lies inside its bounds.
    const [, lat, lon] = (await page.evaluate(() => location.hash.slice(1))).split('/').map(Number);
    expect(lon).toBeGreaterThan(ORTHO_BOUNDS[0]);
    expect(lon).toBeLessThan(ORTHO_BOUNDS[2]);
    expect(lat).toBeGreaterThan(ORTHO_BOUNDS[1]);
    expect(lat).toBeLessThan(ORTHO_BOUNDS[3]);
    // Under every layer of the app, and the other basemap gone.
    const order = await page.evaluate(() => window.__wuyouMapLayers!());
    expect(order.filter((id) => /^(offline|tianditu)-/.test(id))).toEqual([`offline-${orthoId}`]);
    expect(order.indexOf(`offline-${orthoId}`)).toBe(1);
    const shot = await page
      .locator('[data-testid=map]')
      .screenshot({ path: join(ARTIFACTS_DIR, 'basemap-offline.png') });
    const magenta = await countColoursInPng(page, shot, [MAGENTA], 30);
    // Drawn: a good part of the map (its own basemap and areas above it tint some of it).
    expect(magenta).toBeGreaterThan(20_000);
    expect(await page.locator('[data-testid=basemap-switch]').textContent()).toContain('© 测试航拍');
  });

  it("an admin's refused basemap file is said again in English after a language switch", async () => {
    // A new user's try (2026-12-05): the refusal stayed Chinese while the rest of the panel switched.
    await ensureDemoAccounts(server.db, 'basemap-admin-pass-2026');
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'basemap-admin-pass-2026' }),
    });
    const { token, user } = (await login.json()) as { token: string; user: unknown };
    const admin = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await admin.addInitScript(
      ([t, u]) => {
        sessionStorage.setItem('wuyou.token', t!);
        sessionStorage.setItem('wuyou.user', u!);
      },
      [token, JSON.stringify(user)],
    );
    const p = await admin.newPage();
    try {
      await p.goto(server.url);
      await p.waitForSelector('[data-testid=basemap-upload]', { state: 'attached', timeout: 60_000 });
      await p.setInputFiles('[data-testid=basemap-upload]', {
        name: 'fake.mbtiles',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('not a tile archive'),
      });
      const message = p.locator('[data-testid=basemap-message]');
      await expect.poll(() => message.textContent(), { timeout: 30_000 }).toMatch(/^未完成/);
      await p.click('[data-testid=lang-switch]');
      await expect.poll(() => message.textContent(), { timeout: 10_000 }).toMatch(/^Not done: /);
    } finally {
      await admin.close();
    }
  });
});
