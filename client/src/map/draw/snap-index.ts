import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Screen position of a lon/lat, in pixels (the map's `project`). */
export type ProjectFn = (lng: number, lat: number) => { x: number; y: number };

export interface SnapHit {
  at: Position;
  kind: 'vertex' | 'edge';
}

/**
 * Snap targets in view: the corners and edges of buildings and of neighbouring service areas, in
 * two flatbush indexes (vertices, segments) so a pointer move looks at a handful of candidates.
 * Vertices win over edges within the tolerance, as in QGIS.
 */
export class SnapIndex {
  readonly #vertices: Position[] = [];
  readonly #segments: [Position, Position][] = [];
  readonly #vIndex: Flatbush | null;
  readonly #sIndex: Flatbush | null;

  constructor(shapes: (Polygon | MultiPolygon)[]) {
    for (const g of shapes) {
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      for (const rings of polys) {
        for (const ring of rings) {
          for (let i = 0; i + 1 < ring.length; i++) {
            this.#vertices.push(ring[i]);
            this.#segments.push([ring[i], ring[i + 1]]);
          }
        }
      }
    }
    this.#vIndex = this.#vertices.length ? new Flatbush(this.#vertices.length) : null;
    for (const [x, y] of this.#vertices) this.#vIndex!.add(x, y, x, y);
    this.#vIndex?.finish();
    this.#sIndex = this.#segments.length ? new Flatbush(this.#segments.length) : null;
    for (const [a, b] of this.#segments) {
      this.#sIndex!.add(
        Math.min(a[0], b[0]),
        Math.min(a[1], b[1]),
        Math.max(a[0], b[0]),
        Math.max(a[1], b[1]),
      );
    }
    this.#sIndex?.finish();
  }

  get size(): number {
    return this.#vertices.length;
  }

  /**
   * The snap target nearest to `at` within `tolerancePx` screen pixels, or null.
   * `degreesPerPixel` bounds the index search; distances are then measured on screen.
   */
  snap(at: Position, tolerancePx: number, project: ProjectFn, degreesPerPixel: number): SnapHit | null {
    const r = tolerancePx * degreesPerPixel * 1.5;
    const p = project(at[0], at[1]);
    const dist = (q: Position) => {
      const s = project(q[0], q[1]);
      return Math.hypot(s.x - p.x, s.y - p.y);
    };
    let best: SnapHit | null = null;
    let bestD = tolerancePx;
    for (const i of this.#vIndex?.search(at[0] - r, at[1] - r, at[0] + r, at[1] + r) ?? []) {
      const d = dist(this.#vertices[i]);
      if (d <= bestD) {
        bestD = d;
        best = { at: this.#vertices[i], kind: 'vertex' };
      }
    }
    if (best) return best;
    for (const i of this.#sIndex?.search(at[0] - r, at[1] - r, at[0] + r, at[1] + r) ?? []) {
      const [a, b] = this.#segments[i];
      const q = closestOnSegment(at, a, b);
      const d = dist(q);
      if (d <= bestD) {
        bestD = d;
        best = { at: q, kind: 'edge' };
      }
    }
    return best;
  }
}

/** The point of segment a–b nearest to p (planar in lon/lat: fine at snapping distances). */
export function closestOnSegment(p: Position, a: Position, b: Position): Position {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return a;
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return [a[0] + t * dx, a[1] + t * dy];
}
