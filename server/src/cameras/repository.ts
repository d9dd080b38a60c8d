import type { Feature, Point } from 'geojson';
import {
  CAMERA_FIELDS,
  GATE_FIELDS,
  type CameraAttributes,
  type GateAttributes,
} from '../../../core/cameras/index.ts';
import type { PointHistoryEntry, PointLayer } from '../../../core/api.ts';
import type { Queryable } from '../db/index.ts';
import type { Bbox } from '../http.ts';
import { sqlFiles } from '../sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url), {
  camera_json: 'camera-json.sql',
  gate_json: 'gate-json.sql',
});

/** The two point layers this module edits (core/api.ts); table and column names come only from here. */
export type { PointLayer, PointHistoryEntry };

interface PointSpec {
  table: 'cameras' | 'gates';
  columns: readonly string[];
  list: string;
  feature: string;
  historyWrite: string;
}

const SPECS: Record<PointLayer, PointSpec> = {
  cameras: {
    table: 'cameras',
    columns: CAMERA_FIELDS,
    list: sql('camera-list.sql'),
    feature: sql('camera-feature.sql'),
    historyWrite: sql('camera-history-write.sql'),
  },
  gates: {
    table: 'gates',
    columns: GATE_FIELDS,
    list: sql('gate-list.sql'),
    feature: sql('gate-feature.sql'),
    historyWrite: sql('gate-history-write.sql'),
  },
};
const HISTORY_SQL = sql('history.sql');
const INSIDE_BUILDING_SQL = sql('inside-building.sql');

export type PointAttributes<L extends PointLayer> = L extends 'cameras' ? CameraAttributes : GateAttributes;

export interface StoredPoint {
  id: number;
  version: number;
  lon: number;
  lat: number;
  feature: Feature<Point, Record<string, unknown>>;
}

/** The points meeting `bbox`, as GeoJSON text; who last edited them only when `authors` (issue 10). */
export async function listPoints(
  q: Queryable,
  layer: PointLayer,
  bbox: Bbox,
  limit: number,
  authors: boolean,
) {
  const r = await q.query<{ count: number; json: string }>(SPECS[layer].list, [...bbox, limit + 1, authors]);
  return r.rows[0]!;
}

export async function getPoint(
  q: Queryable,
  layer: PointLayer,
  id: number,
  forUpdate = false,
): Promise<StoredPoint | null> {
  if (forUpdate) await q.query(`SELECT 1 FROM ${SPECS[layer].table} WHERE id = $1 FOR UPDATE`, [id]);
  const r = await q.query<{ id: number; version: number; lon: number; lat: number; feature: string }>(
    SPECS[layer].feature,
    [id],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    version: row.version,
    lon: row.lon,
    lat: row.lat,
    feature: JSON.parse(row.feature) as StoredPoint['feature'],
  };
}

const values = (spec: PointSpec, a: Record<string, unknown>) => spec.columns.map((c) => a[c] ?? null);

/** Inserts a new row (version 1) and its history entry. */
export async function insertPoint<L extends PointLayer>(
  tx: Queryable,
  layer: L,
  attributes: PointAttributes<L>,
  geometry: Point,
  user: string,
): Promise<number> {
  const spec = SPECS[layer];
  const n = spec.columns.length;
  const r = await tx.query<{ id: number }>(
    `INSERT INTO ${spec.table} (${spec.columns.join(', ')}, geom, updated_by)
     VALUES (${spec.columns.map((_, i) => `$${i + 1}`).join(', ')},
             ST_SetSRID(ST_MakePoint($${n + 1}, $${n + 2}), 4326), $${n + 3})
     RETURNING id`,
    [
      ...values(spec, attributes as unknown as Record<string, unknown>),
      ...geometry.coordinates.slice(0, 2),
      user,
    ],
  );
  const id = Number(r.rows[0]!.id);
  await tx.query(spec.historyWrite, [id, 'create', user, 1]);
  return id;
}

/** Replaces attributes and point, bumps the version, records the history entry. */
export async function updatePoint<L extends PointLayer>(
  tx: Queryable,
  layer: L,
  id: number,
  attributes: PointAttributes<L>,
  geometry: Point,
  user: string,
): Promise<number> {
  const spec = SPECS[layer];
  const n = spec.columns.length;
  const r = await tx.query<{ version: number }>(
    `UPDATE ${spec.table} SET ${spec.columns.map((c, i) => `${c} = $${i + 1}`).join(', ')},
       geom = ST_SetSRID(ST_MakePoint($${n + 1}, $${n + 2}), 4326), updated_by = $${n + 3},
       updated_at = now(), version = version + 1
     WHERE id = $${n + 4}
     RETURNING version`,
    [
      ...values(spec, attributes as unknown as Record<string, unknown>),
      ...geometry.coordinates.slice(0, 2),
      user,
      id,
    ],
  );
  const version = r.rows[0]!.version;
  await tx.query(spec.historyWrite, [id, 'update', user, version]);
  return version;
}

/** Records the deletion (as the next version, with the last point) and deletes the row. */
export async function deletePoint(
  tx: Queryable,
  layer: PointLayer,
  id: number,
  version: number,
  user: string,
): Promise<void> {
  const spec = SPECS[layer];
  await tx.query(spec.historyWrite, [id, 'delete', user, version + 1]);
  await tx.query(`DELETE FROM ${spec.table} WHERE id = $1`, [id]);
}

export async function pointHistory(
  q: Queryable,
  layer: PointLayer,
  id: number,
): Promise<PointHistoryEntry[]> {
  const r = await q.query<PointHistoryEntry>(HISTORY_SQL, [id, layer]);
  return r.rows;
}

/** A camera within this distance of a wall is on the wall, not inside the building. */
export const ON_WALL_TOLERANCE_M = 0.5;

/** The ids of buildings that hold the point inside (not on or near a wall). */
export async function buildingsHolding(q: Queryable, lon: number, lat: number): Promise<number[]> {
  const r = await q.query<{ id: number }>(INSIDE_BUILDING_SQL, [lon, lat, ON_WALL_TOLERANCE_M]);
  return r.rows.map((x) => Number(x.id));
}

/** Is the point inside the 街道 (or on its edge)? */
export async function pointInStreet(
  q: Queryable,
  lon: number,
  lat: number,
  streetCode: string,
): Promise<boolean> {
  const r = await q.query<{ inside: boolean }>(
    `SELECT ST_Covers(j.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AS inside FROM jurisdictions j WHERE j.code = $3`,
    [lon, lat, streetCode],
  );
  return r.rows[0]?.inside ?? false;
}
