import type { Polygon } from 'geojson';
import type {
  ServiceAreaAttributes,
  ServiceAreaFeature,
  ServiceAreaHistoryEntry,
} from '../../../core/api.ts';
import {
  CUT_BUILDING,
  EMPTY,
  JURISDICTION_TOLERANCE_M,
  OUT_OF_JURISDICTION,
  OVERLAP,
  OVERLAP_TOLERANCE_M2,
  SELF_INTERSECTION,
  TOO_SMALL,
  DEFAULT_MIN_AREA_M2,
  isBlocking,
  sortIssues,
  type CheckIssue,
  type CheckResult,
  type OverlapPart,
} from '../../../core/checks/codes.ts';
import type { Queryable } from '../db/index.ts';
import type { Bbox } from '../http.ts';
import { sqlFiles } from '../sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url), {
  feature_json: 'feature-json.sql',
  attributes_json: 'attributes-json.sql',
});
const CHECKS_SQL = sql('checks.sql');
const FEATURE_SQL = sql('feature.sql');
const LIST_SQL = sql('list.sql');
const HISTORY_WRITE_SQL = sql('history-write.sql');
const INSERT_SQL = sql('insert.sql');
const UPDATE_SQL = sql('update.sql');
const HISTORY_SQL = sql('history.sql');
const SPLIT_CHECK_SQL = sql('split-check.sql');
const MERGE_CHECK_SQL = sql('merge-check.sql');
const MERGE_MISMATCH_SQL = sql('merge-mismatch.sql');
const COMMUNITY_STREET_SQL = "SELECT parent_code FROM jurisdictions WHERE code = $1 AND level = 'community'";

/**
 * The city-wide advisory lock key. Every service-area write holds it shared; the seed or an import
 * writing many rows in one transaction holds it exclusive (migrations/0008).
 */
export const SERVICE_AREA_LOCK = 730103;

/** SQLSTATEs the trigger of migrations/0003 raises. */
export const SQLSTATE_OVERLAP = 'WY001';
export const SQLSTATE_INVALID = 'WY002';

const LOCK_SQL = sql('lock.sql');

/**
 * Takes the write locks of a save for the rest of the transaction: the grid cells of the bbox of the
 * new polygons and of the stored areas it changes (migrations/0008), so a check made under them
 * stays true until the commit while saves elsewhere go on at the same time.
 */
export async function lockServiceAreas(
  tx: Queryable,
  where: { geometries?: readonly Polygon[]; ids?: readonly number[] },
): Promise<void> {
  await tx.query(LOCK_SQL, [(where.geometries ?? []).map((g) => JSON.stringify(g)), where.ids ?? []]);
}

export interface ValidateOptions {
  /** The area being edited. */
  excludeId?: number | null;
  /** The 街道 the polygon must lie in (a street editor's). */
  streetCode?: string | null;
  minAreaM2?: number;
}

interface ChecksRow {
  valid: boolean;
  reason: string | null;
  location: { type: 'Point'; coordinates: number[] } | null;
  area_m2: number;
  overlaps: OverlapPart[];
  cut: number[];
  buildings: number;
  three_no_buildings: number;
  households: number;
  in_jurisdiction: boolean;
}

/**
 * The authoritative checks of a save, in one PostGIS statement: the same codes and shape as core's
 * checkServiceArea, so the editor and the server speak one language. Run it under the write lock
 * when the answer decides a commit.
 */
export async function validateServiceArea(
  q: Queryable,
  geometry: Polygon,
  opts: ValidateOptions = {},
): Promise<CheckResult> {
  const r = await q.query<ChecksRow>(CHECKS_SQL, [
    JSON.stringify(geometry),
    opts.excludeId ?? null,
    opts.streetCode ?? null,
    JURISDICTION_TOLERANCE_M,
    OVERLAP_TOLERANCE_M2,
  ]);
  const row = r.rows[0]!;
  const stats = {
    area_m2: row.area_m2,
    buildings: row.buildings,
    three_no_buildings: row.three_no_buildings,
    households: row.households,
  };
  if (!row.valid) {
    const points = row.location ? [row.location.coordinates] : [];
    return {
      valid: false,
      issues: [{ code: SELF_INTERSECTION, points, reason: row.reason }],
      stats: { ...stats, area_m2: 0 },
    };
  }
  const issues: CheckIssue[] = [];
  const minArea = opts.minAreaM2 ?? DEFAULT_MIN_AREA_M2;
  if (row.area_m2 < minArea) issues.push({ code: TOO_SMALL, area_m2: row.area_m2, min_m2: minArea });
  if (row.overlaps.length) {
    issues.push({
      code: OVERLAP,
      with: row.overlaps.map((o) => o.id),
      area_m2: row.overlaps.reduce((s, o) => s + o.area_m2, 0),
      parts: row.overlaps,
    });
  }
  if (row.cut.length) issues.push({ code: CUT_BUILDING, buildings: row.cut });
  if (row.buildings === 0) issues.push({ code: EMPTY });
  if (!row.in_jurisdiction) issues.push({ code: OUT_OF_JURISDICTION, street_code: opts.streetCode ?? null });
  return { valid: !issues.some((i) => isBlocking(i.code)), issues: sortIssues(issues), stats };
}

export interface StoredArea {
  id: number;
  version: number;
  street_code: string | null;
  feature: ServiceAreaFeature;
}

interface StoredRow {
  id: number;
  version: number;
  street_code: string | null;
  feature: string;
}
const stored = (row: StoredRow): StoredArea => ({
  id: row.id,
  version: row.version,
  street_code: row.street_code,
  feature: JSON.parse(row.feature) as ServiceAreaFeature,
});

/** One area as a Feature; `forUpdate` also locks its row for the rest of the transaction. */
export async function getServiceArea(
  q: Queryable,
  id: number,
  forUpdate = false,
): Promise<StoredArea | null> {
  const r = await q.query<StoredRow>(forUpdate ? `${FEATURE_SQL.trimEnd()}\nFOR UPDATE` : FEATURE_SQL, [id]);
  return r.rows[0] ? stored(r.rows[0]) : null;
}

/** The areas meeting `bbox`, as GeoJSON text; who created and edited them only when `authors` (issue 10). */
export async function listServiceAreas(q: Queryable, bbox: Bbox, limit: number, authors: boolean) {
  const r = await q.query<{ count: number; json: string }>(LIST_SQL, [...bbox, limit + 1, authors]);
  return r.rows[0]!;
}

const COLUMNS = [
  'name',
  'street_code',
  'community_code',
  'management_mode',
  'provider',
  'helper_unit',
  'grid_worker',
  'status',
  'notes',
] as const;

const values = (a: ServiceAreaAttributes) => COLUMNS.map((c) => a[c] ?? (c === 'status' ? 'draft' : null));

/** Inserts a new area (version 1) with its history entry; the trigger re-checks overlap. */
export async function insertServiceArea(
  tx: Queryable,
  attributes: ServiceAreaAttributes,
  geometry: Polygon,
  user: string,
  operation: 'create' | 'split' = 'create',
): Promise<StoredArea> {
  const r = await tx.query<StoredRow>(INSERT_SQL, [
    ...values(attributes),
    JSON.stringify(geometry),
    user,
    operation,
  ]);
  return stored(r.rows[0]!);
}

/** Replaces attributes and geometry as the next version, with its history entry. */
export async function updateServiceArea(
  tx: Queryable,
  id: number,
  attributes: ServiceAreaAttributes,
  geometry: Polygon,
  user: string,
  operation: 'update' | 'restore' | 'split' | 'merge' = 'update',
): Promise<StoredArea> {
  const r = await tx.query<StoredRow>(UPDATE_SQL, [
    ...values(attributes),
    JSON.stringify(geometry),
    user,
    id,
    operation,
  ]);
  return stored(r.rows[0]!);
}

/** Records the deletion (as the next version, with the last geometry) and deletes the row. */
export async function deleteServiceArea(
  tx: Queryable,
  id: number,
  version: number,
  user: string,
  operation: 'delete' | 'merge' = 'delete',
): Promise<void> {
  await tx.query(HISTORY_WRITE_SQL, [id, operation, user, version + 1]);
  await tx.query('DELETE FROM service_areas WHERE id = $1', [id]);
}

export async function serviceAreaHistory(q: Queryable, id: number): Promise<ServiceAreaHistoryEntry[]> {
  const r = await q.query<ServiceAreaHistoryEntry>(HISTORY_SQL, [id]);
  return r.rows;
}

/** Does the 街道 (grown by the tolerance) cover the stored area? */
export async function storedAreaInStreet(q: Queryable, id: number, streetCode: string): Promise<boolean> {
  const r = await q.query<{ inside: boolean }>(
    `SELECT CASE WHEN ST_Covers(j.geom, s.geom) THEN true
                 ELSE ST_Covers(ST_Buffer(j.geom::geography, $3::float8)::geometry, s.geom) END AS inside
     FROM service_areas s, jurisdictions j WHERE s.id = $1 AND j.code = $2`,
    [id, streetCode, JURISDICTION_TOLERANCE_M],
  );
  return r.rows[0]?.inside ?? false;
}

/** The attributes of a stored area, as a save would send them. */
export function storedAttributes(a: StoredArea): ServiceAreaAttributes {
  const p = a.feature.properties as unknown as Record<string, string | null>;
  const out: Record<string, string | null> = {};
  for (const c of COLUMNS) out[c] = p[c] ?? null;
  return out as unknown as ServiceAreaAttributes;
}

/**
 * How far the parts of a split are from the stored area: the area (m²) of the symmetric difference
 * between the area and the union of the parts, and the largest overlap (m²) of two parts.
 */
export async function splitMismatch(
  q: Queryable,
  id: number,
  parts: Polygon[],
): Promise<{ mismatch_m2: number; overlap_m2: number }> {
  const r = await q.query<{ mismatch_m2: number; overlap_m2: number }>(SPLIT_CHECK_SQL, [
    id,
    JSON.stringify(parts),
  ]);
  return r.rows[0]!;
}

/**
 * Two stored areas for a merge: their distance (m) and their union as GeoJSON with its type
 * (Polygon when they share an edge, MultiPolygon when not).
 */
export async function mergeUnion(
  q: Queryable,
  a: number,
  b: number,
): Promise<{ distance_m: number; type: string; geometry: string }> {
  const r = await q.query<{ distance_m: number; type: string; geometry: string }>(MERGE_CHECK_SQL, [a, b]);
  return r.rows[0]!;
}

export interface MergeMismatch {
  /** Area (m²) of the symmetric difference between the given polygon and the union of the two. */
  mismatch_m2: number;
  /** The union's perimeter (m). */
  perimeter_m: number;
  /** Type (POLYGON, MULTIPOLYGON) and GeoJSON of the union of the two areas and the given polygon. */
  bridged_type: string;
  bridged: string;
}

/**
 * How far a merge's given polygon is from the union of the two areas, and the union of all three
 * (what a merge across a small gap stores).
 */
export async function mergeMismatch(
  q: Queryable,
  a: number,
  b: number,
  geometry: Polygon,
): Promise<MergeMismatch> {
  const r = await q.query<MergeMismatch>(MERGE_MISMATCH_SQL, [a, b, JSON.stringify(geometry)]);
  return r.rows[0]!;
}

/** The 街道 a 社区 belongs to; undefined when the code names no 社区. */
export async function communityStreet(q: Queryable, code: string): Promise<string | null | undefined> {
  const r = await q.query<{ parent_code: string | null }>(COMMUNITY_STREET_SQL, [code]);
  return r.rows[0]?.parent_code;
}
