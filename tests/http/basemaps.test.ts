import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import geojsonvt, { type LegacyTile } from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBasemapCli } from '../../server/cli/basemap.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { loadConfig } from '../../server/src/config.ts';
import { loginToken, startApp, type RunningApp } from '../helpers/app.ts';
import { solidPng, tileAt, writeMbtiles, writePmtiles, type FixtureTile } from '../helpers/basemap-files.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Issue 11, offline basemaps: MBTiles and PMTiles written here, served by the app, bad files refused.
const PASSWORD = 'basemap-test-pass-2026';
const CENTER = { lon: 105.5915, lat: 30.527 };
const BOUNDS: [number, number, number, number] = [105.55, 30.5, 105.63, 30.56];

let t: TestDb;
let app: RunningApp;
let other: RunningApp;
let dir: string;
let files: string;
const token: Record<string, string> = {};

const red = solidPng([220, 30, 30]);
const green = solidPng([30, 200, 60]);
const z14 = tileAt(CENTER.lon, CENTER.lat, 14);
const z15 = tileAt(CENTER.lon, CENTER.lat, 15);
const rasterTiles: FixtureTile[] = [
  { ...z14, data: red },
  { ...z15, data: green },
];

/** One MVT tile with a polygon layer `landuse`, for vector basemaps. */
function mvtTile(z: number, x: number, y: number): Buffer {
  const index = new geojsonvt(
    {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { kind: 'park' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [105.58, 30.52],
                [105.6, 30.52],
                [105.6, 30.535],
                [105.58, 30.535],
                [105.58, 30.52],
              ],
            ],
          },
        },
      ],
    },
    { maxZoom: 16, indexMaxZoom: 0 },
  );
  const layers: Record<string, LegacyTile> = { landuse: index.getTile(z, x, y)! };
  return Buffer.from(fromGeojsonVt(layers, { version: 2 }));
}

/** A basemap or an error, as the API answers (fields of one or the other). */
interface Answer {
  id: number;
  name: string;
  tileType: string;
  bounds: number[];
  attribution: string;
  vectorLayers: string[];
  tiles: string;
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** A GET with full control of Accept-Encoding (fetch would undo the gzip). */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
        .on('error', reject)
        .end();
    },
  );
}

async function upload(file: string, as = 'admin', name?: string) {
  const r = await fetch(`${app.url}/api/basemaps${name ? `?name=${encodeURIComponent(name)}` : ''}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(as ? { authorization: `Bearer ${token[as]}` } : {}),
    },
    body: readFileSync(file),
  });
  return { status: r.status, body: (await r.json()) as Answer };
}

const list = async (base = app.url) =>
  ((await (await fetch(`${base}/api/basemaps`)).json()) as { basemaps: Answer[] }).basemaps;
const storedFiles = () => readdirSync(dir);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wuyou-basemaps-'));
  files = mkdtempSync(join(tmpdir(), 'wuyou-basemap-src-'));
  t = await createTestDb();
  await ensureDemoAccounts(t.db, PASSWORD);
  const env = { BASEMAP_DIR: dir, BASEMAP_UPLOAD_MAX_MB: '1' };
  app = await startApp(t.db, env);
  // A second app process over the same database and folder: the registry is shared.
  other = await startApp(t.db, env);
  for (const u of ['admin', 'viewer']) token[u] = await loginToken(app.url, u, PASSWORD);
  await writeMbtiles(join(files, 'ortho.mbtiles'), rasterTiles, {
    name: '航拍正射影像 2026',
    format: 'png',
    bounds: BOUNDS.join(','),
    minzoom: '14',
    maxzoom: '15',
    attribution: '© 船山区自然资源局 航拍',
  });
  writePmtiles(join(files, 'ortho.pmtiles'), rasterTiles, {
    tileType: 2,
    bounds: BOUNDS,
    metadata: { name: 'PMTiles 正射影像', attribution: '© 测绘队' },
  });
  const vectorTiles = [z14, z15].map((c) => ({ ...c, data: mvtTile(c.z, c.x, c.y) }));
  writePmtiles(join(files, 'vector.pmtiles'), vectorTiles, {
    tileType: 1,
    tileCompression: 2,
    bounds: BOUNDS,
    metadata: { name: '矢量底图', vector_layers: [{ id: 'landuse', fields: {} }] },
  });
  await writeMbtiles(
    join(files, 'vector.mbtiles'),
    vectorTiles.map((v) => ({ ...v, data: gzipSync(v.data) })),
    { name: 'MBTiles 矢量', format: 'pbf', json: JSON.stringify({ vector_layers: [{ id: 'landuse' }] }) },
  );
}, 120_000);

afterAll(async () => {
  await other?.close();
  await app?.close();
  await t?.drop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

describe('offline basemaps (issue 11)', () => {
  let mbtilesId: number;

  it('an admin adds an MBTiles orthophoto; its summary and tiles come back with the right headers', async () => {
    const r = await upload(join(files, 'ortho.mbtiles'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: '航拍正射影像 2026',
      container: 'mbtiles',
      tileType: 'png',
      minZoom: 14,
      maxZoom: 15,
      bounds: BOUNDS,
      attribution: '© 船山区自然资源局 航拍',
    });
    mbtilesId = r.body.id as number;
    expect(r.body.tiles).toBe(`/api/basemaps/${mbtilesId}/{z}/{x}/{y}`);
    const tile = await rawGet(`${app.url}/api/basemaps/${mbtilesId}/${z15.z}/${z15.x}/${z15.y}`);
    expect(tile.status).toBe(200);
    expect(tile.headers['content-type']).toBe('image/png');
    expect(tile.body.equals(green)).toBe(true);
    const low = await rawGet(`${app.url}/api/basemaps/${mbtilesId}/${z14.z}/${z14.x}/${z14.y}`);
    expect(low.body.equals(red)).toBe(true);
    // Outside the file: nothing to draw, no error.
    expect((await rawGet(`${app.url}/api/basemaps/${mbtilesId}/15/0/0`)).status).toBe(204);
    expect(storedFiles()).toHaveLength(1);
  });

  it('a second app process lists and serves the same basemap (the registry is in the database)', async () => {
    expect((await list(other.url)).map((b) => b.id)).toContain(mbtilesId);
    const tile = await rawGet(`${other.url}/api/basemaps/${mbtilesId}/${z15.z}/${z15.x}/${z15.y}`);
    expect(tile.body.equals(green)).toBe(true);
  });

  it('a PMTiles orthophoto is read by range and served the same way', async () => {
    const r = await upload(join(files, 'ortho.pmtiles'), 'admin', '影像 PMTiles');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: '影像 PMTiles',
      container: 'pmtiles',
      tileType: 'png',
      minZoom: 14,
      maxZoom: 15,
    });
    expect((r.body.bounds as number[]).map((n) => Math.round(n * 1e5) / 1e5)).toEqual(BOUNDS);
    expect(r.body.attribution).toBe('© 测绘队');
    const tile = await rawGet(`${app.url}/api/basemaps/${r.body.id}/${z14.z}/${z14.x}/${z14.y}`);
    expect(tile.headers['content-type']).toBe('image/png');
    expect(tile.body.equals(red)).toBe(true);
  });

  it('vector basemaps: MVT sent gzipped to clients that take gzip, plain to the others, from both containers', async () => {
    const plain = mvtTile(z15.z, z15.x, z15.y);
    for (const file of ['vector.pmtiles', 'vector.mbtiles']) {
      const r = await upload(join(files, file));
      expect(r.status, file).toBe(201);
      expect(r.body.tileType).toBe('mvt');
      expect(r.body.vectorLayers).toEqual(['landuse']);
      const url = `${app.url}/api/basemaps/${r.body.id}/${z15.z}/${z15.x}/${z15.y}`;
      const gz = await rawGet(url, { 'accept-encoding': 'gzip, deflate' });
      expect(gz.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).equals(plain), file).toBe(true);
      const raw = await rawGet(url, { 'accept-encoding': 'identity' });
      expect(raw.headers['content-encoding']).toBeUndefined();
      expect(raw.body.equals(plain), file).toBe(true);
    }
  });

  it('bad files are refused with a clear JSON error and nothing is registered or kept', async () => {
    const before = (await list()).length;
    const kept = storedFiles().length;
    writeFileSync(join(files, 'notes.mbtiles'), 'these are not tiles at all, just text in a file');
    await writeMbtiles(
      join(files, 'no-tiles.mbtiles'),
      [],
      { name: 'x', format: 'png' },
      { tilesTable: false },
    );
    const broken = readFileSync(join(files, 'ortho.pmtiles'));
    // The header says the tiles lie further than the file goes: truncated on the way.
    writeFileSync(join(files, 'truncated.pmtiles'), broken.subarray(0, broken.length - 200));
    const sqliteJunk = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(3000, 7)]);
    writeFileSync(join(files, 'corrupt.mbtiles'), sqliteJunk);
    const cases: [string, string][] = [
      ['notes.mbtiles', 'basemap_unknown_format'],
      ['no-tiles.mbtiles', 'basemap_no_tiles'],
      ['truncated.pmtiles', 'basemap_corrupt'],
      ['corrupt.mbtiles', 'basemap_corrupt'],
    ];
    for (const [file, reason] of cases) {
      const r = await upload(join(files, file));
      expect(r.status, file).toBe(400);
      expect(r.body.error.code, file).toBe('bad_request');
      expect(r.body.error.details.reason, file).toBe(reason);
      expect(typeof r.body.error.message).toBe('string');
    }
    expect((await list()).length).toBe(before);
    expect(storedFiles().length).toBe(kept);
  });

  it('uploads over BASEMAP_UPLOAD_MAX_MB get 413, viewers 403, strangers 401', async () => {
    const big = join(files, 'big.pmtiles');
    writeFileSync(big, Buffer.concat([readFileSync(join(files, 'ortho.pmtiles')), Buffer.alloc(1_200_000)]));
    const r = await upload(big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({
      code: 'payload_too_large',
      details: { reason: 'basemap_too_large', maxMb: 1 },
    });
    expect((await upload(join(files, 'ortho.mbtiles'), 'viewer')).status).toBe(403);
    expect((await upload(join(files, 'ortho.mbtiles'), '')).status).toBe(401);
    expect(storedFiles().some((f) => f.startsWith('.upload-'))).toBe(false);
  });

  it('MBTiles share a memory budget (BASEMAP_MBTILES_MAX_MB): two that do not fit together are both served, and one over it is refused', async () => {
    const noise = (seed: number) => {
      const b = Buffer.alloc(600_000);
      for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761 + seed * 97) >>> 24;
      return b;
    };
    const ids: number[] = [];
    for (const seed of [1, 2]) {
      const file = join(files, `noise-${seed}.mbtiles`);
      await writeMbtiles(file, [{ ...z15, data: noise(seed) }], { name: `noise ${seed}`, format: 'png' });
      const r = await upload(file);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const tight = await startApp(t.db, { BASEMAP_DIR: dir, BASEMAP_MBTILES_MAX_MB: '1' });
    try {
      // Each one evicts the other: every answer must still be that file's own tile.
      for (const round of [0, 1, 2])
        for (const [i, id] of ids.entries()) {
          const tile = await rawGet(`${tight.url}/api/basemaps/${id}/${z15.z}/${z15.x}/${z15.y}`);
          expect(tile.body.equals(noise(i + 1)), `round ${round}, basemap ${id}`).toBe(true);
        }
      const big = join(files, 'big.mbtiles');
      await writeMbtiles(big, [{ ...z15, data: Buffer.concat([noise(3), noise(4)]) }], { format: 'png' });
      const r = await fetch(`${tight.url}/api/basemaps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.admin}`, 'content-type': 'application/octet-stream' },
        body: readFileSync(big),
      });
      expect(r.status).toBe(413);
      expect(((await r.json()) as Answer).error.details).toMatchObject({ reason: 'basemap_too_large' });
    } finally {
      await tight.close();
    }
  });

  it('bad tile addresses are 400, unknown basemaps 404', async () => {
    const bad = await fetch(`${app.url}/api/basemaps/${mbtilesId}/15/99999/1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_tile');
    expect((await fetch(`${app.url}/api/basemaps/987654/1/0/0`)).status).toBe(404);
  });

  it('the command line adds, lists and removes (npm run basemap), refusing a bad file', async () => {
    const config = loadConfig({ BASEMAP_DIR: dir, LOG_LEVEL: 'silent' });
    const added = await runBasemapCli(
      ['add', join(files, 'ortho.pmtiles'), '--name', '命令行影像'],
      t.db,
      config,
    );
    expect(added.code, added.err.join('\n')).toBe(0);
    const id = Number(/added basemap (\d+)/.exec(added.out[0]!)![1]);
    expect((await list()).find((b) => b.id === id)?.name).toBe('命令行影像');
    const shown = await runBasemapCli(['list'], t.db, config);
    expect(shown.out.some((l) => l.startsWith(`${id}\t命令行影像\tpmtiles png`))).toBe(true);
    const refused = await runBasemapCli(['add', join(files, 'notes.mbtiles')], t.db, config);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/notes\.mbtiles: refused \(basemap_unknown_format\)/);
    const removed = await runBasemapCli(['remove', String(id)], t.db, config);
    expect(removed.code).toBe(0);
    expect((await list()).some((b) => b.id === id)).toBe(false);
  });

  it('an admin removes a basemap: its file goes and its tiles are 404 in every process', async () => {
    const n = storedFiles().length;
    const r = await fetch(`${app.url}/api/basemaps/${mbtilesId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token.admin}` },
    });
    expect(r.status).toBe(204);
    expect(storedFiles().length).toBe(n - 1);
    expect((await fetch(`${app.url}/api/basemaps/${mbtilesId}/15/${z15.x}/${z15.y}`)).status).toBe(404);
    await expect
      .poll(async () => (await fetch(`${other.url}/api/basemaps/${mbtilesId}/15/${z15.x}/${z15.y}`)).status, {
        timeout: 15_000,
      })
      .toBe(404);
  });

  it('the CSP lets the page reach the 天地图 hosts (vector and imagery alike) only when a key is set', async () => {
    const directive = (csp: string, name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';
    const plain = (await fetch(`${app.url}/api/basemaps`)).headers.get('content-security-policy') ?? '';
    expect(plain).not.toContain('tianditu');
    const keyed = await startApp(t.db, { TIANDITU_TK: 'test-key', BASEMAP_DIR: dir });
    try {
      const csp = (await fetch(`${keyed.url}/api/basemaps`)).headers.get('content-security-policy') ?? '';
      for (const name of ['img-src', 'connect-src'])
        for (let n = 0; n < 8; n++) expect(directive(csp, name)).toContain(`https://t${n}.tianditu.gov.cn`);
      expect(directive(csp, 'script-src')).not.toContain('tianditu');
    } finally {
      await keyed.close();
    }
  });
});
