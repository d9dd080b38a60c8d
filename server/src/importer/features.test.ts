import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportError } from './errors.ts';
import { featuresFromCsv, featuresFromGeoJson, prepareFeature } from './features.ts';
import { IMPORT_SPECS } from './spec.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../tests/cli/fixtures/${name}`, import.meta.url), 'utf8');

const fileProblem = (fn: () => unknown): { code: string; params?: Record<string, unknown> } => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    const problems = (e as ImportError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.index).toBeNull();
    const { code, params } = problems[0]!;
    return params ? { code, params } : { code };
  }
  throw new Error('no ImportError');
};

describe('featuresFromGeoJson', () => {
  it('reads a FeatureCollection or a single Feature', () => {
    expect(featuresFromGeoJson(fixture('buildings-one-self-intersection.geojson'))).toHaveLength(4);
    expect(featuresFromGeoJson('{"type":"Feature","properties":{},"geometry":null}')).toHaveLength(1);
  });

  it('reads a bare geometry as one feature without properties', () => {
    const [f] = featuresFromGeoJson('{"type":"Point","coordinates":[105.59,30.53]}');
    expect(f!.feature).toEqual({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: [105.59, 30.53] },
    });
  });

  it('rejects what is not GeoJSON, saying what it is', () => {
    expect(fileProblem(() => featuresFromGeoJson('{"type":"Topology","objects":{}}'))).toEqual({
      code: 'not_geojson',
      params: { found: 'Topology' },
    });
    expect(fileProblem(() => featuresFromGeoJson('{"type":'))).toMatchObject({ code: 'not_json' });
    expect(fileProblem(() => featuresFromGeoJson('[]'))).toEqual({
      code: 'not_geojson',
      params: { found: 'array' },
    });
    expect(fileProblem(() => featuresFromGeoJson('{"type":"FeatureCollection"}'))).toEqual({
      code: 'no_features_array',
    });
  });
});

describe('featuresFromCsv', () => {
  it('finds lon/lat columns by any of their usual names, any case', () => {
    const fs = featuresFromCsv(fixture('cameras.csv'));
    expect(fs).toHaveLength(3);
    const f = fs[2]!.feature as { geometry: { coordinates: number[] }; properties: Record<string, string> };
    expect(f.geometry.coordinates).toEqual([105.5921, 30.5321]);
    expect(f.properties.name).toBe('北门, 停车场');
    expect(f.properties).not.toHaveProperty('Longitude');
  });

  it('rejects a CSV without coordinate columns, naming the columns it has', () => {
    expect(fileProblem(() => featuresFromCsv('a,b\n1,2\n'))).toMatchObject({
      code: 'no_position_columns',
      params: { found: 'a, b' },
    });
  });
});

describe('prepareFeature', () => {
  const cams = featuresFromCsv(fixture('cameras-bad.csv'));

  it('lists every problem of a feature, each with its index', () => {
    expect(prepareFeature(IMPORT_SPECS.cameras, cams[1]!, 1)).toEqual([
      { index: 1, code: 'cell_not_number', params: { field: 'lng', value: 'abc' } },
    ]);
    expect(prepareFeature(IMPORT_SPECS.cameras, cams[2]!, 2)).toEqual([
      {
        index: 2,
        code: 'value_not_allowed',
        params: { field: 'system', value: '"skynet"', allowed: 'xueliang, tianwang, huiyan, other' },
      },
      { index: 2, code: 'out_of_range', params: { field: 'direction_deg', value: 400, range: '[0, 360)' } },
      { index: 2, code: 'out_of_range', params: { field: 'range_m', value: 0, range: '(0, 1000]' } },
    ]);
    const ok = prepareFeature(IMPORT_SPECS.cameras, cams[0]!, 0);
    expect(ok).toMatchObject({ index: 0 });
  });

  it('needs a Feature with a properties member', () => {
    const r = prepareFeature(
      IMPORT_SPECS.cameras,
      {
        feature: { type: 'Feature', geometry: { type: 'Point', coordinates: [105.59, 30.53] } },
        fromText: false,
      },
      7,
    );
    expect(r).toEqual([
      {
        index: 7,
        code: 'feature_structure',
        params: { detail: 'must have a member with the name "properties"' },
      },
    ]);
  });

  it('converts GCJ-02 to WGS84 without touching the input', () => {
    const feature = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: [105.59, 30.53] },
    };
    const wgs = prepareFeature(IMPORT_SPECS.cameras, { feature, fromText: false }, 0, 'wgs84');
    const gcj = prepareFeature(IMPORT_SPECS.cameras, { feature, fromText: false }, 0, 'gcj02');
    expect(feature.geometry.coordinates).toEqual([105.59, 30.53]);
    if (Array.isArray(wgs) || Array.isArray(gcj)) throw new Error('rejected');
    const xy = (hex: string) => {
      const b = Buffer.from(hex, 'hex');
      return [b.readDoubleLE(9), b.readDoubleLE(17)] as const;
    };
    const [x0, y0] = xy(wgs.ewkb);
    const [x1, y1] = xy(gcj.ewkb);
    // GCJ-02 shifts points in 遂宁 by a few hundred metres; WGS84 lies south-west of the GCJ-02 position.
    const metres = Math.hypot((x1 - x0) * 111_320 * Math.cos((30.53 * Math.PI) / 180), (y1 - y0) * 110_574);
    expect(metres).toBeGreaterThan(200);
    expect(metres).toBeLessThan(800);
    expect(x1).toBeLessThan(x0);
  });
});
