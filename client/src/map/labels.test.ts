import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { labelPoints } from './labels.ts';

const square = (x: number, y: number, s: number): GeoJSON.Position[][] => [
  [
    [x, y],
    [x + s, y],
    [x + s, y + s],
    [x, y + s],
    [x, y],
  ],
];
// A U whose centroid falls in the gap between its arms.
const u: GeoJSON.Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [3, 0],
      [3, 3],
      [2, 3],
      [2, 1],
      [1, 1],
      [1, 3],
      [0, 3],
      [0, 0],
    ],
  ],
};

describe('labelPoints', () => {
  it('gives each area one point inside its largest part, with its properties', () => {
    const fc: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: '凯旋路街道', level: 'street' },
          geometry: { type: 'MultiPolygon', coordinates: [square(10, 10, 0.1), square(0, 0, 2)] },
        },
        { type: 'Feature', properties: { name: 'U', level: 'street' }, geometry: u },
        { type: 'Feature', properties: { name: '社区', level: 'community' }, geometry: u },
      ],
    };
    const out = labelPoints(fc, (p) => p?.level === 'street');
    expect(out.features.map((f) => f.properties?.name)).toEqual(['凯旋路街道', 'U']);
    expect(out.features[0]!.geometry.coordinates).toEqual([1, 1]);
    expect(booleanPointInPolygon(out.features[1]!.geometry, u)).toBe(true);
  });
});
