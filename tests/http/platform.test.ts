import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../core/client-config.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326)))`,
  );
  await t.db.query(
    `INSERT INTO buildings (category, floors, geom) VALUES
      ('three_no', 6, ST_GeomFromText('POLYGON((105.5901 30.5301,105.5902 30.5301,105.5902 30.5302,105.5901 30.5302,105.5901 30.5301))', 4326)),
      ('professional', 18, ST_GeomFromText('POLYGON((105.6501 30.5301,105.6502 30.5301,105.6502 30.5302,105.6501 30.5302,105.6501 30.5301))', 4326))`,
  );
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const get = (path: string) => fetch(app.url + path);
const errorOf = async (r: Response) =>
  ((await r.json()) as { error: { code: string; message: string } }).error;

describe('health', () => {
  it('names the database kind and the PostGIS version', async () => {
    const r = await get('/api/health');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { status: string; db: string; postgis: string };
    expect(body.status).toBe('ok');
    expect(body.db).toBe(TEST_DB_KIND);
    expect(body.postgis).toMatch(/^3\.\d+/);
  });
});

describe('issue 9 #14: the client config, also written into the page', () => {
  it('GET /api/config names the district’s extent the map opens on and the offline basemaps', async () => {
    const r = await get('/api/config');
    expect(r.status).toBe(200);
    const c = (await r.json()) as ClientConfig;
    expect(c.home).toEqual([105.5, 30.4, 105.7, 30.6]);
    expect(c).toMatchObject({ tiandituKey: null, db: TEST_DB_KIND, basemaps: [] });
  });

  it('index.html carries the same config, so the map starts with no request in between', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'wuyou-dist-'));
    writeFileSync(join(dist, 'index.html'), '<html><head><title>t</title></head><body></body></html>');
    const other = await startApp(t.db, { CLIENT_DIST: dist, TIANDITU_TK: 'k</script><b>' });
    try {
      for (const path of ['/', '/some/deep/link']) {
        const r = await fetch(other.url + path);
        expect(r.status).toBe(200);
        expect(r.headers.get('cache-control')).toBe('no-cache');
        const html = await r.text();
        const json = html.match(
          /<script id="wuyou-config" type="application\/json">(.*?)<\/script>\s*<\/head>/,
        )?.[1];
        expect(json, html).toBeDefined();
        const c = JSON.parse(json!) as ClientConfig;
        expect(c.home).toEqual([105.5, 30.4, 105.7, 30.6]);
        // a value cannot close the element
        expect(c.tiandituKey).toBe('k</script><b>');
      }
    } finally {
      await other.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

describe('GET /api/<layer>?bbox=', () => {
  it('returns only the features in the box as GeoJSON', async () => {
    const r = await get('/api/buildings?bbox=105.58,30.52,105.60,30.54');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/geo\+json/);
    const fc = (await r.json()) as GeoJSON.FeatureCollection;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0]!.properties).toMatchObject({ category: 'three_no', floors: 6, covered: false });
    expect(fc.features[0]!.geometry.type).toBe('Polygon');
  });

  it('answers an empty collection for a box with nothing', async () => {
    const fc = (await (
      await get('/api/cameras?bbox=105.58,30.52,105.60,30.54')
    ).json()) as GeoJSON.FeatureCollection;
    expect(fc.features).toEqual([]);
  });

  it.each([
    ['missing', ''],
    ['three numbers', '?bbox=1,2,3'],
    ['text', '?bbox=a,b,c,d'],
    ['inverted', '?bbox=105.6,30.5,105.5,30.6'],
    ['out of range', '?bbox=-200,30,105,31'],
    ['NaN', '?bbox=NaN,30,105,31'],
  ])('rejects a %s bbox with 400 invalid_bbox', async (_name, q) => {
    const r = await get(`/api/buildings${q}`);
    expect(r.status).toBe(400);
    expect((await errorOf(r)).code).toBe('invalid_bbox');
  });

  it('answers 404 unknown_layer for a layer it does not have', async () => {
    const r = await get('/api/parks?bbox=105.58,30.52,105.60,30.54');
    expect(r.status).toBe(404);
    expect((await errorOf(r)).code).toBe('unknown_layer');
  });

  it('lists jurisdictions by code and name', async () => {
    const body = (await (await get('/api/jurisdictions')).json()) as {
      jurisdictions: { code: string; name: string }[];
    };
    expect(body.jurisdictions.map((j) => j.name)).toEqual(['船山区', '凯旋路街道']);
  });
});

describe('accounts', () => {
  const login = (username: string, password: string) =>
    fetch(app.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  it('signs in a demo account and accepts its token', async () => {
    const r = await login('editor-510903001', 'demo-pass-2026');
    expect(r.status).toBe(200);
    const { token } = (await r.json()) as { token: string };
    const me = await fetch(app.url + '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({
      user: {
        id: expect.any(Number),
        username: 'editor-510903001',
        role: 'street_editor',
        streetCode: '510903001',
        mustChangePassword: false,
      },
    });
  });

  it('refuses a wrong password and a forged token with 401', async () => {
    expect((await login('admin', 'nope')).status).toBe(401);
    const { token } = (await (await login('admin', 'demo-pass-2026')).json()) as { token: string };
    const [payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'admin', r: 'city_admin', s: null, exp: 9e9 })).toString(
      'base64url',
    );
    const r = await fetch(app.url + '/api/auth/me', {
      headers: { authorization: `Bearer ${forged}.${sig}` },
    });
    expect(r.status).toBe(401);
    expect(payload).not.toBe(forged);
    expect((await fetch(app.url + '/api/auth/me')).status).toBe(401);
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await fetch(app.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('bad_request');
    const big = await fetch(app.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(6 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect((await errorOf(big)).code).toBe('payload_too_large');
  });
});

describe('issue 10 (trust10 #5): a URL or headers over 16 KB', () => {
  it('answers 431 with the JSON error shape, not an empty body, and the server keeps serving', async () => {
    const longUrl = await get(`/api/search?q=${'a'.repeat(17 * 1024)}`);
    const longHeader = await fetch(`${app.url}/api/health`, {
      headers: { 'x-filler': 'b'.repeat(17 * 1024) },
    });
    for (const r of [longUrl, longHeader]) {
      expect(r.status).toBe(431);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const e = await errorOf(r);
      expect(e.code).toBe('bad_request');
      expect(e.message).toMatch(/16 KB/);
    }
    // just under the limit is an ordinary request
    expect((await get(`/api/search?q=${'a'.repeat(1000)}`)).status).toBeLessThan(500);
    expect((await get('/api/health')).status).toBe(200);
  });
});
