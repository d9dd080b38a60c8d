import type { Polygon } from 'geojson';
import { localPlane, toLocal } from './buildings.ts';

/**
 * A gate counts as watched when it lies inside a camera's visible area or within this many metres of
 * it: gates sit in walls and fences, exactly where a viewshed's edge runs.
 */
export const GATE_TOLERANCE_M = 1;

/** Each viewshed's box in degrees, computed once per polygon object (viewsheds are never mutated). */
const boxes = new WeakMap<Polygon, readonly [number, number, number, number]>();

function boxOf(polygon: Polygon): readonly [number, number, number, number] {
  let box = boxes.get(polygon);
  if (!box) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const p of polygon.coordinates[0] ?? []) {
      if (p[0]! < minX) minX = p[0]!;
      if (p[0]! > maxX) maxX = p[0]!;
      if (p[1]! < minY) minY = p[1]!;
      if (p[1]! > maxY) maxY = p[1]!;
    }
    boxes.set(polygon, (box = [minX, minY, maxX, maxY]));
  }
  return box;
}

/**
 * Is the point inside the polygon, or within `toleranceM` of its edge? A point outside the polygon's
 * box (grown by the tolerance) is answered without walking the rings: a map view asks this for every
 * gate against every camera's viewshed, and nearly all pairs are far apart.
 */
export function pointSeen(lon: number, lat: number, polygon: Polygon | null, toleranceM = GATE_TOLERANCE_M) {
  if (!polygon) return false;
  const plane = localPlane(lon, lat);
  const [minX, minY, maxX, maxY] = boxOf(polygon);
  const dx = toleranceM / plane.kx;
  const dy = toleranceM / plane.ky;
  if (lon < minX - dx || lon > maxX + dx || lat < minY - dy || lat > maxY + dy) return false;
  let inside = false;
  let nearest = Infinity;
  for (const ring of polygon.coordinates) {
    const pts = ring.map((p) => toLocal(plane, p[0]!, p[1]!));
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i]!,
        [xj, yj] = pts[j]!;
      if (yi > 0 !== yj > 0 && 0 < ((xj - xi) * (0 - yi)) / (yj - yi) + xi) inside = !inside;
      nearest = Math.min(nearest, segmentDistance(xi, yi, xj, yj));
    }
  }
  return inside || nearest <= toleranceM;
}

/** Distance from the origin to segment (a, b). */
function segmentDistance(ax: number, ay: number, bx: number, by: number): number {
  const ex = bx - ax,
    ey = by - ay;
  const l2 = ex * ex + ey * ey;
  const u = l2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * ex + ay * ey) / l2));
  return Math.hypot(ax + u * ex, ay + u * ey);
}

/** The ids of the gates that no viewshed sees. */
export function unwatchedGates<G extends { id: number; lon: number; lat: number }>(
  gates: readonly G[],
  viewsheds: readonly (Polygon | null)[],
): number[] {
  return gates.filter((g) => !viewsheds.some((v) => pointSeen(g.lon, g.lat, v))).map((g) => g.id);
}
