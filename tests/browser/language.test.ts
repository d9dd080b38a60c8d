import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import {
  ARTIFACTS_DIR,
  describeInBrowser,
  launchBrowser,
  startServerWithDemoCity,
  type RunningServer,
  keepEvidenceOnFailure,
} from '../helpers/browser.ts';

/** Latin words (not acronyms): what an English server message leaves in a Chinese sentence. */
const latinWords = (s: string) => (s.match(/[a-z]{2,}/gi) ?? []).filter((w) => /[a-z]/.test(w));
const hasHan = (s: string) => /\p{Script=Han}/u.test(s.replace(/三无/g, ''));

describeInBrowser('language in Chromium (issue 9 #11)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  keepEvidenceOnFailure(() => page);
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    [server, browser] = await Promise.all([startServerWithDemoCity({ buildings: 1000 }), launchBrowser()]);
    await ensureDemoAccounts(server.db, 'demo-pass-2026');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('issue 9 #11: a failed sign-in reads fully Chinese in the Chinese UI', async () => {
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 60_000 });
    await page.click('[data-testid=editor-open]');
    await page.click('[data-testid=editor-login]');
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', 'not-the-password');
    await page.click('[data-testid=login-submit]');
    const error = page.locator('[data-testid=login-error]');
    await error.waitFor();
    const text = (await error.textContent())!;
    expect(text).toContain('用户名或密码错误');
    expect(latinWords(text)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'language-login-zh.png') });
    await page.click('[data-testid=login-dialog] button[type=button]');
    await page.click('[data-testid=editor-close]');
  });

  it('issue 9: 帮助 walks through the three jobs in Chinese', async () => {
    await page.click('[data-testid=help-button]');
    const dialog = page.locator('[data-testid=help-dialog]');
    await dialog.waitFor();
    for (const job of ['draw', 'dashboard', 'cameras'])
      expect(await dialog.locator(`[data-testid=help-${job}] li`).count(), job).toBeGreaterThan(2);
    expect(await dialog.locator('h2').textContent()).toBe('帮助');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'language-help-zh.png') });
    await page.click('[data-testid=help-close]');
    await dialog.waitFor({ state: 'detached' });
  });

  it('issue 9: the search box finds a compound by its address and says so', async () => {
    const c = (
      await server.db.query<{ id: number; address: string }>(
        "SELECT id, address FROM compounds WHERE address IS NOT NULL AND address <> '' ORDER BY id LIMIT 1",
      )
    ).rows[0]!;
    await page.fill('[data-testid=search-input]', c.address);
    const hit = page.locator('[data-testid=search-result]').first();
    await hit.waitFor();
    expect(await hit.locator('[data-testid=search-matched]').getAttribute('data-matched')).toMatch(
      /address|name/,
    );
    expect(await page.locator('[data-testid=search-matched][data-matched=address]').count()).toBeGreaterThan(
      0,
    );
    await page.fill('[data-testid=search-input]', '');
  });

  it('issue 9 #11: survey row problems and a refusal from another street read fully Chinese', async () => {
    const streets = (
      await server.db.query<{ code: string }>(
        "SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code LIMIT 2",
      )
    ).rows.map((r) => r.code);
    const other = (
      await server.db.query<{ code: string; name: string }>(
        'SELECT code, name FROM compounds WHERE street_code = $1 AND code IS NOT NULL ORDER BY id LIMIT 1',
        [streets[1]],
      )
    ).rows[0]!;
    const csv = ['小区编码,小区名称,户数', `${other.code},${other.name},12`, ',坏行,很多'].join('\n');
    await page.click('[data-testid=survey-button]');
    await page.fill('[data-testid=login-username]', `editor-${streets[0]}`);
    await page.fill('[data-testid=login-password]', 'demo-pass-2026');
    await page.click('[data-testid=login-submit]');
    const dialog = page.locator('[data-testid=survey-dialog]');
    await dialog.locator('[data-testid=survey-file]').setInputFiles({
      name: '摸排.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await dialog.locator('[data-testid=survey-summary]').waitFor();
    const problems = (await dialog.locator('.survey-problems').allTextContents()).join(' ');
    expect(problems).toContain('户数：“很多”应为非负整数');
    expect(latinWords(problems)).toEqual([]);
    await dialog.locator('[data-testid=survey-confirm]').click();
    const error = dialog.locator('[data-testid=survey-error]');
    await error.waitFor();
    const text = (await error.textContent())!;
    const names = await server.db.query<{ name: string }>(
      'SELECT name FROM jurisdictions WHERE code = ANY($1::text[])',
      [streets],
    );
    expect(text).toContain('属于');
    for (const { name } of names.rows) expect(text).toContain(name);
    expect(latinWords(text)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'language-survey-zh.png') });
    await dialog.locator('[data-testid=survey-close]').click();
  });

  it('issue 9 #11: the English dashboard names districts and streets in English', async () => {
    await page.click('[data-testid=lang-switch]');
    await page.click('[data-testid=dashboard-button]');
    const children = page.locator('[data-testid=dashboard-child] td:first-child');
    await children.first().waitFor();
    await children.first().locator('button').click(); // the district → its streets
    const streets = (await (await fetch(`${server.url}/api/jurisdictions`)).json()) as {
      jurisdictions: { level: string; name_en: string | null }[];
    };
    const english = streets.jurisdictions.filter((j) => j.level === 'street').map((j) => j.name_en);
    await expect
      .poll(async () => (await children.allTextContents()).filter((n) => english.includes(n)).length)
      .toBeGreaterThan(0);
    const names = await children.allTextContents();
    expect(names.filter(hasHan)).toEqual([]);
    const crumbs = await page.locator('.dashboard .crumbs').textContent();
    expect(hasHan(crumbs!)).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'language-dashboard-en.png') });
    expect(pageErrors).toEqual([]);
  });
});
