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
    ).toEqual(['geometry is MultiPolygon; service-areas take Polygon']);
    expect(geometryStructureProblems(IMPORT_SPECS.cameras, { type: 'LineString', coordinates: [] })).toEqual([
      'geometry is LineString; cameras take Point',
    ]);
    expect(geometryStructureProblems(IMPORT_SPECS.buildings, null)).toEqual([
      'has no geometry; buildings need Polygon or MultiPolygon',
    ]);
  });

  it('reports malformed coordinates through geojson-validation', () => {
    const p = geometryStructureProblems(IMPORT_SPECS.cameras, { type: 'Point', coordinates: ['105', 30] });
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^invalid Point: .*number/);
  });
});

describe('coordinateProblems', () => {
  it('finds NaN, out-of-range, short and unclosed rings', () => {
    expect(coordinateProblems({ type: 'Point', coordinates: [NaN, 30] })).toEqual([
      'point: coordinate [null,30] is not a number',
    ]);
    expect(coordinateProblems({ type: 'Point', coordinates: [30.53, 105.59] })).toEqual([
      'point: coordinate [30.53, 105.59] is outside lon −180..180 / lat −90..90 (not WGS84 lon/lat?)',
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
    ).toEqual(['ring 0: ring is not closed (first and last positions differ)']);
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
    ).toEqual(['polygon 1 ring 0: a ring needs at least 4 positions, has 3']);
  });

  it('says it in one line per feature', () => {
    const ring = Array.from({ length: 10 }, () => [500, 500]);
    const p = coordinateProblems({ type: 'Polygon', coordinates: [ring] });
    expect(p).toEqual([
      'ring 0 position 0: coordinate [500, 500] is outside lon −180..180 / lat −90..90 (not WGS84 lon/lat?) (and 9 more like it)',
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
