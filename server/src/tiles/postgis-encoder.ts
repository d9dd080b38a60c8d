import { readFileSync } from 'node:fs';
import type { Queryable } from '../db/index.ts';
import type { LayerDef, TableLayer } from '../layers.ts';
import { TILE_VARIANTS, columnsOf, featureIdColumn, type TileEncoder, type TileVariant } from './encoder.ts';
import type { LayerVersion } from './layer-versions.ts';
import { TILE_BUFFER, TILE_EXTENT, partsAt, type TileAddress } from './tile.ts';

const PART_SQL = readFileSync(new URL('./tile-part.sql', import.meta.url), 'utf8');

/** The ST_AsMVT statement of one registry part (names from the registry only). */
export function partStatement(part: TableLayer, variant: TileVariant = TILE_VARIANTS[0]!): string {
  const id = featureIdColumn(part.columns);
  const columns = [
    // A NULL feature id is simply not written; the property `id` stays too (clients promote it).
    id ? `t.${id} AS __fid,` : 'NULL::bigint AS __fid,',
    ...columnsOf(part, variant).map((c) => `t.${c},`),
  ].join(' ');
  return PART_SQL.replace(/^--.*\n/gm, '')
    .replaceAll('{{name}}', part.name)
    .replaceAll('{{table}}', part.table)
    .replaceAll('{{columns}}', columns)
    .replaceAll('{{limit}}', variant.maxFeatures ? 'ORDER BY ST_Area(t.geom) DESC LIMIT $5' : '')
    .trim();
}

/** One statement for a tile: the parts' MVT layers concatenated (an MVT is a sequence of layers). */
export function tileStatement(
  parts: readonly TableLayer[],
  variant: TileVariant = TILE_VARIANTS[0]!,
): string {
  const body =
    parts.length === 1
      ? partStatement(parts[0]!, variant)
      : 'SELECT ' + parts.map((p) => `(${partStatement(p, variant)})`).join('\n || ');
  return `SELECT (${body}) AS mvt`;
}

/** The same, with the layer's `layer_versions` row read in the same statement (the layer is the last parameter). */
export function versionedTileStatement(
  parts: readonly TableLayer[],
  variant: TileVariant = TILE_VARIANTS[0]!,
): string {
  return `SELECT lv.version, (extract(epoch FROM lv.changed_at) * 1000000)::bigint AS changed_at,
  (${tileStatement(parts, variant)}) AS mvt
FROM layer_versions lv WHERE lv.layer = $${variant.maxFeatures ? 6 : 5}`;
}

/**
 * Tiles from ST_AsMVT on a PostGIS server: one statement per tile, built once per (layer, parts,
 * variant) and run as a named prepared statement, so each connection plans it once.
 */
export class PostgisEncoder implements TileEncoder {
  readonly kind = 'postgis' as const;
  private readonly statements = new Map<string, { name: string; sql: string }>();
  private readonly plainByVariant = new Map<
    TileVariant,
    Map<LayerDef, Map<number, { sql: string; opts: { name: string } } | null>>
  >();

  constructor(private readonly db: Queryable) {}

  async encode(tile: TileAddress, variant: TileVariant = TILE_VARIANTS[0]!): Promise<Buffer> {
    const st = this.plain(tile, variant);
    if (!st) return Buffer.alloc(0);
    const r = await this.db.query<{ mvt: Buffer }>(st.sql, params(tile, variant), st.opts);
    return r.rows[0]?.mvt ?? Buffer.alloc(0);
  }

  /**
   * The plain statement of (layer, zoom, variant), looked up without building a key string: this
   * runs on every tile request. Undefined when no part reaches the zoom.
   */
  private plain(tile: TileAddress, variant: TileVariant) {
    let byLayer = this.plainByVariant.get(variant);
    if (!byLayer) this.plainByVariant.set(variant, (byLayer = new Map()));
    let byZoom = byLayer.get(tile.layer);
    if (!byZoom) byLayer.set(tile.layer, (byZoom = new Map()));
    let st = byZoom.get(tile.z);
    if (st === undefined) {
      const parts = partsAt(tile.layer, tile.z);
      const s = parts.length ? this.statement(tile.layer.name, parts, variant, false) : null;
      st = s && { sql: s.sql, opts: { name: s.name } };
      byZoom.set(tile.z, st);
    }
    return st;
  }

  async encodeVersioned(
    tile: TileAddress,
    variant: TileVariant = TILE_VARIANTS[0]!,
  ): Promise<{ bytes: Buffer; version: LayerVersion }> {
    const parts = partsAt(tile.layer, tile.z);
    const r =
      parts.length === 0
        ? await this.db.query<{ version: number; changed_at: number; mvt: null }>(
            `SELECT version, (extract(epoch FROM changed_at) * 1000000)::bigint AS changed_at, NULL::bytea AS mvt
             FROM layer_versions WHERE layer = $1`,
            [tile.layer.name],
          )
        : await this.runVersioned(tile, parts, variant);
    const row = r.rows[0];
    if (!row) throw new Error(`layer_versions has no row for ${tile.layer.name}`);
    return {
      bytes: row.mvt ?? Buffer.alloc(0),
      // Numbers as LayerVersions reads them, so both ways give a tile the same ETag.
      version: { version: Number(row.version), changedAt: Number(row.changed_at) },
    };
  }

  private runVersioned(tile: TileAddress, parts: readonly TableLayer[], variant: TileVariant) {
    const st = this.statement(tile.layer.name, parts, variant, true);
    return this.db.query<{ version: number; changed_at: number; mvt: Buffer }>(
      st.sql,
      [...params(tile, variant), tile.layer.name],
      { name: st.name },
    );
  }

  private statement(layer: string, parts: readonly TableLayer[], variant: TileVariant, versioned: boolean) {
    const key = `${layer}:${parts.map((p) => p.name).join(',')}:${variant.lean ? 'lean' : 'full'}${variant.maxFeatures ? ':top' : ''}${versioned ? ':v' : ''}`;
    let st = this.statements.get(key);
    if (!st) {
      st = {
        name: `tile_${key.replace(/[^a-z0-9]+/g, '_')}`,
        sql: versioned ? versionedTileStatement(parts, variant) : tileStatement(parts, variant),
      };
      this.statements.set(key, st);
    }
    return st;
  }
}

/** The parameters of a tile statement: z, x, y, buffer margin, and the feature limit if any. */
function params(tile: TileAddress, v: TileVariant): unknown[] {
  const p: unknown[] = [tile.z, tile.x, tile.y, TILE_BUFFER / TILE_EXTENT];
  if (v.maxFeatures) p.push(v.maxFeatures);
  return p;
}
