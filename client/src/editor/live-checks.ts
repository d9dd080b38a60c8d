import {
  area,
  bbox as turfBbox,
  booleanIntersects,
  booleanWithin,
  difference,
  featureCollection,
  intersect,
  kinks,
  polygon as turfPolygon,
} from '@turf/turf';
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/**
 * The live checks the editor runs on every drag: the same codes as the server's 422 answer
 * (`self_intersection`, `overlap`, `cut_building`, `empty`, `too_small`, `out_of_jurisdiction`),
 * computed with Turf against what is in view, prefiltered by flatbush so a drag stays within a frame.
 */

export const BLOCKING_CODES = ['self_intersection', 'overlap', 'too_small', 'out_of_jurisdiction'] as const;
export const WARNING_CODES = ['cut_building', 'empty'] as const;
export type CheckCode = (typeof BLOCKING_CODES)[number] | (typeof WARNING_CODES)[number];

export type LiveIssue =
  | { code: 'self_intersection'; points: Position[] }
  | { code: 'overlap'; with: number; name: string; area_m2: number; geometry: Polygon | MultiPolygon | null }
  | { code: 'cut_building'; buildings: number[] }
  | { code: 'empty' }
  | { code: 'too_small'; area_m2: number; min_m2: number }
  | { code: 'out_of_jurisdiction'; street_code: string | null };

export interface LiveStats {
  area_m2: number;
  buildings: number;
  three_no_buildings: number;
  households: number;
}

export interface LiveResult {
  valid: boolean;
  issues: LiveIssue[];
  stats: LiveStats;
}

export interface NeighbourArea {
  id: number;
  name: string;
  geometry: Polygon;
}
export interface BuildingFootprint {
  id: number;
  category: string | null;
  households: number | null;
  geometry: Polygon | MultiPolygon;
}

export interface CheckContextInput {
  neighbours: NeighbourArea[];
  buildings: BuildingFootprint[];
  /** The editor's 街道 outline (null: no limit, e.g. city_admin). */
  jurisdiction?: { code: string; geometry: Polygon | MultiPolygon } | null;
  minAreaM2?: number;
}

export const DEFAULT_MIN_AREA_M2 = 100;
/** Overlaps below this are floating-point noise along a shared edge (the server's tolerance). */
export const OVERLAP_TOLERANCE_M2 = 0.01;
/** A building sharing less than this with an area only touches it. */
export const CUT_TOLERANCE_M2 = 0.05;
/** Parts of an area outside its 街道 below this are tolerated. */
export const JURISDICTION_TOLERANCE_M2 = 1;

/** Neighbours and buildings indexed once per view; checks then run per drag event. */
export class CheckContext {
  readonly neighbours: NeighbourArea[];
  readonly buildings: BuildingFootprint[];
  readonly jurisdiction: CheckContextInput['jurisdiction'];
  readonly minAreaM2: number;
  readonly #neighbourIndex: Flatbush | null;
  readonly #buildingIndex: Flatbush | null;

  constructor(input: CheckContextInput) {
    this.neighbours = input.neighbours;
    this.buildings = input.buildings;
    this.jurisdiction = input.jurisdiction ?? null;
    this.minAreaM2 = input.minAreaM2 ?? DEFAULT_MIN_AREA_M2;
    this.#neighbourIndex = indexOf(this.neighbours.map((n) => n.geometry));
    this.#buildingIndex = indexOf(this.buildings.map((b) => b.geometry));
  }

  neighboursNear(b: number[], exceptId: number | null): NeighbourArea[] {
    if (!this.#neighbourIndex) return [];
    return this.#neighbourIndex
      .search(b[0], b[1], b[2], b[3])
      .map((i) => this.neighbours[i])
      .filter((n) => n.id !== exceptId);
  }

  buildingsNear(b: number[]): BuildingFootprint[] {
    if (!this.#buildingIndex) return [];
    return this.#buildingIndex.search(b[0], b[1], b[2], b[3]).map((i) => this.buildings[i]);
  }
}

function indexOf(geoms: (Polygon | MultiPolygon)[]): Flatbush | null {
  if (geoms.length === 0) return null;
  const idx = new Flatbush(geoms.length);
  for (const g of geoms) {
    const [x0, y0, x1, y1] = turfBbox(g);
    idx.add(x0, y0, x1, y1);
  }
  idx.finish();
  return idx;
}

function parts(g: Polygon | MultiPolygon): Polygon[] {
  return g.type === 'Polygon' ? [g] : g.coordinates.map((c) => ({ type: 'Polygon', coordinates: c }));
}

/** Checks `poly` (the area `editingId`, or a new one when null) against the context. */
export function liveCheck(poly: Polygon, ctx: CheckContext, editingId: number | null = null): LiveResult {
  const issues: LiveIssue[] = [];
  const a = area(poly);
  const stats: LiveStats = { area_m2: a, buildings: 0, three_no_buildings: 0, households: 0 };
  const crossings = kinks(poly).features.map((f) => f.geometry.coordinates);
  if (crossings.length > 0) issues.push({ code: 'self_intersection', points: crossings });
  if (a < ctx.minAreaM2) issues.push({ code: 'too_small', area_m2: a, min_m2: ctx.minAreaM2 });
  const simple = crossings.length === 0;
  const box = turfBbox(poly);

  for (const n of ctx.neighboursNear(box, editingId)) {
    if (!booleanIntersects(poly, n.geometry)) continue;
    let overlap: Polygon | MultiPolygon | null = null;
    if (simple) {
      try {
        overlap = intersect(
          featureCollection([turfPolygon(poly.coordinates), turfPolygon(n.geometry.coordinates)]),
        )?.geometry as Polygon | MultiPolygon | null;
      } catch {
        overlap = null;
      }
      if (!overlap) continue;
    }
    const m2 = overlap ? area(overlap) : 0;
    if (overlap && m2 <= OVERLAP_TOLERANCE_M2) continue;
    issues.push({ code: 'overlap', with: n.id, name: n.name, area_m2: m2, geometry: overlap });
  }

  const cut: number[] = [];
  for (const b of ctx.buildingsNear(box)) {
    const ps = parts(b.geometry);
    if (!ps.some((p) => booleanIntersects(p, poly))) continue;
    if (simple && ps.every((p) => booleanWithin(p, poly))) {
      stats.buildings += 1;
      if (b.category === 'three_no') stats.three_no_buildings += 1;
      stats.households += b.households ?? 0;
    } else if (ps.some((p) => safeOverlap(p, poly))) {
      cut.push(b.id);
    }
  }
  if (cut.length > 0) issues.push({ code: 'cut_building', buildings: cut });
  if (stats.buildings === 0) issues.push({ code: 'empty' });

  const j = ctx.jurisdiction;
  if (j && simple) {
    const outside = difference(
      featureCollection([
        turfPolygon(poly.coordinates),
        ...parts(j.geometry).map((p) => turfPolygon(p.coordinates)),
      ]),
    );
    if (outside && area(outside) > JURISDICTION_TOLERANCE_M2) {
      issues.push({ code: 'out_of_jurisdiction', street_code: j.code });
    }
  }
  const valid = !issues.some((i) => (BLOCKING_CODES as readonly string[]).includes(i.code));
  return { valid, issues, stats };
}

/** The boundary runs through the building's interior: a shared or touching edge does not count. */
function safeOverlap(a: Polygon, b: Polygon): boolean {
  try {
    const i = intersect(featureCollection([turfPolygon(a.coordinates), turfPolygon(b.coordinates)]));
    return i !== null && area(i) > CUT_TOLERANCE_M2;
  } catch {
    return false;
  }
}

export function isBlocking(code: string): boolean {
  return (BLOCKING_CODES as readonly string[]).includes(code);
}
