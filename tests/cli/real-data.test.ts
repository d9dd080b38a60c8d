import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_PROBLEM_CODES } from '../../core/import-problems.ts';
import { importProblemText } from '../../core/import-words.ts';
import type { DataLayer } from '../../core/vocabulary.ts';
import {
  featuresFromGeoJson,
  featuresFromRows,
  ImportError,
  importLayer,
  type ImportResult,
} from '../../server/src/importer/index.ts';
import { CameraImportError, importCameras } from '../../server/src/cameras/import.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Third-party files beside the clone (../shared/data); a fresh clone has none, and then these skip.
const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const HAVE_SHARED = existsSync(SHARED);
if (!HAVE_SHARED) console.warn(`real-data import tests skipped: ${SHARED} is absent`);

const TABLES: Record<DataLayer, string> = {
  buildings: 'buildings',
  compounds: 'compounds',
  'service-areas': 'service_areas',
  jurisdictions: 'jurisdictions',
  cameras: 'cameras',
  gates: 'gates',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return filesUnder(p);
      return /\.(geo)?json$/.test(name) ? [p] : [];
    });
}

/** The first geometry type in a GeoJSON text (a FeatureCollection's, a Feature's or a bare one). */
function firstGeometryType(text: string): string | undefined {
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const types: unknown[] = [];
    if (Array.isArray(doc?.features)) {
      for (const f of doc.features as { geometry?: { type?: unknown } }[]) types.push(f?.geometry?.type);
    }
    types.push((doc?.geometry as { type?: unknown })?.type, doc?.type);
    return types.find((t) => typeof t === 'string' && t !== 'Feature' && t !== 'FeatureCollection') as
      string | undefined;
  } catch {
    return undefined;
  }
}

/** Points go to cameras; everything else is tried as buildings (and rejected if it is no polygon). */
const layerFor = (type: string | undefined): DataLayer => (type === 'Point' ? 'cameras' : 'buildings');

describe.skipIf(!HAVE_SHARED)('import of real and conformance data', () => {
  let t: TestDb;
  const count = async (layer: DataLayer) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${TABLES[layer]}`)).rows[0]!.n;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('imports or cleanly rejects every GeoJSON conformance file: never a crash, never half a file', async () => {
    const files = filesUnder(join(SHARED, 'geojson-conformance'));
    expect(files.length).toBeGreaterThan(150);
    const outcome: Record<string, string> = {};
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const layer = layerFor(firstGeometryType(text));
      const name = file.slice(SHARED.length);
      for (const makeValid of [false, true]) {
        const before = await count(layer);
        let result: ImportResult | undefined;
        try {
          result = await importLayer(t.db, { layer, sources: featuresFromGeoJson(text), makeValid });
        } catch (e) {
          if (!(e instanceof ImportError)) throw new Error(`${name}: crashed`, { cause: e });
          expect(e.problems.length, name).toBeGreaterThan(0);
          for (const p of e.problems) {
            expect(IMPORT_PROBLEM_CODES, name).toContain(p.code);
            expect(importProblemText('en', p), name).not.toMatch(/undefined|\[object Object\]|\{\w+\}/);
            expect(importProblemText('zh-CN', p), name).not.toMatch(/undefined|\[object Object\]|\{\w+\}/);
            if (p.index !== null) expect(p.index, name).toBeGreaterThanOrEqual(0);
          }
          expect(await count(layer), `${name}: rows written by a rejected import`).toBe(before);
          outcome[`${name}${makeValid ? ' --make-valid' : ''}`] =
            `rejected: ${e.problems[0]!.code}: ${importProblemText('en', e.problems[0]!)}`;
          continue;
        }
        expect(await count(layer), name).toBe(before + result.inserted);
        outcome[`${name}${makeValid ? ' --make-valid' : ''}`] = `imported ${result.inserted} ${layer}`;
        break; // imported as it is; no need to repair
      }
    }
    if (process.env.SHOW_OUTCOME) console.log(outcome);
    const o = (suffix: string) => outcome[`geojson-conformance/${suffix}`];
    // spot checks of what a reader would expect
    expect(o('mapbox-geojsonhint/data/bad/bad-json.geojson')).toMatch(/^rejected: not_json: /);
    expect(
      o('chrieke-geojson-invalid-geometry/examples/invalid_geometries/invalid_unclosed.geojson'),
    ).toMatch(/^rejected: (ring_not_closed|bad_geometry): .*(closed|first and last)/i);
    expect(
      o(
        'chrieke-geojson-invalid-geometry/examples/problematic_geometries/problematic_self_intersection_small.geojson',
      ),
    ).toMatch(
      /^rejected: invalid_geometry: Invalid geometry: the boundary crosses itself at [\d.]+, [\d.]+ /,
    );
    expect(
      o(
        'chrieke-geojson-invalid-geometry/examples/problematic_geometries/problematic_self_intersection_small.geojson --make-valid',
      ),
    ).toMatch(/^imported 1 buildings/);
    expect(o('chrieke-geojson-invalid-geometry/examples/valid/valid_geometry_polygon.geojson')).toMatch(
      /^imported 1 buildings/,
    );
    expect(o('mapbox-geojsonhint/data/good/good-linestring.geojson')).toBe(
      'rejected: wrong_geometry_type: Geometry is LineString; buildings take Polygon or MultiPolygon',
    );
    expect(o('mapbox-geojsonhint/data/bad/unknowntype.geojson')).toBe(
      'rejected: not_geojson: Not GeoJSON (FooBar): expected a FeatureCollection, a Feature or a geometry',
    );
    expect(o('chrieke-geojson-invalid-geometry/examples/valid/valid_feature.geojson')).toMatch(
      /^imported 1 /,
    );
    expect(
      o(
        'chrieke-geojson-invalid-geometry/examples/problematic_geometries/problematic_outside_lat_lon_boundaries.geojson',
      ),
    ).toMatch(/^rejected: coordinate_out_of_range: /);
  });

  it('imports the 265 Wuhan building footprints (OSM) as buildings', async () => {
    const before = await count('buildings');
    const text = readFileSync(join(SHARED, 'buildings/wuhan_osm_nextzen_buildings.geojson'), 'utf8');
    const r = await importLayer(t.db, { layer: 'buildings', sources: featuresFromGeoJson(text) });
    expect(r).toMatchObject({ layer: 'buildings', inserted: 265, repaired: [], warnings: [] });
    expect(await count('buildings')).toBe(before + 265);
    // OSM names come along; their other tags (kind, height, …) are not columns and are ignored
    const named = await t.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM buildings WHERE name IS NOT NULL AND ST_X(ST_Centroid(geom)) BETWEEN 114 AND 115',
    );
    expect(named.rows[0]!.n).toBe(96);
  });

  it('imports the residential landuse of Lujiazui as compounds once they have a category and name', async () => {
    const text = readFileSync(join(SHARED, 'areas/shanghai_osm_nextzen_landuse_areas.geojson'), 'utf8');
    const all = JSON.parse(text) as { features: { properties: Record<string, unknown> }[] };
    const residential = all.features.filter((f) => f.properties.kind === 'residential');
    expect(residential).toHaveLength(37);
    // As found: no category (required), and some have no name (required).
    let problems: ImportError['problems'] = [];
    try {
      await importLayer(t.db, { layer: 'compounds', features: residential });
    } catch (e) {
      problems = (e as ImportError).problems;
    }
    const unnamed = residential.filter((f) => !f.properties.name).length;
    const required = (field: string) =>
      problems.filter((p) => p.code === 'required' && p.params?.field === field);
    expect(required('category')).toHaveLength(37);
    expect(required('name')).toHaveLength(unnamed);
    expect(await count('compounds')).toBe(0);

    const fixed = residential.map((f) => ({
      ...f,
      properties: {
        ...f.properties,
        category: 'three_no',
        name: f.properties.name ?? `OSM ${f.properties.id}`,
      },
    }));
    const r = await importLayer(t.db, { layer: 'compounds', features: fixed });
    expect(r.inserted).toBe(37);
    const c = await t.db.query<{ type: string; n: number }>(
      'SELECT GeometryType(geom) AS type, count(*)::integer AS n FROM compounds GROUP BY 1',
    );
    expect(c.rows).toEqual([{ type: 'MULTIPOLYGON', n: 37 }]);
  });

  it('rejects OSM values that are not the schema’s, naming the field (gates kind, cameras indoor)', async () => {
    const gates = readFileSync(join(SHARED, 'cameras/shanghai_osm_nextzen_gates_entrances.geojson'), 'utf8');
    const before = await count('gates');
    try {
      await importLayer(t.db, { layer: 'gates', sources: featuresFromGeoJson(gates) });
      throw new Error('imported');
    } catch (e) {
      const problems = (e as ImportError).problems;
      expect(problems).toHaveLength(33);
      expect(problems[0]).toMatchObject({
        code: 'value_not_allowed',
        params: {
          field: 'kind',
          value: expect.stringMatching(/^"(gate|entrance)"$/),
          allowed: 'vehicle, pedestrian, unit_door',
        },
      });
    }
    expect(await count('gates')).toBe(before);

    // Cameras are read as OSM surveillance tags (npm run import -- --layer cameras does the same):
    // indoor=yes is understood now; the two guards (surveillance:type=guard) are no cameras.
    const cams = readFileSync(join(SHARED, 'cameras/switzerland_osm_surveillance.geojson'), 'utf8');
    const camerasBefore = await count('cameras');
    const e = await importCameras(t.db, { text: cams, format: 'geojson' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CameraImportError);
    const guard = {
      field: 'surveillance:type',
      code: 'camera_not_camera',
      params: { field: 'surveillance:type', value: '"guard"' },
      severity: 'error',
    };
    expect((e as CameraImportError).problems).toEqual([
      { index: 950, ...guard },
      { index: 1510, ...guard },
    ]);
    expect(await count('cameras')).toBe(camerasBefore);
  });

  it('imports the 2,144 Swiss surveillance cameras from a lon/lat CSV', async () => {
    const cams = JSON.parse(
      readFileSync(join(SHARED, 'cameras/switzerland_osm_surveillance.geojson'), 'utf8'),
    ) as {
      features: { properties: Record<string, unknown>; geometry: { coordinates: number[] } }[];
    };
    // what a spreadsheet export looks like: every value text, direction as found in OSM
    const rows = cams.features.map((f) => ({
      LAT: String(f.geometry.coordinates[1]),
      LON: String(f.geometry.coordinates[0]),
      name: String(f.properties.name ?? ''),
      indoor: String(f.properties.indoor ?? ''),
    }));
    const before = await count('cameras');
    const r = await importLayer(t.db, { layer: 'cameras', sources: featuresFromRows(rows) });
    expect(r.inserted).toBe(2144);
    expect(await count('cameras')).toBe(before + 2144);
    const inside = await t.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM cameras WHERE geom && ST_MakeEnvelope(5.9, 45.8, 10.5, 47.9, 4326)',
    );
    expect(inside.rows[0]!.n).toBe(2144);
  });
});
