import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPlane, toLonLat } from '../../core/viewshed/index.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp, loginTokens } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { editorTraces, userIdKeys } from '../helpers/history.ts';

// Metres east/north of a point in 船山区.
const O = localPlane(105.59, 30.53);
const pt = (x: number, y: number) => toLonLat(O, x, y);
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
const camera = (x: number, y: number, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: pt(x, y) },
  properties: {
    name: '东门摄像机',
    system: 'xueliang',
    type: 'fixed',
    direction_deg: 90,
    fov_deg: 85,
    range_m: 40,
    ...props,
  },
});
const gate = (x: number, y: number, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: pt(x, y) },
  properties: { name: '东大门', kind: 'vehicle', access_control: true, ...props },
});

let t: TestDb;
let app: RunningApp;
const tokens: Record<string, string> = {};
const STREET_A = '510903001'; // x < 1000 m
const STREET_B = '510903002'; // x ≥ 1000 m

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
      ($2, '甲街道', 'street', '510903', ST_Multi(ST_GeomFromText($3, 4326))),
      ($4, '乙街道', 'street', '510903', ST_Multi(ST_GeomFromText($5, 4326)))`,
    [
      wkt(rect(-2000, -2000, 4000, 2000)),
      STREET_A,
      wkt(rect(-2000, -2000, 1000, 2000)),
      STREET_B,
      wkt(rect(1000, -2000, 4000, 2000)),
    ],
  );
  // One 20 × 20 m building.
  await t.db.query('INSERT INTO buildings (id, geom) VALUES (1, ST_GeomFromText($1, 4326))', [
    wkt(rect(40, 40, 60, 60)),
  ]);
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db);
  await loginTokens(app.url, ['admin', 'viewer', `editor-${STREET_A}`], 'demo-pass-2026', tokens);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

type Body = Record<string, unknown> & {
  id: number;
  version: number;
  feature: { properties: Record<string, unknown>; geometry: { coordinates: number[] } };
  features: { id: number; properties: Record<string, unknown> }[];
  entries: { version: number; operation: string; attributes: Record<string, unknown> }[];
  error: { code: string; message: string; details: Record<string, unknown> };
};
async function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { as?: string | null; ifMatch?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const who = opts.as === undefined ? 'admin' : opts.as;
  if (who) headers.authorization = `Bearer ${tokens[who]}`;
  if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
  const r = await fetch(`${app.url}/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : null) as Body };
}
const bbox = [...pt(-100, -100), ...pt(200, 200)].join(',');

describe('/api/cameras', () => {
  it('POST 201 with ETag and Location, GET one, GET by bbox, PUT and DELETE with If-Match, history', async () => {
    const c = await call('POST', '/cameras', camera(10, 50, { code: 'C-1', direction_deg: 'NW' }));
    expect(c.status).toBe(201);
    expect(c.headers.get('etag')).toBe('"1"');
    expect(c.headers.get('location')).toBe(`/api/cameras/${c.body.id}`);
    expect(c.body.feature.properties).toMatchObject({
      code: 'C-1',
      direction_deg: 315,
      fov_deg: 85,
      version: 1,
      updated_by: 'admin',
    });
    const id = c.body.id;

    const one = await call('GET', `/cameras/${id}`, undefined, { as: null });
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe('"1"');
    const list = await call('GET', `/cameras?bbox=${bbox}`, undefined, { as: null });
    expect(list.body.features.map((f) => f.id)).toEqual([id]);
    expect(list.body.features[0]!.properties.system).toBe('xueliang');

    const moved = camera(12, 50, { code: 'C-1', direction_deg: 100 });
    expect((await call('PUT', `/cameras/${id}`, moved)).status).toBe(428);
    const ok = await call('PUT', `/cameras/${id}`, moved, { ifMatch: '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    expect(ok.body.feature.properties.direction_deg).toBe(100);
    const stale = await call('PUT', `/cameras/${id}`, moved, { ifMatch: '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details).toMatchObject({ current_version: 2 });

    expect((await call('DELETE', `/cameras/${id}`)).status).toBe(428);
    expect((await call('DELETE', `/cameras/${id}`, undefined, { ifMatch: '"1"' })).status).toBe(409);
    expect((await call('DELETE', `/cameras/${id}`, undefined, { ifMatch: '"2"' })).status).toBe(204);
    expect((await call('GET', `/cameras/${id}`)).status).toBe(404);
    const h = await call('GET', `/cameras/${id}/history`, undefined, { as: null });
    expect(h.body.entries.map((e) => [e.version, e.operation, e.attributes.direction_deg])).toEqual([
      [1, 'create', 315],
      [2, 'update', 100],
      [3, 'delete', 100],
    ]);
  });

  it('refuses range 0, FOV over 360, NaN and unknown direction words by field', async () => {
    const bad = async (props: Record<string, unknown>) => {
      const r = await call('POST', '/cameras', camera(10, 10, props));
      expect(r.status).toBe(400);
      return [r.body.error.code, r.body.error.details.field, r.body.error.message];
    };
    expect(await bad({ range_m: 0 })).toEqual([
      'invalid_attribute',
      'range_m',
      'range_m 0 must be > 0 and ≤ 1000 metres',
    ]);
    expect(await bad({ fov_deg: 400 })).toEqual([
      'invalid_attribute',
      'fov_deg',
      'fov_deg 400 must be > 0 and ≤ 360 degrees',
    ]);
    expect(await bad({ fov_deg: 'NaN' })).toEqual([
      'invalid_attribute',
      'fov_deg',
      'fov_deg must be a finite number, got "NaN"',
    ]);
    expect((await bad({ direction_deg: 'upwards' }))[2]).toMatch(/^direction "upwards" is not a bearing/);
    expect((await bad({ type: 'bullet' }))[1]).toBe('type');
    const r = await call('POST', '/cameras', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [200, 0] },
      properties: {},
    });
    expect(r.body.error.code).toBe('invalid_geometry');
  });

  it('allows a camera inside a building only when indoor, and one on its wall', async () => {
    const inside = await call('POST', '/cameras', camera(50, 50));
    expect(inside.status).toBe(422);
    expect(inside.body.error.details).toMatchObject({
      issues: [{ code: 'inside_building', buildings: [1] }],
    });
    const indoor = await call(
      'POST',
      '/cameras',
      camera(50, 50, { indoor: true, type: 'dome', fov_deg: 360 }),
    );
    expect(indoor.status).toBe(201);
    const onWall = await call('POST', '/cameras', camera(40.2, 50, { direction_deg: 270 }));
    expect(onWall.status).toBe(201);
    // Moving the outdoor one inside is refused too.
    const moved = await call('PUT', `/cameras/${onWall.body.id}`, camera(45, 50), { ifMatch: '"1"' });
    expect(moved.status).toBe(422);
  });

  it('lets viewers only read and street editors write only in their street', async () => {
    expect((await call('POST', '/cameras', camera(10, 10), { as: null })).status).toBe(401);
    expect((await call('POST', '/cameras', camera(10, 10), { as: 'viewer' })).status).toBe(403);
    const mine = await call('POST', '/cameras', camera(10, 10), { as: `editor-${STREET_A}` });
    expect(mine.status).toBe(201);
    const theirs = await call('POST', '/cameras', camera(1500, 10), { as: `editor-${STREET_A}` });
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe('out_of_jurisdiction');
    const out = await call('PUT', `/cameras/${mine.body.id}`, camera(1500, 10), {
      as: `editor-${STREET_A}`,
      ifMatch: '"1"',
    });
    expect(out.status).toBe(403);
  });

  it('answers a duplicate code with 409', async () => {
    expect((await call('POST', '/cameras', camera(5, 5, { code: 'DUP' }))).status).toBe(201);
    const r = await call('POST', '/cameras', camera(6, 5, { code: 'DUP' }));
    expect(r.status).toBe(409);
    expect(r.body.error.details.field).toBe('code');
  });
});

describe('/api/gates', () => {
  it('has the same CRUD rules', async () => {
    const g = await call('POST', '/gates', gate(0, 50));
    expect(g.status).toBe(201);
    expect(g.body.feature.properties).toMatchObject({ kind: 'vehicle', access_control: true, version: 1 });
    const id = g.body.id;
    expect(
      (await call('GET', `/gates?bbox=${bbox}`, undefined, { as: null })).body.features.map((f) => f.id),
    ).toContain(id);
    const bad = await call('POST', '/gates', gate(0, 50, { kind: 'tunnel' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('kind');
    expect((await call('PUT', `/gates/${id}`, gate(0, 55))).status).toBe(428);
    const up = await call('PUT', `/gates/${id}`, gate(0, 55, { kind: 'pedestrian' }), { ifMatch: '"1"' });
    expect(up.status).toBe(200);
    expect(up.body.version).toBe(2);
    expect((await call('PUT', `/gates/${id}`, gate(0, 55), { ifMatch: '"1"' })).status).toBe(409);
    expect((await call('DELETE', `/gates/${id}`, undefined, { ifMatch: '"2"' })).status).toBe(204);
    const h = await call('GET', `/gates/${id}/history`);
    expect(h.body.entries.map((e) => e.operation)).toEqual(['create', 'update', 'delete']);
  });
});

describe('issue 10: history hides who edited from anonymous readers', () => {
  it('cameras and gates: anonymous gets changed_by null and no username; signed in (any role) the username; never a user id', async () => {
    const ed = `editor-${STREET_A}`;
    const c = await call('POST', '/cameras', camera(30, 80, { code: 'H10-C' }), { as: ed });
    expect(c.status).toBe(201);
    expect(
      (
        await call('PUT', `/cameras/${c.body.id}`, camera(30, 80, { code: 'H10-C', range_m: 50 }), {
          ifMatch: '"1"',
        })
      ).status,
    ).toBe(200);
    const g = await call('POST', '/gates', gate(35, 80), { as: ed });
    expect(g.status).toBe(201);
    for (const path of [`/cameras/${c.body.id}/history`, `/gates/${g.body.id}/history`]) {
      const anon = await call('GET', path, undefined, { as: null });
      expect(anon.status).toBe(200);
      expect(anon.body.entries.length).toBeGreaterThan(0);
      expect(anon.body.entries.map((e) => (e as { changed_by?: unknown }).changed_by)).toEqual(
        anon.body.entries.map(() => null),
      );
      expect(editorTraces(anon.body, ['admin', ed])).toEqual([]);
      expect(userIdKeys(anon.body)).toEqual([]);
      for (const as of ['viewer', ed, 'admin']) {
        const h = await call('GET', path, undefined, { as });
        expect(h.status).toBe(200);
        expect(h.body.entries.map((e) => (e as { changed_by?: unknown }).changed_by)).toEqual(
          path.startsWith('/cameras') ? [ed, 'admin'] : [ed],
        );
        expect(userIdKeys(h.body)).toEqual([]);
      }
    }
  });
});

describe('issue 10: live records hide who edited from anonymous readers', () => {
  it('issue 10: live records hide who edited from anonymous readers (cameras and gates: GET one, GET by bbox)', async () => {
    const ed = `editor-${STREET_A}`;
    const c = await call('POST', '/cameras', camera(40, 90, { code: 'H10-L' }), { as: ed });
    expect(c.status).toBe(201);
    const g = await call('POST', '/gates', gate(45, 90), { as: ed });
    expect(g.status).toBe(201);
    for (const [layer, id] of [
      ['cameras', c.body.id],
      ['gates', g.body.id],
    ] as const) {
      const one = await call('GET', `/${layer}/${id}`, undefined, { as: null });
      expect(one.status).toBe(200);
      expect(one.body.properties).toMatchObject({ updated_by: null });
      const list = await call('GET', `/${layer}?bbox=${bbox}`, undefined, { as: null });
      expect(list.status).toBe(200);
      expect((list.body.features as unknown[]).length).toBeGreaterThan(0);
      expect(editorTraces(one.body, ['admin', ed])).toEqual([]);
      expect(editorTraces(list.body, ['admin', ed])).toEqual([]);
      for (const as of ['viewer', ed, 'admin']) {
        const o = await call('GET', `/${layer}/${id}`, undefined, { as });
        expect(o.body.properties).toMatchObject({ updated_by: ed });
        const l = await call('GET', `/${layer}?bbox=${bbox}`, undefined, { as });
        const mine = (l.body.features as { id: number; properties: unknown }[]).find((f) => f.id === id);
        expect(mine?.properties).toMatchObject({ updated_by: ed });
        expect(userIdKeys(l.body)).toEqual([]);
      }
    }
  });
});
