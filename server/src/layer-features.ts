import type { DataLayer } from '../../core/vocabulary.ts';
import type { Queryable } from './db/index.ts';
import type { Bbox } from './http.ts';
import { dataLayer } from './layers.ts';

/** Most features one bbox request returns; a larger view is asked to zoom in (or use tiles). */
export const BBOX_FEATURE_LIMIT = 50_000;

/**
 * Features of a data layer as a GeoJSON FeatureCollection built in SQL (one row, one text value):
 * the whole table, or those whose geometry meets `bbox`.
 */
export async function layerFeatureCollection(
  db: Queryable,
  layer: DataLayer,
  opts: { bbox?: Bbox; limit?: number } = {},
): Promise<{ json: string; count: number }> {
  const def = dataLayer(layer);
  const props = def.columns.map((c) => `'${c}', t.${c}`).join(', ');
  const id = def.columns.includes('id') ? 't.id' : 't.code';
  const where = opts.bbox
    ? 'WHERE t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND ST_Intersects(t.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))'
    : '';
  const params: unknown[] = opts.bbox ? [...opts.bbox] : [];
  const limit = opts.limit ? `LIMIT ${Math.floor(opts.limit) + 1}` : '';
  const sql = `
    WITH f AS (
      SELECT json_build_object('type', 'Feature', 'id', ${id},
               'geometry', ST_AsGeoJSON(t.geom, 7)::json,
               'properties', json_build_object(${props})) AS feature
      FROM ${def.table} t ${where}
      ORDER BY ${id} ${limit}
    )
    SELECT count(*)::integer AS count,
           json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(feature), '[]'::json))::text AS json
    FROM f`;
  const r = await db.query<{ json: string; count: number }>(sql, params);
  return r.rows[0]!;
}
