/**
 * WKB (ISO and extended, any byte order, Z/M dropped) to a GeoJSON geometry: what GeoPackage
 * stores after its header. Written out rather than through wkx because it runs for every one of a
 * GeoPackage's features, and this one allocates nothing but the coordinates. The readers are
 * module-level functions over module-level state, not closures: under tsx every closure made per
 * call also pays for esbuild's keepNames wrapper (Object.defineProperty), which was half of this
 * file's time in a 200,000-feature GeoPackage import.
 */
type Geom = { type: string; coordinates?: unknown; geometries?: Geom[] };

const TYPES = [
  '',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];

let v: DataView;
let at = 0;

function line(le: boolean, step: number): number[][] {
  const n = v.getUint32(at, le);
  at += 4;
  const out = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    out[i] = [v.getFloat64(at, le), v.getFloat64(at + 8, le)];
    at += step;
  }
  return out;
}

function rings(le: boolean, step: number): number[][][] {
  const n = v.getUint32(at, le);
  at += 4;
  const out = new Array<number[][]>(n);
  for (let i = 0; i < n; i++) out[i] = line(le, step);
  return out;
}

function geom(): Geom {
  const le = v.getUint8(at) === 1;
  let t = v.getUint32(at + 1, le);
  at += 5;
  let dims = 2;
  // EWKB flags: Z 0x80000000, M 0x40000000, SRID 0x20000000.
  if (t & 0x20000000) at += 4;
  if (t & 0x80000000) dims++;
  if (t & 0x40000000) dims++;
  t &= 0x0fffffff;
  // ISO: 1000s Z, 2000s M, 3000s ZM.
  if (t >= 3000) dims += 2;
  else if (t >= 1000) dims += 1;
  t %= 1000;
  const step = dims * 8;
  switch (t) {
    case 1: {
      const p = [v.getFloat64(at, le), v.getFloat64(at + 8, le)];
      at += step;
      // An empty point is NaN, NaN.
      return Number.isNaN(p[0]) ? { type: 'Point', coordinates: [] } : { type: 'Point', coordinates: p };
    }
    case 2:
      return { type: 'LineString', coordinates: line(le, step) };
    case 3:
      return { type: 'Polygon', coordinates: rings(le, step) };
    case 4:
    case 5:
    case 6: {
      const n = v.getUint32(at, le);
      at += 4;
      const parts: unknown[] = [];
      for (let i = 0; i < n; i++) parts.push(geom().coordinates);
      return { type: TYPES[t]!, coordinates: parts };
    }
    case 7: {
      const n = v.getUint32(at, le);
      at += 4;
      const geometries: Geom[] = [];
      for (let i = 0; i < n; i++) geometries.push(geom());
      return { type: 'GeometryCollection', geometries };
    }
    default:
      throw new Error(`unknown WKB geometry type ${t}`);
  }
}

export function wkbToGeoJson(buf: Uint8Array, offset = 0): Geom {
  v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  at = offset;
  return geom();
}

/** Envelope bytes by the header's envelope indicator (none, xy, xyz, xym, xyzm). */
const ENVELOPE = [0, 32, 48, 48, 64];

/**
 * A GeoPackage geometry blob ("GP", version, flags, srs_id, envelope, WKB) to GeoJSON; null for an
 * empty geometry.
 */
export function gpkgToGeoJson(blob: Uint8Array): Geom | null {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) return wkbToGeoJson(blob); // plain WKB (Spatialite-less writers)
  const flags = blob[3]!;
  if (flags & 0x10) return null; // empty
  const envelope = ENVELOPE[(flags >> 1) & 0x07] ?? 0;
  return wkbToGeoJson(blob, 8 + envelope);
}
