import type { Polygon } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';

const SOURCE = 'dashboard-proposals';

/**
 * Draws the dashboard's proposed areas as dashed ghost outlines over the map (none: cleared). The
 * source and layer are added on first use and whenever a style change dropped them.
 */
export function showProposalGhosts(map: MapLibreMap, polygons: Polygon[]): void {
  if (!map.isStyleLoaded() && polygons.length) {
    map.once('idle', () => showProposalGhosts(map, polygons));
    return;
  }
  const data: GeoJSON.FeatureCollection = {
    type: 'FeatureCollection',
    features: polygons.map((geometry, i) => ({ type: 'Feature', id: i, geometry, properties: {} })),
  };
  const source = map.getSource<GeoJSONSource>(SOURCE);
  if (source) {
    source.setData(data);
    return;
  }
  if (!polygons.length) return;
  map.addSource(SOURCE, { type: 'geojson', data });
  map.addLayer({
    id: `${SOURCE}-fill`,
    type: 'fill',
    source: SOURCE,
    paint: { 'fill-color': '#7c3aed', 'fill-opacity': 0.08 },
  });
  map.addLayer({
    id: `${SOURCE}-line`,
    type: 'line',
    source: SOURCE,
    paint: { 'line-color': '#7c3aed', 'line-width': 2, 'line-dasharray': [2, 2] },
  });
}
