import { readFileSync } from 'node:fs';
import type { Queryable } from '../db/index.ts';
import type { TableLayer } from '../layers.ts';
import { featureIdColumn, type TileEncoder } from './encoder.ts';
import { TILE_BUFFER, TILE_EXTENT, partsAt, type TileAddress } from './tile.ts';

const PART_SQL = readFileSync(new URL('./tile-part.sql', import.meta.url), 'utf8');

/** The ST_AsMVT statement of one registry part (names from the registry only). */
export function partStatement(part: TableLayer): string {
  const id = featureIdColumn(part.tileColumns) ?? featureIdColumn(part.columns);
  const columns = [
    // A NULL feature id is simply not written; the property `id` stays too (clients promote it).
    id ? `t.${id} AS __fid,` : 'NULL::bigint AS __fid,',
    ...part.tileColumns.map((c) => `t.${c},`),
  ].join(' ');
  return PART_SQL.replace(/^--.*\n/gm, '')
    .replaceAll('{{name}}', part.name)
    .replaceAll('{{table}}', part.table)
    .replaceAll('{{columns}}', columns)
    .trim();
}

/** One statement for a tile: the parts' MVT layers concatenated (an MVT is a sequence of layers). */
export function tileStatement(parts: readonly TableLayer[]): string {
  if (parts.length === 1) return partStatement(parts[0]!);
  return 'SELECT ' + parts.map((p) => `(${partStatement(p)})`).join('\n || ');
}

/**
 * Tiles from ST_AsMVT on a PostGIS server: one statement per tile, built once per (layer, zooms
 * that carry the same parts) and run as a named prepared statement, so the server plans it once per
 * connection.
 */
export class PostgisEncoder implements TileEncoder {
  readonly kind = 'postgis' as const;
  private readonly statements = new Map<string, { name: string; sql: string }>();

  constructor(private readonly db: Queryable) {}

  async encode(tile: TileAddress): Promise<Buffer> {
    const parts = partsAt(tile.layer, tile.z);
    if (parts.length === 0) return Buffer.alloc(0);
    const st = this.statement(tile.layer.name, parts);
    const r = await this.db.query<{ mvt: Buffer }>(
      st.sql,
      [tile.z, tile.x, tile.y, TILE_BUFFER / TILE_EXTENT],
      { name: st.name },
    );
    return r.rows[0]?.mvt ?? Buffer.alloc(0);
  }

  private statement(layer: string, parts: readonly TableLayer[]) {
    const key = `${layer}:${parts.map((p) => p.name).join(',')}`;
    let st = this.statements.get(key);
    if (!st) {
      st = {
        name: `tile_${key.replace(/[^a-z0-9]+/g, '_')}`,
        sql: `SELECT (${tileStatement(parts)}) AS mvt`,
      };
      this.statements.set(key, st);
    }
    return st;
  }
}
