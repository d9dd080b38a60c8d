import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { clipAgainstNeighbours } from './clip.ts';
import { createCheckContext } from './context.ts';
import { checkServiceArea } from './service-area.ts';

const M_LON = 111_320 * Math.cos((30.53 * Math.PI) / 180);
const pt = (x: number, y: number) => [105.59 + x / M_LON, 30.53 + y / 110_574];
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});

describe('clipAgainstNeighbours', () => {
  const ctx = createCheckContext({
    areas: [
      { id: 1, geometry: rect(100, 0, 200, 100) },
      { id: 2, geometry: rect(-100, 50, 0, 150) },
    ],
  });

  it('cuts the drawn polygon back to its neighbours, leaving no overlap', () => {
    const r = clipAgainstNeighbours(rect(0, 0, 150, 100), ctx);
    expect(r.clippedBy).toEqual([1]);
    expect(r.removed_m2).toBeGreaterThan(4900);
    expect(r.geometry).not.toBeNull();
    const after = checkServiceArea(r.geometry!, ctx);
    expect(after.issues.map((i) => i.code)).not.toContain('overlap');
    expect(after.stats.area_m2).toBeGreaterThan(9900);
  });

  it('leaves a polygon that only touches its neighbours as it is', () => {
    const p = rect(0, 0, 100, 100);
    expect(clipAgainstNeighbours(p, ctx)).toEqual({
      geometry: p,
      clippedBy: [],
      removed_m2: 0,
      droppedParts: 0,
    });
  });

  it('keeps the largest part when a neighbour cuts the polygon in two', () => {
    const c = createCheckContext({ areas: [{ id: 5, geometry: rect(40, -10, 50, 110) }] });
    const r = clipAgainstNeighbours(rect(0, 0, 100, 100), c);
    expect(r.droppedParts).toBe(1);
    expect(r.geometry!.coordinates[0]!.every((p) => p[0]! >= pt(50, 0)[0]! - 1e-12)).toBe(true);
  });

  it('answers null when the neighbour swallows it whole', () => {
    expect(clipAgainstNeighbours(rect(120, 10, 130, 20), ctx).geometry).toBeNull();
  });
});
