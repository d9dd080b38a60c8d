import { area, length, lineString, polygon } from '@turf/turf';

export type MeasureKind = 'distance' | 'area';

/** Length in metres of a path of lon/lat points (0 for fewer than two). */
export function pathLength(points: [number, number][]): number {
  return points.length < 2 ? 0 : length(lineString(points), { units: 'kilometers' }) * 1000;
}

/** Area in m² of the ring through lon/lat points (0 for fewer than three). */
export function ringArea(points: [number, number][]): number {
  return points.length < 3 ? 0 : area(polygon([[...points, points[0]!]]));
}

/** 12.3 m / 1.23 km, 56 m² / 1.23 ha / 1.23 km². */
export function formatLength(m: number): string {
  return m < 1000 ? `${m.toFixed(1)} m` : `${(m / 1000).toFixed(2)} km`;
}
export function formatArea(m2: number): string {
  if (m2 < 10_000) return `${Math.round(m2)} m²`;
  if (m2 < 1_000_000) return `${(m2 / 10_000).toFixed(2)} ha`;
  return `${(m2 / 1_000_000).toFixed(2)} km²`;
}
