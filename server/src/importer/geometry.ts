import type { Geometry, Position } from 'geojson';
import gjv from 'geojson-validation';
import type { ImportSpec } from './spec.ts';

/** The geometries an import stores: points and (multi)polygons, 2D. */
export type StoredGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

const list = (xs: readonly string[]) =>
  xs.length === 1 ? xs[0]! : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

/**
 * Why a feature's geometry cannot go into the layer, before PostGIS sees it: missing, of a type the
 * layer does not take, malformed (geojson-validation), or with coordinates that are not numbers or lie
 * outside lon −180..180 / lat −90..90. Empty list when it is fine.
 */
export function geometryStructureProblems(spec: ImportSpec, geometry: unknown): string[] {
  if (geometry === null || geometry === undefined) {
    return [`has no geometry; ${spec.layer} need ${list(spec.accepts)}`];
  }
  const type = (geometry as { type?: unknown }).type;
  if (typeof type !== 'string' || !(spec.accepts as readonly string[]).includes(type)) {
    return [
      `geometry is ${typeof type === 'string' ? type : 'of no type'}; ${spec.layer} take ${list(spec.accepts)}`,
    ];
  }
  const structure = gjv.isGeometryObject(geometry, true);
  if (structure.length) return structure.map((m) => `invalid ${type}: ${m}`);
  return coordinateProblems(geometry as StoredGeometry);
}

/** Non-finite or out-of-range positions and rings too short or not closed. */
export function coordinateProblems(g: StoredGeometry): string[] {
  const problems: string[] = [];
  const position = (p: Position, where: string) => {
    const [x, y] = p as [number, number];
    if (!Number.isFinite(x) || !Number.isFinite(y))
      problems.push(`${where}: coordinate ${JSON.stringify(p)} is not a number`);
    else if (x < -180 || x > 180 || y < -90 || y > 90) {
      problems.push(
        `${where}: coordinate [${x}, ${y}] is outside lon −180..180 / lat −90..90 (not WGS84 lon/lat?)`,
      );
    }
  };
  const ring = (r: Position[], where: string) => {
    if (r.length < 4) problems.push(`${where}: a ring needs at least 4 positions, has ${r.length}`);
    else {
      const a = r[0]!;
      const b = r[r.length - 1]!;
      if (a[0] !== b[0] || a[1] !== b[1])
        problems.push(`${where}: ring is not closed (first and last positions differ)`);
    }
    r.forEach((p, i) => position(p, `${where} position ${i}`));
  };
  const polygon = (rings: Position[][], where: string) => {
    if (rings.length === 0) problems.push(`${where}: polygon has no rings`);
    rings.forEach((r, i) => ring(r, `${where}${where ? ' ' : ''}ring ${i}`));
  };
  if (g.type === 'Point') position(g.coordinates, 'point');
  else if (g.type === 'Polygon') polygon(g.coordinates, '');
  else {
    if (g.coordinates.length === 0) problems.push('multipolygon has no polygons');
    g.coordinates.forEach((p, i) => polygon(p, `polygon ${i}`));
  }
  // One feature with a million bad positions should not flood the report.
  return problems.length > 3 ? [...problems.slice(0, 3), `… and ${problems.length - 3} more`] : problems;
}

/** Applies `fn` to every position of a checked geometry, in place. */
export function eachPosition(g: StoredGeometry | Geometry, fn: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      fn(g.coordinates);
      break;
    case 'Polygon':
      for (const r of g.coordinates) for (const p of r) fn(p);
      break;
    case 'MultiPolygon':
      for (const poly of g.coordinates) for (const r of poly) for (const p of r) fn(p);
      break;
    default:
      break;
  }
}

const WKB_POINT = 1;
const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;

/**
 * Hex EWKB (SRID 4326, 2D: any Z/M is dropped) of a checked geometry: what COPY and a geometry
 * parameter read fastest, with no JSON parsing in the database.
 */
export function toHexEwkb(g: StoredGeometry): string {
  const ringsSize = (rings: Position[][]) => 4 + rings.reduce((s, r) => s + 4 + r.length * 16, 0);
  let size = 9; // byte order, type, SRID
  if (g.type === 'Point') size += 16;
  else if (g.type === 'Polygon') size += ringsSize(g.coordinates);
  else size += 4 + g.coordinates.reduce((s, p) => s + 5 + ringsSize(p), 0);
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  const header = (type: number, srid: boolean) => {
    buf.writeUInt8(1, o);
    buf.writeUInt32LE(srid ? (type | EWKB_SRID_FLAG) >>> 0 : type, o + 1);
    o += 5;
    if (srid) {
      buf.writeUInt32LE(4326, o);
      o += 4;
    }
  };
  const xy = (p: Position) => {
    buf.writeDoubleLE(p[0]!, o);
    buf.writeDoubleLE(p[1]!, o + 8);
    o += 16;
  };
  const rings = (rs: Position[][]) => {
    buf.writeUInt32LE(rs.length, o);
    o += 4;
    for (const r of rs) {
      buf.writeUInt32LE(r.length, o);
      o += 4;
      for (const p of r) xy(p);
    }
  };
  if (g.type === 'Point') {
    header(WKB_POINT, true);
    xy(g.coordinates);
  } else if (g.type === 'Polygon') {
    header(WKB_POLYGON, true);
    rings(g.coordinates);
  } else {
    header(WKB_MULTIPOLYGON, true);
    buf.writeUInt32LE(g.coordinates.length, o);
    o += 4;
    for (const p of g.coordinates) {
      header(WKB_POLYGON, false);
      rings(p);
    }
  }
  return buf.toString('hex');
}
