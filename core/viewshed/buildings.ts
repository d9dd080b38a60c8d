import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { ON_WALL_M } from './visibility.ts';

/** Metres per degree of latitude on a sphere of the mean Earth radius (6,371,008.8 m): for boxes. */
export const M_PER_DEG = (Math.PI / 180) * 6_371_008.8;

const WGS84_A = 6_378_137;
const WGS84_E2 = 0.00669437999014;

/**
 * An equirectangular plane around one point with the WGS84 ellipsoid's scale there (so areas agree
 * with PostGIS geography to a few parts in 10⁵ within the ≤ 1 km a camera sees).
 */
export interface LocalPlane {
  lon0: number;
  lat0: number;
  /** Metres per degree of longitude at lat0. */
  kx: number;
  /** Metres per degree of latitude at lat0. */
  ky: number;
}

export function localPlane(lon0: number, lat0: number): LocalPlane {
  const phi = (lat0 * Math.PI) / 180;
  const w = 1 - WGS84_E2 * Math.sin(phi) ** 2;
  const rad = Math.PI / 180;
  return {
    lon0,
    lat0,
    kx: (rad * WGS84_A * Math.cos(phi)) / Math.sqrt(w),
    ky: (rad * WGS84_A * (1 - WGS84_E2)) / w ** 1.5,
  };
}

export const toLocal = (p: LocalPlane, lon: number, lat: number): [number, number] => [
  (lon - p.lon0) * p.kx,
  (lat - p.lat0) * p.ky,
];

export const toLonLat = (p: LocalPlane, x: number, y: number): [number, number] => [
  p.lon0 + x / p.kx,
  p.lat0 + y / p.ky,
];

/** A footprint as GeoJSON, or as flat closed lon/lat rings. */
export type Footprint = Polygon | MultiPolygon | ArrayLike<number>[];

function ringsOf(f: Footprint): ArrayLike<number>[] {
  if (Array.isArray(f)) return f as ArrayLike<number>[];
  const g = f as Polygon | MultiPolygon;
  const flat = (ring: Position[]) => {
    const a = new Float64Array(ring.length * 2);
    ring.forEach((p, i) => {
      a[2 * i] = p[0]!;
      a[2 * i + 1] = p[1]!;
    });
    return a;
  };
  return g.type === 'Polygon' ? g.coordinates.map(flat) : g.coordinates.flat().map(flat);
}

/**
 * Building footprints ready for many viewsheds: every ring's vertices in one array, a flatbush index
 * over the rings' boxes (lon/lat). Build it once per scene (200k buildings ≈ 0.2 s); each camera
 * then asks only for the walls near it.
 */
export class BuildingIndex {
  readonly rings: number;
  readonly #coords: Float64Array;
  /** Ring r's vertices are #coords[#start[r] .. #start[r + 1]) (closed: last = first). */
  readonly #start: Uint32Array;
  /** The building each ring belongs to (its position in the input). */
  readonly #building: Uint32Array;
  readonly #index: Flatbush | null;

  constructor(footprints: readonly Footprint[]) {
    const all = footprints.map(ringsOf);
    const nRings = all.reduce((s, r) => s + r.length, 0);
    const nCoords = all.reduce((s, rs) => s + rs.reduce((t, r) => t + r.length, 0), 0);
    this.rings = nRings;
    this.#coords = new Float64Array(nCoords);
    this.#start = new Uint32Array(nRings + 1);
    this.#building = new Uint32Array(nRings);
    this.#index = nRings ? new Flatbush(nRings) : null;
    let r = 0,
      o = 0;
    all.forEach((rs, b) => {
      for (const ring of rs) {
        let minX = Infinity,
          minY = Infinity,
          maxX = -Infinity,
          maxY = -Infinity;
        for (let i = 0; i + 1 < ring.length; i += 2) {
          const x = ring[i]!,
            y = ring[i + 1]!;
          this.#coords[o + i] = x;
          this.#coords[o + i + 1] = y;
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
        this.#start[r] = o;
        this.#building[r] = b;
        o += ring.length;
        this.#index!.add(minX, minY, maxX, maxY);
        r++;
      }
    });
    this.#start[nRings] = o;
    this.#index?.finish();
  }

  /**
   * The walls within `rangeM` of a point (by box), as flat [ax, ay, bx, by, …] metres in `plane`,
   * leaving out the wall a camera at the plane's origin hangs on.
   */
  wallsAround(plane: LocalPlane, rangeM: number): Float64Array {
    if (!this.#index) return new Float64Array(0);
    const dLat = rangeM / plane.ky,
      dLon = rangeM / plane.kx;
    const hits = this.#index.search(
      plane.lon0 - dLon,
      plane.lat0 - dLat,
      plane.lon0 + dLon,
      plane.lat0 + dLat,
    );
    let n = 0;
    for (const r of hits) n += (this.#start[r + 1]! - this.#start[r]!) / 2 - 1;
    const out = new Float64Array(Math.max(0, n) * 4);
    let k = 0;
    const c = this.#coords;
    for (const r of hits) {
      const s = this.#start[r]!,
        e = this.#start[r + 1]!;
      let px = (c[s]! - plane.lon0) * plane.kx,
        py = (c[s + 1]! - plane.lat0) * plane.ky;
      for (let i = s + 2; i < e; i += 2) {
        const qx = (c[i]! - plane.lon0) * plane.kx,
          qy = (c[i + 1]! - plane.lat0) * plane.ky;
        const len = Math.hypot(qx - px, qy - py);
        if (len > 0 && Math.abs(px * qy - py * qx) / len >= ON_WALL_M) {
          out[k++] = px;
          out[k++] = py;
          out[k++] = qx;
          out[k++] = qy;
        }
        px = qx;
        py = qy;
      }
    }
    return out.subarray(0, k);
  }

  /** Positions (in the input) of the buildings whose footprint contains the point (even-odd rule). */
  buildingsAt(lon: number, lat: number): number[] {
    if (!this.#index) return [];
    const inside = new Map<number, boolean>();
    for (const r of this.#index.search(lon, lat, lon, lat)) {
      const b = this.#building[r]!;
      if (pointInRing(this.#coords, this.#start[r]!, this.#start[r + 1]!, lon, lat))
        inside.set(b, !inside.get(b));
    }
    return [...inside].filter(([, v]) => v).map(([b]) => b);
  }
}

function pointInRing(c: Float64Array, s: number, e: number, x: number, y: number): boolean {
  let inside = false;
  for (let i = s, j = e - 2; i < e; j = i, i += 2) {
    const xi = c[i]!,
      yi = c[i + 1]!,
      xj = c[j]!,
      yj = c[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
