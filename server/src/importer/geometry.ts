import type { Geometry, Position } from 'geojson';
import gjv from 'geojson-validation';
import { because, type ProblemReason } from './errors.ts';
import type { ImportSpec } from './spec.ts';

/** The geometries an import stores: points and (multi)polygons, 2D. */
export type StoredGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/**
 * Why a feature's geometry cannot go into the layer, before PostGIS sees it: missing, of a type the
 * layer does not take, malformed (geojson-validation), or with coordinates that are not numbers or lie
 * outside lon −180..180 / lat −90..90. Empty list when it is fine.
 */
export function geometryStructureProblems(spec: ImportSpec, geometry: unknown): ProblemReason[] {
  if (geometry === null || geometry === undefined) {
    return [because('no_geometry', { layer: spec.layer, accepts: spec.accepts.join(',') })];
  }
  const type = (geometry as { type?: unknown }).type;
  if (typeof type !== 'string' || !(spec.accepts as readonly string[]).includes(type)) {
    return [
      because('wrong_geometry_type', {
        type: typeof type === 'string' ? type : '?',
        layer: spec.layer,
        accepts: spec.accepts.join(','),
      }),
    ];
  }
  if (!structureFine(geometry as { type: string; coordinates?: unknown })) {
    const structure = gjv.isGeometryObject(geometry, true);
    if (structure.length) return structure.map((detail) => because('bad_geometry', { type, detail }));
  }
  return coordinateProblems(geometry as StoredGeometry);
}

/** A GeoJSON position as geojson-validation takes it: an array of at least two numbers. */
function positionFine(p: unknown): boolean {
  if (!Array.isArray(p) || p.length < 2) return false;
  for (let i = 0; i < p.length; i++) if (typeof p[i] !== 'number') return false;
  return true;
}

/** A linear ring geojson-validation takes: four or more positions, the last equal to the first. */
function linearRingFine(r: unknown): boolean {
  if (!Array.isArray(r) || r.length < 4) return false;
  for (let i = 0; i < r.length; i++) if (!positionFine(r[i])) return false;
  const a = r[0] as number[];
  const b = r[r.length - 1] as number[];
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function polygonFine(rings: unknown): boolean {
  if (!Array.isArray(rings)) return false;
  for (let i = 0; i < rings.length; i++) if (!linearRingFine(rings[i])) return false;
  return true;
}

/**
 * The fast path of geojson-validation's isGeometryObject for the types a layer stores: true only
 * when that check would find nothing (a subset of what it passes: anything else, e.g. a bbox, goes
 * to it and is worded by it). Its per-position arrays and closures were a tenth of a 200,000-feature
 * import's time in Node.
 */
function structureFine(g: { type: string; coordinates?: unknown }): boolean {
  if ('bbox' in g) return false;
  if (g.type === 'Point') return positionFine(g.coordinates);
  if (g.type === 'Polygon') return polygonFine(g.coordinates);
  if (g.type === 'MultiPolygon') {
    const c = g.coordinates;
    if (!Array.isArray(c) || c.length === 0) return false;
    for (let i = 0; i < c.length; i++) if (!polygonFine(c[i])) return false;
    return true;
  }
  return false;
}

/** Why one position is unusable, or null. */
function positionProblem(p: Position, path: string): ProblemReason | null {
  const x = p[0]!;
  const y = p[1]!;
  if (!Number.isFinite(x) || !Number.isFinite(y))
    return because('coordinate_not_number', { path, position: JSON.stringify(p) });
  if (x < -180 || x > 180 || y < -90 || y > 90) return because('coordinate_out_of_range', { path, x, y });
  return null;
}

function fine(p: Position): boolean {
  const x = p[0]!;
  const y = p[1]!;
  return x >= -180 && x <= 180 && y >= -90 && y <= 90; // false for NaN and non-numbers too
}

function ringFine(r: Position[]): boolean {
  const n = r.length;
  if (n < 4 || r[0]![0] !== r[n - 1]![0] || r[0]![1] !== r[n - 1]![1]) return false;
  for (let i = 0; i < n; i++) if (!fine(r[i]!)) return false;
  return true;
}

/** The fast path: true when nothing is wrong (no allocation, no strings). */
function coordinatesFine(g: StoredGeometry): boolean {
  if (g.type === 'Point') return fine(g.coordinates);
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (polys.length === 0) return false;
  for (const rings of polys) {
    if (rings.length === 0) return false;
    for (const r of rings) if (!ringFine(r)) return false;
  }
  return true;
}

/**
 * Non-finite or out-of-range positions, and rings too short or not closed. Runs for every position
 * of a 200,000-building import, so it builds nothing unless something is wrong. Where is a path
 * into the coordinates (`coordinates[1][0][3]`), the same in every language.
 */
export function coordinateProblems(g: StoredGeometry): ProblemReason[] {
  if (coordinatesFine(g)) return [];
  const problems: ProblemReason[] = [];
  const ring = (r: Position[], path: string) => {
    if (r.length < 4) problems.push(because('ring_too_short', { path, n: r.length }));
    else {
      const a = r[0]!;
      const b = r[r.length - 1]!;
      if (a[0] !== b[0] || a[1] !== b[1]) problems.push(because('ring_not_closed', { path }));
    }
    for (let i = 0; i < r.length; i++) {
      const bad = positionProblem(r[i]!, `${path}[${i}]`);
      if (bad) problems.push(bad);
    }
  };
  const polygon = (rings: Position[][], path: string) => {
    if (rings.length === 0) problems.push(because('no_rings', { path }));
    for (let i = 0; i < rings.length; i++) ring(rings[i]!, `${path}[${i}]`);
  };
  if (g.type === 'Point') {
    const bad = positionProblem(g.coordinates, 'coordinates');
    if (bad) problems.push(bad);
  } else if (g.type === 'Polygon') polygon(g.coordinates, 'coordinates');
  else {
    if (g.coordinates.length === 0) problems.push(because('no_polygons'));
    for (let i = 0; i < g.coordinates.length; i++) polygon(g.coordinates[i]!, `coordinates[${i}]`);
  }
  // One problem per feature: a file of swapped lon/lat should not print a line per position.
  if (problems.length > 1) {
    const first = problems[0]!;
    return [{ code: first.code, params: { ...first.params, more: problems.length - 1 } }];
  }
  return problems;
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

// One reused buffer: a fresh ArrayBuffer per feature cost more than writing the WKB itself. The
// writers are module-level functions, not closures: under tsx every closure created in a hot loop
// also pays for esbuild's keepNames wrapper.
let scratch = Buffer.allocUnsafe(1 << 16);
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
let at = 0;

function ringsSize(rings: Position[][]): number {
  let n = 4;
  for (const r of rings) n += 4 + r.length * 16;
  return n;
}

function writeHeader(type: number, srid: boolean): void {
  view.setUint8(at, 1);
  view.setUint32(at + 1, srid ? (type | EWKB_SRID_FLAG) >>> 0 : type, true);
  at += 5;
  if (srid) {
    view.setUint32(at, 4326, true);
    at += 4;
  }
}

function writeRings(rs: Position[][]): void {
  view.setUint32(at, rs.length, true);
  at += 4;
  for (const r of rs) {
    view.setUint32(at, r.length, true);
    at += 4;
    for (const p of r) {
      view.setFloat64(at, p[0]!, true);
      view.setFloat64(at + 8, p[1]!, true);
      at += 16;
    }
  }
}

/**
 * Hex EWKB (SRID 4326, 2D: any Z/M is dropped) of a checked geometry: what COPY and a geometry
 * parameter read fastest, with no JSON parsing in the database.
 */
export function toHexEwkb(g: StoredGeometry): string {
  let size = 9; // byte order, type, SRID
  if (g.type === 'Point') size += 16;
  else if (g.type === 'Polygon') size += ringsSize(g.coordinates);
  else {
    size += 4;
    for (const p of g.coordinates) size += 5 + ringsSize(p);
  }
  if (scratch.length < size) {
    scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
    view = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  at = 0;
  if (g.type === 'Point') {
    writeHeader(WKB_POINT, true);
    view.setFloat64(at, g.coordinates[0]!, true);
    view.setFloat64(at + 8, g.coordinates[1]!, true);
  } else if (g.type === 'Polygon') {
    writeHeader(WKB_POLYGON, true);
    writeRings(g.coordinates);
  } else {
    writeHeader(WKB_MULTIPOLYGON, true);
    view.setUint32(at, g.coordinates.length, true);
    at += 4;
    for (const p of g.coordinates) {
      writeHeader(WKB_POLYGON, false);
      writeRings(p);
    }
  }
  return scratch.toString('hex', 0, size);
}
