import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import {
  buildStyle,
  DEFAULT_VISIBILITY,
  INTERACTIVE_LAYERS,
  layerIdsByGroup,
  LAYER_GROUPS,
  SELECTION_LAYERS,
} from './style.ts';
import { BASEMAP_BEFORE, basemapChoices, isBasemapId, resolveBasemap } from './basemap.ts';
import type { Basemap } from '../../../core/basemaps.ts';

const ORTHO: Basemap = {
  id: 7,
  name: '航拍',
  container: 'mbtiles',
  tileType: 'png',
  minZoom: 14,
  maxZoom: 18,
  bounds: [105.55, 30.5, 105.63, 30.56],
  attribution: '© 航拍',
  vectorLayers: [],
  bytes: 1000,
  tiles: '/api/basemaps/7/{z}/{x}/{y}',
  createdAt: '2026-12-02T00:00:00.000Z',
};
const VECTOR: Basemap = {
  ...ORTHO,
  id: 8,
  tileType: 'mvt',
  vectorLayers: ['landuse', 'roads'],
  tiles: '/api/basemaps/8/{z}/{x}/{y}',
};

const styles = {
  'zh-CN offline': buildStyle({ lang: 'zh-CN', visibility: DEFAULT_VISIBILITY }),
  'en with 天地图': buildStyle({ lang: 'en', visibility: DEFAULT_VISIBILITY, tiandituKey: 'k&ey' }),
  '天地图 影像': buildStyle({
    lang: 'zh-CN',
    visibility: DEFAULT_VISIBILITY,
    tiandituKey: 'key',
    basemap: 'tianditu-img',
  }),
  'offline orthophoto': buildStyle({
    lang: 'zh-CN',
    visibility: DEFAULT_VISIBILITY,
    offline: [ORTHO, VECTOR],
    basemap: 'offline:7',
  }),
  'offline vector': buildStyle({
    lang: 'zh-CN',
    visibility: DEFAULT_VISIBILITY,
    offline: [ORTHO, VECTOR],
    basemap: 'offline:8',
  }),
};

describe('map style', () => {
  for (const [name, style] of Object.entries(styles)) {
    it(`is a valid MapLibre style (${name})`, () => {
      expect(validateStyleMin(style).map((e) => e.message)).toEqual([]);
    });
  }

  it('asks only this server for data when no basemap key is set', () => {
    const urls = Object.values(styles['zh-CN offline'].sources).flatMap((s) =>
      'tiles' in s ? (s.tiles ?? []) : [],
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toMatch(/^\/tiles\/[a-z-]+\/\{z\}\/\{x\}\/\{y\}\.mvt$/);
    expect(styles['zh-CN offline']['font-faces']).toEqual({
      'Noto Sans SC Regular': 'wuyou-font://NotoSansSC-Regular.ttf',
    });
  });

  it('adds 天地图 vec_w and cva_w under the data layers when a key is set, key escaped', () => {
    const style = styles['en with 天地图'];
    const ids = style.layers.map((l) => l.id);
    expect(ids.indexOf('tianditu-cva')).toBeLessThan(ids.indexOf('buildings-fill'));
    const vec = style.sources['tianditu-vec'];
    expect(vec && 'tiles' in vec && vec.tiles?.[0]).toContain('vec_w/wmts?');
    expect(vec && 'tiles' in vec && vec.tiles?.[0]).toContain('tk=k%26ey');
  });

  it('puts every style layer but the background and the selection in one switcher group', () => {
    const groups = layerIdsByGroup();
    const grouped = LAYER_GROUPS.flatMap((g) => groups[g]);
    const ids = styles['en with 天地图'].layers.map((l) => l.id).filter((id) => !isBasemapId(id));
    const selection = Object.values(SELECTION_LAYERS);
    expect(ids.filter((id) => id !== 'background' && !selection.includes(id)).sort()).toEqual(
      [...grouped].sort(),
    );
    for (const l of INTERACTIVE_LAYERS) expect(ids).toContain(l.id);
  });

  it('hides a switched-off group', () => {
    const style = buildStyle({ lang: 'zh-CN', visibility: { ...DEFAULT_VISIBILITY, buildings: false } });
    const buildings = style.layers.filter((l) => layerIdsByGroup().buildings.includes(l.id));
    expect(buildings.length).toBeGreaterThan(0);
    for (const l of buildings) expect(l.layout).toMatchObject({ visibility: 'none' });
  });

  it('issue 11: 天地图 imagery is img_w + cia_w from the same hosts, and no vector tiles with it', () => {
    const style = styles['天地图 影像'];
    const tiles = (id: string) => {
      const s = style.sources[id];
      return s && 'tiles' in s ? (s.tiles ?? []) : [];
    };
    expect(tiles('tianditu-img')).toHaveLength(8);
    for (const [id, layer] of [
      ['tianditu-img', 'img'],
      ['tianditu-cia', 'cia'],
    ] as const)
      for (const [n, u] of tiles(id).entries())
        expect(u).toBe(
          `https://t${n}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=key`,
        );
    expect(style.sources['tianditu-vec']).toBeUndefined();
    const ids = style.layers.map((l) => l.id);
    expect(ids.slice(0, 3)).toEqual(['background', 'tianditu-img', 'tianditu-cia']);
  });

  it('issue 11: the chosen basemap lies under every layer of the app, whichever it is', () => {
    for (const [name, style] of Object.entries(styles)) {
      const ids = style.layers.map((l) => l.id);
      const base = ids.filter(isBasemapId);
      const lastBase = Math.max(...base.map((id) => ids.indexOf(id)));
      expect(ids.indexOf(BASEMAP_BEFORE), name).toBe(base.length + 1);
      expect(lastBase, name).toBeLessThan(ids.indexOf(BASEMAP_BEFORE));
    }
    expect(styles['zh-CN offline'].layers.filter((l) => isBasemapId(l.id))).toEqual([]);
  });

  it("issue 11: under imagery (天地图 影像, an offline orthophoto) the app's own block and water fills go transparent, so the imagery shows; over a vector basemap they stay", () => {
    const opacity = (name: string, id: string) =>
      (
        styles[name as keyof typeof styles].layers.find((l) => l.id === id) as {
          paint: Record<string, unknown>;
        }
      ).paint['fill-opacity'];
    for (const name of ['offline orthophoto', '天地图 影像'] as const) {
      expect(opacity(name, 'basemap-blocks'), name).toBe(0);
      expect(opacity(name, 'basemap-water'), name).toBe(0);
    }
    expect(opacity('offline vector', 'basemap-blocks')).toBe(0.8);
    expect(opacity('zh-CN offline', 'basemap-blocks')).toBe(0.8);
    expect(opacity('zh-CN offline', 'basemap-water')).toBe(1);
  });

  it("issue 11: an offline basemap is this server's tiles, with its zooms, bounds and attribution", () => {
    const raster = styles['offline orthophoto'].sources['offline-7'];
    expect(raster).toEqual({
      type: 'raster',
      tileSize: 256,
      tiles: ['/api/basemaps/7/{z}/{x}/{y}'],
      minzoom: 14,
      maxzoom: 18,
      bounds: ORTHO.bounds,
      attribution: '© 航拍',
    });
    const vector = styles['offline vector'];
    expect(vector.sources['offline-8']).toMatchObject({
      type: 'vector',
      tiles: ['/api/basemaps/8/{z}/{x}/{y}'],
    });
    const layers = vector.layers.filter((l) => isBasemapId(l.id));
    expect(layers.map((l) => 'source-layer' in l && l['source-layer'])).toEqual([
      'landuse',
      'landuse',
      'landuse',
      'roads',
      'roads',
      'roads',
    ]);
    // Offline and without a key: nothing leaves this server.
    for (const s of Object.values(vector.sources))
      for (const u of 'tiles' in s ? (s.tiles ?? []) : []) expect(u).toMatch(/^\//);
  });

  it('issue 11: the switch offers 天地图 only with a key; a stored choice that is gone falls back', () => {
    expect(basemapChoices({ tiandituKey: null, offline: [ORTHO] })).toEqual(['offline:7']);
    expect(basemapChoices({ tiandituKey: 'k', offline: [ORTHO] })).toEqual([
      'tianditu-vec',
      'tianditu-img',
      'offline:7',
    ]);
    expect(resolveBasemap('offline:99', { tiandituKey: 'k', offline: [ORTHO] })).toBe('tianditu-vec');
    expect(resolveBasemap('tianditu-img', { tiandituKey: null, offline: [] })).toBeNull();
    expect(resolveBasemap(null, { tiandituKey: null, offline: [ORTHO] })).toBe('offline:7');
  });
});
