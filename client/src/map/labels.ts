import { area } from '@turf/area';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { centroid } from '@turf/centroid';
import { pointOnFeature } from '@turf/point-on-feature';

/**
 * One label point per area. Tiles cut a polygon at every tile border and a map library labels each
 * piece, so a street's name would show two or three times; a point per area shows it once.
 * The point is the centroid of the area's largest part when it lies inside, else a point on it.
 */
export function labelPoints(
  fc: GeoJSON.FeatureCollection,
  keep: (properties: GeoJSON.GeoJsonProperties) => boolean = () => true,
): GeoJSON.FeatureCollection<GeoJSON.Point> {
  const features: GeoJSON.Feature<GeoJSON.Point>[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (!g || !keep(f.properties)) continue;
    const parts: GeoJSON.Polygon[] =
      g.type === 'Polygon'
        ? [g]
        : g.type === 'MultiPolygon'
          ? g.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }))
          : [];
    if (!parts.length) continue;
    const largest = parts.reduce((a, b) => (area(b) > area(a) ? b : a));
    const c = centroid(largest);
    const point = booleanPointInPolygon(c, largest) ? c : pointOnFeature(largest);
    features.push({ type: 'Feature', geometry: point.geometry, properties: { ...f.properties } });
  }
  return { type: 'FeatureCollection', features };
}
