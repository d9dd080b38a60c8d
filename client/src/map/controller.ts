import {
  addProtocol,
  type IControl,
  Map as MapLibreMap,
  NavigationControl,
  type PaddingOptions,
  type GeoJSONSource,
  ScaleControl,
  setWorkerUrl,
  type MapGeoJSONFeature,
  type MapMouseEvent,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';
import type { DataLayer } from '../../../core/vocabulary.ts';
import type { Bbox } from '../api.ts';
import { cjkFontBytes } from '../fonts.ts';
import { MESSAGES, type Language } from '../i18n/messages.ts';
import {
  BASEMAP_BEFORE,
  OWN_FILL_OPACITY,
  basemapStyle,
  isBasemapId,
  isImagery,
  ownFillOpacity,
  resolveBasemap,
} from './basemap.ts';
import { cameraForBbox } from './camera.ts';
import { interactionOf, type Interaction } from './interaction.ts';
import { pressClaimed } from './click-claim.ts';
import { labelPoints } from './labels.ts';
import { panelPadding } from './panel-padding.ts';
import {
  buildStyle,
  DEFAULT_CENTER,
  DEFAULT_ZOOM,
  FEATURE_KEY,
  INTERACTIVE_LAYERS,
  JURISDICTION_LABEL_SOURCE,
  labelLayers,
  labelText,
  layerIdsByGroup,
  LABEL_FONT_URL,
  LAYER_GROUPS,
  SELECTION_LAYERS,
  selectionFilter,
  type LayerVisibility,
} from './style.ts';

// Under Vite the worker is not found unless its URL is handed over (STACK-NOTES).
setWorkerUrl(workerUrl);
// The labels' font comes from the page's one download of it (fonts.ts), not from a second fetch.
addProtocol(LABEL_FONT_URL.split('://')[0]!, async () => ({ data: (await cjkFontBytes()).slice(0) }));

/** The room the panels take on each side of the map, in pixels. */
export type PanelRoom = Required<PaddingOptions>;

/** A feature under a click, as plain data for the panels (no map types leave client/src/map). */
export interface PickedFeature {
  layer: DataLayer;
  /** id (or jurisdiction code) as a string. */
  key: string;
  properties: Record<string, unknown>;
}

export interface MapControllerOptions {
  lang: Language;
  visibility: LayerVisibility;
  tiandituKey?: string | null;
  /** The basemap shown first, and the offline basemaps there are. */
  basemap?: BasemapChoice | null;
  offline?: readonly Basemap[];
  /**
   * The district's extent, which the map opens on unless the URL names a view (`#zoom/lat/lon`), and
   * the room the panels take then: the first tiles are those of the view the user gets.
   */
  home?: { bbox: Bbox; room(): PanelRoom } | null;
  /** Called on every click: the features under it, most specific first, and where it was. */
  onPick(features: PickedFeature[], at: [number, number]): void;
  onError?(message: string): void;
}

/** MapLibre's UI strings (control tooltips, scale units) from the app's messages. */
function mapUiWords(lang: Language): Record<string, string> {
  const m = MESSAGES[lang];
  return {
    'NavigationControl.ZoomIn': m['map.zoomIn'],
    'NavigationControl.ZoomOut': m['map.zoomOut'],
    'NavigationControl.ResetBearing': m['map.resetBearing'],
    'AttributionControl.ToggleAttribution': m['map.attribution'],
    'ScaleControl.Meters': m['map.meters'],
    'ScaleControl.Kilometers': m['map.kilometers'],
  };
}

/**
 * The MapLibre map of the app: owns the style, the controls, the click picking and the selection
 * outline. The container gets `data-map-state` = `loading` | `busy` | `idle` so tests can wait for
 * rendering to finish; the view lives in the URL hash (`#zoom/lat/lon`).
 *
 * @example
 *   const map = new MapController(div, { lang: 'zh-CN', visibility: DEFAULT_VISIBILITY, onPick });
 *   map.fitBbox([105.55, 30.50, 105.62, 30.56]);
 *   map.destroy();
 */
export class MapController {
  private readonly map: MapLibreMap;
  /** Who has the pointer (browse, editing an area, aiming a camera, placing a point). */
  readonly interaction: Interaction;
  private readonly groups = layerIdsByGroup();
  private loaded = false;
  private visibility: LayerVisibility;

  constructor(
    private readonly container: HTMLElement,
    private readonly opts: MapControllerOptions,
  ) {
    container.dataset.mapState = 'loading';
    this.visibility = opts.visibility;
    container.dataset.basemap = resolveBasemap(opts.basemap, { ...opts, offline: opts.offline ?? [] }) ?? '';
    // At the district's view from the first frame (a view in the URL's hash wins over both).
    const home = opts.home;
    const camera = home
      ? cameraForBbox(
          home.bbox,
          { width: container.clientWidth, height: container.clientHeight },
          fitPadding(home.room()),
          { minZoom: 8, maxZoom: 17 },
        )
      : { center: DEFAULT_CENTER, zoom: DEFAULT_ZOOM };
    this.map = new MapLibreMap({
      container,
      style: buildStyle(opts),
      center: camera.center,
      zoom: camera.zoom,
      minZoom: 8,
      maxZoom: 20,
      hash: true,
      attributionControl: opts.tiandituKey || opts.offline?.length ? { compact: true } : false,
      // The controls' tooltips and the scale's units in the page's language (MapLibre's are English).
      locale: mapUiWords(opts.lang),
    });
    this.interaction = interactionOf(this.map);
    this.addControls();
    this.map.on('load', () => {
      this.loaded = true;
    });
    this.map.on('movestart', () => this.setState('busy'));
    this.map.on('dataloading', () => this.setState('busy'));
    this.map.on('idle', () => this.setState('idle'));
    this.map.on('error', (e) => {
      const message = e.error?.message ?? String(e.error);
      console.warn('map error:', message);
      if (!this.loaded) opts.onError?.(message);
    });
    this.map.on('click', (e) => this.pick(e));
    this.map.on('mousemove', (e) => {
      if (!this.interaction.picksFeatures) return;
      const hit = this.featuresAt(e).length > 0;
      this.map.getCanvas().style.cursor = hit ? 'pointer' : '';
    });
  }

  /** The MapLibre map itself, for the service-area editor's drawing layer (client/src/map/draw). */
  get maplibre(): MapLibreMap {
    return this.map;
  }

  private setState(state: 'busy' | 'idle') {
    this.container.dataset.mapState = state;
  }

  private featuresAt(e: MapMouseEvent): MapGeoJSONFeature[] {
    const layers = INTERACTIVE_LAYERS.map((l) => l.id).filter((id) => this.map.getLayer(id));
    return this.map.queryRenderedFeatures(e.point, { layers });
  }

  private pick(e: MapMouseEvent) {
    // While an area is edited or a point placed, the click is theirs alone: no card opens under it.
    if (!this.interaction.picksFeatures) return;
    // A camera, gate or suggested camera took this click: no card of what lies under it.
    if (pressClaimed(this.map)) return;
    const hits = this.featuresAt(e);
    const order = (id: string) => INTERACTIVE_LAYERS.findIndex((l) => l.id === id);
    const levelRank = (f: MapGeoJSONFeature) =>
      ({ community: 0, street: 1, district: 2 })[String(f.properties.level)] ?? 3;
    hits.sort((a, b) => order(a.layer.id) - order(b.layer.id) || levelRank(a) - levelRank(b));
    const seen = new Set<string>();
    const picked: PickedFeature[] = [];
    for (const f of hits) {
      const layer = INTERACTIVE_LAYERS[order(f.layer.id)]!.layer;
      const key = String(f.properties[FEATURE_KEY[layer]] ?? '');
      // A feature cut by tile borders comes back once per tile.
      if (!key || seen.has(`${layer}/${key}`)) continue;
      seen.add(`${layer}/${key}`);
      picked.push({ layer, key, properties: { ...f.properties } });
    }
    this.opts.onPick(picked, [e.lngLat.lng, e.lngLat.lat]);
  }

  /** Outlines one feature (or none). */
  select(feature: { layer: DataLayer; key: string } | null) {
    const apply = () => {
      for (const [layer, id] of Object.entries(SELECTION_LAYERS) as [DataLayer, string][]) {
        const key = feature && feature.layer === layer ? feature.key : null;
        this.map.setFilter(id, selectionFilter(layer, key));
      }
    };
    this.whenLoaded(apply);
  }

  /** Runs `fn` now if the map has loaded, else once it has (style changes before that would be lost). */
  private whenLoaded(fn: () => void) {
    if (this.loaded) fn();
    else this.map.once('load', fn);
  }

  /** Places the streets' names, one per street, from the jurisdictions' polygons. */
  setJurisdictionLabels(jurisdictions: GeoJSON.FeatureCollection) {
    const points = labelPoints(jurisdictions, (p) => p?.level === 'street');
    const apply = () => this.map.getSource<GeoJSONSource>(JURISDICTION_LABEL_SOURCE)?.setData(points);
    this.whenLoaded(apply);
  }

  /**
   * Shows another basemap: the old one's layers and sources go, the new one's come in right above
   * the background (before BASEMAP_BEFORE), so every layer of the app stays on top of it.
   */
  setBasemap(choice: BasemapChoice | null, offline: readonly Basemap[]) {
    const apply = () => {
      const style = this.map.getStyle();
      for (const l of style.layers) if (isBasemapId(l.id)) this.map.removeLayer(l.id);
      for (const id of Object.keys(style.sources)) if (isBasemapId(id)) this.map.removeSource(id);
      const next = basemapStyle(choice, { tiandituKey: this.opts.tiandituKey, offline });
      for (const [id, source] of Object.entries(next.sources)) this.map.addSource(id, source);
      const visibility = this.visibility.tianditu ? 'visible' : 'none';
      for (const layer of next.layers)
        this.map.addLayer(
          { ...layer, layout: { ...(layer.layout ?? {}), visibility } } as typeof layer,
          BASEMAP_BEFORE,
        );
      const imagery = isImagery(choice, offline);
      for (const id of Object.keys(OWN_FILL_OPACITY))
        if (this.map.getLayer(id)) this.map.setPaintProperty(id, 'fill-opacity', ownFillOpacity(id, imagery));
      this.container.dataset.basemap = choice ?? '';
    };
    this.whenLoaded(apply);
  }

  /** The style's layer ids, bottom to top (tests check the order). */
  layerOrder(): string[] {
    return this.map.getLayersOrder();
  }

  setVisibility(visibility: LayerVisibility) {
    this.visibility = visibility;
    for (const id of this.map.getLayersOrder())
      if (isBasemapId(id))
        this.map.setLayoutProperty(id, 'visibility', visibility.tianditu ? 'visible' : 'none');
    for (const group of LAYER_GROUPS) {
      for (const id of this.groups[group]) {
        if (this.map.getLayer(id)) {
          this.map.setLayoutProperty(id, 'visibility', visibility[group] ? 'visible' : 'none');
        }
      }
    }
  }

  private controls: IControl[] = [];

  /** Navigation and scale, worded from the map's locale when added (so added again on a switch). */
  private addControls() {
    for (const c of this.controls) this.map.removeControl(c);
    const nav = new NavigationControl({ visualizePitch: false });
    const scale = new ScaleControl({ unit: 'metric', maxWidth: 120 });
    this.map.addControl(nav, 'bottom-right');
    this.map.addControl(scale, 'bottom-left');
    this.controls = [nav, scale];
  }

  setLanguage(lang: Language) {
    // MapLibre reads its words as a control is built: patch the table, then build them again.
    Object.assign(this.map._locale, mapUiWords(lang));
    this.addControls();
    for (const { layer } of labelLayers(lang)) {
      if (this.map.getLayer(layer.id)) this.map.setLayoutProperty(layer.id, 'text-field', labelText(lang));
    }
  }

  /** Fits a box into the part of the map the panels leave free (see panel-padding.ts). */
  fitBbox([w, s, e, n]: Bbox, opts: { animate?: boolean; maxZoom?: number } = {}) {
    const padding = fitPadding(panelPadding(this.map));
    this.map.fitBounds(
      [
        [w, s],
        [e, n],
      ],
      { padding, maxZoom: opts.maxZoom ?? 17, animate: opts.animate ?? true, duration: 1200 },
    );
  }

  destroy() {
    this.interaction.destroy();
    this.map.remove();
  }
}

/** A zoom-to's padding: a margin around the target, beside the panels. */
function fitPadding(room: PanelRoom): PanelRoom {
  return { top: 60 + room.top, bottom: 60 + room.bottom, left: 60 + room.left, right: 60 + room.right };
}
