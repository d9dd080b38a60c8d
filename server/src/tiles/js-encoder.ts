import { readFileSync } from 'node:fs';
import type { Feature, FeatureCollection } from 'geojson';
import geojsonvt, { type LegacyTile } from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import type { Queryable } from '../db/index.ts';
import type { TableLayer } from '../layers.ts';
import { TILE_VARIANTS, columnsOf, featureIdColumn, type TileEncoder, type TileVariant } from './encoder.ts';
import { TILE_BUFFER, TILE_EXTENT, partsAt, tileBounds, type TileAddress } from './tile.ts';

const FEATURES_SQL = readFileSync(new URL('./features.sql', import.meta.url), 'utf8');

/** The GeoJSON query of one registry part (names from the registry only). */
export function featuresStatement(part: TableLayer, variant: TileVariant = TILE_VARIANTS[0]!): string {
  const id = featureIdColumn(part.columns);
  return FEATURES_SQL.replace(/^--.*\n/gm, '')
    .replaceAll('{{id}}', id ? `t.${id}` : 'NULL')
    .replaceAll(
      '{{props}}',
      columnsOf(part, variant)
        .map((c) => `'${c}', t.${c}`)
        .join(', '),
    )
    .replaceAll('{{table}}', part.table)
    .replaceAll('{{limit}}', variant.maxFeatures ? 'ORDER BY ST_Area(t.geom) DESC LIMIT $5' : '')
    .trim();
}

/**
 * Tiles for the embedded database (its PostGIS has no ST_AsMVT): the features in the buffered tile
 * envelope come out as GeoJSON, geojson-vt cuts this one tile from them and vt-pbf writes it. The
 * index lives for one request only, so an edit is never hidden by it.
 */
export class JsEncoder implements TileEncoder {
  readonly kind = 'js' as const;

  constructor(private readonly db: Queryable) {}

  async encode(tile: TileAddress, variant: TileVariant = TILE_VARIANTS[0]!): Promise<Buffer> {
    const { z, x, y } = tile;
    const bounds: unknown[] = tileBounds(z, x, y, TILE_BUFFER / TILE_EXTENT);
    if (variant.maxFeatures) bounds.push(variant.maxFeatures);
    const layers: Record<string, LegacyTile> = {};
    for (const part of partsAt(tile.layer, z)) {
      const r = await this.db.query<{ features: string }>(featuresStatement(part, variant), bounds);
      const features = JSON.parse(r.rows[0]!.features) as Feature[];
      if (features.length === 0) continue;
      const index = new geojsonvt({ type: 'FeatureCollection', features } satisfies FeatureCollection, {
        // Simplify like a GeoJSON source would (tolerance 3 units), except at the deepest zoom.
        maxZoom: 24,
        indexMaxZoom: 0,
        extent: TILE_EXTENT,
        buffer: TILE_BUFFER,
      });
      const t = index.getTile(z, x, y);
      if (t && t.features.length > 0) layers[part.name] = t;
    }
    if (Object.keys(layers).length === 0) return Buffer.alloc(0);
    const bytes = fromGeojsonVt(layers, { version: 2, extent: TILE_EXTENT });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
