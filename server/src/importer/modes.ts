import type { Queryable } from '../db/index.ts';
import { because, fileProblem, ImportError, type ImportProblem } from './errors.ts';
import { storedGeom, withHistory } from './import.ts';
import type { ImportSpec } from './spec.ts';

/**
 * How an import with `--key` meets features already stored under the same source id:
 * (none) refuses them by name; `append` skips them; `upsert` updates those that differ and leaves
 * equal ones alone (so importing the same file again changes nothing); `replace` first deletes the
 * layer's rows within a 街道 or a bbox, then inserts the file.
 */
export const IMPORT_MODES = ['append', 'upsert', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface ReplaceScope {
  /** A 街道's jurisdiction code: rows with that street_code, or (buildings) inside its boundary. */
  street?: string;
  /** [minLon, minLat, maxLon, maxLat]: rows whose geometry intersects it. */
  bbox?: [number, number, number, number];
}

export interface ModeOutcome {
  updated: number;
  unchanged: number;
  skipped: number;
  deleted: number;
  /** Staged rows that will not be inserted (updated, unchanged or skipped). */
  removedFromStaging: number;
  /** Whether rows were deleted or changed (their old extent is in import_affected). */
  affected: boolean;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Source ids twice in the file, and (default mode) ones already stored, each named. */
export async function keyProblems(
  tx: Queryable,
  spec: ImportSpec,
  key: string,
  mode: ImportMode | undefined,
): Promise<ImportProblem[]> {
  const dup = await tx.query<{ idx: number; sid: string; n: number }>(
    `SELECT idx, source_id AS sid, n FROM (SELECT idx, source_id, count(*) OVER (PARTITION BY source_id) AS n
       FROM import_staging WHERE source_id IS NOT NULL) d WHERE n > 1 ORDER BY idx`,
  );
  const out: ImportProblem[] = dup.rows.map((r) => ({
    index: r.idx,
    ...because('duplicate_in_file', { column: key, value: quote(r.sid), n: Number(r.n) }),
  }));
  if (mode === undefined) {
    const stored = await tx.query<{ idx: number; sid: string; id: number }>(
      `SELECT s.idx, s.source_id AS sid, t.id FROM import_staging s JOIN ${spec.table} t ON t.source_id = s.source_id ORDER BY s.idx`,
    );
    for (const r of stored.rows) {
      out.push({
        index: r.idx,
        ...because('source_id_stored', { key, value: quote(r.sid), table: spec.table, id: Number(r.id) }),
      });
    }
  }
  return out;
}

/** Scope of `replace` as a WHERE condition on the layer's table `t`, with its parameters. */
function scopeSql(spec: ImportSpec, scope: ReplaceScope): { where: string; params: unknown[] } {
  if (scope.bbox) {
    return { where: 'ST_Intersects(t.geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))', params: scope.bbox };
  }
  if (spec.columns.some((c) => c.name === 'street_code'))
    return { where: 't.street_code = $1', params: [scope.street] };
  return {
    where: `ST_Intersects(t.geom, (SELECT geom FROM jurisdictions WHERE code = $1 AND level = 'street'))`,
    params: [scope.street],
  };
}

/**
 * Applies the mode before the insert: leaves in import_staging only the rows to insert, and keeps
 * the old geometry of every deleted or changed row in import_affected (for coverage).
 */
export async function applyMode(
  tx: Queryable,
  spec: ImportSpec,
  mode: ImportMode | undefined,
  scope: ReplaceScope | undefined,
): Promise<ModeOutcome> {
  await tx.query('CREATE TEMP TABLE import_affected (geom geometry) ON COMMIT DROP');
  const out: ModeOutcome = {
    updated: 0,
    unchanged: 0,
    skipped: 0,
    deleted: 0,
    removedFromStaging: 0,
    affected: false,
  };
  if (mode === 'append') {
    const r = await tx.query(
      `DELETE FROM import_staging s USING ${spec.table} t WHERE t.source_id = s.source_id`,
    );
    out.skipped = out.removedFromStaging = r.rowCount;
  } else if (mode === 'upsert') {
    const cols = spec.columns.map((c) => c.name);
    const same = `(${cols.map((c) => `t.${c}`).join(', ')}) IS NOT DISTINCT FROM (${cols.map((c) => `s.${c}`).join(', ')})
      AND ST_AsEWKB(t.geom) = ST_AsEWKB(${storedGeom(spec, 's.geom')})`;
    const u = await tx.query(
      `DELETE FROM import_staging s USING ${spec.table} t WHERE t.source_id = s.source_id AND ${same}`,
    );
    out.unchanged = u.rowCount;
    await tx.query(
      `INSERT INTO import_affected SELECT t.geom FROM ${spec.table} t JOIN import_staging s ON s.source_id = t.source_id`,
    );
    const versioned = ['service-areas', 'cameras', 'gates', 'compounds'].includes(spec.layer);
    const set = [
      ...cols.map((c) => `${c} = s.${c}`),
      `geom = ${storedGeom(spec, 's.geom')}`,
      ...(versioned ? ['version = t.version + 1', 'updated_at = now()'] : []),
    ].join(', ');
    const update = `UPDATE ${spec.table} t SET ${set} FROM import_staging s WHERE t.source_id = s.source_id`;
    const r = await tx.query(spec.layer === 'compounds' ? update : withHistory(spec, update, 't.*'));
    out.updated = r.rowCount;
    const gone = await tx.query(
      `DELETE FROM import_staging s USING ${spec.table} t WHERE t.source_id = s.source_id`,
    );
    out.removedFromStaging = out.unchanged + gone.rowCount;
    out.affected = out.updated > 0;
  } else if (mode === 'replace') {
    if (spec.layer === 'jurisdictions') {
      throw fileProblem('replace_jurisdictions');
    }
    const { where, params } = scopeSql(spec, scope!);
    if (scope!.street) {
      const found = await tx.query(`SELECT 1 FROM jurisdictions WHERE code = $1 AND level = 'street'`, [
        scope!.street,
      ]);
      if (!found.rows.length) throw fileProblem('replace_unknown_street', { street: scope!.street! });
    }
    await tx.query(`INSERT INTO import_affected SELECT t.geom FROM ${spec.table} t WHERE ${where}`, params);
    const d = await tx.query(`DELETE FROM ${spec.table} t WHERE ${where}`, params);
    out.deleted = d.rowCount;
    out.affected = out.deleted > 0;
    const outside = await tx.query<{ idx: number; sid: string; id: number }>(
      `SELECT s.idx, s.source_id AS sid, t.id FROM import_staging s JOIN ${spec.table} t ON t.source_id = s.source_id ORDER BY s.idx`,
    );
    if (outside.rows.length) {
      throw new ImportError(
        outside.rows.map((r) => ({
          index: r.idx,
          ...because('source_id_outside_scope', { value: quote(r.sid), table: spec.table, id: Number(r.id) }),
        })),
      );
    }
  }
  return out;
}
