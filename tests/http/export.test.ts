import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_LAYERS } from '../../core/vocabulary.ts';
import { featuresFromGeoJson, importLayer } from '../../server/src/importer/index.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let app: RunningApp;

const square = (x: number, y: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + 0.0002, y],
      [x + 0.0002, y + 0.0002],
      [x, y + 0.0002],
      [x, y],
    ],
  ],
});

beforeAll(async () => {
  t = await createTestDb();
  await importLayer(t.db, {
    layer: 'buildings',
    features: [
      {
        type: 'Feature',
        properties: { category: 'three_no', name: '1号楼' },
        geometry: square(105.59, 30.53),
      },
      { type: 'Feature', properties: { floors: 9 }, geometry: square(105.591, 30.53) },
    ],
  });
  await importLayer(t.db, {
    layer: 'cameras',
    features: [
      {
        type: 'Feature',
        properties: { system: 'xueliang', direction_deg: 45 },
        geometry: { type: 'Point', coordinates: [105.5901, 30.5301] },
      },
    ],
  });
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('GET /api/export/<layer>.geojson', () => {
  it('downloads every feature of the layer as a GeoJSON attachment', async () => {
    const r = await fetch(`${app.url}/api/export/buildings.geojson`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="buildings.geojson"');
    const text = await r.text();
    const fc = JSON.parse(text) as { type: string; features: { properties: Record<string, unknown> }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.properties.name)).toEqual(['1号楼', null]);
    // what it downloads imports again
    expect(featuresFromGeoJson(text)).toHaveLength(2);
  });

  it('answers every data layer, empty ones with an empty collection', async () => {
    for (const layer of DATA_LAYERS) {
      const r = await fetch(`${app.url}/api/export/${layer}.geojson`);
      expect(r.status, layer).toBe(200);
      const fc = (await r.json()) as { type: string; features: unknown[] };
      expect(fc.type, layer).toBe('FeatureCollection');
      expect(fc.features.length, layer).toBe(layer === 'buildings' ? 2 : layer === 'cameras' ? 1 : 0);
    }
  });

  it('404s an unknown layer or file name with the error body', async () => {
    for (const path of ['roads.geojson', 'buildings.json', 'buildings', '.geojson']) {
      const r = await fetch(`${app.url}/api/export/${path}`);
      expect(r.status, path).toBe(404);
      const body = (await r.json()) as {
        error: { code: string; message: string; details: { files: string[] } };
      };
      expect(body.error.code).toBe('unknown_layer');
      expect(body.error.details.files).toContain('service-areas.geojson');
    }
  });
});
