import type { Position } from 'geojson';

/**
 * The checks a 物业服务区域 (service area) goes through, one vocabulary for the editor's live checks,
 * the server's validate answer and its 422 body.
 */
export const SELF_INTERSECTION = 'self_intersection';
export const OVERLAP = 'overlap';
export const CUT_BUILDING = 'cut_building';
export const EMPTY = 'empty';
export const TOO_SMALL = 'too_small';
export const OUT_OF_JURISDICTION = 'out_of_jurisdiction';

export const CHECK_CODES = [
  SELF_INTERSECTION,
  OVERLAP,
  CUT_BUILDING,
  EMPTY,
  TOO_SMALL,
  OUT_OF_JURISDICTION,
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export type Severity = 'blocking' | 'warning';

/** Blocking checks stop a save; warnings come back with a successful save. */
export const CHECK_SEVERITY: Record<CheckCode, Severity> = {
  self_intersection: 'blocking',
  overlap: 'blocking',
  too_small: 'blocking',
  out_of_jurisdiction: 'blocking',
  cut_building: 'warning',
  empty: 'warning',
};

export const isBlocking = (code: CheckCode) => CHECK_SEVERITY[code] === 'blocking';

/** Areas smaller than this (m²) are `too_small`. */
export const DEFAULT_MIN_AREA_M2 = 100;
/** Overlaps up to this many m² are floating-point noise along a shared edge, not an overlap. */
export const OVERLAP_TOLERANCE_M2 = 0.01;
/** How far (m) an area may reach past its 街道's boundary before it is `out_of_jurisdiction`. */
export const JURISDICTION_TOLERANCE_M = 1;

export interface SelfIntersectionIssue {
  code: typeof SELF_INTERSECTION;
  /** Where the boundary crosses or touches itself (lon, lat). */
  points: Position[];
  /** PostGIS's words for it (ST_IsValidReason), from the server. */
  reason?: string | null;
}

export interface OverlapPart {
  id: number;
  name?: string | null;
  area_m2: number;
  /** The overlapping region (from the server; from core only when asked for: it is slow). */
  geometry?: GeoJSON.Polygon | GeoJSON.MultiPolygon | null;
  /** The overlapping region's boundary (core, on every check), for drawing it in red. */
  outline?: GeoJSON.MultiLineString;
}

export interface OverlapIssue {
  code: typeof OVERLAP;
  /** Ids of the areas it overlaps. */
  with: number[];
  /** Total overlapping area, m². */
  area_m2: number;
  parts: OverlapPart[];
}

export interface CutBuildingIssue {
  code: typeof CUT_BUILDING;
  /** Buildings whose interior the boundary runs through. */
  buildings: number[];
}

export interface EmptyIssue {
  code: typeof EMPTY;
}

export interface TooSmallIssue {
  code: typeof TOO_SMALL;
  area_m2: number;
  min_m2: number;
}

export interface OutOfJurisdictionIssue {
  code: typeof OUT_OF_JURISDICTION;
  /** The 街道 the area should lie in. */
  street_code?: string | null;
}

export type CheckIssue =
  | SelfIntersectionIssue
  | OverlapIssue
  | CutBuildingIssue
  | EmptyIssue
  | TooSmallIssue
  | OutOfJurisdictionIssue;

/** Figures about an area, shown live while drawing and returned by validate. */
export interface AreaStats {
  area_m2: number;
  /** Buildings the area covers entirely. */
  buildings: number;
  /** Of which 三无 (category three_no). */
  three_no_buildings: number;
  households: number;
}

export interface CheckResult {
  /** No blocking issue. */
  valid: boolean;
  issues: CheckIssue[];
  stats: AreaStats;
}

/** Blocking issues first, then warnings; each kind once, in the order of CHECK_CODES. */
export function sortIssues(issues: CheckIssue[]): CheckIssue[] {
  const rank = (i: CheckIssue) =>
    (isBlocking(i.code) ? 0 : 100) + (CHECK_CODES as readonly string[]).indexOf(i.code);
  return [...issues].sort((a, b) => rank(a) - rank(b));
}
