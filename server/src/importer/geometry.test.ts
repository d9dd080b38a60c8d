import { describe, expect, it } from 'vitest';
import { coordinateProblems, geometryStructureProblems, toHexEwkb } from './geometry.ts';
import { IMPORT_SPECS } from './spec.ts';

const square = [
  [
    [105.59, 30.53],
    [105.5902, 30.53],
    [105.5902, 30.5302],
    [105.59, 30.5302],
    [105.59, 30.53],
  ],
];

describe('geometryStructureProblems', () => {
  it('accepts the geometry types of the layer only', () => {
    expect(
      geometryStructureProblems(IMPORT_SPECS.buildings, { type: 'Polygon', coordinates: square }),
    ).toEqual([]);
    expect(
      geometryStructureProblems(IMPORT_SPECS['service-areas'], {
        type: 'MultiPolygon',
        coordinates: [square],
      }),
    ).toEqual([
      {
        code: 'wrong_geometry_type',
        params: { type: 'MultiPolygon', layer: 'service-areas', accepts: 'Polygon' },
      },
    ]);
    expect(geometryStructureProblems(IMPORT_SPECS.cameras, { type: 'LineString', coordinates: [] })).toEqual([
      { code: 'wrong_geometry_type', params: { type: 'LineString', layer: 'cameras', accepts: 'Point' } },
    ]);
    expect(geometryStructureProblems(IMPORT_SPECS.buildings, null)).toEqual([
      { code: 'no_geometry', params: { layer: 'buildings', accepts: 'Polygon,MultiPolygon' } },
    ]);
  });

  it('words every structure problem as geojson-validation does, its fast path taking only what it passes', () => {
    // The fast path (structureFine) must never let through what geojson-validation refuses: each of
    // these is refused with geojson-validation's own words, as before the fast path.
    const ring = square[0]!;
    const bad: unknown[] = [
      { type: 'Polygon', coordinates: [ring.slice(0, 4)] }, // not closed
      { type: 'Polygon', coordinates: [[...ring.slice(0, 2), ring[0]]] }, // too short
      { type: 'Polygon', coordinates: [[...ring.slice(0, 4), [105.59, 30.53, 1]]] }, // closed in 2D only
      { type: 'Polygon', coordinates: [ring.map((p, i) => (i === 2 ? [p[0]] : p))] }, // one-number position
      { type: 'Polygon', coordinates: [ring.map((p, i) => (i === 2 ? [String(p[0]), p[1]] : p))] },
      { type: 'Polygon', coordinates: 'x' },
      { type: 'Polygon', coordinates: [ring], bbox: 'x' },
      { type: 'MultiPolygon', coordinates: [[ring.slice(0, 4)]] },
      { type: 'Point', coordinates: [105] },
    ];
    for (const g of bad) {
      const p = geometryStructureProblems(IMPORT_SPECS.buildings, g);
      const q = geometryStructureProblems(IMPORT_SPECS.cameras, g);
      const problems = (g as { type: string }).type === 'Point' ? q : p;
      expect(problems.length, JSON.stringify(g)).toBeGreaterThan(0);
      expect(problems[0]!.code, JSON.stringify(g)).toBe('bad_geometry');
    }
    // A Z position closing a Z ring, and a bbox geojson-validation takes, pass both ways.
    const z = ring.map((p) => [p[0]!, p[1]!, 3]);
    expect(geometryStructureProblems(IMPORT_SPECS.buildings, { type: 'Polygon', coordinates: [z] })).toEqual(
      [],
    );
    expect(
      geometryStructureProblems(IMPORT_SPECS.buildings, {
        type: 'Polygon',
        coordinates: [ring],
        bbox: [105.59, 30.53, 105.5902, 30.5302],
      }),
    ).toEqual([]);
  });

  it('reports malformed coordinates through geojson-validation', () => {
    const p = geometryStructureProblems(IMPORT_SPECS.cameras, { type: 'Point', coordinates: ['105', 30] });
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatchObject({ code: 'bad_geometry', params: { type: 'Point' } });
    expect(p[0]!.params!.detail).toMatch(/number/);
  });
});

describe('coordinateProblems', () => {
  it('finds NaN, out-of-range, short and unclosed rings', () => {
    expect(coordinateProblems({ type: 'Point', coordinates: [NaN, 30] })).toEqual([
      { code: 'coordinate_not_number', params: { path: 'coordinates', position: '[null,30]' } },
    ]);
    expect(coordinateProblems({ type: 'Point', coordinates: [30.53, 105.59] })).toEqual([
      { code: 'coordinate_out_of_range', params: { path: 'coordinates', x: 30.53, y: 105.59 } },
    ]);
    expect(
      coordinateProblems({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      }),
    ).toEqual([{ code: 'ring_not_closed', params: { path: 'coordinates[0]' } }]);
    expect(
      coordinateProblems({
        type: 'MultiPolygon',
        coordinates: [
          square,
          [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        ],
      }),
    ).toEqual([{ code: 'ring_too_short', params: { path: 'coordinates[1][0]', n: 3 } }]);
  });

  it('says it in one line per feature', () => {
    const ring = Array.from({ length: 10 }, () => [500, 500]);
    const p = coordinateProblems({ type: 'Polygon', coordinates: [ring] });
    expect(p).toEqual([
      { code: 'coordinate_out_of_range', params: { path: 'coordinates[0][0]', x: 500, y: 500, more: 9 } },
    ]);
  });
});

describe('toHexEwkb', () => {
  it('writes SRID 4326 extended WKB, dropping Z', () => {
    expect(toHexEwkb({ type: 'Point', coordinates: [1, 2, 99] }).toUpperCase()).toBe(
      '0101000020E6100000000000000000F03F0000000000000040',
    );
    const poly = toHexEwkb({ type: 'Polygon', coordinates: square });
    expect(poly.slice(0, 18).toUpperCase()).toBe('0103000020E6100000');
    expect(poly.length).toBe(2 * (9 + 4 + 4 + 5 * 16));
    const multi = toHexEwkb({ type: 'MultiPolygon', coordinates: [square, square] });
    expect(multi.slice(0, 18).toUpperCase()).toBe('0106000020E6100000');
    // the parts carry no SRID
    expect(multi.slice(26, 36).toUpperCase()).toBe('0103000000');
  });
});
