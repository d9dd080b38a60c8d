import { area, intersect, featureCollection, polygon } from '@turf/turf';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  deleteVertex,
  insertVertex,
  mergePolygons,
  moveVertex,
  ringVertices,
  splitPolygon,
} from './geometry.ts';

const X = 105.59;
const Y = 30.53;
/** An axis-aligned square `d` degrees wide with its south-west corner at (x, y). */
function square(x: number, y: number, d: number): Polygon {
  return {
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
  };
}

describe('vertex edits', () => {
  it('keeps the ring closed when the first vertex moves', () => {
    const p = moveVertex(square(X, Y, 0.001), 0, [X - 0.0005, Y]);
    expect(p.coordinates[0][0]).toEqual([X - 0.0005, Y]);
    expect(p.coordinates[0][4]).toEqual([X - 0.0005, Y]);
  });
  it('inserts after a vertex and deletes it again', () => {
    const sq = square(X, Y, 0.001);
    const p = insertVertex(sq, 1, [X + 0.0015, Y + 0.0005]);
    expect(ringVertices(p)).toHaveLength(5);
    expect(ringVertices(p)[2]).toEqual([X + 0.0015, Y + 0.0005]);
    expect(deleteVertex(p, 2)).toEqual(sq);
  });
  it('refuses to leave fewer than three vertices', () => {
    const tri: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [X, Y],
          [X + 1e-3, Y],
          [X, Y + 1e-3],
          [X, Y],
        ],
      ],
    };
    expect(deleteVertex(tri, 0)).toBeNull();
  });
});

describe('splitPolygon', () => {
  it('splits a square along a line crossing it twice into two parts sharing the cut', () => {
    const sq = square(X, Y, 0.002);
    const line = {
      type: 'LineString' as const,
      coordinates: [
        [X + 0.001, Y - 0.001],
        [X + 0.001, Y + 0.003],
      ],
    };
    const r = splitPolygon(sq, line);
    if ('error' in r) throw new Error(r.error);
    const [a, b] = r.parts;
    expect(area(a) + area(b)).toBeCloseTo(area(sq), 0);
    expect(Math.abs(area(a) - area(b))).toBeLessThan(1);
    const over = intersect(featureCollection([polygon(a.coordinates), polygon(b.coordinates)]));
    expect(over === null || area(over) < 0.01).toBe(true);
  });
  it('splits along a bent line', () => {
    const sq = square(X, Y, 0.002);
    const line = {
      type: 'LineString' as const,
      coordinates: [
        [X - 0.001, Y + 0.0005],
        [X + 0.001, Y + 0.001],
        [X + 0.003, Y + 0.0015],
      ],
    };
    const r = splitPolygon(sq, line);
    if ('error' in r) throw new Error(r.error);
    expect(area(r.parts[0]) + area(r.parts[1])).toBeCloseTo(area(sq), 0);
    expect(ringVertices(r.parts[0])).toContainEqual([X + 0.001, Y + 0.001]);
  });
  it('refuses a line that does not cross the area twice', () => {
    const sq = square(X, Y, 0.002);
    const line = {
      type: 'LineString' as const,
      coordinates: [
        [X - 0.001, Y + 0.001],
        [X + 0.001, Y + 0.001],
      ],
    };
    expect(splitPolygon(sq, line)).toEqual({ error: 'split_needs_two_crossings' });
  });
});

describe('mergePolygons', () => {
  it('merges two areas sharing an edge into one polygon', () => {
    const m = mergePolygons(square(X, Y, 0.001), square(X + 0.001, Y, 0.001))!;
    expect(m.type).toBe('Polygon');
    expect(area(m)).toBeCloseTo(area(square(X, Y, 0.001)) * 2, -1);
  });
  it('refuses areas that do not touch', () => {
    expect(mergePolygons(square(X, Y, 0.001), square(X + 0.003, Y, 0.001))).toBeNull();
  });
});
