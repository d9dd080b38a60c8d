import type { GeoJSONSource, LngLatBoundsLike, Map as MapLibreMap } from 'maplibre-gl';
import { whenStyleReady } from './style-ready.ts';

/**
 * The import page's features over the map (导入预览): the file's first features in blue, the ones the
 * check refused in red, and after the commit the imported ones in green. Features carry their
 * index in the file as `index`.
 */
export type PreviewState = 'preview' | 'refused' | 'imported';
export const PREVIEW_COLOURS: Record<PreviewState, string> = {
  preview: '#2563eb',
  refused: '#dc2626',
  imported: '#16a34a',
};

const SOURCE = 'import-preview';
const colour = [
  'match',
  ['get', 'state'],
  'refused',
  PREVIEW_COLOURS.refused,
  'imported',
  PREVIEW_COLOURS.imported,
  PREVIEW_COLOURS.preview,
] as unknown as string;

export function showImportPreview(
  map: MapLibreMap,
  fc: GeoJSON.FeatureCollection | null,
  stateOf: (index: number) => PreviewState = () => 'preview',
  fit = false,
): void {
  whenStyleReady(map, () => {
    const features = (fc?.features ?? []).map((f) => ({
      ...f,
      properties: { index: Number(f.id), state: stateOf(Number(f.id)) },
    }));
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: withOutlines(features) };
    const source = map.getSource<GeoJSONSource>(SOURCE);
    if (source) source.setData(data);
    else {
      map.addSource(SOURCE, { type: 'geojson', data });
      map.addLayer({
        id: `${SOURCE}-fill`,
        type: 'fill',
        source: SOURCE,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': colour, 'fill-opacity': 0.35 },
      });
      map.addLayer({
        id: `${SOURCE}-line`,
        type: 'line',
        source: SOURCE,
        filter: ['match', ['geometry-type'], ['LineString', 'MultiLineString'], true, false],
        paint: { 'line-color': colour, 'line-width': 2 },
      });
      map.addLayer({
        id: `${SOURCE}-point`,
        type: 'circle',
        source: SOURCE,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-color': colour,
          'circle-radius': 6,
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 1.5,
        },
      });
    }
    const el = map.getContainer();
    // How many of the features the map has drawn once it is idle (the browser test's evidence that
    // a refused bow-tie is visible): MapLibre drops what it cannot draw without a word.
    delete el.dataset.importPreviewDrawn;
    map.once('idle', () => {
      const layers = [`${SOURCE}-fill`, `${SOURCE}-line`, `${SOURCE}-point`].filter((id) => map.getLayer(id));
      const drawn = new Set(map.queryRenderedFeatures({ layers }).map((f) => f.properties.index));
      el.dataset.importPreviewDrawn = String(drawn.size);
    });
    el.dataset.importPreview = String(features.length);
    el.dataset.importPreviewStates = features.map((f) => f.properties.state[0]).join('');
    if (fit && features.length) {
      const b = bounds(features);
      if (b) map.fitBounds(b, { padding: 80, maxZoom: 17, animate: false });
    }
  });
}

/**
 * The features, and the rings of each (multi)polygon again as lines. MapLibre drops a polygon ring of
 * no signed area (a symmetric bow-tie: its two loops cancel), so a self-intersecting feature the
 * check refused was not drawn at all, in red or otherwise (a new user's try); its lines always are.
 */
export function withOutlines(features: GeoJSON.Feature[]): GeoJSON.Feature[] {
  const out: GeoJSON.Feature[] = [...features];
  for (const f of features) {
    const g = f.geometry as { type?: string; coordinates?: unknown } | null;
    if (!g || !Array.isArray(g.coordinates)) continue;
    const rings =
      g.type === 'Polygon'
        ? (g.coordinates as GeoJSON.Position[][])
        : g.type === 'MultiPolygon'
          ? (g.coordinates as GeoJSON.Position[][][]).flat()
          : null;
    if (rings?.length) out.push({ ...f, geometry: { type: 'MultiLineString', coordinates: rings } });
  }
  return out;
}

/** The tiles of a data layer asked for again after an import wrote into it. */
export function refreshLayerTiles(map: MapLibreMap, layer: string): void {
  if (map.getSource(layer)) map.refreshTiles(layer);
}

function bounds(features: GeoJSON.Feature[]): LngLatBoundsLike | null {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      [w, s, e, n] = [Math.min(w, x!), Math.min(s, y!), Math.max(e, x!), Math.max(n, y!)];
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  for (const f of features) walk((f.geometry as { coordinates?: unknown } | null)?.coordinates);
  return Number.isFinite(w) ? [w, s, e, n] : null;
}
