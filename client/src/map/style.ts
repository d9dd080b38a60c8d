import type {
  ExpressionSpecification,
  FilterSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';
import type { DataLayer } from '../../../core/vocabulary.ts';
import { basemapStyle, isImagery, ownFillOpacity, resolveBasemap } from './basemap.ts';
import type { Language } from '../i18n/messages.ts';
import {
  BASEMAP_COLOURS as B,
  BUILDING_COLOURS,
  CAMERA_COLOURS,
  COMPOUND_COLOURS,
  GATE_COLOURS,
  JURISDICTION_COLOURS as J,
  SELECTION_COLOUR,
  SERVICE_AREA_COLOURS,
  UNCOVERED_THREE_NO_OUTLINE,
} from '../palette.ts';

/** The layer switcher's entries, bottom to top; each switches a group of style layers. */
export const LAYER_GROUPS = [
  'tianditu',
  'basemap',
  'jurisdictions',
  'service-areas',
  'compounds',
  'buildings',
  'cameras',
  'gates',
] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];
export type LayerVisibility = Record<LayerGroup, boolean>;

export const DEFAULT_VISIBILITY: LayerVisibility = {
  tianditu: true,
  basemap: true,
  jurisdictions: true,
  'service-areas': true,
  compounds: true,
  buildings: true,
  cameras: true,
  gates: true,
};

/** Buildings' tiles start here (server/src/layers.ts); below it the compounds are filled instead. */
export const BUILDINGS_MIN_ZOOM = 14;
/** The demo district's middle: the first view when the database has no district to open on. */
export const DEFAULT_CENTER: [number, number] = [105.59, 30.53];
export const DEFAULT_ZOOM = 13;

/** Points of the streets' names, filled by the app from `/api/jurisdictions` (see labels.ts). */
export const JURISDICTION_LABEL_SOURCE = 'jurisdiction-labels';

/** The font labels are drawn with: one self-hosted CJK file, so Chinese renders with no network. */
export const LABEL_FONT = 'Noto Sans SC Regular';
/**
 * Where MapLibre finds that file: not its URL but a protocol of the app's (controller.ts), which hands
 * over the bytes the page downloaded once for the panels too (fonts.ts), instead of a second download.
 */
export const LABEL_FONT_URL = 'wuyou-font://NotoSansSC-Regular.ttf';

export interface StyleOptions {
  lang: Language;
  visibility: LayerVisibility;
  /** 天地图 key; absent → no raster basemap and no request leaves the machine. */
  tiandituKey?: string | null;
  /** The basemap under the app's layers (group `tianditu`); absent → the first there is. */
  basemap?: BasemapChoice | null;
  /** Offline basemaps this server serves. */
  offline?: readonly Basemap[];
}

const covered: ExpressionSpecification = ['==', ['get', 'covered'], true];

function tileSource(layer: string, minzoom: number, maxzoom = 16): SourceSpecification {
  // Relative URL on purpose: same origin as the page. Tiles above z16 are over-zoomed from z16.
  return { type: 'vector', tiles: [`/tiles/${layer}/{z}/{x}/{y}.mvt`], minzoom, maxzoom };
}

/**
 * Area labels read the same tiles from a low zoom: a polygon gets one label per tile it is cut
 * into, so big tiles give one name per area where z16 tiles gave two or three. Streets, large enough
 * to cross tile borders at any zoom, get one point each instead (JURISDICTION_LABEL_SOURCE).
 */
const LABEL_SOURCES = {
  'service-area-labels': { layer: 'service-areas', minzoom: 10, maxzoom: 13 },
  'compound-labels': { layer: 'compounds', minzoom: 11, maxzoom: 13 },
} as const;

/** `yes` for an uncovered 三无 building, else `no`. */
function uncoveredThreeNo<T extends string | number>(yes: T, no: T): ExpressionSpecification {
  return ['case', ['all', ['==', ['get', 'category'], 'three_no'], ['!', covered]], yes, no];
}

/** The building fill: category picks the hue, coverage the strength. */
function buildingColour(): ExpressionSpecification {
  const pick = (c: keyof typeof BUILDING_COLOURS): ExpressionSpecification => [
    'case',
    covered,
    BUILDING_COLOURS[c].covered,
    BUILDING_COLOURS[c].uncovered,
  ];
  return [
    'match',
    ['get', 'category'],
    'three_no',
    pick('three_no'),
    'self_managed',
    pick('self_managed'),
    'professional',
    pick('professional'),
    pick('unknown'),
  ];
}

function matchColour(
  property: string,
  colours: Record<string, string>,
  fallback: string,
): ExpressionSpecification {
  const pairs = Object.entries(colours).flat();
  return ['match', ['get', property], ...pairs, fallback] as unknown as ExpressionSpecification;
}

/** A label's text in the current language: `name_en` in English where the data has it. */
export function labelText(lang: Language): ExpressionSpecification {
  return lang === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name']] : ['get', 'name'];
}

const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.4, 'text-halo-blur': 0.3 };

/** Style layers by switcher group; the click order of the data layers is in INTERACTIVE_LAYERS. */
export function styleLayers(): Record<LayerGroup | 'base' | 'selection', LayerSpecification[]> {
  return {
    base: [{ id: 'background', type: 'background', paint: { 'background-color': B.background } }],
    // The chosen basemap's layers come from basemap.ts (which ones depends on the choice).
    tianditu: [],
    basemap: [
      {
        id: 'basemap-blocks',
        type: 'fill',
        source: 'basemap',
        'source-layer': 'blocks',
        paint: { 'fill-color': B.blocks, 'fill-opacity': 0.8 },
      },
      {
        id: 'basemap-water',
        type: 'fill',
        source: 'basemap',
        'source-layer': 'water',
        paint: { 'fill-color': B.water },
      },
      ...roadLayers(),
    ],
    jurisdictions: [
      {
        // Invisible, so that a click anywhere inside a boundary finds its jurisdiction.
        id: 'jurisdictions-fill',
        type: 'fill',
        source: 'jurisdictions',
        'source-layer': 'jurisdictions',
        paint: { 'fill-color': '#000000', 'fill-opacity': 0 },
      },
      {
        id: 'jurisdictions-community-line',
        type: 'line',
        source: 'jurisdictions',
        'source-layer': 'jurisdictions',
        minzoom: 13,
        filter: ['==', ['get', 'level'], 'community'],
        paint: { 'line-color': J.community, 'line-width': 1, 'line-dasharray': [1, 2] },
      },
      {
        id: 'jurisdictions-street-line',
        type: 'line',
        source: 'jurisdictions',
        'source-layer': 'jurisdictions',
        filter: ['==', ['get', 'level'], 'street'],
        paint: {
          'line-color': J.street,
          'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.2, 16, 2.5],
          'line-dasharray': [4, 2, 1, 2],
          'line-opacity': 0.85,
        },
      },
      {
        id: 'jurisdictions-district-line',
        type: 'line',
        source: 'jurisdictions',
        'source-layer': 'jurisdictions',
        filter: ['==', ['get', 'level'], 'district'],
        paint: {
          'line-color': J.district,
          'line-width': ['interpolate', ['linear'], ['zoom'], 10, 2, 16, 4],
        },
      },
    ],
    'service-areas': [
      {
        id: 'service-areas-fill',
        type: 'fill',
        source: 'service-areas',
        'source-layer': 'service-areas',
        paint: {
          'fill-color': matchColour('management_mode', SERVICE_AREA_COLOURS, '#777777'),
          'fill-opacity': ['case', ['==', ['get', 'status'], 'draft'], 0.05, 0.1],
        },
      },
    ],
    compounds: [
      {
        id: 'compounds-fill',
        type: 'fill',
        source: 'compounds',
        'source-layer': 'compounds',
        paint: {
          'fill-color': matchColour('category', COMPOUND_COLOURS, '#999999'),
          // Filled while buildings are hidden, then only clickable (buildings take over the colour).
          'fill-opacity': [
            'interpolate',
            ['linear'],
            ['zoom'],
            BUILDINGS_MIN_ZOOM - 0.2,
            0.55,
            BUILDINGS_MIN_ZOOM,
            0,
          ],
        },
      },
      {
        id: 'compounds-outline',
        type: 'line',
        source: 'compounds',
        'source-layer': 'compounds',
        paint: {
          'line-color': matchColour('category', COMPOUND_COLOURS, '#999999'),
          'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.5, 16, 1.5],
          'line-opacity': 0.9,
        },
      },
    ],
    buildings: [
      {
        id: 'buildings-fill',
        type: 'fill',
        source: 'buildings',
        'source-layer': 'buildings',
        minzoom: BUILDINGS_MIN_ZOOM,
        paint: {
          'fill-color': buildingColour(),
          'fill-opacity': ['case', covered, 0.7, 0.92],
        },
      },
      {
        id: 'buildings-outline',
        type: 'line',
        source: 'buildings',
        'source-layer': 'buildings',
        minzoom: BUILDINGS_MIN_ZOOM,
        paint: {
          'line-color': uncoveredThreeNo(UNCOVERED_THREE_NO_OUTLINE, 'rgba(60, 60, 60, 0.35)'),
          // zoom may only drive a top-level interpolate, so the case sits inside each stop.
          'line-width': [
            'interpolate',
            ['linear'],
            ['zoom'],
            14,
            uncoveredThreeNo(0.8, 0.4),
            18,
            uncoveredThreeNo(2, 0.6),
          ],
        },
      },
    ],
    cameras: [
      {
        id: 'cameras-circle',
        type: 'circle',
        source: 'cameras',
        'source-layer': 'cameras',
        paint: {
          'circle-color': matchColour('system', CAMERA_COLOURS, CAMERA_COLOURS.other),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, 1.5, 16, 3, 17, 5],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
          'circle-opacity': ['case', ['==', ['get', 'status'], 'active'], 1, 0.5],
        },
      },
    ],
    gates: [
      {
        id: 'gates-circle',
        type: 'circle',
        source: 'gates',
        'source-layer': 'gates',
        paint: {
          'circle-color': matchColour('kind', GATE_COLOURS, GATE_COLOURS.pedestrian),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1.5, 18, 4],
          'circle-stroke-color': ['case', ['==', ['get', 'access_control'], true], '#2e7d32', '#ffffff'],
          'circle-stroke-width': 1,
        },
      },
    ],
    selection: selectionLayers(),
  };
}

function roadLayers(): LayerSpecification[] {
  // Wide enough at zoom 17 to read as streets between the compounds (at 6 px a local road vanished
  // under the building outlines), with a casing dark enough to show on the light blocks.
  const kinds = [
    { kind: 'local', minzoom: 13, w: [13, 0.8, 18, 12], fill: B.local, casing: B.localCasing },
    { kind: 'secondary', minzoom: 11, w: [11, 1, 18, 18], fill: B.secondary, casing: B.secondaryCasing },
    { kind: 'arterial', minzoom: 0, w: [10, 1.5, 18, 26], fill: B.arterial, casing: B.arterialCasing },
  ] as const;
  const width = (w: readonly number[], extra: number): ExpressionSpecification => [
    'interpolate',
    ['exponential', 1.5],
    ['zoom'],
    w[0]!,
    w[1]! + extra,
    w[2]!,
    w[3]! + extra,
  ];
  const layer = (k: (typeof kinds)[number], part: 'casing' | 'fill'): LayerSpecification => ({
    id: `basemap-road-${k.kind}-${part}`,
    type: 'line',
    source: 'basemap',
    'source-layer': 'roads',
    minzoom: k.minzoom,
    filter: ['==', ['get', 'kind'], k.kind],
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': part === 'casing' ? k.casing : k.fill,
      'line-width': width(k.w, part === 'casing' ? 2 : 0),
    },
  });
  return [...kinds.map((k) => layer(k, 'casing')), ...kinds.map((k) => layer(k, 'fill'))];
}

/** Outlines of the areas, over the buildings so that a boundary is never hidden under a roof. */
function serviceAreaLines(): LayerSpecification[] {
  const line = (status: 'approved' | 'draft'): LayerSpecification => ({
    id: `service-areas-line-${status}`,
    type: 'line',
    source: 'service-areas',
    'source-layer': 'service-areas',
    filter: ['==', ['get', 'status'], status],
    paint: {
      'line-color': matchColour('management_mode', SERVICE_AREA_COLOURS, '#777777'),
      'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.2, 17, 3],
      ...(status === 'draft' ? { 'line-dasharray': [3, 2] } : {}),
    },
  });
  return [line('approved'), line('draft')];
}

/** The selected feature's outline; filters are set by `selectionFilter` when the user clicks. */
export const SELECTION_LAYERS: Record<DataLayer, string> = {
  buildings: 'selection-buildings',
  compounds: 'selection-compounds',
  'service-areas': 'selection-service-areas',
  jurisdictions: 'selection-jurisdictions',
  cameras: 'selection-cameras',
  gates: 'selection-gates',
};

/** The property a data layer's features are told apart by (jurisdictions have codes, not ids). */
export const FEATURE_KEY: Record<DataLayer, string> = {
  buildings: 'id',
  compounds: 'id',
  'service-areas': 'id',
  jurisdictions: 'code',
  cameras: 'id',
  gates: 'id',
};

export function selectionFilter(layer: DataLayer, key: string | number | null): FilterSpecification {
  // Tiles from ST_AsMVT carry ids as numbers, the JS encoder as strings: compare as strings.
  return ['==', ['to-string', ['get', FEATURE_KEY[layer]]], key === null ? '\u0000none' : String(key)];
}

function selectionLayers(): LayerSpecification[] {
  const none = (l: DataLayer) => selectionFilter(l, null);
  const polygon = (l: DataLayer): LayerSpecification => ({
    id: SELECTION_LAYERS[l],
    type: 'line',
    source: l,
    'source-layer': l,
    filter: none(l),
    paint: { 'line-color': SELECTION_COLOUR, 'line-width': 3.5 },
  });
  const point = (l: DataLayer): LayerSpecification => ({
    id: SELECTION_LAYERS[l],
    type: 'circle',
    source: l,
    'source-layer': l,
    filter: none(l),
    paint: {
      'circle-radius': 9,
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-color': SELECTION_COLOUR,
      'circle-stroke-width': 3,
    },
  });
  return [
    polygon('jurisdictions'),
    polygon('service-areas'),
    polygon('compounds'),
    polygon('buildings'),
    point('cameras'),
    point('gates'),
  ];
}

/**
 * Label layers: drawn last, over every data layer (and over the camera overlay). Their group decides
 * visibility. MapLibre places the topmost layer's labels first, so the order is the priority when
 * names collide: 街道 names, then service areas, compounds, roads, water last.
 */
export function labelLayers(lang: Language): { group: LayerGroup; layer: LayerSpecification }[] {
  const name = labelText(lang);
  const font = [LABEL_FONT];
  return [
    {
      group: 'basemap',
      layer: {
        id: 'basemap-water-label',
        type: 'symbol',
        source: 'basemap',
        'source-layer': 'water',
        minzoom: 12,
        layout: { 'text-field': name, 'text-font': font, 'text-size': 13, 'text-letter-spacing': 0.3 },
        paint: { 'text-color': B.waterLabel, ...halo },
      },
    },
    {
      group: 'basemap',
      layer: {
        id: 'basemap-road-label',
        type: 'symbol',
        source: 'basemap',
        'source-layer': 'roads',
        minzoom: 13,
        filter: ['has', 'name'],
        layout: {
          'symbol-placement': 'line',
          'text-field': name,
          'text-font': font,
          'text-size': ['interpolate', ['linear'], ['zoom'], 13, 10, 18, 14],
          'symbol-spacing': 350,
          'text-padding': 4,
        },
        paint: { 'text-color': B.roadLabel, ...halo },
      },
    },
    {
      group: 'compounds',
      layer: {
        id: 'compounds-label',
        type: 'symbol',
        source: 'compound-labels',
        'source-layer': 'compounds',
        // From 16: at 15 the service areas' names (mostly the compound's name again) are enough.
        minzoom: 16,
        layout: {
          'text-field': name,
          'text-font': font,
          'text-size': 12,
          'text-max-width': 8,
          'text-padding': 6,
        },
        paint: { 'text-color': '#3b3b3b', ...halo },
      },
    },
    {
      group: 'service-areas',
      layer: {
        id: 'service-areas-label',
        type: 'symbol',
        source: 'service-area-labels',
        'source-layer': 'service-areas',
        minzoom: 14,
        layout: {
          'text-field': name,
          'text-font': font,
          'text-size': 12,
          'text-max-width': 8,
          'text-padding': 6,
        },
        paint: { 'text-color': matchColour('management_mode', SERVICE_AREA_COLOURS, '#555555'), ...halo },
      },
    },
    {
      group: 'jurisdictions',
      layer: {
        id: 'jurisdictions-street-label',
        type: 'symbol',
        source: JURISDICTION_LABEL_SOURCE,
        minzoom: 10,
        maxzoom: 15.5,
        filter: ['==', ['get', 'level'], 'street'],
        layout: {
          'text-field': name,
          'text-font': font,
          'text-size': ['interpolate', ['linear'], ['zoom'], 10, 13, 15, 18],
          'text-letter-spacing': 0.15,
          'text-max-width': 10,
        },
        paint: { 'text-color': J.street, 'text-halo-color': '#ffffff', 'text-halo-width': 2 },
      },
    },
  ];
}

/** Which style layers belong to which switcher group (labels included). */
export function layerIdsByGroup(lang: Language = 'zh-CN'): Record<LayerGroup, string[]> {
  const all = styleLayers();
  const out = Object.fromEntries(LAYER_GROUPS.map((g) => [g, all[g].map((l) => l.id)])) as Record<
    LayerGroup,
    string[]
  >;
  out['service-areas'].push(...serviceAreaLines().map((l) => l.id));
  for (const { group, layer } of labelLayers(lang)) out[group].push(layer.id);
  return out;
}

/** Style layers that answer a click, most specific first, with the data layer each one shows. */
export const INTERACTIVE_LAYERS: { id: string; layer: DataLayer }[] = [
  { id: 'cameras-circle', layer: 'cameras' },
  { id: 'gates-circle', layer: 'gates' },
  { id: 'buildings-fill', layer: 'buildings' },
  { id: 'compounds-fill', layer: 'compounds' },
  { id: 'service-areas-fill', layer: 'service-areas' },
  { id: 'jurisdictions-fill', layer: 'jurisdictions' },
];

/** The whole style. Every source is a relative URL of this server unless a 天地图 key is given. */
export function buildStyle({
  lang,
  visibility,
  tiandituKey,
  basemap,
  offline = [],
}: StyleOptions): StyleSpecification {
  const groups = styleLayers();
  const sources: Record<string, SourceSpecification> = {
    basemap: tileSource('basemap', 0),
    jurisdictions: tileSource('jurisdictions', 0),
    'service-areas': tileSource('service-areas', 10),
    compounds: tileSource('compounds', 11),
    buildings: tileSource('buildings', BUILDINGS_MIN_ZOOM),
    cameras: tileSource('cameras', 13),
    gates: tileSource('gates', 14),
  };
  for (const [id, l] of Object.entries(LABEL_SOURCES))
    sources[id] = tileSource(l.layer, l.minzoom, l.maxzoom);
  sources[JURISDICTION_LABEL_SOURCE] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  const resolved = resolveBasemap(basemap, { tiandituKey, offline });
  const chosen = basemapStyle(resolved, { tiandituKey, offline });
  // under imagery the app's own block and water fills would cover it: they go transparent
  const imagery = isImagery(resolved, offline);
  const own = (l: LayerSpecification): LayerSpecification =>
    l.type === 'fill' && l.id.startsWith('basemap-')
      ? ({ ...l, paint: { ...l.paint, 'fill-opacity': ownFillOpacity(l.id, imagery) } } as LayerSpecification)
      : l;
  Object.assign(sources, chosen.sources);
  const show = (group: LayerGroup, layer: LayerSpecification): LayerSpecification =>
    layer.type === 'background'
      ? layer
      : ({
          ...layer,
          layout: { ...(layer.layout ?? {}), visibility: visibility[group] ? 'visible' : 'none' },
        } as LayerSpecification);
  const layers: LayerSpecification[] = [
    ...groups.base,
    ...chosen.layers.map((l) => show('tianditu', l)),
    ...groups.basemap.map((l) => show('basemap', own(l))),
    ...groups.compounds.map((l) => show('compounds', l)),
    ...groups['service-areas'].map((l) => show('service-areas', l)),
    ...groups.buildings.map((l) => show('buildings', l)),
    ...serviceAreaLines().map((l) => show('service-areas', l)),
    ...groups.jurisdictions.map((l) => show('jurisdictions', l)),
    ...groups.cameras.map((l) => show('cameras', l)),
    ...groups.gates.map((l) => show('gates', l)),
    ...groups.selection,
    ...labelLayers(lang).map(({ group, layer }) => show(group, layer)),
  ];
  return {
    version: 8,
    name: '五有地图',
    sources,
    layers,
    'font-faces': { [LABEL_FONT]: LABEL_FONT_URL },
  };
}
