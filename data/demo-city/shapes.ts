/**
 * Building footprints in the grid frame: rectangles, L- and U-shapes, cross-shaped point towers and
 * long slabs, each fitted into a cell [u0, v0, u1, v1]. A footprint keeps its outline (for the map)
 * and the rectangles it is made of (for the generator's overlap check).
 */
import { closeRing, type FlatRing, type Rect } from './geo.ts';
import type { Rng } from './prng.ts';

export type ShapeKind = 'rect' | 'slab' | 'l_shape' | 'u_shape' | 'tower' | 'cross_tower';

export interface Footprint {
  kind: ShapeKind;
  /** Closed frame ring, counter-clockwise. */
  ring: FlatRing;
  /** Rectangles whose union is the footprint (they may overlap each other). */
  parts: Rect[];
  bbox: Rect;
  /** Ground area, m². */
  area: number;
}

/**
 * Fits a footprint of the given kind into the cell. L and U notches open to the north (v1), so the
 * south side (v0) is always one straight wall: that is where unit doors go.
 */
export function footprint(kind: ShapeKind, cell: Rect, rng: Rng): Footprint {
  const [x0, y0, x1, y1] = cell;
  const w = x1 - x0,
    h = y1 - y0;
  switch (kind) {
    case 'l_shape': {
      const nw = w * rng.range(0.35, 0.6),
        nh = h * rng.range(0.35, 0.55);
      if (rng.chance(0.5)) {
        const ring = closeRing([x0, y0, x1, y0, x1, y1 - nh, x1 - nw, y1 - nh, x1 - nw, y1, x0, y1]);
        return done(
          kind,
          ring,
          [
            [x0, y0, x1, y1 - nh],
            [x0, y1 - nh, x1 - nw, y1],
          ],
          cell,
          w * h - nw * nh,
        );
      }
      const ring = closeRing([x0, y0, x1, y0, x1, y1, x0 + nw, y1, x0 + nw, y1 - nh, x0, y1 - nh]);
      return done(
        kind,
        ring,
        [
          [x0, y0, x1, y1 - nh],
          [x0 + nw, y1 - nh, x1, y1],
        ],
        cell,
        w * h - nw * nh,
      );
    }
    case 'u_shape': {
      const nw = w * rng.range(0.3, 0.45),
        nh = h * rng.range(0.35, 0.55);
      const xa = x0 + (w - nw) / 2,
        xb = xa + nw;
      const ring = closeRing([x0, y0, x1, y0, x1, y1, xb, y1, xb, y1 - nh, xa, y1 - nh, xa, y1, x0, y1]);
      const parts: Rect[] = [
        [x0, y0, x1, y1 - nh],
        [x0, y1 - nh, xa, y1],
        [xb, y1 - nh, x1, y1],
      ];
      return done(kind, ring, parts, cell, w * h - nw * nh);
    }
    case 'cross_tower': {
      const k = Math.min(w, h) * rng.range(0.2, 0.3);
      const ring = closeRing([
        x0 + k,
        y0,
        x1 - k,
        y0,
        x1 - k,
        y0 + k,
        x1,
        y0 + k,
        x1,
        y1 - k,
        x1 - k,
        y1 - k,
        x1 - k,
        y1,
        x0 + k,
        y1,
        x0 + k,
        y1 - k,
        x0,
        y1 - k,
        x0,
        y0 + k,
        x0 + k,
        y0 + k,
      ]);
      const parts: Rect[] = [
        [x0 + k, y0, x1 - k, y1],
        [x0, y0 + k, x1, y1 - k],
      ];
      return done(kind, ring, parts, cell, w * h - 4 * k * k);
    }
    default:
      return done(kind, closeRing([x0, y0, x1, y0, x1, y1, x0, y1]), [cell], cell, w * h);
  }
}

function done(kind: ShapeKind, ring: FlatRing, parts: Rect[], bbox: Rect, area: number): Footprint {
  return { kind, ring, parts, bbox, area };
}

/**
 * A spatial index of placed footprints inside one block (a uniform grid of buckets), used to refuse
 * any footprint whose interior would overlap one already placed. Touching is allowed.
 */
export class FootprintIndex {
  private readonly buckets = new Map<number, number[]>();
  private readonly placed: Footprint[] = [];
  constructor(private readonly cell = 25) {}

  private keys(b: Rect): number[] {
    const c = this.cell;
    const out: number[] = [];
    for (let i = Math.floor(b[0] / c); i <= Math.floor(b[2] / c); i++)
      for (let j = Math.floor(b[1] / c); j <= Math.floor(b[3] / c); j++) out.push(i * 100_003 + j);
    return out;
  }

  /** Whether `f`'s interior overlaps any placed footprint's interior. */
  overlaps(f: Footprint): boolean {
    const seen = new Set<number>();
    for (const k of this.keys(f.bbox)) {
      for (const id of this.buckets.get(k) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const g = this.placed[id];
        if (!rectsOverlap(f.bbox, g.bbox)) continue;
        for (const p of f.parts) for (const q of g.parts) if (rectsOverlap(p, q)) return true;
      }
    }
    return false;
  }

  /** Whether a point lies in a placed footprint or within `margin` metres of one. */
  holds(u: number, v: number, margin = 0.5): boolean {
    for (const id of this.buckets.get(this.keys([u, v, u, v])[0]!) ?? []) {
      for (const r of this.placed[id].parts)
        if (u > r[0] - margin && u < r[2] + margin && v > r[1] - margin && v < r[3] + margin) return true;
    }
    return false;
  }

  add(f: Footprint): void {
    const id = this.placed.push(f) - 1;
    for (const k of this.keys(f.bbox)) {
      const b = this.buckets.get(k);
      if (b) b.push(id);
      else this.buckets.set(k, [id]);
    }
  }
}

/** Interiors overlap: both extents overlap by more than a millimetre. */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return (
    Math.min(a[2], b[2]) - Math.max(a[0], b[0]) > 1e-3 && Math.min(a[3], b[3]) - Math.max(a[1], b[1]) > 1e-3
  );
}
