import type { TableLayer } from '../layers.ts';
import type { LayerVersion } from './layer-versions.ts';
import type { TileAddress } from './tile.ts';

/**
 * How a tile is cut. The first variant is the normal one; the others only serve a tile that came out
 * over the size limit (very dense places at the layer's lowest zoom): first without the columns that
 * differ per feature, then keeping only the largest features of each layer.
 */
export interface TileVariant {
  lean: boolean;
  /** Keep at most this many features per layer, the largest by area first. */
  maxFeatures?: number;
}

export const TILE_VARIANTS: readonly TileVariant[] = [
  { lean: false },
  { lean: true },
  ...[16_000, 8_000, 4_000, 2_000, 1_000].map((maxFeatures) => ({ lean: true, maxFeatures })),
];

/** The columns a lean tile keeps: what the map styles by. The feature id stays for the details. */
const LEAN_COLUMNS = new Set([
  'category',
  'covered',
  'straddling',
  'kind',
  'system',
  'type',
  'status',
  'management_mode',
  'level',
  'access_control',
]);

export function columnsOf(part: TableLayer, variant: TileVariant): readonly string[] {
  return variant.lean ? part.tileColumns.filter((c) => LEAN_COLUMNS.has(c)) : part.tileColumns;
}

/**
 * Turns one tile address into Mapbox Vector Tile bytes. Two implementations: ST_AsMVT on a PostGIS
 * server ({@link PostgisEncoder}) and geojson-vt + vt-pbf for the embedded PGlite, whose PostGIS is
 * built without protobuf ({@link JsEncoder}). Both name each MVT layer as the registry part and carry
 * the part's `tileColumns` as properties and the row id as feature id; a tile with nothing in it is
 * zero bytes.
 */
export interface TileEncoder {
  /** Goes into the ETag: the two encoders' bytes differ for the same data. */
  readonly kind: 'postgis' | 'js';
  encode(tile: TileAddress, variant?: TileVariant): Promise<Buffer>;
  /**
   * The tile together with its layer's version read in the same statement (one snapshot, one round
   * trip): used when there is no cache to consult first.
   */
  encodeVersioned?(
    tile: TileAddress,
    variant?: TileVariant,
  ): Promise<{ bytes: Buffer; version: LayerVersion }>;
}

/** The table column to use as MVT feature id: `id` where the table has one. */
export function featureIdColumn(columns: readonly string[]): string | undefined {
  return columns.includes('id') ? 'id' : undefined;
}
