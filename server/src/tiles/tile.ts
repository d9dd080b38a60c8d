import { TILE_LAYERS, isOneOf, type TileLayer } from '../../../core/vocabulary.ts';
import { HttpError } from '../errors.ts';
import { LAYERS, type LayerDef, type TableLayer } from '../layers.ts';

/** Tile geometry: 4096 units a side, 64 units of buffer around it (what MapLibre expects). */
export const TILE_EXTENT = 4096;
export const TILE_BUFFER = 64;
/** No tile the client asks for may be larger than this. */
export const TILE_MAX_BYTES = 500 * 1024;

/** One tile of one registry layer, checked against the layer's zoom range. */
export interface TileAddress {
  layer: LayerDef;
  z: number;
  x: number;
  y: number;
}

const INT = /^(0|[1-9]\d{0,7})$/;

/**
 * Reads `<layer>/<z>/<x>/<y>` from the URL: unknown layer → 404 `unknown_layer`; z outside the
 * layer's zoom range or x/y outside 0…2^z−1 → 400 `invalid_tile`.
 */
export function parseTileAddress(layer: string, z: string, x: string, y: string): TileAddress {
  if (!isOneOf(TILE_LAYERS, layer)) {
    throw new HttpError(404, 'unknown_layer', `Unknown tile layer "${layer}"`, { layers: TILE_LAYERS });
  }
  const def = LAYERS[layer as TileLayer];
  const tile = `${z}/${x}/${y}`;
  if (!INT.test(z) || !INT.test(x) || !INT.test(y)) {
    throw new HttpError(400, 'invalid_tile', `Tile ${tile} is not three whole numbers z/x/y`, { tile });
  }
  const [zn, xn, yn] = [Number(z), Number(x), Number(y)];
  if (zn < def.minZoom || zn > def.maxZoom) {
    throw new HttpError(
      400,
      'invalid_tile',
      `Zoom ${zn} is outside ${def.minZoom}..${def.maxZoom} for layer ${def.name}`,
      { tile, minZoom: def.minZoom, maxZoom: def.maxZoom },
    );
  }
  const max = 2 ** zn - 1;
  if (xn > max || yn > max) {
    throw new HttpError(400, 'invalid_tile', `Tile ${tile}: x and y must be within 0..${max} at zoom ${zn}`, {
      tile,
      max,
    });
  }
  return { layer: def, z: zn, x: xn, y: yn };
}

/** The parts (MVT layers) a tile at zoom `z` carries: those whose minZoom it reaches. */
export function partsAt(layer: LayerDef, z: number): TableLayer[] {
  return layer.parts.filter((p) => z >= p.minZoom);
}

/** `14/13152/6712 of buildings`, for logs and errors. */
export function describeTile(t: TileAddress): string {
  return `${t.z}/${t.x}/${t.y} of ${t.layer.name}`;
}

/**
 * The tile's bounds in WGS84 degrees [west, south, east, north], widened by `margin` (a fraction of
 * the tile side, e.g. 64/4096) on every side, clamped to the Web Mercator world.
 */
export function tileBounds(z: number, x: number, y: number, margin = 0): [number, number, number, number] {
  const n = 2 ** z;
  const lon = (tx: number) => (tx / n) * 360 - 180;
  const lat = (ty: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  const lo = Math.max(0, x - margin);
  const hi = Math.min(n, x + 1 + margin);
  const top = Math.max(0, y - margin);
  const bottom = Math.min(n, y + 1 + margin);
  return [lon(lo), lat(bottom), lon(hi), lat(top)];
}
