import { describe, expect, it } from 'vitest';
import { paddedView } from './live-tiles.ts';

/** The [w, s, e, n] of vector tile x/y at zoom z (Web Mercator). */
function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const lon = (i: number) => (i / 2 ** z) * 360 - 180;
  const lat = (j: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / 2 ** z))) * 180) / Math.PI;
  return [lon(x), lat(y + 1), lon(x + 1), lat(y)];
}
const tileOf = (z: number, lon: number, lat: number): [number, number] => {
  const r = (lat * Math.PI) / 180;
  return [
    Math.floor(((lon + 180) / 360) * 2 ** z),
    Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z),
  ];
};

describe('issue 12: the view a live stream is filtered to', () => {
  it('holds every 512 px tile the map loads for the visible bounds, with its buffer, at each zoom 10–18', () => {
    const view = [105.5851, 30.5201, 105.5973, 30.5322]; // a street corner of 遂宁
    for (let zoom = 10; zoom <= 18.5; zoom += 0.5) {
      const box = paddedView(view, zoom)!;
      // 512 px vector tiles: the map asks for zoom − 1; corner tiles of the view reach furthest out
      const z = Math.max(0, Math.floor(zoom) - 1);
      for (const [lon, lat] of [
        [view[0]!, view[1]!],
        [view[2]!, view[3]!],
      ] as const) {
        const [x, y] = tileOf(z, lon, lat);
        const [tw, ts, te, tn] = tileBounds(z, x, y);
        // with the tile's buffer (tile-part.sql: 64 of 4096 per side)
        const [bx, by] = [(te - tw) / 64, (tn - ts) / 64];
        const [w, s, e, n] = [tw - bx, ts - by, te + bx, tn + by];
        expect(box[0] <= w && box[1] <= s && box[2] >= e && box[3] >= n, `zoom ${zoom}`).toBe(true);
      }
    }
  });

  it('is small at street zooms, rounded outwards, and null when it would cover the world', () => {
    const box = paddedView([105.5851, 30.5201, 105.5973, 30.5322], 17)!;
    expect(box[2] - box[0]).toBeLessThan(0.03);
    expect(box.every((v) => Math.abs(v * 1e4 - Math.round(v * 1e4)) < 1e-6)).toBe(true);
    expect(paddedView([100, 20, 110, 35], 1)).toBeNull();
  });
});
