import type { TileAddress } from './tile.ts';

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
  encode(tile: TileAddress): Promise<Buffer>;
}

/** The table column to use as MVT feature id: `id` where the table has one. */
export function featureIdColumn(columns: readonly string[]): string | undefined {
  return columns.includes('id') ? 'id' : undefined;
}
