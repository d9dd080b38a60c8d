import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { area, rect, STREET_A, STREET_B, useServiceAreaWorld } from '../helpers/service-area-world.ts';

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
});
