import type { Polygon } from 'geojson';
import { BuildingIndex, localPlane, toLonLat } from './buildings.ts';
import { rayCastPolygon } from './raycast.ts';
import { ringArea, visibilityPolygon, type Sector, type VisibilityOptions } from './visibility.ts';

/** A camera as the viewshed needs it: where, and the sector it covers before walls. */
export interface ViewshedCamera extends Sector {
  lon: number;
  lat: number;
}

/** One camera's visible area: a GeoJSON polygon (null when it sees nothing) and its area. */
export interface Viewshed {
  geometry: Polygon | null;
  area_m2: number;
}

/**
 * DORI distance bands as fractions of a camera's range: identify (a known face), recognise (a
 * stranger again), observe (what happens). Fixed fractions stand in for lens and resolution data
 * that catalogues do not carry.
 */
export const DISTANCE_BANDS = { identify: 0.25, recognise: 0.5, observe: 1 } as const;
export type DistanceBand = keyof typeof DISTANCE_BANDS;

function toPolygon(plane: ReturnType<typeof localPlane>, ring: number[]): Polygon | null {
  if (!ring.length) return null;
  const coords: [number, number][] = [];
  for (let i = 0; i < ring.length; i += 2) coords.push(toLonLat(plane, ring[i]!, ring[i + 1]!));
  coords[coords.length - 1] = coords[0]!;
  return { type: 'Polygon', coordinates: [coords] };
}

/**
 * What a camera really sees (真实可视范围): its sector clipped by the building footprints around it.
 *
 * @example cameraViewshed({ lon: 105.6, lat: 30.5, directionDeg: 90, fovDeg: 85, rangeM: 30 }, index)
 */
export function cameraViewshed(
  camera: ViewshedCamera,
  buildings: BuildingIndex,
  opts: VisibilityOptions = {},
): Viewshed {
  const plane = localPlane(camera.lon, camera.lat);
  if (!(camera.rangeM > 0)) return { geometry: null, area_m2: 0 };
  const walls = buildings.wallsAround(plane, camera.rangeM);
  const ring = visibilityPolygon(walls, camera, opts);
  return { geometry: toPolygon(plane, ring), area_m2: ring.length ? ringArea(ring) : 0 };
}

/** The viewshed of each DORI band (the camera's range cut to the band's fraction). */
export function cameraViewshedBands(
  camera: ViewshedCamera,
  buildings: BuildingIndex,
): Record<DistanceBand, Viewshed> {
  const out = {} as Record<DistanceBand, Viewshed>;
  for (const [band, f] of Object.entries(DISTANCE_BANDS) as [DistanceBand, number][])
    out[band] = cameraViewshed({ ...camera, rangeM: camera.rangeM * f }, buildings);
  return out;
}

/** The ray-casting baseline on the same walls (for the benchmark and for comparison tests). */
export function cameraViewshedByRays(camera: ViewshedCamera, buildings: BuildingIndex, rays = 360): Viewshed {
  const plane = localPlane(camera.lon, camera.lat);
  if (!(camera.rangeM > 0)) return { geometry: null, area_m2: 0 };
  const ring = rayCastPolygon(buildings.wallsAround(plane, camera.rangeM), camera, rays);
  return { geometry: toPolygon(plane, ring), area_m2: ring.length ? ringArea(ring) : 0 };
}
