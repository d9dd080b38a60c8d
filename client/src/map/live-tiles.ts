import type { Map as MapLibreMap } from 'maplibre-gl';

/** The view a live stream asks for: [west, south, east, north], or null for the whole world. */
export type LiveBbox = [number, number, number, number];

/**
 * The box GET /api/events filters by (issue 12): the visible bounds padded by 1¼ tiles of the
 * current zoom on every side (vector tiles are 512 px: a tile of zoom z − 1), so every tile the map
 * has loaded for the view, with its buffer, lies inside it and a change outside it cannot touch a tile on screen. Rounded
 * outwards to 1e-4° so small pans give the same box; null when it would cover the world.
 */
export function liveViewBbox(map: MapLibreMap): LiveBbox | null {
  const b = map.getBounds();
  return paddedView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom());
}

/** liveViewBbox's arithmetic: `bounds` ([w, s, e, n]) seen at `zoom`, padded and rounded outwards. */
export function paddedView(bounds: readonly number[], zoom: number): LiveBbox | null {
  // one tile of the zoom loaded (512 px: z − 1) and a quarter more for its buffer (64/4096 of a side)
  const pad = (1.25 * 360) / 2 ** Math.max(0, Math.floor(zoom) - 1);
  const down = (x: number) => Math.floor(x * 1e4) / 1e4;
  const up = (x: number) => Math.ceil(x * 1e4) / 1e4;
  const w = Math.max(-180, down(bounds[0]! - pad));
  const s = Math.max(-85, down(bounds[1]! - pad));
  const e = Math.min(180, up(bounds[2]! + pad));
  const n = Math.min(85, up(bounds[3]! + pad));
  if (w <= -180 && e >= 180) return null;
  return w < e && s < n ? [w, s, e, n] : null;
}

interface TileManagerInside {
  _outOfViewCache?: { reset?: () => void };
}

/**
 * A change outside the view bumped `source`'s layer: forget the tiles of it kept off screen (they may
 * be stale when the user pans back) without reloading the ones shown, which it cannot have touched.
 * MapLibre has no public call for that; when its tile manager is not shaped as expected, reload the
 * source (correct, only dearer).
 */
export function forgetOffscreenTiles(map: MapLibreMap, source: string): void {
  if (!map.getSource(source)) return;
  const managers = (map.style as unknown as { tileManagers?: Record<string, TileManagerInside> })
    .tileManagers;
  const cache = managers?.[source]?._outOfViewCache;
  if (typeof cache?.reset === 'function') cache.reset();
  else map.refreshTiles(source);
}
