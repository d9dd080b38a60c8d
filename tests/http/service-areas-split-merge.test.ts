import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// A local metric grid at 船山区: x metres east, y metres north of (105.59, 30.53).
const LON0 = 105.59;
const LAT0 = 30.53;
const M_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
const M_LAT = 110_574;
const pt = (x: number, y: number) => [LON0 + x / M_LON, LAT0 + y / M_LAT];
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
const area = (geometry: Polygon, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { name: '测试区域', management_mode: 'resident_self', ...props },
});

let t: TestDb;
let app: RunningApp;
const tokens: Record<string, string> = {};
const STREET_A = '510903001'; // x < 1000 m
const STREET_B = '510903002'; // x ≥ 1000 m

beforeAll(async () => {
  t = await createTestDb();
  const a = rect(-2000, -2000, 1000, 2000);
  const b = rect(1000, -2000, 4000, 2000);
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
      ($2, '甲街道', 'street', '510903', ST_Multi(ST_GeomFromText($3, 4326))),
      ($4, '乙街道', 'street', '510903', ST_Multi(ST_GeomFromText($5, 4326)))`,
    [wkt(rect(-2000, -2000, 4000, 2000)), STREET_A, wkt(a), STREET_B, wkt(b)],
  );
  // Buildings: 10 × 10 m at (20,20) 三无 with 12 households, at (60,20) with 30.
  await t.db.query(
    `INSERT INTO buildings (id, category, households, geom) VALUES
      (1, 'three_no', 12, ST_GeomFromText($1, 4326)), (2, 'professional', 30, ST_GeomFromText($2, 4326))`,
    [wkt(rect(20, 20, 30, 30)), wkt(rect(60, 20, 70, 30))],
  );
  await ensureDemoAccounts(t.db, 'demo-pass');
  app = await startApp(t.db);
  for (const u of ['admin', 'viewer', `editor-${STREET_A}`, `editor-${STREET_B}`]) {
    const r = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u, password: 'demo-pass' }),
    });
    tokens[u] = ((await r.json()) as { token: string }).token;
  }
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

type Body = Record<string, unknown> & {
  id: number;
  version: number;
  warnings: { code: string }[];
  error: {
    code: string;
    message: string;
    details: Record<string, unknown> & { issues?: Record<string, unknown>[] };
  };
};
async function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { as?: string; ifMatch?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const who = opts.as === undefined ? 'admin' : opts.as;
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
  const r = await fetch(`${app.url}/api/service-areas${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : null) as Body };
}
const count = async (table = 'service_areas') =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`)).rows[0]!.n;
const cleanup = async () => {
  await t.db.query('DELETE FROM service_areas');
};

const create = async (geometry: Polygon, props: Record<string, unknown> = {}) => {
  const r = await call('POST', '', area(geometry, props));
  expect(r.status).toBe(201);
  return r.body;
};
/** Everything stored about the areas: rows and history, to show a failed request changed nothing. */
const snapshot = async () => ({
  areas: (
    await t.db.query(
      'SELECT id, version, name, provider, ST_AsText(geom) AS g FROM service_areas ORDER BY id',
    )
  ).rows,
  history: (await t.db.query('SELECT area_id, version, operation FROM service_area_history ORDER BY 1, 2'))
    .rows,
});

describe('POST /api/service-areas/:id/split', () => {
  it('makes the area part 1 and creates the others with its attributes, in history as split', async () => {
    await cleanup();
    const a = await create(rect(0, 0, 100, 100), { provider: '某物业公司', status: 'approved' });
    const r = await call(
      'POST',
      `/${a.id}/split`,
      { parts: [rect(0, 0, 50, 100), rect(50, 0, 100, 100)] },
      { ifMatch: '"1"' },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"2"');
    const areas = r.body.areas as { id: number; properties: Record<string, unknown> }[];
    expect(areas).toHaveLength(2);
    expect(areas[0]).toMatchObject({ id: a.id, properties: { version: 2, provider: '某物业公司' } });
    expect(areas[1]!.id).not.toBe(a.id);
    expect(areas[1]).toMatchObject({
      properties: { version: 1, name: '测试区域', provider: '某物业公司', status: 'approved' },
    });
    expect(await count()).toBe(2);
    const h1 = await call('GET', `/${a.id}/history`);
    expect(h1.body.entries).toMatchObject([
      { version: 1, operation: 'create' },
      { version: 2, operation: 'split' },
    ]);
    const h2 = await call('GET', `/${areas[1]!.id}/history`);
    expect(h2.body.entries).toMatchObject([{ version: 1, operation: 'split', changed_by: 'admin' }]);
    const area1 = await t.db.query<{ m2: number }>(
      'SELECT ST_Area(geom::geography) AS m2 FROM service_areas WHERE id = $1',
      [a.id],
    );
    expect(area1.rows[0]!.m2).toBeGreaterThan(4900);
    expect(area1.rows[0]!.m2).toBeLessThan(5100);
  });

  it('answers 422 split_mismatch when the parts do not make up the area, and stores nothing', async () => {
    await cleanup();
    const a = await create(rect(0, 0, 100, 100));
    const before = await snapshot();
    const short = await call(
      'POST',
      `/${a.id}/split`,
      { parts: [rect(0, 0, 50, 100), rect(50, 0, 90, 100)] },
      { ifMatch: '"1"' },
    );
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('validation_failed');
    expect(short.body.error.details.issues?.[0]).toMatchObject({ code: 'split_mismatch' });
    const overlapping = await call(
      'POST',
      `/${a.id}/split`,
      { parts: [rect(0, 0, 60, 100), rect(50, 0, 100, 100)] },
      { ifMatch: '"1"' },
    );
    expect(overlapping.status).toBe(422);
    expect(overlapping.body.error.details.issues?.[0]).toMatchObject({ code: 'split_overlap' });
    const one = await call('POST', `/${a.id}/split`, { parts: [rect(0, 0, 100, 100)] }, { ifMatch: '"1"' });
    expect(one.status).toBe(400);
    const stale = await call(
      'POST',
      `/${a.id}/split`,
      { parts: [rect(0, 0, 50, 100), rect(50, 0, 100, 100)] },
      { ifMatch: '"7"' },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const noMatch = await call('POST', `/${a.id}/split`, {
      parts: [rect(0, 0, 50, 100), rect(50, 0, 100, 100)],
    });
    expect(noMatch.status).toBe(428);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a viewer (403), no token (401) and a street editor outside its street (403)', async () => {
    await cleanup();
    const inB = await create(rect(1100, 0, 1200, 100));
    const before = await snapshot();
    const parts = { parts: [rect(1100, 0, 1150, 100), rect(1150, 0, 1200, 100)] };
    const outside = await call('POST', `/${inB.id}/split`, parts, {
      ifMatch: '"1"',
      as: `editor-${STREET_A}`,
    });
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('out_of_jurisdiction');
    expect((await call('POST', `/${inB.id}/split`, parts, { ifMatch: '"1"', as: 'viewer' })).status).toBe(
      403,
    );
    expect((await call('POST', `/${inB.id}/split`, parts, { ifMatch: '"1"', as: '' })).status).toBe(401);
    expect(await snapshot()).toEqual(before);
    const own = await call('POST', `/${inB.id}/split`, parts, { ifMatch: '"1"', as: `editor-${STREET_B}` });
    expect(own.status).toBe(200);
  });
});

describe('POST /api/service-areas/merge', () => {
  it('deletes the other area and makes the kept one the union, with the chosen attributes', async () => {
    await cleanup();
    const keep = await create(rect(0, 0, 50, 100), { name: '甲', provider: '甲物业' });
    const other = await create(rect(50, 0, 100, 100), { name: '乙', provider: '乙物业' });
    const r = await call('POST', '/merge', {
      ids: [keep.id, other.id],
      versions: [1, 1],
      keep_attributes_of: other.id,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"2"');
    expect(r.body).toMatchObject({
      type: 'Feature',
      id: keep.id,
      properties: { version: 2, name: '乙', provider: '乙物业' },
    });
    expect(await count()).toBe(1);
    const m2 = await t.db.query<{ m2: number }>('SELECT ST_Area(geom::geography) AS m2 FROM service_areas');
    expect(m2.rows[0]!.m2).toBeGreaterThan(9900);
    expect(m2.rows[0]!.m2).toBeLessThan(10100);
    expect((await call('GET', `/${keep.id}/history`)).body.entries).toMatchObject([
      { version: 1, operation: 'create' },
      { version: 2, operation: 'merge' },
    ]);
    expect((await call('GET', `/${other.id}/history`)).body.entries).toMatchObject([
      { version: 1, operation: 'create' },
      { version: 2, operation: 'merge' },
    ]);
    expect((await call('GET', `/${other.id}`)).status).toBe(404);
  });

  it('answers 409 on a stale version and 422 not_adjacent for areas apart, storing nothing', async () => {
    await cleanup();
    const keep = await create(rect(0, 0, 50, 100));
    const other = await create(rect(50, 0, 100, 100));
    const apart = await create(rect(200, 0, 300, 100));
    const before = await snapshot();
    const stale = await call('POST', '/merge', { ids: [keep.id, other.id], versions: [1, 3] });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const staleKeep = await call('POST', '/merge', { ids: [keep.id, other.id], versions: [2, 1] });
    expect(staleKeep.status).toBe(409);
    const far = await call('POST', '/merge', { ids: [keep.id, apart.id], versions: [1, 1] });
    expect(far.status).toBe(422);
    expect(far.body.error.code).toBe('validation_failed');
    expect(far.body.error.details.issues?.[0]).toMatchObject({ code: 'not_adjacent' });
    const farGiven = await call('POST', '/merge', {
      ids: [keep.id, apart.id],
      versions: [1, 1],
      geometry: rect(0, 0, 300, 100),
    });
    expect(farGiven.status).toBe(422);
    // The merged polygon must not overlap a third area: the delete of the other is rolled back too.
    const overlapping = await call('POST', '/merge', {
      ids: [keep.id, other.id],
      versions: [1, 1],
      geometry: rect(0, 0, 250, 100),
    });
    expect(overlapping.status).toBe(422);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a street editor outside its street (403), a viewer (403), no token (401)', async () => {
    await cleanup();
    const keep = await create(rect(1100, 0, 1150, 100));
    const other = await create(rect(1150, 0, 1200, 100));
    const before = await snapshot();
    const req = { ids: [keep.id, other.id], versions: [1, 1] };
    const outside = await call('POST', '/merge', req, { as: `editor-${STREET_A}` });
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('out_of_jurisdiction');
    expect((await call('POST', '/merge', req, { as: 'viewer' })).status).toBe(403);
    expect((await call('POST', '/merge', req, { as: '' })).status).toBe(401);
    expect(await snapshot()).toEqual(before);
    expect((await call('POST', '/merge', req, { as: `editor-${STREET_B}` })).status).toBe(200);
  });
});
