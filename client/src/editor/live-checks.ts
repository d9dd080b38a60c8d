import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import {
  checkServiceArea,
  clipAgainstNeighbours,
  createCheckContext,
  isBlocking as coreIsBlocking,
  type BuildingFootprint,
  type CheckCode,
  type CheckContext,
  type CheckIssue,
  type CheckResult,
  type NeighbourArea,
} from '../../../core/checks/index.ts';

/**
 * The live checks the editor runs on every drag are core's `checkServiceArea`: the same code and
 * the same codes as the server's validate and 422 answers. This module only builds the context from
 * what the map has in view and adds what the map needs to highlight.
 */

export type { BuildingFootprint, CheckCode, CheckContext, NeighbourArea };
export type LiveIssue = CheckIssue;
export type LiveResult = CheckResult;
export type LiveStats = CheckResult['stats'];

export interface ViewData {
  neighbours: NeighbourArea[];
  buildings: BuildingFootprint[];
  /** The signed-in street editor's 街道 (null: no limit). */
  jurisdiction?: { code: string; geometry: Polygon | MultiPolygon } | null;
}

export function checkContextOf(v: ViewData): CheckContext {
  return createCheckContext({
    areas: v.neighbours,
    buildings: v.buildings,
    jurisdiction: v.jurisdiction ?? null,
  });
}

/**
 * Checks `poly` (the stored area `editingId`, or a new one) against what is in view. While a drag
 * is under way only the overlaps' outlines are built; `settled` adds their polygons for the red fill.
 */
export function liveCheck(
  poly: Polygon,
  ctx: CheckContext,
  editingId: number | null = null,
  settled = true,
): LiveResult {
  return checkServiceArea(poly, ctx, { id: editingId, overlapGeometry: settled });
}

/** Avoid-overlap before a save: the polygon less its neighbours in view (core's clip). */
export function clipToView(
  poly: Polygon,
  ctx: CheckContext,
  editingId: number | null,
): { geometry: Polygon | null; clippedBy: number[] } {
  const r = clipAgainstNeighbours(poly, ctx, { id: editingId });
  return { geometry: r.geometry, clippedBy: r.clippedBy };
}

export function isBlocking(code: string): boolean {
  return coreIsBlocking(code as CheckCode);
}

/** The footprints a cut_building issue names, for highlighting them. */
export function cutBuildingShapes(issues: LiveIssue[], ctx: CheckContext): (Polygon | MultiPolygon)[] {
  const ids = new Set(issues.flatMap((i) => (i.code === 'cut_building' ? i.buildings : [])));
  return ctx.buildings.filter((b) => ids.has(b.id)).map((b) => b.geometry);
}

/** The neighbouring area under a clicked point, if any (picking an area to edit or merge). */
export function areaAt(ctx: CheckContext, at: Position): NeighbourArea | null {
  for (const i of ctx.areasNear(at[0], at[1], at[0], at[1])) {
    const a = ctx.areas[i];
    if (a && booleanPointInPolygon(at, a.geometry)) return a;
  }
  return null;
}
