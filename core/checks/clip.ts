import { area as turfArea, difference, feature as turfFeature, featureCollection } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { edgesOf, type CheckContext } from './context.ts';

import { relate } from './relate.ts';

export interface ClipResult {
  /** The drawn polygon less its neighbours (its largest part); null when nothing is left. */
  geometry: Polygon | null;
  /** Ids of the neighbours it was clipped against. */
  clippedBy: number[];
  /** Area (m²) taken off, including parts dropped because they were cut off from the largest one. */
  removed_m2: number;
  /** How many separate parts the clip left besides the one kept. */
  droppedParts: number;
}

/**
 * Avoid-overlap: the drawn polygon minus every neighbour whose interior it enters, so the area fills
 * the space up to them and the shared edges follow the neighbours' own vertices. When the clip leaves
 * several parts, the largest is kept (the editor can say so).
 */
export function clipAgainstNeighbours(
  input: Feature<Polygon> | Polygon,
  ctx: CheckContext,
  opts: { id?: number | null } = {},
): ClipResult {
  const polygon = input.type === 'Feature' ? input.geometry : input;
  const edges = edgesOf(polygon);
  const before = turfArea(polygon);
  const hits: number[] = [];
  for (const i of ctx.areasNear(edges.minX, edges.minY, edges.maxX, edges.maxY)) {
    const n = ctx.areas[i]!;
    if (opts.id != null && n.id === opts.id) continue;
    if (relate(edges, ctx.areaEdges(i)).interiors) hits.push(i);
  }
  if (!hits.length) return { geometry: polygon, clippedBy: [], removed_m2: 0, droppedParts: 0 };
  const rest = difference(
    featureCollection<Polygon | MultiPolygon>([
      turfFeature(polygon),
      ...hits.map((i) => turfFeature(ctx.areas[i]!.geometry)),
    ]),
  );
  const clippedBy = hits.map((i) => ctx.areas[i]!.id).sort((a, b) => a - b);
  if (!rest) return { geometry: null, clippedBy, removed_m2: before, droppedParts: 0 };
  const parts: Polygon[] =
    rest.geometry.type === 'Polygon'
      ? [rest.geometry]
      : rest.geometry.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }));
  const sized = parts.map((p) => ({ p, a: turfArea(p) })).sort((x, y) => y.a - x.a);
  const kept = sized[0]!;
  return { geometry: kept.p, clippedBy, removed_m2: before - kept.a, droppedParts: parts.length - 1 };
}
