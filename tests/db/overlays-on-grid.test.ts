import type { Polygon } from 'geojson';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { splitMismatch, validateServiceArea } from '../../server/src/service-areas/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// A stored area A, and a candidate B: A moved by 1e-13° and turned by 1e-10 rad, so every edge of B
// nearly coincides with one of A. GEOS's floating-point noding fails on their overlay; inside PGlite
// (PostGIS 3.6, GEOS 3.14 in WebAssembly) that ended the statement with no row and no error: the
// save check read rows[0]! of nothing (500), the split check likewise, and the overlap trigger failed
// with "control reached end of trigger procedure without RETURN". On a 1e-9° grid every overlay answers,
// on both databases, with the same verdicts.
let t: TestDb;
let a: Polygon;
let b: Polygon;
let aId: number;
beforeAll(async () => {
  t = await createTestDb();
  const r = await t.db.query<{ a: string; b: string }>(
    `WITH x AS (
       SELECT ST_Segmentize(ST_Buffer(ST_SetSRID(ST_Point(116.31, 39.9), 4326), 0.001, 6), 0.00005) AS g
     )
     SELECT ST_AsGeoJSON(g, 17) AS a,
            ST_AsGeoJSON(ST_Rotate(ST_Translate(g, 0, 1e-13), 9.999999999999999e-11, ST_Centroid(g)), 17) AS b
     FROM x`,
  );
  a = JSON.parse(r.rows[0]!.a) as Polygon;
  b = JSON.parse(r.rows[0]!.b) as Polygon;
  const ins = await t.db.query<{ id: number }>(
    `INSERT INTO service_areas (name, management_mode, geom)
     VALUES ('A', 'professional', ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) RETURNING id`,
    [JSON.stringify(a)],
  );
  aId = ins.rows[0]!.id;
});
afterAll(async () => {
  await t?.drop();
});

it('the save check of an area whose edges nearly coincide with a stored one reports the overlap', async () => {
  const r = await validateServiceArea(t.db, b);
  const overlap = r.issues.find((i) => i.code === 'overlap') as
    { with: number[]; area_m2: number } | undefined;
  expect(overlap?.with).toEqual([aId]);
  expect(overlap!.area_m2).toBeGreaterThan(29000);
});

it('the overlap trigger rejects it with WY001, not a failed trigger', async () => {
  const err = await t.db
    .query(
      `INSERT INTO service_areas (name, management_mode, geom)
       VALUES ('B', 'professional', ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))`,
      [JSON.stringify(b)],
    )
    .then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
  expect(err?.code).toBe('WY001');
});

it('the split check measures parts whose edges nearly coincide', async () => {
  const r = await splitMismatch(t.db, aId, [a, b]);
  expect(r.mismatch_m2).toBeLessThan(1);
  expect(r.overlap_m2).toBeGreaterThan(29000);
});
