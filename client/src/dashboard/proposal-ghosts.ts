import type { Polygon } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';

const SOURCE = 'dashboard-proposals';
/** The polygons last asked for per map while waiting for it to be idle. */
const latest = new WeakMap<MapLibreMap, Polygon[]>();

/**
 * Draws the dashboard's proposed areas as dashed ghost outlines over the map (none: cleared). The
 * source and layer are added on first use and whenever a style change dropped them.
 */
export function showProposalGhosts(map: MapLibreMap, polygons: Polygon[]): void {
  const waiting = latest.has(map);
  latest.set(map, polygons);
  if (!map.isStyleLoaded()) {
    // Once idle, draw whatever was asked for last.
    if (!waiting)
      map.once('idle', () => {
        const last = latest.get(map);
        if (last) draw(map, last);
      });
    return;
  }
  draw(map, polygons);
}

function draw(map: MapLibreMap, polygons: Polygon[]): void {
  latest.delete(map);
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
