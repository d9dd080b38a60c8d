/**
 * The demo city's ground: a local metric grid frame (u, v) centred on 船山区 and turned so that v
 * points NNE, the way the 涪江 runs through 遂宁; the river itself; and the district's outline.
 * Everything is generated in metres in this frame and turned into lon/lat (EPSG:4326) at the end.
 */

export const CENTRE_LON = 105.59;
export const CENTRE_LAT = 30.53;
/** Bearing of the grid's v axis, degrees clockwise from north (NNE). */
export const GRID_BEARING_DEG = 18;

const A = (GRID_BEARING_DEG * Math.PI) / 180;
const COS_A = Math.cos(A);
const SIN_A = Math.sin(A);
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320 * Math.cos((CENTRE_LAT * Math.PI) / 180);

/** A closed ring as a flat list `[lon0, lat0, lon1, lat1, …, lon0, lat0]` (or u, v in the frame). */
export type FlatRing = number[];

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** Grid frame metres → lon/lat, rounded to 1e-7° (about a centimetre). */
export function toLonLat(u: number, v: number): [number, number] {
  const east = u * COS_A + v * SIN_A;
  const north = -u * SIN_A + v * COS_A;
  return [round7(CENTRE_LON + east / M_PER_DEG_LON), round7(CENTRE_LAT + north / M_PER_DEG_LAT)];
}

/** A closed frame ring (flat u, v) → a closed lon/lat ring (flat). */
export function ringToLonLat(ring: FlatRing): FlatRing {
  const out = new Array<number>(ring.length);
  for (let i = 0; i < ring.length; i += 2) {
    const [lon, lat] = toLonLat(ring[i], ring[i + 1]);
    out[i] = lon;
    out[i + 1] = lat;
  }
  return out;
}

/** Bearing in degrees clockwise from north of the frame direction (du, dv), in [0, 360). */
export function bearingOf(du: number, dv: number): number {
  const east = du * COS_A + dv * SIN_A;
  const north = -du * SIN_A + dv * COS_A;
  const deg = (Math.atan2(east, north) * 180) / Math.PI;
  const b = Math.round(((deg % 360) + 360) % 360);
  return b >= 360 ? 0 : b;
}

/** Closes a flat ring of points given as [u0, v0, u1, v1, …] (appends the first point). */
export function closeRing(pts: number[]): FlatRing {
  return [...pts, pts[0], pts[1]];
}

/** Signed area (m² in the frame; positive = counter-clockwise) of a closed flat ring. */
export function signedArea(ring: FlatRing): number {
  let s = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) s += ring[i] * ring[i + 3] - ring[i + 2] * ring[i + 1];
  return s / 2;
}

// ——— 涪江 ———

/** Distance from the water to where land use starts (the riverside road 滨江路 and a green belt). */
export const RIVER_BANK_M = 35;
/** Where the riverside roads run, measured from the water's edge. */
export const RIVERSIDE_ROAD_M = 16;

/** The river's centre line: u of the middle of the water at v. It meanders around u ≈ 300 m east of the centre. */
export function riverCentre(v: number): number {
  return (
    300 + 330 * Math.sin((2 * Math.PI * v) / 5200 + 0.7) + 110 * Math.sin((2 * Math.PI * v) / 1900 + 2.1)
  );
}

/** Half the water's width at v: the river is 260–380 m wide. */
export function riverHalfWidth(v: number): number {
  return 160 + 30 * Math.sin((2 * Math.PI * v) / 3100 + 0.3);
}

/** West/east limits of the water plus `extra` metres at v. */
export function riverLimits(v: number, extra = 0): [number, number] {
  const c = riverCentre(v);
  const h = riverHalfWidth(v) + extra;
  return [c - h, c + h];
}

/** Which bank a piece of land is on: 'W' (the old town side) or 'E' (河东). */
export type Bank = 'W' | 'E';

/** A rectangle in the frame: [u0, v0, u1, v1]. */
export type Rect = [number, number, number, number];

const SAMPLE_M = 10;

function samples(v0: number, v1: number, step = SAMPLE_M): number[] {
  const n = Math.max(1, Math.ceil((v1 - v0) / step));
  const out: number[] = [];
  for (let k = 0; k <= n; k++) out.push(v0 + ((v1 - v0) * k) / n);
  return out;
}

/** Whether the rectangle keeps clear of the river and its banks on the given side (with `margin` m). */
export function clearOfRiver(rect: Rect, bank: Bank, margin = 1): boolean {
  const [u0, v0, u1, v1] = rect;
  for (const v of samples(v0, v1, 5)) {
    const [w, e] = riverLimits(v, RIVER_BANK_M + margin);
    if (bank === 'W' ? u1 > w : u0 < e) return false;
  }
  return true;
}

/** Which banks a rectangle has land on, clear of the river and its banks. */
export function banksOf(rect: Rect): { W: 'all' | 'part' | 'none'; E: 'all' | 'part' | 'none' } {
  const [u0, v0, u1, v1] = rect;
  let wAll = true,
    wAny = false,
    eAll = true,
    eAny = false;
  for (const v of samples(v0, v1)) {
    const [w, e] = riverLimits(v, RIVER_BANK_M);
    if (u1 <= w) wAny = true;
    else {
      wAll = false;
      if (u0 < w) wAny = true;
    }
    if (u0 >= e) eAny = true;
    else {
      eAll = false;
      if (u1 > e) eAny = true;
    }
  }
  return { W: wAll ? 'all' : wAny ? 'part' : 'none', E: eAll ? 'all' : eAny ? 'part' : 'none' };
}

/** A piece of land: its outline (frame ring) and the v-range where it is whole. */
export interface LandPiece {
  ring: FlatRing;
  /** Bounding box of the piece. */
  bbox: Rect;
  bank: Bank;
}

/**
 * The part of a rectangle on one bank, clear of the river and its banks: the rectangle itself when
 * the river is far, else a polygon whose river side follows the bank. Returns null when less than
 * `minWidth` metres of land remain. Where the land narrows below `minWidth` in several places, only
 * the longest stretch is kept, so the piece is always one simple polygon.
 */
export function landPiece(rect: Rect, bank: Bank, minWidth = 15): LandPiece | null {
  const [u0, v0, u1, v1] = rect;
  const vs = samples(v0, v1);
  const edge = vs.map((v) => {
    const [w, e] = riverLimits(v, RIVER_BANK_M);
    return bank === 'W' ? Math.min(u1, w) : Math.max(u0, e);
  });
  const ok = edge.map((x) => (bank === 'W' ? x - u0 : u1 - x) >= minWidth);
  let best: [number, number] | null = null;
  for (let i = 0; i < vs.length;) {
    if (!ok[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < vs.length && ok[j + 1]) j++;
    if (j > i && (!best || vs[j] - vs[i] > vs[best[1]] - vs[best[0]])) best = [i, j];
    i = j + 1;
  }
  if (!best || vs[best[1]] - vs[best[0]] < minWidth) return null;
  const [a, b] = best;
  const pts: number[] = [];
  let lo = Infinity,
    hi = -Infinity;
  if (bank === 'W') {
    pts.push(u0, vs[a]);
    for (let k = a; k <= b; k++) pts.push(edge[k], vs[k]);
    pts.push(u0, vs[b]);
  } else {
    // Counter-clockwise: along the bottom to the east, up the east side, back down along the bank.
    pts.push(edge[a], vs[a], u1, vs[a], u1, vs[b]);
    for (let k = b; k > a; k--) pts.push(edge[k], vs[k]);
  }
  const ring = dropCollinear(pts);
  for (let i = 0; i < ring.length; i += 2) {
    lo = Math.min(lo, ring[i]);
    hi = Math.max(hi, ring[i]);
  }
  return { ring: closeRing(ring), bbox: [lo, vs[a], hi, vs[b]], bank };
}

/** Drops points of an open flat ring that lie on the straight line of their neighbours. */
function dropCollinear(pts: number[]): number[] {
  const n = pts.length / 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = (i + n - 1) % n,
      q = (i + 1) % n;
    const ax = pts[2 * p],
      ay = pts[2 * p + 1],
      bx = pts[2 * i],
      by = pts[2 * i + 1],
      cx = pts[2 * q],
      cy = pts[2 * q + 1];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    const same = bx === ax && by === ay;
    if (same || Math.abs(cross) < 1e-9) continue;
    out.push(bx, by);
  }
  return out;
}

/** The water of the 涪江 between v0 and v1, as one frame ring. */
export function riverRing(v0: number, v1: number): FlatRing {
  const vs = samples(v0, v1, 25);
  const pts: number[] = [];
  for (const v of vs) pts.push(riverLimits(v)[1], v);
  for (let k = vs.length - 1; k >= 0; k--) pts.push(riverLimits(vs[k])[0], vs[k]);
  return closeRing(pts);
}

// ——— The district's outline ———

/** A wobbly, star-shaped outline around the centre: radius at angle θ (frame) for mean radius R. */
export function districtRadius(theta: number, R: number): number {
  return (
    R *
    (1 + 0.1 * Math.sin(3 * theta + 0.4) + 0.05 * Math.sin(5 * theta + 1.3) + 0.03 * Math.sin(7 * theta + 2))
  );
}

/** Whether a frame point lies inside the district with `margin` metres to spare. */
export function insideDistrict(u: number, v: number, R: number, margin = 0): boolean {
  return Math.hypot(u, v) <= districtRadius(Math.atan2(v, u), R) - margin;
}
