import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  featuresFromCsv,
  featuresFromGeoJson,
  importLayer,
  type ImportOptions,
  type ImportProblem,
} from '../../server/src/importer/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { refusedWith, square } from '../helpers/import.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const feature = (geometry: unknown, properties: Record<string, unknown> | null = {}) => ({
  type: 'Feature',
  properties,
  geometry,
});

describe('importLayer', () => {
  let t: TestDb;
  const count = async (table: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`)).rows[0]!.n;
  const rejected = (opts: ImportOptions): Promise<ImportProblem[]> => refusedWith(t.db, opts);

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('writes nothing when one polygon among valid ones self-intersects, and names it', async () => {
    const sources = featuresFromGeoJson(fixture('buildings-one-self-intersection.geojson'));
    const problems = await rejected({ layer: 'buildings', sources });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.index).toBe(2);
    expect(problems[0]).toMatchObject({ code: 'invalid_geometry' });
    expect(problems[0]!.params!.detail).toMatch(/^Self-intersection\[105\.5911 30\.5301\]/);
    expect(await count('buildings')).toBe(0);
  });

  it('with makeValid imports them all and reports what the repair changed', async () => {
    const sources = featuresFromGeoJson(fixture('buildings-one-self-intersection.geojson'));
    const r = await importLayer(t.db, { layer: 'buildings', sources, makeValid: true });
    expect(r.inserted).toBe(4);
    expect(r.repaired).toHaveLength(1);
    expect(r.repaired[0]).toMatchObject({ index: 2, partsBefore: 1, partsAfter: 2 });
    expect(r.repaired[0]!.message).toMatch(
      /^Self-intersection\[105\.5911 30\.5301\] repaired: 1 polygon → 2 parts, area [\d.,]+ m² → [\d.,]+ m²$/,
    );
    const rows = await t.db.query<{ name: string | null; valid: boolean; type: string }>(
      'SELECT name, ST_IsValid(geom) AS valid, GeometryType(geom) AS type FROM buildings ORDER BY id',
    );
    expect(rows.rows.map((b) => b.name)).toEqual(['1号楼', null, 'bow-tie', null]);
    expect(rows.rows.every((b) => b.valid)).toBe(true);
    expect(rows.rows[2]!.type).toBe('MULTIPOLYGON');
  });

  it('lists every bad feature of a file, not just the first', async () => {
    const before = await count('buildings');
    const problems = await rejected({
      layer: 'buildings',
      features: [
        feature({ type: 'Polygon', coordinates: square(105.6, 30.5) }, { floors: 3 }),
        feature({ type: 'Point', coordinates: [105.6, 30.5] }),
        feature({ type: 'Polygon', coordinates: square(105.6, 30.5) }, { floors: 'three' }),
        feature({ type: 'Polygon', coordinates: square(30.5, 105.6) }),
        feature(
          {
            type: 'Polygon',
            coordinates: [
              [
                [105.6, 30.5],
                [105.601, 30.5],
                [105.6, 30.5],
                [105.601, 30.5],
                [105.6, 30.5],
              ],
            ],
          },
          { category: 'three_no' },
        ),
      ],
    });
    expect(problems.map((p) => p.index)).toEqual([1, 2, 3, 4]);
    expect(problems[0]).toMatchObject({
      code: 'wrong_geometry_type',
      params: { type: 'Point', layer: 'buildings', accepts: 'Polygon,MultiPolygon' },
    });
    expect(problems[1]).toMatchObject({ code: 'not_number', params: { field: 'floors', value: '"three"' } });
    expect(problems[2]).toMatchObject({ code: 'coordinate_out_of_range' });
    expect(problems[3]).toMatchObject({
      code: 'invalid_geometry',
      params: { detail: expect.stringMatching(/^\w/) },
    });
    expect(await count('buildings')).toBe(before);
  });

  it('stores compounds and jurisdictions as MultiPolygon, checking keys and references per feature', async () => {
    const jurisdictions = [
      feature(
        { type: 'Polygon', coordinates: square(105.5, 30.5, 0.2) },
        { code: '510903', name: '船山区', level: 'district' },
      ),
      feature(
        { type: 'Polygon', coordinates: square(105.5, 30.5, 0.1) },
        { code: '510903001', name: '凯旋路街道', level: 'street', parent_code: '510903' },
      ),
    ];
    const r = await importLayer(t.db, { layer: 'jurisdictions', features: jurisdictions });
    expect(r.inserted).toBe(2);
    // the same codes again, a duplicate within the file, and a parent nobody has
    const problems = await rejected({
      layer: 'jurisdictions',
      features: [
        jurisdictions[0],
        feature(
          { type: 'Polygon', coordinates: square(105.6, 30.5) },
          { code: 'X1', name: 'a', level: 'community', parent_code: 'nowhere' },
        ),
        feature(
          { type: 'Polygon', coordinates: square(105.6, 30.5) },
          { code: 'X1', name: 'b', level: 'community', parent_code: '510903001' },
        ),
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          index: 0,
          name: '船山区',
          code: 'already_exists',
          params: { column: 'code', value: "'510903'", table: 'jurisdictions' },
        },
        {
          index: 1,
          name: 'a',
          code: 'reference_missing',
          params: { column: 'parent_code', value: "'nowhere'", table: 'jurisdictions', ref: 'code' },
        },
        { index: 1, name: 'a', code: 'duplicate_in_file', params: { column: 'code', value: "'X1'", n: 2 } },
        { index: 2, name: 'b', code: 'duplicate_in_file', params: { column: 'code', value: "'X1'", n: 2 } },
      ]),
    );
    expect(await count('jurisdictions')).toBe(2);

    const c = await importLayer(t.db, {
      layer: 'compounds',
      features: [
        feature(
          { type: 'Polygon', coordinates: square(105.55, 30.55) },
          { name: '上港小区', category: 'three_no', street_code: '510903001', households: 120 },
        ),
      ],
    });
    expect(c.inserted).toBe(1);
    const row = await t.db.query<{ type: string; wy: string }>(
      'SELECT GeometryType(geom) AS type, wy_security AS wy FROM compounds',
    );
    expect(row.rows[0]).toEqual({ type: 'MULTIPOLYGON', wy: 'not_met' });
    const compoundId = (await t.db.query<{ id: number }>('SELECT id FROM compounds')).rows[0]!.id;
    expect(
      await rejected({
        layer: 'buildings',
        features: [
          feature({ type: 'Polygon', coordinates: square(105.55, 30.55) }, { compound_id: compoundId }),
          feature(
            { type: 'Polygon', coordinates: square(105.56, 30.55) },
            { compound_id: compoundId + 1000 },
          ),
        ],
      }),
    ).toEqual([
      {
        index: 1,
        code: 'reference_missing',
        params: { column: 'compound_id', value: `'${compoundId + 1000}'`, table: 'compounds', ref: 'id' },
      },
    ]);
    expect(
      await rejected({
        layer: 'compounds',
        features: [feature({ type: 'Polygon', coordinates: square(105.55, 30.55) }, { name: 'x' })],
      }),
    ).toEqual([{ index: 0, name: 'x', code: 'required', params: { field: 'category' } }]);
  });

  it('imports service areas with a first history version and refreshes building coverage', async () => {
    const b = await importLayer(t.db, {
      layer: 'buildings',
      features: [
        feature(
          { type: 'Polygon', coordinates: square(105.7001, 30.5001, 0.0001) },
          { category: 'three_no' },
        ),
      ],
    });
    expect(b.inserted).toBe(1);
    const r = await importLayer(t.db, {
      layer: 'service-areas',
      features: [
        feature(
          { type: 'Polygon', coordinates: square(105.7, 30.5, 0.001) },
          {
            name: '凯旋路一片区',
            management_mode: 'resident_self',
            status: 'approved',
            created_by: 'import-test',
          },
        ),
      ],
    });
    expect(r.inserted).toBe(1);
    const h = await t.db.query<{ version: number; operation: string; name: string; changed_by: string }>(
      `SELECT h.version, h.operation, h.attributes->>'name' AS name, h.changed_by
       FROM service_area_history h JOIN service_areas s ON s.id = h.area_id`,
    );
    expect(h.rows).toEqual([
      { version: 1, operation: 'import', name: '凯旋路一片区', changed_by: 'import-test' },
    ]);
    const covered = await t.db.query<{ covered: boolean }>(
      'SELECT covered FROM buildings WHERE ST_Intersects(geom, ST_MakeEnvelope(105.7, 30.5, 105.701, 30.501, 4326))',
    );
    expect(covered.rows).toEqual([{ covered: true }]);

    // a building imported into an area is covered at once too
    await importLayer(t.db, {
      layer: 'buildings',
      features: [feature({ type: 'Polygon', coordinates: square(105.7005, 30.5005, 0.0001) })],
    });
    const again = await t.db.query<{ covered: boolean }>(
      'SELECT covered FROM buildings WHERE ST_Intersects(geom, ST_MakeEnvelope(105.7, 30.5, 105.701, 30.501, 4326)) ORDER BY id',
    );
    expect(again.rows).toEqual([{ covered: true }, { covered: true }]);

    // a service area is one polygon: a repair that splits it is refused
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [105.8, 30.5],
          [105.802, 30.502],
          [105.802, 30.5],
          [105.8, 30.502],
          [105.8, 30.5],
        ],
      ],
    };
    const p = await rejected({
      layer: 'service-areas',
      features: [feature(bowtie, { name: 'x', management_mode: 'professional' })],
      makeValid: true,
    });
    expect(p[0]).toMatchObject({ code: 'repair_multipart', params: { parts: 2, layer: 'service-areas' } });
    expect(await count('service_areas')).toBe(1);
  });

  it('imports cameras from CSV and rejects a bad CSV row by row', async () => {
    const r = await importLayer(t.db, { layer: 'cameras', sources: featuresFromCsv(fixture('cameras.csv')) });
    expect(r.inserted).toBe(3);
    const cams = await t.db.query(
      `SELECT code, name, system, type, direction_deg, fov_deg, range_m, indoor, ST_X(geom) AS lon, ST_Y(geom) AS lat
       FROM cameras ORDER BY code`,
    );
    expect(cams.rows[0]).toEqual({
      code: 'SN-0001',
      name: '东门',
      system: 'xueliang',
      type: 'dome',
      direction_deg: 90,
      fov_deg: 85,
      range_m: 50,
      indoor: false,
      lon: 105.5901,
      lat: 30.5301,
    });
    expect(cams.rows[2]).toMatchObject({ name: '北门, 停车场', indoor: true, fov_deg: 360, range_m: 1000 });

    const problems = await rejected({
      layer: 'cameras',
      sources: featuresFromCsv(fixture('cameras-bad.csv')),
    });
    expect(problems.map((p) => p.index)).toEqual([1, 2, 2, 2]);
    expect(await count('cameras')).toBe(3);
  });

  it('moves GCJ-02 input to WGS84 (a few hundred metres in 遂宁)', async () => {
    const at = [105.6, 30.52];
    await importLayer(t.db, {
      layer: 'gates',
      features: [feature({ type: 'Point', coordinates: at }, { name: 'gcj' })],
      crs: 'gcj02',
    });
    const r = await t.db.query<{ m: number }>(
      `SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS m
       FROM gates WHERE name = 'gcj'`,
      at,
    );
    expect(r.rows[0]!.m).toBeGreaterThan(200);
    expect(r.rows[0]!.m).toBeLessThan(800);
  });

  it('names the feature after one without a key by its own index, with all of its problems', async () => {
    // Defect: a feature without its --key value skipped the position count, so the features after it
    // (given without an index of their own) were reported one place too early.
    const problems = await rejected({
      layer: 'buildings',
      key: 'ref',
      features: [
        feature({ type: 'Polygon', coordinates: square(105.9, 30.9) }, { ref: 'a' }),
        feature({ type: 'Polygon', coordinates: square(105.901, 30.9) }, { ref: ' ', floors: 0 }),
        feature({ type: 'Polygon', coordinates: square(105.902, 30.9) }, { ref: 'c', category: 'slum' }),
      ],
    });
    expect(problems.map((p) => [p.index, p.code])).toEqual([
      [1, 'key_empty'],
      [1, 'out_of_range'],
      [2, 'value_not_allowed'],
    ]);
  });

  it('imports an empty collection as nothing, and a big one in one go', async () => {
    expect((await importLayer(t.db, { layer: 'gates', features: [] })).inserted).toBe(0);
    const before = await count('buildings');
    const many = Array.from({ length: 12_000 }, (_, i) =>
      feature({
        type: 'Polygon',
        // Inside the test's district: a file all far outside the city is refused.
        coordinates: square(105.5 + (i % 100) * 0.001, 30.5 + Math.floor(i / 100) * 0.001, 0.0005),
      }),
    );
    const phases = new Set<string>();
    const r = await importLayer(t.db, {
      layer: 'buildings',
      features: many,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(r.inserted).toBe(12_000);
    expect(await count('buildings')).toBe(before + 12_000);
    expect([...phases]).toEqual(['loading', 'validating', 'writing']);
    // ids follow the file's order
    const order = await t.db.query<{ x: number; y: number }>(
      `SELECT round(ST_XMin(geom)::numeric, 4)::float AS x, round(ST_YMin(geom)::numeric, 4)::float AS y
       FROM (SELECT geom FROM buildings ORDER BY id DESC LIMIT 12000) b`,
    );
    expect(order.rows.reverse().map((p) => [p.x, p.y])).toEqual(
      many.map((f) => (f.geometry as { coordinates: number[][][] }).coordinates[0]![0]),
    );
    // the spatial index is still there (rebuilt after the bulk load when the table was small)
    const idx = await t.db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'buildings_geom_idx'");
    expect(idx.rowCount).toBe(1);
  });
});
