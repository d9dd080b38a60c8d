import type { LayerSpecification, SourceSpecification } from 'maplibre-gl';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';

/**
 * The basemap under the app's own layers, chosen in the layer panel: 天地图 vector (vec_w + cva_w)
 * or imagery (影像 img_w + cia_w) with a key, or an offline basemap (离线底图) this server serves.
 * Its style layers go right above the background, below everything of the app's own.
 */
export interface BasemapOptions {
  tiandituKey?: string | null;
  offline: readonly Basemap[];
}

/** The first of the app's own layers: a basemap is inserted before it, so the app stays on top. */
export const BASEMAP_BEFORE = 'basemap-blocks';

/** Style layers and sources of a chosen basemap carry one of these prefixes (and nothing else does). */
export const isBasemapId = (id: string) => /^(tianditu|offline)-/.test(id);

/** The choices there are, in the switch's order. */
export function basemapChoices({ tiandituKey, offline }: BasemapOptions): BasemapChoice[] {
  return [
    ...(tiandituKey ? (['tianditu-vec', 'tianditu-img'] as const) : []),
    ...offline.map((b) => `offline:${b.id}` as const),
  ];
}

/** `wanted` if it is still there, else the first choice (天地图 vector with a key), else none. */
export function resolveBasemap(
  wanted: BasemapChoice | null | undefined,
  opts: BasemapOptions,
): BasemapChoice | null {
  const all = basemapChoices(opts);
  return wanted && all.includes(wanted) ? wanted : (all[0] ?? null);
}

export function offlineOf(choice: BasemapChoice | null, offline: readonly Basemap[]): Basemap | undefined {
  const m = /^offline:(\d+)$/.exec(choice ?? '');
  return m ? offline.find((b) => b.id === Number(m[1])) : undefined;
}

type TiandituLayer = 'vec' | 'cva' | 'img' | 'cia';

function tiandituSource(layer: TiandituLayer, key: string): SourceSpecification {
  const tiles = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (n) =>
      `https://t${n}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
      `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`,
  );
  return {
    type: 'raster',
    tiles,
    tileSize: 256,
    maxzoom: 18,
    attribution: '© 天地图 国家地理信息公共服务平台',
  };
}

/** Neutral colours for a vector basemap whose own style we do not have. */
const VECTOR = { fill: '#ddd8cc', line: '#a8a294', point: '#8a8474' };

function offlineStyle(b: Basemap): {
  sources: Record<string, SourceSpecification>;
  layers: LayerSpecification[];
} {
  const id = `offline-${b.id}`;
  const common = {
    tiles: [b.tiles],
    minzoom: b.minZoom,
    maxzoom: b.maxZoom,
    bounds: b.bounds,
    ...(b.attribution ? { attribution: b.attribution } : {}),
  };
  if (b.tileType !== 'mvt') {
    return {
      sources: { [id]: { type: 'raster', tileSize: 256, ...common } },
      layers: [{ id, type: 'raster', source: id }],
    };
  }
  const layers: LayerSpecification[] = b.vectorLayers.flatMap((l): LayerSpecification[] => {
    const base = { source: id, 'source-layer': l };
    return [
      {
        id: `${id}-${l}-fill`,
        type: 'fill',
        ...base,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': VECTOR.fill, 'fill-opacity': 0.7 },
      },
      {
        id: `${id}-${l}-line`,
        type: 'line',
        ...base,
        paint: { 'line-color': VECTOR.line, 'line-width': 0.8 },
      },
      {
        id: `${id}-${l}-point`,
        type: 'circle',
        ...base,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-color': VECTOR.point, 'circle-radius': 2 },
      },
    ];
  });
  return { sources: { [id]: { type: 'vector', ...common } }, layers };
}

/** The sources and style layers of one basemap choice (none for null or a choice no longer there). */
export function basemapStyle(
  choice: BasemapChoice | null,
  opts: BasemapOptions,
): { sources: Record<string, SourceSpecification>; layers: LayerSpecification[] } {
  if ((choice === 'tianditu-vec' || choice === 'tianditu-img') && opts.tiandituKey) {
    const [base, labels]: [TiandituLayer, TiandituLayer] =
      choice === 'tianditu-vec' ? ['vec', 'cva'] : ['img', 'cia'];
    return {
      sources: {
        [`tianditu-${base}`]: tiandituSource(base, opts.tiandituKey),
        [`tianditu-${labels}`]: tiandituSource(labels, opts.tiandituKey),
      },
      layers: [
        { id: `tianditu-${base}`, type: 'raster', source: `tianditu-${base}` },
        { id: `tianditu-${labels}`, type: 'raster', source: `tianditu-${labels}` },
      ],
    };
  }
  const b = offlineOf(choice, opts.offline);
  return b ? offlineStyle(b) : { sources: {}, layers: [] };
}

/**
 * Whether the chosen basemap is imagery (天地图 影像 or an offline orthophoto): the app's own block and
 * water fills would cover it, so they are hidden under imagery (roads and labels stay).
 */
export function isImagery(choice: BasemapChoice | null, offline: readonly Basemap[]): boolean {
  if (choice === 'tianditu-img') return true;
  const b = offlineOf(choice, offline);
  return !!b && b.tileType !== 'mvt';
}

/** fill-opacity of the app's own block and water fills: 0 over imagery, else their usual one. */
export const OWN_FILL_OPACITY: Record<string, number> = { 'basemap-blocks': 0.8, 'basemap-water': 1 };
export function ownFillOpacity(id: string, imagery: boolean): number {
  return imagery ? 0 : (OWN_FILL_OPACITY[id] ?? 1);
}
