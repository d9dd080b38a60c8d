import type { Polygon } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { whenStyleReady } from './style-ready.ts';

/** What the dashboard draws over the map for the street shown: its gaps and the proposed areas. */
export interface DashboardOverlay {
  /** Slivers and holes between the street's areas (uncovered pieces under the area threshold). */
  gaps: Polygon[];
  /** Proposed areas around clusters of uncovered 三无 buildings, drawn as dashed ghosts. */
  proposals: Polygon[];
}

/** Colours of the two, shared with the dashboard's legend. */
export const OVERLAY_COLOURS = { gap: '#ea580c', proposal: '#7c3aed' } as const;

const SOURCE = 'dashboard-overlay';
/** The overlay last asked for per map while waiting for it to be idle. */
const latest = new WeakMap<MapLibreMap, DashboardOverlay>();

/**
 * Draws the dashboard's gaps (orange, filled) and proposals (purple, dashed) over the map; empty
 * lists clear it. The source and layers are added on first use and whenever a style change dropped them.
 */
export function showDashboardOverlay(map: MapLibreMap, overlay: DashboardOverlay): void {
  const waiting = latest.has(map);
  latest.set(map, overlay);
  // Once the style can take it, draw whatever was asked for last.
  if (!waiting)
    whenStyleReady(map, () => {
      const last = latest.get(map);
      if (last) draw(map, last);
    });
}

function draw(map: MapLibreMap, overlay: DashboardOverlay): void {
  latest.delete(map);
  const features = [
    ...overlay.gaps.map((geometry) => ({ geometry, kind: 'gap' })),
    ...overlay.proposals.map((geometry) => ({ geometry, kind: 'proposal' })),
  ].map(({ geometry, kind }, i) => ({
    type: 'Feature' as const,
    id: i,
    geometry,
    properties: { kind },
  }));
  const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
  const source = map.getSource<GeoJSONSource>(SOURCE);
  if (source) {
    source.setData(data);
    return;
  }
  if (!features.length) return;
  const isGap: ['==', ['get', string], string] = ['==', ['get', 'kind'], 'gap'];
  map.addSource(SOURCE, { type: 'geojson', data });
  map.addLayer({
    id: `${SOURCE}-gap-fill`,
    type: 'fill',
    source: SOURCE,
    filter: isGap,
    paint: { 'fill-color': OVERLAY_COLOURS.gap, 'fill-opacity': 0.55 },
  });
  map.addLayer({
    id: `${SOURCE}-gap-line`,
    type: 'line',
    source: SOURCE,
    filter: isGap,
    // slivers are a few metres wide: the outline keeps them visible when zoomed out
    paint: { 'line-color': OVERLAY_COLOURS.gap, 'line-width': 2 },
  });
  map.addLayer({
    id: `${SOURCE}-proposal-fill`,
    type: 'fill',
    source: SOURCE,
    filter: ['!', isGap],
    paint: { 'fill-color': OVERLAY_COLOURS.proposal, 'fill-opacity': 0.08 },
  });
  map.addLayer({
    id: `${SOURCE}-proposal-line`,
    type: 'line',
    source: SOURCE,
    filter: ['!', isGap],
    paint: { 'line-color': OVERLAY_COLOURS.proposal, 'line-width': 2, 'line-dasharray': [2, 2] },
  });
}
