/**
 * The 2D visibility polygon of a viewer among wall segments, limited to a sector (direction, field of
 * view, range): an exact angular sweep over the segments' end points. Between two neighbouring
 * critical angles (segment ends, sector edges) the nearest wall does not change, so the polygon there
 * is that wall's piece, or the range arc when no wall is in the way. Only the arc is approximated
 * (by chords of at most `arcStepDeg`); building edges are followed exactly.
 *
 * Coordinates are metres in a local plane with the viewer at (0, 0), x east, y north.
 */

const TAU = 2 * Math.PI;
const DEG = Math.PI / 180;
/** A wall closer than this to the viewer's position is the wall the camera hangs on: it is ignored. */
export const ON_WALL_M = 1e-3;

/** What a camera covers before walls: a sector, or the full disc when `fovDeg` ≥ 360. */
export interface Sector {
  /** Compass bearing of the view's centre, degrees clockwise from north; null = unknown. */
  directionDeg: number | null;
  /** Horizontal field of view in degrees, (0, 360]. */
  fovDeg: number;
  /** Range in metres, > 0. */
  rangeM: number;
}

export interface VisibilityOptions {
  /** Largest angle one chord of the range arc spans, degrees (default 2). */
  arcStepDeg?: number;
}

const norm = (a: number) => {
  const r = a % TAU;
  return r < 0 ? r + TAU : r;
};

/** Start angle (math convention: counter-clockwise from east) and angular width of a sector. */
export function sectorAngles(sector: Sector): { start: number; width: number } | null {
  if (!(sector.rangeM > 0) || !(sector.fovDeg > 0)) return null;
  if (sector.fovDeg >= 360) return { start: 0, width: TAU };
  if (sector.directionDeg === null || !Number.isFinite(sector.directionDeg)) return null;
  const width = sector.fovDeg * DEG;
  return { start: norm((90 - sector.directionDeg) * DEG - width / 2), width };
}

/**
 * Walls clipped to the range disc, oriented counter-clockwise as seen from the viewer, with their
 * angular interval relative to the sweep's start. Flat arrays for speed.
 */
interface Walls {
  n: number;
  x0: Float64Array;
  y0: Float64Array;
  x1: Float64Array;
  y1: Float64Array;
  /** Interval [lo, hi] of item i, and the wall it belongs to (a wall across the start has two items). */
  lo: Float64Array;
  hi: Float64Array;
  wall: Int32Array;
  items: number;
}

function prepareWalls(segs: ArrayLike<number>, start: number, R: number): Walls {
  const cap = segs.length / 4;
  const w: Walls = {
    n: 0,
    x0: new Float64Array(cap),
    y0: new Float64Array(cap),
    x1: new Float64Array(cap),
    y1: new Float64Array(cap),
    lo: new Float64Array(cap * 2),
    hi: new Float64Array(cap * 2),
    wall: new Int32Array(cap * 2),
    items: 0,
  };
  const R2 = R * R;
  for (let i = 0; i < segs.length; i += 4) {
    const px = segs[i]!,
      py = segs[i + 1]!,
      ex = segs[i + 2]! - px,
      ey = segs[i + 3]! - py;
    const a = ex * ex + ey * ey;
    if (a === 0) continue;
    // Clip to the disc: |p + u e|² = R².
    const b = 2 * (px * ex + py * ey);
    const c = px * px + py * py - R2;
    const disc = b * b - 4 * a * c;
    if (disc <= 0) continue;
    const sq = Math.sqrt(disc);
    const u0 = Math.max(0, (-b - sq) / (2 * a));
    const u1 = Math.min(1, (-b + sq) / (2 * a));
    if (u0 >= u1) continue;
    let ax = px + u0 * ex,
      ay = py + u0 * ey,
      bx = px + u1 * ex,
      by = py + u1 * ey;
    const cr = ax * (by - ay) - ay * (bx - ax);
    const len = Math.hypot(bx - ax, by - ay);
    // The viewer on the wall's line (a camera on its own wall, or a wall seen edge-on) blocks nothing.
    if (Math.abs(cr) / len < ON_WALL_M) continue;
    if (cr < 0) {
      [ax, ay, bx, by] = [bx, by, ax, ay];
    }
    const aA = Math.atan2(ay, ax);
    const span = norm(Math.atan2(by, bx) - aA);
    const k = w.n++;
    w.x0[k] = ax;
    w.y0[k] = ay;
    w.x1[k] = bx;
    w.y1[k] = by;
    const lo = norm(aA - start);
    const hi = lo + span;
    w.lo[w.items] = lo;
    w.hi[w.items] = Math.min(hi, TAU);
    w.wall[w.items++] = k;
    if (hi > TAU) {
      w.lo[w.items] = 0;
      w.hi[w.items] = hi - TAU;
      w.wall[w.items++] = k;
    }
  }
  return w;
}

/** Distance from the viewer along the ray at angle `t` to wall k's line. */
function rayDistance(w: Walls, k: number, cos: number, sin: number): number {
  const px = w.x0[k]!,
    py = w.y0[k]!,
    ex = w.x1[k]! - px,
    ey = w.y1[k]! - py;
  const den = cos * ey - sin * ex;
  if (Math.abs(den) < 1e-15) return Math.min(Math.hypot(px, py), Math.hypot(px + ex, py + ey));
  return (px * ey - py * ex) / den;
}

/**
 * The visible region as a closed ring (flat [x0, y0, x1, y1, …], counter-clockwise, first point
 * repeated at the end), or an empty array when nothing is visible (range 0, unknown direction of a
 * camera that is not 360°).
 *
 * @param segs walls as flat [ax, ay, bx, by, …] in metres around the viewer
 * @example visibilityPolygon([-5, 10, 5, 10], { directionDeg: 0, fovDeg: 90, rangeM: 30 })
 */
export function visibilityPolygon(
  segs: ArrayLike<number>,
  sector: Sector,
  opts: VisibilityOptions = {},
): number[] {
  const angles = sectorAngles(sector);
  if (!angles) return [];
  const { start, width } = angles;
  const R = sector.rangeM;
  const step = (opts.arcStepDeg ?? 2) * DEG;
  const w = prepareWalls(segs, start, R);

  // Critical angles inside [0, width], sorted.
  const crit = new Float64Array(w.items * 2 + 2);
  let nc = 0;
  crit[nc++] = 0;
  crit[nc++] = width;
  for (let i = 0; i < w.items; i++) {
    if (w.lo[i]! > 0 && w.lo[i]! < width) crit[nc++] = w.lo[i]!;
    if (w.hi[i]! > 0 && w.hi[i]! < width) crit[nc++] = w.hi[i]!;
  }
  const sorted = crit.subarray(0, nc).sort();
  // Items by start angle, fed into the active list as the sweep passes them.
  const order = Array.from({ length: w.items }, (_, i) => i).sort((a, b) => w.lo[a]! - w.lo[b]!);
  const active: number[] = [];
  let next = 0;

  const out: number[] = [];
  const push = (x: number, y: number) => {
    const n = out.length;
    if (n >= 2 && Math.abs(out[n - 2]! - x) < 1e-9 && Math.abs(out[n - 1]! - y) < 1e-9) return;
    out.push(x, y);
  };
  const full = width >= TAU;
  if (!full) push(0, 0);

  for (let ci = 0; ci + 1 < nc; ci++) {
    const x = sorted[ci]!,
      y = sorted[ci + 1]!;
    if (y - x < 1e-12) continue;
    const m = (x + y) / 2;
    while (next < order.length && w.lo[order[next]!]! <= m) active.push(order[next++]!);
    let best = Infinity,
      bestWall = -1;
    const cm = Math.cos(start + m),
      sm = Math.sin(start + m);
    for (let j = 0; j < active.length;) {
      const it = active[j]!;
      if (w.hi[it]! < m) {
        active[j] = active[active.length - 1]!;
        active.pop();
        continue;
      }
      const d = rayDistance(w, w.wall[it]!, cm, sm);
      if (d > 0 && d < best) {
        best = d;
        bestWall = w.wall[it]!;
      }
      j++;
    }
    if (bestWall >= 0) {
      for (const t of [x, y]) {
        const c = Math.cos(start + t),
          s = Math.sin(start + t);
        const d = Math.min(rayDistance(w, bestWall, c, s), R);
        push(d * c, d * s);
      }
    } else {
      const n = Math.max(1, Math.ceil((y - x) / step));
      for (let k = 0; k <= n; k++) {
        const t = start + x + ((y - x) * k) / n;
        push(R * Math.cos(t), R * Math.sin(t));
      }
    }
  }
  if (out.length < 6) return [];
  // Close the ring (a full circle's last arc point already equals the first).
  if (Math.abs(out[0]! - out[out.length - 2]!) > 1e-9 || Math.abs(out[1]! - out[out.length - 1]!) > 1e-9)
    out.push(out[0]!, out[1]!);
  return out.length >= 8 ? out : [];
}

/** Area of a flat closed ring in its own units squared (positive when counter-clockwise). */
export function ringArea(ring: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) s += ring[i]! * ring[i + 3]! - ring[i + 2]! * ring[i + 1]!;
  return s / 2;
}
