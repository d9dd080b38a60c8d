import Flatbush from 'flatbush';
import type { Position } from 'geojson';

/**
 * Distance (in degrees) under which two things count as touching. About 1e-5 m: far below any
 * digitising precision, far above double rounding of lon/lat near 105°E 30°N.
 */
export const EPS_DEG = 1e-10;

/** Where a point lies against a polygon. */
export type Location = 'inside' | 'outside' | 'boundary';

/** A piece of an edge, cut at every contact with the other polygon's boundary, and where it lies. */
export type PieceVisitor = (
  where: Location,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  edge: number,
) => void;

/** Which kinds of pieces one polygon's boundary has against another. */
export interface PieceFlags {
  inside: boolean;
  outside: boolean;
  boundary: boolean;
}

/**
 * The edges of a polygon (all rings, holes and parts together) in flat arrays, with a flatbush index
 * built on first use. Point location is even-odd over all rings, so holes and multipolygons work.
 * Zero-length edges (repeated vertices) are dropped: PostGIS treats them as one vertex, so do we.
 */
export class EdgeSet {
  readonly ax: Float64Array;
  readonly ay: Float64Array;
  readonly bx: Float64Array;
  readonly by: Float64Array;
  /** Ring number of each edge; consecutive edges of one ring are consecutive here. */
  readonly ring: Int32Array;
  /** First edge of each ring, and one past its last. */
  readonly ringStart: number[] = [];
  readonly ringEnd: number[] = [];
  /** Rings with fewer than 3 distinct vertices (no area at all). */
  readonly degenerateRings: number[] = [];
  /**
   * +1 where a ring runs the way that keeps the polygon's interior on its left (outer rings
   * anticlockwise, holes clockwise), −1 where it runs the other way.
   */
  readonly ringSign: number[] = [];
  readonly size: number;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  #index: Flatbush | null | undefined;

  /** @param holes which rings are holes (default: none; a Polygon's rings after the first are) */
  constructor(rings: readonly Position[][], holes?: readonly boolean[]) {
    let n = 0;
    for (const r of rings) n += Math.max(0, r.length - 1);
    const ax = new Float64Array(n);
    const ay = new Float64Array(n);
    const bx = new Float64Array(n);
    const by = new Float64Array(n);
    const ring = new Int32Array(n);
    let k = 0;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    rings.forEach((r, ri) => {
      const start = k;
      for (let i = 0; i + 1 < r.length; i++) {
        const p = r[i]!;
        const q = r[i + 1]!;
        if (p[0] === q[0] && p[1] === q[1]) continue;
        ax[k] = p[0]!;
        ay[k] = p[1]!;
        bx[k] = q[0]!;
        by[k] = q[1]!;
        ring[k] = ri;
        minX = Math.min(minX, p[0]!, q[0]!);
        maxX = Math.max(maxX, p[0]!, q[0]!);
        minY = Math.min(minY, p[1]!, q[1]!);
        maxY = Math.max(maxY, p[1]!, q[1]!);
        k++;
      }
      this.ringStart.push(start);
      this.ringEnd.push(k);
      let twice = 0;
      for (let e = start; e < k; e++) {
        twice +=
          (ax[e]! - ax[start]!) * (by[e]! - ay[start]!) - (bx[e]! - ax[start]!) * (ay[e]! - ay[start]!);
      }
      const anticlockwise = twice > 0;
      this.ringSign.push(anticlockwise !== (holes?.[ri] ?? false) ? 1 : -1);
      // A closed ring of m distinct edges has m distinct vertices (when it is closed at all).
      if (k - start < 3) this.degenerateRings.push(ri);
    });
    this.ax = ax.subarray(0, k);
    this.ay = ay.subarray(0, k);
    this.bx = bx.subarray(0, k);
    this.by = by.subarray(0, k);
    this.ring = ring.subarray(0, k);
    this.size = k;
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
  }

  /** The flatbush index of the edges' boxes (null when there are no edges). */
  get index(): Flatbush | null {
    if (this.#index === undefined) {
      if (this.size === 0) {
        this.#index = null;
      } else {
        const fb = new Flatbush(this.size);
        for (let i = 0; i < this.size; i++) {
          fb.add(
            Math.min(this.ax[i]!, this.bx[i]!),
            Math.min(this.ay[i]!, this.by[i]!),
            Math.max(this.ax[i]!, this.bx[i]!),
            Math.max(this.ay[i]!, this.by[i]!),
          );
        }
        fb.finish();
        this.#index = fb;
      }
    }
    return this.#index;
  }

  /** Edges whose box meets the given box (grown by `pad`). */
  search(minX: number, minY: number, maxX: number, maxY: number, pad = EPS_DEG): number[] {
    if (maxX + pad < this.minX || minX - pad > this.maxX || maxY + pad < this.minY || minY - pad > this.maxY)
      return [];
    return this.index?.search(minX - pad, minY - pad, maxX + pad, maxY + pad) ?? [];
  }

  /** Is the point within `tol` degrees of some edge? */
  nearBoundary(x: number, y: number, tol = EPS_DEG): boolean {
    for (const e of this.search(x, y, x, y, tol)) {
      if (pointSegmentDistance(x, y, this.ax[e]!, this.ay[e]!, this.bx[e]!, this.by[e]!) <= tol) return true;
    }
    return false;
  }

  /** Inside, outside or on the boundary (within EPS_DEG), by even-odd ray casting to the east. */
  locate(x: number, y: number): Location {
    if (this.nearBoundary(x, y)) return 'boundary';
    return this.insideByRay(x, y) ? 'inside' : 'outside';
  }

  /** Even-odd ray casting alone, for a point already known to be off the boundary. */
  insideByRay(x: number, y: number): boolean {
    if (x > this.maxX || x < this.minX || y > this.maxY || y < this.minY) return false;
    const idx = this.index;
    if (!idx) return false;
    let inside = false;
    for (const e of idx.search(x, y, this.maxX, y)) {
      const x1 = this.ax[e]!;
      const y1 = this.ay[e]!;
      const x2 = this.bx[e]!;
      const y2 = this.by[e]!;
      if (y1 > y !== y2 > y) {
        const xi = x1 + ((y - y1) * (x2 - x1)) / (y2 - y1);
        if (x < xi) inside = !inside;
      }
    }
    return inside;
  }

  /**
   * Parameters t ∈ [0,1] along p→q where it meets this boundary: crossings, touches, and both ends of
   * any collinear overlap.
   */
  contacts(px: number, py: number, qx: number, qy: number, out: number[] = []): number[] {
    for (const e of this.search(Math.min(px, qx), Math.min(py, qy), Math.max(px, qx), Math.max(py, qy))) {
      segmentContacts(px, py, qx, qy, this.ax[e]!, this.ay[e]!, this.bx[e]!, this.by[e]!, out);
    }
    return out;
  }

  /**
   * Walks this set's edges (all, or those meeting a box), cuts each at its contacts with `against`'s
   * boundary and tells where each piece lies. A piece that starts at a vertex touching nothing lies
   * where the piece before it lay, so point location runs only at the start of a run and after a
   * contact: a few queries per edge that meets the other boundary, none for the rest.
   */
  pieces(
    against: EdgeSet,
    visit?: PieceVisitor,
    box?: readonly [number, number, number, number],
    stopWhen?: (f: PieceFlags) => boolean,
  ): PieceFlags {
    const flags: PieceFlags = { inside: false, outside: false, boundary: false };
    const edges = box ? this.search(box[0], box[1], box[2], box[3]).sort((a, b) => a - b) : null;
    const count = edges ? edges.length : this.size;
    let prev = -2;
    let prevWhere: Location | null = null;
    let prevEndTouched = true;
    const ts: number[] = [];
    const far =
      this.maxX < against.minX - EPS_DEG ||
      this.minX > against.maxX + EPS_DEG ||
      this.maxY < against.minY - EPS_DEG ||
      this.minY > against.maxY + EPS_DEG;
    if (far) {
      if (count) {
        flags.outside = true;
        if (visit) {
          for (let k = 0; k < count; k++) {
            const e = edges ? edges[k]! : k;
            visit('outside', this.ax[e]!, this.ay[e]!, this.bx[e]!, this.by[e]!, e);
          }
        }
      }
      return flags;
    }
    for (let k = 0; k < count; k++) {
      const e = edges ? edges[k]! : k;
      const px = this.ax[e]!;
      const py = this.ay[e]!;
      const qx = this.bx[e]!;
      const qy = this.by[e]!;
      const continues = e === prev + 1 && this.ring[e] === this.ring[prev];
      ts.length = 0;
      against.contacts(px, py, qx, qy, ts);
      ts.sort((a, b) => a - b);
      let t0 = 0;
      let startTouched = !continues || prevEndTouched;
      let where: Location | null = prevWhere;
      ts.push(1);
      for (const t1 of ts) {
        if (t1 - t0 > 1e-12) {
          const x0 = px + (qx - px) * t0;
          const y0 = py + (qy - py) * t0;
          const x1 = px + (qx - px) * t1;
          const y1 = py + (qy - py) * t1;
          if (startTouched || where === null) where = against.locate((x0 + x1) / 2, (y0 + y1) / 2);
          flags[where] = true;
          visit?.(where, x0, y0, x1, y1, e);
          if (stopWhen?.(flags)) return flags;
          startTouched = false;
        }
        if (t1 < 1) startTouched = true;
        t0 = Math.max(t0, t1);
      }
      prevEndTouched = ts.length > 1 && ts[ts.length - 2]! >= 1 - 1e-12;
      prevWhere = where;
      prev = e;
    }
    return flags;
  }

  /**
   * Points where the rings cross or touch themselves or each other, as OGC validity sees it: two
   * non-adjacent edges of a ring meeting anywhere, adjacent edges folding back on each other (a spike),
   * rings crossing or sharing a stretch of boundary. Rings touching at a single point are allowed.
   */
  selfIntersections(limit = 50): Position[] {
    const points: Position[] = [];
    for (const r of this.degenerateRings) {
      const s = this.ringStart[r]!;
      points.push(s < this.size && s < this.ringEnd[r]! ? [this.ax[s]!, this.ay[s]!] : [NaN, NaN]);
    }
    const hits: number[] = [];
    for (let i = 0; i < this.size && points.length < limit; i++) {
      const r = this.ring[i]!;
      const rs = this.ringStart[r]!;
      const re = this.ringEnd[r]!;
      if (re - rs < 3) continue;
      const px = this.ax[i]!;
      const py = this.ay[i]!;
      const qx = this.bx[i]!;
      const qy = this.by[i]!;
      for (const j of this.search(Math.min(px, qx), Math.min(py, qy), Math.max(px, qx), Math.max(py, qy))) {
        if (j <= i) continue;
        const sx = this.ax[j]!;
        const sy = this.ay[j]!;
        const ux = this.bx[j]!;
        const uy = this.by[j]!;
        hits.length = 0;
        segmentContacts(px, py, qx, qy, sx, sy, ux, uy, hits);
        if (!hits.length) continue;
        const sameRing = this.ring[j] === r;
        const next = j === i + 1 && sameRing;
        const wrap = sameRing && i === rs && j === re - 1;
        if (next || wrap) {
          // Adjacent edges share a vertex; anything more is a fold-back.
          const shared = next ? 1 : 0;
          if (hits.some((t) => Math.abs(t - shared) > 1e-9)) {
            const t = hits.find((h) => Math.abs(h - shared) > 1e-9)!;
            points.push([px + (qx - px) * t, py + (qy - py) * t]);
          }
        } else if (sameRing) {
          points.push([px + (qx - px) * hits[0]!, py + (qy - py) * hits[0]!]);
        } else {
          // Rings of one polygon may touch at a point, not cross or share a stretch.
          const crossing =
            hits.length > 1 ||
            (hits[0]! > 1e-9 &&
              hits[0]! < 1 - 1e-9 &&
              !onSegment(sx, sy, px, py, qx, qy) &&
              !onSegment(ux, uy, px, py, qx, qy));
          if (crossing) points.push([px + (qx - px) * hits[0]!, py + (qy - py) * hits[0]!]);
        }
        if (points.length >= limit) break;
      }
    }
    return points;
  }
}

/** Euclidean distance from (x,y) to the segment a→b, in the coordinates' own unit. */
export function pointSegmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number) {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  let t = l2 === 0 ? 0 : ((x - ax) * dx + (y - ay) * dy) / l2;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function onSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number) {
  return pointSegmentDistance(x, y, ax, ay, bx, by) <= EPS_DEG;
}

/**
 * Appends to `out` the parameters t along p→q where it meets the segment s→u: one for a crossing or
 * a touch, two (the overlap's ends) for a collinear overlap.
 */
export function segmentContacts(
  px: number,
  py: number,
  qx: number,
  qy: number,
  sx: number,
  sy: number,
  ux: number,
  uy: number,
  out: number[],
): void {
  const rx = qx - px;
  const ry = qy - py;
  const wx = ux - sx;
  const wy = uy - sy;
  const rl = Math.hypot(rx, ry);
  const wl = Math.hypot(wx, wy);
  if (rl === 0 || wl === 0) return;
  const denom = rx * wy - ry * wx;
  const dx = sx - px;
  const dy = sy - py;
  if (Math.abs(denom) <= 1e-12 * rl * wl) {
    // Parallel: only collinear ones (s within EPS of the line p→q) meet.
    if (Math.abs(dx * ry - dy * rx) / rl > EPS_DEG) return;
    const r2 = rl * rl;
    const t0 = (dx * rx + dy * ry) / r2;
    const t1 = ((ux - px) * rx + (uy - py) * ry) / r2;
    const lo = Math.max(0, Math.min(t0, t1));
    const hi = Math.min(1, Math.max(t0, t1));
    const tolT = EPS_DEG / rl;
    if (lo > hi + tolT) return;
    out.push(Math.min(lo, 1));
    if (hi - lo > tolT) out.push(hi);
    return;
  }
  const t = (dx * wy - dy * wx) / denom;
  const u = (dx * ry - dy * rx) / denom;
  const tolT = EPS_DEG / rl;
  const tolU = EPS_DEG / wl;
  if (t < -tolT || t > 1 + tolT || u < -tolU || u > 1 + tolU) {
    // Near-misses at the ends (a vertex within EPS of the other segment) still touch.
    const r2 = rl * rl;
    if (onSegment(sx, sy, px, py, qx, qy)) out.push(clamp01((dx * rx + dy * ry) / r2));
    if (onSegment(ux, uy, px, py, qx, qy)) out.push(clamp01(((ux - px) * rx + (uy - py) * ry) / r2));
    if (onSegment(px, py, sx, sy, ux, uy)) out.push(0);
    if (onSegment(qx, qy, sx, sy, ux, uy)) out.push(1);
    return;
  }
  out.push(clamp01(t));
}

const clamp01 = (t: number) => (t < 0 ? 0 : t > 1 ? 1 : t);
