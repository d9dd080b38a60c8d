import type { Feature, FeatureCollection, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import type { GeoJSONSource } from 'maplibre-gl';
import type { EditorMap } from './area-draw.ts';

/** What the editor shows on the map besides the editable outline. */
export interface OverlayContent {
  /** Overlap regions with neighbours: red. */
  overlaps: (Polygon | MultiPolygon)[];
  /** Outlines of overlap regions (available on every drag event, before the regions are). */
  overlapOutlines: MultiLineString[];
  /** Self-intersection crossing points. */
  crossings: Position[];
  /** Footprints the boundary cuts through: highlighted orange. */
  cutBuildings: (Polygon | MultiPolygon)[];
  /** Split-off parts waiting to be saved as new areas. */
  pendingParts: Polygon[];
  /** Another version side by side: an old one from history, or theirs / mine in a conflict. */
  ghosts: { geometry: Polygon; role: 'old' | 'theirs' | 'mine' }[];
}

export const EMPTY_OVERLAY: OverlayContent = {
  overlaps: [],
  overlapOutlines: [],
  crossings: [],
  cutBuildings: [],
  pendingParts: [],
  ghosts: [],
};

const SOURCE = 'editor-overlay';
const GHOST_COLORS = { old: '#7a3fb5', theirs: '#b5283f', mine: '#1f6fd1' };

function fc(features: Feature[]): FeatureCollection {
  return { type: 'FeatureCollection', features };
}

/** One GeoJSON source with a `kind` per feature and a layer per kind, above the data layers. */
export class EditorOverlays {
  readonly #map: EditorMap;
  #destroyed = false;

  constructor(map: EditorMap) {
    this.#map = map;
    if (!map.getSource(SOURCE)) map.addSource(SOURCE, { type: 'geojson', data: fc([]) });
    const add = (layer: Parameters<EditorMap['addLayer']>[0]) => {
      if (!map.getLayer(layer.id)) map.addLayer(layer);
    };
    const kind = (k: string) => ['==', ['get', 'kind'], k] as ['==', ['get', string], string];
    add({
      id: 'editor-ghost-fill',
      type: 'fill',
      source: SOURCE,
      filter: kind('ghost'),
      paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.12 },
    });
    add({
      id: 'editor-ghost-line',
      type: 'line',
      source: SOURCE,
      filter: kind('ghost'),
      paint: { 'line-color': ['get', 'color'], 'line-width': 2.5, 'line-dasharray': [2, 1.5] },
    });
    add({
      id: 'editor-pending-line',
      type: 'line',
      source: SOURCE,
      filter: kind('pending'),
      paint: { 'line-color': '#2a8a4a', 'line-width': 2, 'line-dasharray': [1, 1] },
    });
    add({
      id: 'editor-cut-building',
      type: 'line',
      source: SOURCE,
      filter: kind('cut'),
      paint: { 'line-color': '#ff8c00', 'line-width': 3 },
    });
    add({
      id: 'editor-overlap-fill',
      type: 'fill',
      source: SOURCE,
      filter: kind('overlap'),
      paint: { 'fill-color': '#e0201b', 'fill-opacity': 0.55 },
    });
    add({
      id: 'editor-overlap-outline',
      type: 'line',
      source: SOURCE,
      filter: kind('overlap-outline'),
      paint: { 'line-color': '#e0201b', 'line-width': 3 },
    });
    add({
      id: 'editor-crossing',
      type: 'circle',
      source: SOURCE,
      filter: kind('crossing'),
      paint: {
        'circle-color': '#e0201b',
        'circle-radius': 6,
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 2,
      },
    });
  }

  show(c: OverlayContent): void {
    // A panel may hold this a render after its session ended; the next session owns the source.
    if (this.#destroyed) return;
    const f = (kind: string, geometry: Feature['geometry'], extra: Record<string, string> = {}): Feature => ({
      type: 'Feature',
      geometry,
      properties: { kind, ...extra },
    });
    const data = fc([
      ...c.ghosts.map((g) => f('ghost', g.geometry, { role: g.role, color: GHOST_COLORS[g.role] })),
      ...c.pendingParts.map((g) => f('pending', g)),
      ...c.cutBuildings.map((g) => f('cut', g)),
      ...c.overlaps.map((g) => f('overlap', g)),
      ...c.overlapOutlines.map((g) => f('overlap-outline', g)),
      ...c.crossings.map((p) => f('crossing', { type: 'Point', coordinates: p })),
    ]);
    (this.#map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(data);
  }

  destroy(): void {
    this.#destroyed = true;
    const m = this.#map;
    try {
      for (const id of [
        'editor-crossing',
        'editor-overlap-outline',
        'editor-overlap-fill',
        'editor-cut-building',
        'editor-pending-line',
        'editor-ghost-line',
        'editor-ghost-fill',
      ]) {
        if (m.getLayer(id)) m.removeLayer(id);
      }
      if (m.getSource(SOURCE)) m.removeSource(SOURCE);
    } catch {
      // the map was removed first
    }
  }
}

export type ViewBbox = [number, number, number, number];

/** Calls `onView` with the view's bbox and zoom now and after every move; returns the unsubscribe. */
export function watchView(map: EditorMap, onView: (bbox: ViewBbox, zoom: number) => void): () => void {
  const fire = () => {
    const b = map.getBounds();
    onView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom());
  };
  map.on('moveend', fire);
  fire();
  return () => map.off('moveend', fire);
}

/** Screen position of a lon/lat (browser tests click vertices through this). */
export function screenOf(map: EditorMap, p: Position): { x: number; y: number } {
  return map.project([p[0], p[1]]);
}

/** Reload vector-tile sources after a save so the map shows the new state of the data. */
export function refreshDataSources(map: EditorMap, sourceIds: string[]): void {
  for (const id of sourceIds) {
    const src = map.getSource(id) as { setTiles?(tiles: string[]): unknown; tiles?: string[] } | undefined;
    if (src?.setTiles && src.tiles) src.setTiles([...src.tiles]);
  }
}
