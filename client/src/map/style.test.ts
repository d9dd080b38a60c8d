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

const styles = {
  'zh-CN offline': buildStyle({ lang: 'zh-CN', visibility: DEFAULT_VISIBILITY }),
  'en with 天地图': buildStyle({ lang: 'en', visibility: DEFAULT_VISIBILITY, tiandituKey: 'k&ey' }),
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
      'Noto Sans SC Regular': '/fonts/NotoSansSC-Regular.ttf',
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
    const ids = styles['en with 天地图'].layers.map((l) => l.id);
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
});
