/**
 * WKB (ISO and extended, any byte order, Z/M dropped) to a GeoJSON geometry: what GeoPackage
 * stores after its header. Written out rather than through wkx because it runs for every one of a
 * GeoPackage's features, and this one allocates nothing but the coordinates.
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

export function wkbToGeoJson(buf: Uint8Array, offset = 0): Geom {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let at = offset;
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
    const u32 = () => {
      const n = v.getUint32(at, le);
      at += 4;
      return n;
    };
    const pos = () => {
      const p = [v.getFloat64(at, le), v.getFloat64(at + 8, le)];
      at += dims * 8;
      return p;
    };
    const line = () => {
      const n = u32();
      const out = new Array<number[]>(n);
      for (let i = 0; i < n; i++) out[i] = pos();
      return out;
    };
    const rings = () => {
      const n = u32();
      const out = new Array<number[][]>(n);
      for (let i = 0; i < n; i++) out[i] = line();
      return out;
    };
    const type = TYPES[t];
    switch (t) {
      case 1: {
        const p = pos();
        // An empty point is NaN, NaN.
        return Number.isNaN(p[0]) ? { type: 'Point', coordinates: [] } : { type: 'Point', coordinates: p };
      }
      case 2:
        return { type: 'LineString', coordinates: line() };
      case 3:
        return { type: 'Polygon', coordinates: rings() };
      case 4:
      case 5:
      case 6: {
        const n = u32();
        const parts: unknown[] = [];
        for (let i = 0; i < n; i++) parts.push(geom().coordinates);
        return { type: type!, coordinates: parts };
      }
      case 7: {
        const n = u32();
        const geometries: Geom[] = [];
        for (let i = 0; i < n; i++) geometries.push(geom());
        return { type: 'GeometryCollection', geometries };
      }
      default:
        throw new Error(`unknown WKB geometry type ${t}`);
    }
  }
  return geom();
}

/**
 * A GeoPackage geometry blob ("GP", version, flags, srs_id, envelope, WKB) to GeoJSON; null for an
 * empty geometry.
 */
export function gpkgToGeoJson(blob: Uint8Array): Geom | null {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) return wkbToGeoJson(blob); // plain WKB (Spatialite-less writers)
  const flags = blob[3]!;
  if (flags & 0x10) return null; // empty
  const envelope = [0, 32, 48, 48, 64][(flags >> 1) & 0x07] ?? 0;
  return wkbToGeoJson(blob, 8 + envelope);
}
