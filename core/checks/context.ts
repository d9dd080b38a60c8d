import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { DEFAULT_MIN_AREA_M2, JURISDICTION_TOLERANCE_M } from './codes.ts';
import { EdgeSet } from './edges.ts';

/** A neighbouring service area, as the map has it in view. */
export interface NeighbourArea {
  id: number;
  name?: string | null;
  geometry: Polygon | MultiPolygon;
}

/** A building footprint in view. */
export interface BuildingFootprint {
  id: number;
  /** `three_no` counts as 三无. */
  category?: string | null;
  households?: number | null;
  geometry: Polygon | MultiPolygon;
}

export interface CheckContextOptions {
  areas?: readonly NeighbourArea[];
  buildings?: readonly BuildingFootprint[];
  /** The 街道 the area must lie in (a street editor's); none → no jurisdiction check. */
  jurisdiction?: { code?: string | null; geometry: Polygon | MultiPolygon } | null;
  minAreaM2?: number;
  jurisdictionToleranceM?: number;
}

/** All rings of a polygon or multipolygon, for even-odd point location. */
export const ringsOf = (g: Polygon | MultiPolygon): Position[][] =>
  g.type === 'Polygon' ? g.coordinates : g.coordinates.flat(1);

/** Which of ringsOf(g) are holes. */
export const holesOf = (g: Polygon | MultiPolygon): boolean[] =>
  g.type === 'Polygon'
    ? g.coordinates.map((_, i) => i > 0)
    : g.coordinates.flatMap((p) => p.map((_, i) => i > 0));

/** The edge set of a polygon or multipolygon, holes known. */
export const edgesOf = (g: Polygon | MultiPolygon) => new EdgeSet(ringsOf(g), holesOf(g));

function boxIndex(items: readonly { geometry: Polygon | MultiPolygon }[]): Flatbush | null {
  if (!items.length) return null;
  const fb = new Flatbush(items.length);
  for (const it of items) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const ring of ringsOf(it.geometry)) {
      for (const p of ring) {
        if (p[0]! < minX) minX = p[0]!;
        if (p[0]! > maxX) maxX = p[0]!;
        if (p[1]! < minY) minY = p[1]!;
        if (p[1]! > maxY) maxY = p[1]!;
      }
    }
    if (minX > maxX) minX = maxX = minY = maxY = 0;
    fb.add(minX, minY, maxX, maxY);
  }
  fb.finish();
  return fb;
}

/**
 * What the live checks check against: the neighbouring areas and the buildings in view, each in a
 * flatbush index of their boxes, built once per view (or per change of what is in view) so that
 * every drag event only queries. Edge sets of neighbours and buildings are built on first need and
 * kept.
 *
 * @example
 * const ctx = createCheckContext({ areas, buildings, jurisdiction: { code, geometry } });
 * map.on('drag', () => show(checkServiceArea(draft, ctx, { id: editingId })));
 */
export class CheckContext {
  readonly areas: readonly NeighbourArea[];
  readonly buildings: readonly BuildingFootprint[];
  readonly areaIndex: Flatbush | null;
  readonly buildingIndex: Flatbush | null;
  readonly jurisdiction: CheckContextOptions['jurisdiction'];
  readonly jurisdictionEdges: EdgeSet | null;
  readonly minAreaM2: number;
  readonly jurisdictionToleranceM: number;
  readonly #areaEdges = new Map<number, EdgeSet>();
  readonly #buildingEdges = new Map<number, EdgeSet>();

  constructor(opts: CheckContextOptions = {}) {
    this.areas = opts.areas ?? [];
    this.buildings = opts.buildings ?? [];
    this.areaIndex = boxIndex(this.areas);
    this.buildingIndex = boxIndex(this.buildings);
    this.jurisdiction = opts.jurisdiction ?? null;
    this.jurisdictionEdges = this.jurisdiction ? edgesOf(this.jurisdiction.geometry) : null;
    this.minAreaM2 = opts.minAreaM2 ?? DEFAULT_MIN_AREA_M2;
    this.jurisdictionToleranceM = opts.jurisdictionToleranceM ?? JURISDICTION_TOLERANCE_M;
  }

  /** Positions in `areas` of the neighbours whose box meets the given box. */
  areasNear(minX: number, minY: number, maxX: number, maxY: number): number[] {
    return this.areaIndex?.search(minX, minY, maxX, maxY) ?? [];
  }

  buildingsNear(minX: number, minY: number, maxX: number, maxY: number): number[] {
    return this.buildingIndex?.search(minX, minY, maxX, maxY) ?? [];
  }

  areaEdges(i: number): EdgeSet {
    let e = this.#areaEdges.get(i);
    if (!e) this.#areaEdges.set(i, (e = edgesOf(this.areas[i]!.geometry)));
    return e;
  }

  buildingEdges(i: number): EdgeSet {
    let e = this.#buildingEdges.get(i);
    if (!e) this.#buildingEdges.set(i, (e = edgesOf(this.buildings[i]!.geometry)));
    return e;
  }
}

export const createCheckContext = (opts: CheckContextOptions = {}) => new CheckContext(opts);
