import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  checkContextOf,
  clipToView,
  cutBuildingShapes,
  liveCheck,
  type BuildingFootprint,
} from './live-checks.ts';

const X = 105.59;
const Y = 30.53;
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
function building(
  id: number,
  x: number,
  y: number,
  category = 'self_managed',
  households = 10,
): BuildingFootprint {
  return { id, category, households, geometry: square(x, y, 0.0001) };
}

const ctx = checkContextOf({
  neighbours: [{ id: 7, name: '河东片区', geometry: square(X + 0.002, Y, 0.002) }],
  buildings: [
    building(1, X + 0.0002, Y + 0.0002, 'three_no', 24),
    building(2, X + 0.0005, Y + 0.0005, 'self_managed', 12),
    building(3, X + 0.00195, Y + 0.001), // straddles x = X + 0.002
  ],
  jurisdiction: { code: '510903001', geometry: square(X - 0.01, Y - 0.01, 0.02) },
});

describe('liveCheck', () => {
  it('counts covered buildings, 三无 and households of a valid area', () => {
    const r = liveCheck(square(X, Y, 0.0015), ctx);
    expect(r.valid).toBe(true);
    expect(r.issues).toEqual([]);
    expect(r.stats).toMatchObject({ buildings: 2, three_no_buildings: 1, households: 36 });
    expect(r.stats.area_m2).toBeGreaterThan(10_000);
  });

  it('reports an overlap with the neighbour, its name and m², and the building it cuts', () => {
    const r = liveCheck(square(X, Y, 0.0025), ctx);
    expect(r.valid).toBe(false);
    const o = r.issues.find((i) => i.code === 'overlap');
    expect(o).toMatchObject({ code: 'overlap', with: [7], parts: [{ id: 7, name: '河东片区' }] });
    expect(o && o.code === 'overlap' && o.area_m2).toBeGreaterThan(1000);
    expect(o && o.code === 'overlap' && o.parts[0].geometry?.type).toMatch(/Polygon/);
    expect(r.issues.find((i) => i.code === 'cut_building')).toBeUndefined();
    const r2 = liveCheck(square(X, Y, 0.002), ctx);
    expect(r2.issues.map((i) => i.code)).not.toContain('overlap'); // shared edge only
  });

  it('flags a building the boundary cuts through', () => {
    const r = liveCheck(square(X, Y, 0.00197), ctx);
    expect(r.issues).toContainEqual({ code: 'cut_building', buildings: [3] });
    expect(cutBuildingShapes(r.issues, ctx)).toHaveLength(1);
    expect(r.valid).toBe(true); // a warning, not blocking
  });

  it('finds self-intersections with their crossing points', () => {
    const bow: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [X, Y],
          [X + 0.001, Y + 0.001],
          [X + 0.001, Y],
          [X, Y + 0.001],
          [X, Y],
        ],
      ],
    };
    const r = liveCheck(bow, ctx);
    const si = r.issues.find((i) => i.code === 'self_intersection');
    expect(si && si.code === 'self_intersection' && si.points[0][0]).toBeCloseTo(X + 0.0005, 9);
    expect(r.valid).toBe(false);
  });

  it('reports too_small and empty for a tiny area with no building', () => {
    const r = liveCheck(square(X - 0.005, Y, 0.00005), ctx);
    expect(r.issues.map((i) => i.code).sort()).toEqual(['empty', 'too_small']);
  });

  it('clips a drawn area against the neighbour so no overlap is left', () => {
    const { geometry, clippedBy } = clipToView(square(X, Y, 0.0025), ctx, null);
    expect(clippedBy).toEqual([7]);
    expect(liveCheck(geometry!, ctx).issues.map((i) => i.code)).not.toContain('overlap');
  });

  it('reports out_of_jurisdiction beyond the street', () => {
    const r = liveCheck(square(X + 0.009, Y, 0.003), ctx);
    expect(r.issues.map((i) => i.code)).toContain('out_of_jurisdiction');
  });

  it('ignores the area being edited among the neighbours', () => {
    const r = liveCheck(square(X + 0.002, Y, 0.0021), ctx, 7);
    expect(r.issues.map((i) => i.code)).not.toContain('overlap');
  });
});
