import type { Polygon } from 'geojson';
import { describe, expect, it, vi } from 'vitest';
import { mergePolygons, splitPolygon } from '../../client/src/editor/geometry.ts';
import { areaFromFeature, saveSplitMerge } from '../../client/src/editor/service-area-client.ts';
import {
  area,
  pt,
  rect,
  STREET_A,
  STREET_B,
  useServiceAreaWorld,
  wkt,
} from '../helpers/service-area-world.ts';

/** What the editor holds for a stored area it shows: its positions through terra-draw's 9 decimals. */
const asEditorHolds = (g: Polygon): Polygon => {
  const r9 = (x: number) => Math.round(x * 1e9) / 1e9;
  return { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map((p) => [r9(p[0]!), r9(p[1]!)])) };
};

const w = useServiceAreaWorld();
const { call, count, cleanup } = w;

const create = async (geometry: Polygon, props: Record<string, unknown> = {}) => {
  const r = await call('POST', '', area(geometry, props));
  expect(r.status).toBe(201);
  return r.body;
};
/** Everything stored about the areas: rows and history, to show a failed request changed nothing. */
const snapshot = async () => ({
  areas: (
    await w.t.db.query(
      'SELECT id, version, name, provider, ST_AsText(geom) AS g FROM service_areas ORDER BY id',
    )
  ).rows,
  history: (await w.t.db.query('SELECT area_id, version, operation FROM service_area_history ORDER BY 1, 2'))
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
    const area1 = await w.t.db.query<{ m2: number }>(
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
    const m2 = await w.t.db.query<{ m2: number }>('SELECT ST_Area(geom::geography) AS m2 FROM service_areas');
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

  // Issue 9 #1 (ed9): the editor shows an area through terra-draw, which keeps 9 decimals, so after a
  // split the draft's copy of the cut and the other part's stored cut differ by up to 0.5e-9°. The
  // client's union of the two then has a zero-width slit along part of the cut, within the merge
  // tolerance, and the server stored it: the 三无 building lying across the cut was no longer covered.
  const covered = async () =>
    (await w.t.db.query<{ covered: boolean }>('SELECT covered FROM buildings WHERE id = 1')).rows[0]!.covered;
  /** An area split through building 1 and saved; the editor's union of the two parts (with its slit). */
  const splitThroughBuilding = async () => {
    await cleanup();
    // Slanted edges: the cut's ends then have digits beyond the ninth decimal in both coordinates.
    const whole: Polygon = {
      type: 'Polygon',
      coordinates: [[pt(0, 5), pt(100, 0), pt(105, 100), pt(3, 97), pt(0, 5)]],
    };
    const a = await create(whole, { name: '甲' });
    expect(await covered()).toBe(true);
    // A slanted cut through building 1 (20…30 m, 20…30 m), split the way the editor splits.
    const cut = splitPolygon(whole, {
      type: 'LineString',
      coordinates: [pt(18, -10), pt(29.428571428571427, 110)],
    });
    if (!('parts' in cut)) throw new Error(cut.error);
    const split = await call('POST', `/${a.id}/split`, { parts: cut.parts }, { ifMatch: '"1"' });
    expect(split.status).toBe(200);
    expect(await covered()).toBe(true);
    const [p1, p2] = (split.body.areas as unknown[]).map((f) => areaFromFeature(f));
    const given = mergePolygons(asEditorHolds(p1!.geometry), p2!.geometry);
    if (!given) throw new Error('the editor found the parts not adjacent');
    const union = (
      await w.t.db.query<{ wkt: string }>(
        `SELECT ST_AsText(ST_Union(a.geom, b.geom, 1e-9)) AS wkt
         FROM service_areas a, service_areas b WHERE a.id = $1 AND b.id = $2`,
        [p1!.id, p2!.id],
      )
    ).rows[0]!.wkt;
    return { p1: p1!, p2: p2!, given, union };
  };
  const storedWkt = async (id: number) =>
    (
      await w.t.db.query<{ wkt: string }>('SELECT ST_AsText(geom) AS wkt FROM service_areas WHERE id = $1', [
        id,
      ])
    ).rows[0]!.wkt;

  it('issue 9 #1: split then merge stores the union of the parts, no slit, the building across the cut stays covered', async () => {
    const { p1, p2, given, union } = await splitThroughBuilding();
    const merged = await call('POST', '/merge', {
      ids: [p1.id, p2.id],
      versions: [p1.version, p2.version],
      keep_attributes_of: p1.id,
      geometry: given,
    });
    expect(merged.status).toBe(200);
    expect(await covered()).toBe(true);
    expect(await storedWkt(p1.id)).toBe(union);
    // The answer is what was stored: the editor then shows the server's union, not its own.
    const answer = (await call('GET', `/${p1.id}`)).body as unknown as { geometry: Polygon };
    expect(merged.body.geometry).toEqual(answer.geometry);
  });

  it("issue 9 #1: the editor's save of a merge that keeps the other's attributes stores the server's union", async () => {
    const { p1, p2, given, union } = await splitThroughBuilding();
    // The editor's own save path (client/src/editor/service-area-client.ts) against this server.
    const base = w.app.url;
    const realFetch = globalThis.fetch;
    const store = new Map<string, string>([['wuyou.token', w.tokens.admin!]]);
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    });
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) => realFetch(new URL(url, base), init));
    try {
      // 保留“乙”的属性: the attributes differ from the kept area's, so a PUT follows the merge.
      const r = await saveSplitMerge(
        p1.id,
        p1.version,
        given,
        { ...p1.attributes, name: '乙' },
        { splitOff: [], mergedAway: [{ id: p2.id, version: p2.version, name: '' }] },
      );
      expect(r.area.attributes.name).toBe('乙');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(await covered()).toBe(true);
    expect(await storedWkt(p1.id)).toBe(union);
  });

  it('issue 9 #1: a merge across a gap under 0.5 m stores both areas and the bridge, one polygon', async () => {
    await cleanup();
    const keep = await create(rect(0, 0, 50, 100));
    const other = await create(rect(50.2, 0, 100, 100));
    const r = await call('POST', '/merge', {
      ids: [keep.id, other.id],
      versions: [1, 1],
      geometry: rect(0, 0, 100, 100),
    });
    expect(r.status).toBe(200);
    const row = (
      await w.t.db.query<{ type: string; m2: number; covers: boolean }>(
        `SELECT GeometryType(geom) AS type,
                ST_Area(geom::geography) - ST_Area(ST_GeomFromText($4, 4326)::geography) AS m2,
                ST_Covers(geom, ST_GeomFromText($2, 4326)) AND ST_Covers(geom, ST_GeomFromText($3, 4326)) AS covers
         FROM service_areas WHERE id = $1`,
        [
          keep.id,
          wkt(rect(0.001, 0.001, 49.999, 99.999)),
          wkt(rect(50.201, 0.001, 99.999, 99.999)),
          wkt(rect(0, 0, 100, 100)),
        ],
      )
    ).rows[0]!;
    expect(row.type).toBe('POLYGON');
    expect(row.covers).toBe(true);
    expect(Math.abs(row.m2)).toBeLessThan(0.5);
  });
});

it('issue 9 (merge refused): any two parts of a saved split can be merged back in the editor', async () => {
  // ed9's trials: the merge tool answered merge_not_adjacent for 7 of 40 split lines.
  const refused: string[] = [];
  let rnd = 20261202;
  const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 40; i++) {
    await cleanup();
    const whole: Polygon = {
      type: 'Polygon',
      coordinates: [[pt(0, 5), pt(100, 0), pt(105, 100), pt(3, 97), pt(0, 5)]],
    };
    const a = await create(whole, { name: '甲' });
    const line = {
      type: 'LineString' as const,
      coordinates: [pt(5 + next() * 90, -10), pt(5 + next() * 90, 110)],
    };
    const cut = splitPolygon(whole, line);
    if (!('parts' in cut)) continue;
    const split = await call('POST', `/${a.id}/split`, { parts: cut.parts }, { ifMatch: '"1"' });
    expect(split.status).toBe(200);
    const [p1, p2] = (split.body.areas as unknown[]).map((f) => areaFromFeature(f));
    const given = mergePolygons(asEditorHolds(p1!.geometry), p2!.geometry);
    if (!given) {
      refused.push(JSON.stringify(line.coordinates));
      continue;
    }
    const merged = await call('POST', '/merge', {
      ids: [p1!.id, p2!.id],
      versions: [p1!.version, p2!.version],
      keep_attributes_of: p1!.id,
      geometry: given,
    });
    if (merged.status !== 200) refused.push(`${JSON.stringify(line.coordinates)}: ${merged.status}`);
  }
  expect(refused, 'split lines whose parts the merge tool refused').toEqual([]);
}, 300_000);
