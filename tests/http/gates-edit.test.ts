import { VectorTile } from '@mapbox/vector-tile';
import type { Polygon } from 'geojson';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPlane, toLonLat } from '../../core/viewshed/index.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp, loginToken } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// What the map's gate form relies on from the server: an edited 门禁 or kind counts at once in
// /api/security-coverage, a 409 carries the stored feature to reload, and a saved gate's vector tile
// answers a revalidation with the new data (MapLibre asks again with the same URL after a save).

const O = localPlane(105.59, 30.53);
const pt = (x: number, y: number) => toLonLat(O, x, y);
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;

let t: TestDb;
let app: RunningApp;
let token = '';
let area = 0;

beforeAll(async () => {
  t = await createTestDb();
  area = Number(
    (
      await t.db.query<{ id: number }>(
        `INSERT INTO service_areas (name, management_mode, geom)
         VALUES ('测试区域', 'resident_self', ST_GeomFromText($1, 4326)) RETURNING id`,
        [wkt(rect(0, 0, 100, 100))],
      )
    ).rows[0]!.id,
  );
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db);
  token = await loginToken(app.url, 'admin', 'demo-pass-2026');
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

type GateFeature = {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: number[] };
  properties: Record<string, unknown> & { id: number; version: number };
};
async function call<T>(method: string, path: string, body?: unknown, ifMatch?: string) {
  const r = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as T };
}
type Coverage = { gates: { total: number }; unit_doors: { total: number; with_access_control: number } };
const coverage = async () =>
  (await call<Coverage>('GET', `/api/security-coverage?service_area=${area}`)).body;

/** The z/x/y of the tile holding lon/lat. */
function tileOf(lon: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [
    z,
    Math.floor(((lon + 180) / 360) * n),
    Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  ];
}

describe('editing a gate from the map', () => {
  it('counts an edited access control and kind in /api/security-coverage at once', async () => {
    const made = await call<{ id: number; feature: GateFeature }>('POST', '/api/gates', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pt(50, 0) },
      properties: { kind: 'unit_door' },
    });
    expect(made.status).toBe(201);
    const before = await coverage();
    expect(before.unit_doors).toEqual({ total: 1, with_access_control: 0 });
    const f = made.body.feature;
    const v2 = await call<{ feature: GateFeature }>(
      'PUT',
      `/api/gates/${made.body.id}`,
      { ...f, properties: { ...f.properties, access_control: true } },
      '"1"',
    );
    expect(v2.status).toBe(200);
    expect((await coverage()).unit_doors).toEqual({ total: 1, with_access_control: 1 });
    const v3 = await call<{ feature: GateFeature }>(
      'PUT',
      `/api/gates/${made.body.id}`,
      { ...f, properties: { ...v2.body.feature.properties, kind: 'pedestrian' } },
      '"2"',
    );
    expect(v3.status).toBe(200);
    const after = await coverage();
    expect(after.unit_doors.total).toBe(0);
    expect(after.gates.total).toBe(before.gates.total + 1);
  });

  it('answers a stale save with 409 and the stored gate, which a reload or an overwrite starts from', async () => {
    const made = await call<{ id: number; feature: GateFeature }>('POST', '/api/gates', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pt(0, 50) },
      properties: { kind: 'vehicle', name: '西门' },
    });
    const f = made.body.feature;
    const theirs = { ...f, properties: { ...f.properties, name: '北门' } };
    expect((await call('PUT', `/api/gates/${made.body.id}`, theirs, '"1"')).status).toBe(200);
    const mine = { ...f, properties: { ...f.properties, access_control: true } };
    const stale = await call<{ error: { code: string; details: { current: GateFeature } } }>(
      'PUT',
      `/api/gates/${made.body.id}`,
      mine,
      '"1"',
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details.current.properties).toMatchObject({ name: '北门', version: 2 });
    const overwrite = await call<{ feature: GateFeature }>(
      'PUT',
      `/api/gates/${made.body.id}`,
      mine,
      `"${stale.body.error.details.current.properties.version}"`,
    );
    expect(overwrite.status).toBe(200);
    expect(overwrite.body.feature.properties).toMatchObject({ access_control: true, version: 3 });
  });

  it('gives the moved gate’s tile a new ETag: a revalidation after the save gets the new position', async () => {
    const [lon0, lat0] = pt(20, 20);
    const made = await call<{ id: number; feature: GateFeature }>('POST', '/api/gates', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [lon0, lat0] },
      properties: { kind: 'pedestrian' },
    });
    const [z, x, y] = tileOf(lon0, lat0, 16);
    const url = `${app.url}/tiles/gates/${z}/${x}/${y}.mvt`;
    const ids = async (r: Response) => {
      const layer = new VectorTile(new PbfReader(new Uint8Array(await r.arrayBuffer()))).layers.gates;
      return Array.from({ length: layer?.length ?? 0 }, (_, i) => Number(layer!.feature(i).properties.id));
    };
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(await ids(first)).toContain(made.body.id);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);

    // Moved far enough to leave this tile (a z16 tile is about 520 m wide here).
    const f = made.body.feature;
    const moved = await call(
      'PUT',
      `/api/gates/${made.body.id}`,
      { ...f, geometry: { ...f.geometry, coordinates: pt(2000, 20) } },
      '"1"',
    );
    expect(moved.status).toBe(200);
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).not.toBe(etag);
    expect(await ids(again)).not.toContain(made.body.id);
    const [z2, x2, y2] = tileOf(...(pt(2000, 20) as [number, number]), 16);
    expect(await ids(await fetch(`${app.url}/tiles/gates/${z2}/${x2}/${y2}.mvt`))).toContain(made.body.id);
  });
});
