import type { MultiLineString } from 'geojson';
import type { EdgeSet } from './edges.ts';

/** Metres per degree on Turf's sphere (radius 6378137 m), so figures match turf.area. */
const M_PER_DEG = (6_378_137 * Math.PI) / 180;
/** How far (degrees, about 1 mm) to step off a shared piece to see which side the interiors lie. */
const SIDE_STEP = 1e-8;

export interface OverlapMeasure {
  /** Area (m²) the two interiors share. */
  area_m2: number;
  /** The shared region's boundary, piece by piece: drawn in red by the editor. */
  outline: MultiLineString;
}

/**
 * The area two polygons share, without building the intersection polygon: by Green's theorem it is
 * the shoelace sum over the intersection's boundary, which is the pieces of each boundary inside the
 * other, plus stretches both share with their interiors on the same side (counted once). Each piece
 * counts in its own ring's direction (interior on the left). Coordinates are taken relative to one
 * origin so that the sums of a sliver of 0.001 m² stay exact enough; degrees² become m² at the
 * latitude of the pair.
 */
export function overlapArea(a: EdgeSet, b: EdgeSet): OverlapMeasure {
  const ox = a.ax[0] ?? 0;
  const oy = a.ay[0] ?? 0;
  let twice = 0;
  const lines: number[][][] = [];
  const add = (sign: number, x0: number, y0: number, x1: number, y1: number) => {
    twice += sign * ((x0 - ox) * (y1 - oy) - (x1 - ox) * (y0 - oy));
    lines.push([
      [x0, y0],
      [x1, y1],
    ]);
  };
  a.pieces(b, (where, x0, y0, x1, y1, e) => {
    const sign = a.ringSign[a.ring[e]!]!;
    if (where === 'inside') add(sign, x0, y0, x1, y1);
    else if (where === 'boundary') {
      const dx = x1 - x0;
      const dy = y1 - y0;
      const len = Math.hypot(dx, dy);
      const mx = (x0 + x1) / 2 - (sign * dy * SIDE_STEP) / len;
      const my = (y0 + y1) / 2 + (sign * dx * SIDE_STEP) / len;
      if (b.locate(mx, my) === 'inside') add(sign, x0, y0, x1, y1);
    }
  });
  b.pieces(a, (where, x0, y0, x1, y1, e) => {
    if (where === 'inside') add(b.ringSign[b.ring[e]!]!, x0, y0, x1, y1);
  });
  const lat = ((a.minY + a.maxY) / 2) * (Math.PI / 180);
  const deg2 = Math.max(0, twice / 2);
  return {
    area_m2: deg2 * M_PER_DEG * M_PER_DEG * Math.cos(lat),
    outline: { type: 'MultiLineString', coordinates: lines },
  };
}
