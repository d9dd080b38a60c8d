import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { SnapIndex, type ProjectFn } from './snap-index.ts';

const X = 105.59;
const Y = 30.53;
const square = (x: number, y: number, d: number): Polygon => ({
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
// 1 px = 1e-6° (≈ 0.1 m): a flat projection is all the index needs.
const DPP = 1e-6;
const project: ProjectFn = (lng, lat) => ({ x: (lng - X) / DPP, y: -(lat - Y) / DPP });

describe('SnapIndex', () => {
  const idx = new SnapIndex([square(X, Y, 0.0001), square(X + 0.001, Y, 0.0001)]);

  it('snaps to a corner within the tolerance', () => {
    expect(idx.snap([X + 0.000005, Y + 0.000003], 10, project, DPP)).toEqual({ at: [X, Y], kind: 'vertex' });
  });

  it('snaps to the nearest point of an edge when no corner is near', () => {
    const hit = idx.snap([X + 0.00005, Y - 0.000004], 10, project, DPP)!;
    expect(hit.kind).toBe('edge');
    expect(hit.at[0]).toBeCloseTo(X + 0.00005, 12);
    expect(hit.at[1]).toBeCloseTo(Y, 12);
  });

  it('does not snap beyond the tolerance', () => {
    expect(idx.snap([X + 0.00005, Y - 0.00005], 10, project, DPP)).toBeNull();
  });

  it('prefers a corner over a nearer edge point', () => {
    expect(idx.snap([X + 0.000098, Y + 0.000001], 10, project, DPP)?.kind).toBe('vertex');
  });
});
