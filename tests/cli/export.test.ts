import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataLayer } from '../../core/vocabulary.ts';
import { layerFeatureCollection } from '../../server/src/layer-features.ts';
import { featuresFromCsv, featuresFromGeoJson, importLayer } from '../../server/src/importer/index.ts';
import { dataLayer } from '../../server/src/layers.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const WUHAN = fileURLToPath(
  new URL('../../../shared/data/buildings/wuhan_osm_nextzen_buildings.geojson', import.meta.url),
);
const box = (x: number, y: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});
// Properties the database makes (ids, versions, times, coverage) differ between two databases.
const MADE_BY_DB = new Set([
  'id',
  'version',
  'created_at',
  'updated_at',
  'covered',
  'straddling',
  'compound_id',
]);

// Referenced layers first: compounds and service areas name a jurisdiction.
const ORDER: DataLayer[] = ['jurisdictions', 'compounds', 'service-areas', 'buildings', 'cameras', 'gates'];

describe('export → import round trip', () => {
  let a: TestDb;
  let b: TestDb;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDb(), createTestDb()]);
    const db = a.db;
    await importLayer(db, {
      layer: 'jurisdictions',
      features: [
        {
          type: 'Feature',
          properties: { code: '510903', name: '船山区', level: 'district' },
          geometry: box(105.5, 30.4, 0.2),
        },
        {
          type: 'Feature',
          properties: {
            code: '510903001',
            name: '凯旋路街道',
            name_en: 'Kaixuan Road',
            level: 'street',
            parent_code: '510903',
          },
          geometry: {
            type: 'MultiPolygon',
            coordinates: [box(105.5, 30.4, 0.05).coordinates, box(105.6, 30.4, 0.05).coordinates],
          },
        },
      ],
    });
    await importLayer(db, {
      layer: 'compounds',
      features: [
        {
          type: 'Feature',
          properties: {
            name: '上港小区',
            category: 'three_no',
            households: 88,
            year_built: 1995,
            street_code: '510903001',
            wy_security: 'partly',
          },
          geometry: box(105.51, 30.41, 0.002),
        },
      ],
    });
    await importLayer(db, {
      layer: 'service-areas',
      features: [
        {
          type: 'Feature',
          properties: {
            name: '一片区',
            management_mode: 'community_custodial',
            street_code: '510903001',
            provider: '社区',
          },
          geometry: box(105.51, 30.41, 0.003),
        },
      ],
    });
    await importLayer(db, {
      layer: 'buildings',
      sources: featuresFromGeoJson(fixture('buildings-one-self-intersection.geojson')),
      makeValid: true,
    });
    if (existsSync(WUHAN)) {
      // A district around the Wuhan sample: a file all far outside the city is refused.
      await importLayer(db, {
        layer: 'jurisdictions',
        features: [
          {
            type: 'Feature',
            properties: { code: '420100', name: '武汉样例区', level: 'district' },
            geometry: box(113.5, 29.8, 2),
          },
        ],
      });
      await importLayer(db, {
        layer: 'buildings',
        sources: featuresFromGeoJson(readFileSync(WUHAN, 'utf8')),
      });
    }
    await importLayer(db, { layer: 'cameras', sources: featuresFromCsv(fixture('cameras.csv')) });
    await importLayer(db, {
      layer: 'gates',
      features: [
        {
          type: 'Feature',
          properties: { name: '南门', kind: 'vehicle', access_control: true },
          geometry: { type: 'Point', coordinates: [105.5105, 30.4105] },
        },
      ],
    });
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it.each(ORDER.map((l) => [l]))(
    '%s: the same geometries and attributes in an empty database',
    async (layer: DataLayer) => {
      const out = await layerFeatureCollection(a.db, layer);
      expect(out.count).toBeGreaterThan(0);
      const r = await importLayer(b.db, { layer, sources: featuresFromGeoJson(out.json) });
      expect(r.inserted).toBe(out.count);
      expect(r.repaired).toEqual([]);

      const again = await layerFeatureCollection(b.db, layer);
      type Fc = { features: { geometry: unknown; properties: Record<string, unknown> }[] };
      const strip = (fc: Fc) =>
        fc.features.map((f) => ({
          geometry: f.geometry,
          properties: Object.fromEntries(Object.entries(f.properties).filter(([k]) => !MADE_BY_DB.has(k))),
        }));
      expect(strip(JSON.parse(again.json) as Fc)).toEqual(strip(JSON.parse(out.json) as Fc));

      // The stored geometries themselves: equal up to the export's 7 decimals (≈ 1 cm).
      const def = dataLayer(layer);
      const key = def.columns.includes('id') ? 'id' : 'code';
      const geoms = async (t: TestDb) =>
        (
          await t.db.query<{ wkb: string }>(
            `SELECT encode(ST_AsBinary(geom), 'hex') AS wkb FROM ${def.table} ORDER BY ${key}`,
          )
        ).rows.map((x) => x.wkb);
      const [ga, gb] = await Promise.all([geoms(a), geoms(b)]);
      expect(gb).toHaveLength(ga.length);
      const far = await b.db.query<{ n: number; worst: number }>(
        `SELECT count(*) FILTER (WHERE d > 1e-7 OR n1 <> n2 OR t1 <> t2)::integer AS n, max(d) AS worst
         FROM (SELECT ST_HausdorffDistance(g1, g2) AS d, ST_NPoints(g1) AS n1, ST_NPoints(g2) AS n2,
                      GeometryType(g1) AS t1, GeometryType(g2) AS t2
               FROM (SELECT ST_GeomFromWKB(decode(x, 'hex')) AS g1, ST_GeomFromWKB(decode(y, 'hex')) AS g2
                     FROM unnest($1::text[], $2::text[]) AS u(x, y)) p) d`,
        [ga, gb],
      );
      expect(far.rows[0]!.n).toBe(0);
      expect(far.rows[0]!.worst).toBeLessThanOrEqual(1e-7);
    },
  );
});
