import { describe, expect, it } from 'vitest';
import { geometryFamily, layerFor } from './exchange.ts';

describe('layerFor: the source layer a target takes when none is named', () => {
  const ovital = [
    { name: 'placemarks|Polygon', geometryType: 'Polygon' },
    { name: 'placemarks|LineString', geometryType: 'LineString' },
    { name: 'placemarks|Point', geometryType: 'Point' },
  ];

  it('takes the points of a mixed KML for gates and its polygons for compounds', () => {
    expect(layerFor(ovital, ['Point'])?.name).toBe('placemarks|Point');
    expect(layerFor(ovital, ['Polygon', 'MultiPolygon'])?.name).toBe('placemarks|Polygon');
  });

  it('falls back to the first layer when none declares a fitting type', () => {
    expect(layerFor([{ name: 'a' }, { name: 'b', geometryType: 'GEOMETRY' }], ['Point'])?.name).toBe('a');
    expect(layerFor([], ['Point'])).toBeUndefined();
  });

  it('reads the ways formats declare types', () => {
    expect(['MULTIPOLYGON', 'PolygonZ', 'Polygon'].map(geometryFamily)).toEqual([
      'polygon',
      'polygon',
      'polygon',
    ]);
    expect(
      ['POINT', 'MultiPoint', 'PolyLine', 'LINESTRING', 'GEOMETRY', undefined].map(geometryFamily),
    ).toEqual(['point', 'point', 'line', 'line', null, null]);
  });
});
