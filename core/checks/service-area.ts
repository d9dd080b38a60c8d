import { area as turfArea, feature as turfFeature, featureCollection, intersect } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import {
  CUT_BUILDING,
  EMPTY,
  OUT_OF_JURISDICTION,
  OVERLAP,
  OVERLAP_TOLERANCE_M2,
  SELF_INTERSECTION,
  TOO_SMALL,
  isBlocking,
  sortIssues,
  type AreaStats,
  type CheckIssue,
  type CheckResult,
  type OverlapPart,
} from './codes.ts';
import { edgesOf, type CheckContext } from './context.ts';
import { overlapArea } from './overlap.ts';
import { EdgeSet } from './edges.ts';
import { relate } from './relate.ts';

export interface CheckOptions {
  /** The area being edited: not its own neighbour. */
  id?: number | null;
  /**
   * Also build each overlap's polygon (turf.intersect: tens of ms for big areas, so not on every
   * drag event; the outline always comes).
   */
  overlapGeometry?: boolean;
}

/** Metres per degree of latitude; a degree of longitude is this times cos(lat). */
const M_PER_DEG = 111_320;

/**
 * Where a polygon's rings cross or touch themselves (empty when it is valid as OGC / ST_IsValid
 * sees it), including holes that leave their shell.
 */
export function selfIntersections(polygon: Polygon, edges = edgesOf(polygon)): Position[] {
  const points = edges.selfIntersections();
  if (points.length || polygon.coordinates.length < 2) return points;
  const shell = new EdgeSet([polygon.coordinates[0]!]);
  for (let r = 1; r < polygon.coordinates.length; r++) {
    const hole = new EdgeSet([polygon.coordinates[r]!]);
    hole.pieces(shell, (where, x0, y0) => {
      if (where === 'outside' && points.length === 0) points.push([x0, y0]);
    });
  }
  return points;
}

/** The intersection polygon of two polygons (slow: only when asked for). */
function overlapShape(a: Polygon, b: Polygon | MultiPolygon): Polygon | MultiPolygon | null {
  return (
    intersect(featureCollection<Polygon | MultiPolygon>([turfFeature(a), turfFeature(b)]))?.geometry ?? null
  );
}

/**
 * The live checks of a drawn or edited 物业服务区域 against what is in view: `self_intersection`,
 * `overlap` (interiors, beyond OVERLAP_TOLERANCE_M2), `too_small`, `out_of_jurisdiction` (blocking)
 * and `cut_building`, `empty` (warnings), with the area's figures. The other checks need a valid
 * polygon, so a self-intersecting one gets only that issue.
 *
 * Neighbours and buildings come from the context's indexes; exact work is done only for those whose
 * box meets the area, and polygon intersection only for neighbours whose interiors really meet it.
 */
export function checkServiceArea(
  input: Feature<Polygon> | Polygon,
  ctx: CheckContext,
  opts: CheckOptions = {},
): CheckResult {
  const polygon = input.type === 'Feature' ? input.geometry : input;
  const edges = edgesOf(polygon);
  const stats: AreaStats = { area_m2: 0, buildings: 0, three_no_buildings: 0, households: 0 };
  const kinks = selfIntersections(polygon, edges);
  if (kinks.length) {
    return { valid: false, issues: [{ code: SELF_INTERSECTION, points: kinks }], stats };
  }
  stats.area_m2 = turfArea(polygon);
  const issues: CheckIssue[] = [];
  if (stats.area_m2 < ctx.minAreaM2)
    issues.push({ code: TOO_SMALL, area_m2: stats.area_m2, min_m2: ctx.minAreaM2 });

  const parts: OverlapPart[] = [];
  for (const i of ctx.areasNear(edges.minX, edges.minY, edges.maxX, edges.maxY)) {
    const n = ctx.areas[i]!;
    if (opts.id != null && n.id === opts.id) continue;
    const ne = ctx.areaEdges(i);
    if (!relate(edges, ne).interiors) continue;
    const o = overlapArea(edges, ne);
    if (o.area_m2 > OVERLAP_TOLERANCE_M2) {
      parts.push({
        id: n.id,
        name: n.name ?? null,
        area_m2: o.area_m2,
        outline: o.outline,
        ...(opts.overlapGeometry ? { geometry: overlapShape(polygon, n.geometry) } : {}),
      });
    }
  }
  if (parts.length) {
    parts.sort((a, b) => a.id - b.id);
    issues.push({
      code: OVERLAP,
      with: parts.map((p) => p.id),
      area_m2: parts.reduce((s, p) => s + p.area_m2, 0),
      parts,
    });
  }

  const cut: number[] = [];
  for (const i of ctx.buildingsNear(edges.minX, edges.minY, edges.maxX, edges.maxY)) {
    const r = relate(edges, ctx.buildingEdges(i));
    if (!r.interiors) continue;
    const b = ctx.buildings[i]!;
    if (r.covers) {
      stats.buildings++;
      if (b.category === 'three_no') stats.three_no_buildings++;
      stats.households += b.households ?? 0;
    } else {
      cut.push(b.id);
    }
  }
  if (cut.length) issues.push({ code: CUT_BUILDING, buildings: cut.sort((a, b) => a - b) });
  if (stats.buildings === 0) issues.push({ code: EMPTY });

  if (ctx.jurisdiction && ctx.jurisdictionEdges && !withinJurisdiction(edges, ctx)) {
    issues.push({ code: OUT_OF_JURISDICTION, street_code: ctx.jurisdiction.code ?? null });
  }
  return { valid: !issues.some((i) => isBlocking(i.code)), issues: sortIssues(issues), stats };
}

/** Every piece of the boundary inside the 街道, or outside by no more than the tolerance. */
function withinJurisdiction(edges: EdgeSet, ctx: CheckContext): boolean {
  const j = ctx.jurisdictionEdges!;
  const lat = (edges.minY + edges.maxY) / 2;
  // Degrees along the tighter axis (longitude), so the tolerance is never more than asked for.
  const tol = ctx.jurisdictionToleranceM / (M_PER_DEG * Math.max(Math.cos((lat * Math.PI) / 180), 0.01));
  const tolLat = ctx.jurisdictionToleranceM / M_PER_DEG;
  const near = (x: number, y: number) => j.nearBoundary(x, y, Math.min(tol, tolLat));
  let ok = true;
  edges.pieces(
    j,
    (where, x0, y0, x1, y1) => {
      if (where === 'outside' && !(near(x0, y0) && near(x1, y1) && near((x0 + x1) / 2, (y0 + y1) / 2)))
        ok = false;
    },
    undefined,
    () => !ok,
  );
  return ok;
}
