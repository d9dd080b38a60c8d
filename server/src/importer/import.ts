import { readFileSync } from 'node:fs';
import type { RepairFacts } from '../../../core/import-words.ts';
import type { DataLayer } from '../../../core/vocabulary.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { ColumnValue } from './attributes.ts';
import {
  because,
  fileProblem,
  ImportError,
  sortProblems,
  type ImportProblem,
  type ProblemReason,
} from './errors.ts';
import {
  featuresFromRows,
  prepareFeature,
  type ImportCrs,
  type PreparedFeature,
  type SourceFeature,
} from './features.ts';
import { IMPORT_SPECS, type ImportSpec } from './spec.ts';
import { applyMode, keyProblems, type ImportMode, type ReplaceScope } from './modes.ts';

export type { ImportMode, ReplaceScope } from './modes.ts';

const sql = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const INVALID_SQL = sql('invalid.sql');
const REPAIR_SQL = sql('repair.sql');
const OUTSIDE_CITY_SQL = sql('outside-city.sql');
const OVERLAPS_SQL = sql('overlaps.sql');
const FILL_STREET_SQL = sql('fill-street.sql');

export type ImportPhase = 'checking' | 'loading' | 'validating' | 'writing';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
}

export interface ImportOptions {
  layer: DataLayer;
  /** GeoJSON Feature objects as found in a file (unchecked). */
  features?: unknown[];
  /** CSV records (header → value) of a point layer, with lon/lat columns. */
  rows?: Record<string, string>[];
  /**
   * Already-read sources (featuresFromGeoJson / featuresFromCsv), or a stream of them from
   * `openSource(…).read()` (readers/index.ts): consumed once, never held whole.
   */
  sources?: SourceFeature[] | AsyncIterable<SourceFeature>;
  /** Number of features, for progress, when the sources are a stream whose length is known. */
  total?: number;
  /** Repair invalid polygons with ST_MakeValid instead of rejecting the file. */
  makeValid?: boolean;
  /**
   * Load the features straight into the layer's table instead of a staging table (the command-line
   * import of a layer whose spec allows it, without a key or --make-valid): the same checks and the
   * same one transaction, run over the new rows before commit; about a second less for 200,000
   * buildings on PostgreSQL. Only into a table no larger than the file (a first load; otherwise the
   * staged import runs): it is locked against other writers (SHARE ROW EXCLUSIVE) for the whole
   * import, since ids are handed out in file order from one reserved start, and its spatial index is
   * dropped for the load when the file is large (see dropSpatialIndexForBulkLoad).
   */
  direct?: boolean;
  /** Coordinate system of the input; gcj02 (Amap, Tencent, DataV) is converted to WGS84 first. */
  crs?: ImportCrs;
  onProgress?: (p: ImportProgress) => void;
  /**
   * The property holding each feature's id in its source (stored as source_id): with it, features
   * already stored are refused by name (default), skipped (`append`), updated (`upsert`), or the
   * layer's rows within `replaceWithin` are replaced by the file (`replace`).
   */
  key?: string;
  mode?: ImportMode;
  /** The part of the layer `replace` deletes first: a 街道's code or a lon/lat bbox. */
  replaceWithin?: ReplaceScope;
}

/** What --make-valid did to one feature (`reason`: PostGIS's ST_IsValidReason), and one line of it. */
export interface Repair extends RepairFacts {
  /** One line for people, e.g. "Self-intersection[…] repaired: 1 polygon → 2 parts, area 123.4 m² → 120.1 m²". */
  message: string;
}

export interface ImportResult {
  layer: DataLayer;
  inserted: number;
  /** Stored features the file changed (upsert), left as they were (upsert), skipped (append), deleted (replace). */
  updated: number;
  unchanged: number;
  skipped: number;
  deleted: number;
  repaired: Repair[];
  /** What the sources flagged without refusing (a position outside China), by feature. */
  warnings: ImportProblem[];
}

/**
 * Imports a whole file into a layer in ONE transaction: every feature is checked (structure,
 * geometry type, coordinates, attributes in JS; geometry validity, references and uniqueness in
 * PostGIS over a staging table), and any problem aborts the import with an ImportError listing
 * every bad feature; nothing is written then.
 */
export async function importLayer(db: Db, opts: ImportOptions): Promise<ImportResult> {
  const spec = IMPORT_SPECS[opts.layer];
  if (!spec) throw fileProblem('unknown_layer', { layer: String(opts.layer) });
  const sources: SourceFeature[] | AsyncIterable<SourceFeature> =
    opts.sources ??
    (opts.rows
      ? featuresFromRows(opts.rows)
      : (opts.features ?? []).map((feature) => ({ feature, fromText: false })));
  const progress = opts.onProgress ?? (() => {});
  let total = Array.isArray(sources) ? sources.length : (opts.total ?? 0);
  if (opts.mode && !opts.key) {
    throw fileProblem('mode_needs_key', { mode: opts.mode });
  }
  if (opts.mode === 'replace' && !opts.replaceWithin) {
    throw fileProblem('replace_needs_scope');
  }
  const key = opts.key;

  return db.transaction(async (tx) => {
    // 1. Everything JS can judge, for every feature, streamed into a staging table as it goes (the
    //    database parses while Node checks), so PostGIS can then judge all of them in one pass.
    const problems: ImportProblem[] = [];
    let warnings: ImportProblem[] = [];
    // Spreadsheet rows of the features that have one, to name them in problems found by SQL.
    const rowOf = new Map<number, number>();
    let staged = 0;
    async function* prepared(): AsyncGenerator<PreparedFeature> {
      let i = 0;
      for await (const source of sources) {
        const index = source.index ?? i;
        if (source.row !== undefined) rowOf.set(index, source.row);
        if (source.warnings) for (const w of source.warnings) warnings.push(withRow({ index, ...w }));
        const r = prepareFeature(spec, source, index, opts.crs);
        let sourceId: string | null = null;
        let keyProblem: ProblemReason | null = null;
        if (key !== undefined) {
          const props = (source.feature as { properties?: Record<string, unknown> } | null)?.properties;
          const v = props && typeof props === 'object' ? props[key] : undefined;
          sourceId = v === undefined || v === null ? '' : String(v).trim();
          if (sourceId === '') keyProblem = because('key_empty', { key });
          else if (sourceId.includes('\u0000')) keyProblem = because('text_has_nul', { field: key });
        }
        if (keyProblem || Array.isArray(r)) {
          const name = nameOf(source.feature);
          const place = (p: ImportProblem) => withRow(name === undefined ? p : { ...p, name });
          if (keyProblem) problems.push(place({ index, ...keyProblem }));
          if (Array.isArray(r)) problems.push(...r.map(place));
        } else if (!keyProblem) {
          r.sourceId = sourceId;
          staged++;
          yield r;
        }
        i++;
        // Often enough for the import page's bar to move on a file of a few thousand features.
        if ((i & 0x3ff) === 0) progress({ phase: 'loading', done: i, total: Math.max(total, i) });
      }
      total = i;
    }
    const withRow = (p: ImportProblem): ImportProblem => {
      const row = p.index === null ? undefined : rowOf.get(p.index);
      return row === undefined ? p : { ...p, row };
    };
    // Direct only into a table no larger than the file (or than REBUILD_INDEX_MIN_ROWS when the
    // stream's length is unknown), a first load: there, its lock keeps out writers that would
    // otherwise be blocked by the spatial index's rebuild anyway, and a layer in use (area saves
    // update buildings' coverage) is never locked for the length of a long import.
    const bound = Math.max(total, REBUILD_INDEX_MIN_ROWS);
    const mayDirect =
      opts.direct === true && spec.directLoad === true && key === undefined && !opts.makeValid;
    const existing = mayDirect ? await rowsUpTo(tx, spec.table, bound + 1) : null;
    const direct = existing !== null && existing <= bound;
    const coverage = spec.layer === 'buildings' || spec.layer === 'service-areas';
    let rebuild: string | null = null;
    // Direct: the first id of the new rows (the older ones are below it).
    let newFrom: number | null = null;
    if (direct) {
      // Nobody else writes the table until commit: the ids from `base` on are the file's, in its order.
      await tx.query(`LOCK TABLE ${spec.table} IN SHARE ROW EXCLUSIVE MODE`);
      // References are checked per feature below; the foreign keys (DEFERRABLE) wait until then.
      await tx.query('SET CONSTRAINTS ALL DEFERRED');
      if (coverage) await tx.query("SELECT set_config('wuyou.bulk_load', 'on', true)");
      rebuild = await dropSpatialIndexForBulkLoad(
        tx,
        spec,
        total > 0 ? total : REBUILD_INDEX_MIN_ROWS,
        existing,
      );
      const seq = await tx.query<{ base: number }>(
        `SELECT nextval(pg_get_serial_sequence($1, 'id'))::bigint AS base`,
        [spec.table],
      );
      const base = seq.rows[0]!.base;
      newFrom = base;
      await loadRows(db, tx, spec, { table: spec.table, lead: 'id', offset: base }, prepared());
      await tx.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT max(id) FROM ${spec.table}), $2::bigint))`,
        [spec.table, base],
      );
      // The checks below read import_staging: here, the new rows themselves.
      await tx.query(
        `CREATE TEMP VIEW import_staging AS SELECT (id - ${Number(base)})::integer AS idx, ${stagingColumns(spec, false)} FROM ${spec.table} WHERE id >= ${Number(base)}`,
      );
    } else {
      await tx.query(stagingDdl(spec));
      await loadRows(db, tx, spec, { table: 'import_staging', lead: 'idx', offset: 0 }, prepared());
    }
    progress({ phase: 'validating', done: total, total });

    let repaired: Repair[] = [];
    // The validity pass is one scan calling GEOS per row: on a server, its parallel workers share it
    // (200,000 buildings: 0.29 s alone, 0.18 s with two), whatever the new rows' size on disk (the
    // planner's statistics do not know them yet). The pool turns workers off for its short
    // statements; this transaction's later statements go back to that.
    const parallel = spec.polygonal && db.kind === 'postgres' && total >= PARALLEL_CHECK_MIN_ROWS;
    if (parallel) {
      await tx.query(
        "SELECT set_config('max_parallel_workers_per_gather', '2', true), set_config('min_parallel_table_scan_size', '0', true)",
      );
    }
    if (spec.polygonal) {
      if (opts.makeValid) {
        const r = await tx.query<RepairRow>(REPAIR_SQL);
        repaired = r.rows.map(toRepair);
        for (const row of r.rows) {
          if (row.empty)
            problems.push(withRow({ index: row.idx, ...because('repair_empty', { detail: row.reason }) }));
          else if (!row.valid)
            problems.push(
              withRow({ index: row.idx, ...because('repair_still_invalid', { detail: row.reason }) }),
            );
          else if (spec.store === 'single-polygon' && row.parts_after > 1) {
            problems.push(
              withRow({
                index: row.idx,
                ...because('repair_multipart', {
                  detail: row.reason,
                  parts: row.parts_after,
                  layer: spec.layer,
                }),
              }),
            );
          }
        }
      } else {
        const r = await tx.query<{ idx: number; reason: string }>(INVALID_SQL);
        for (const row of r.rows) {
          problems.push(withRow({ index: row.idx, ...because('invalid_geometry', { detail: row.reason }) }));
        }
      }
    }
    if (parallel) await tx.query("SELECT set_config('max_parallel_workers_per_gather', '0', true)");
    if (key !== undefined) {
      for (const p of await keyProblems(tx, spec, key, opts.mode)) problems.push(withRow(p));
    }
    for (const q of keyChecks(spec, key !== undefined && opts.mode !== undefined)) {
      const r = await tx.query<KeyCheckRow>(q.sql);
      problems.push(...r.rows.map((row) => withRow({ index: row.idx, ...q.problem(row) })));
    }
    if (problems.length) throw new ImportError(sortProblems(await named(tx, spec, problems)));
    if (!direct && staged && spec.columns.some((c) => c.name === 'street_code'))
      await tx.query(FILL_STREET_SQL);
    // A file imported twice without a key (which would say so by id): each feature whose geometry a
    // stored row has already, vertex for vertex, is a warning. Not on a first load into an empty table.
    if (key === undefined && existing !== 0) {
      const r = await tx.query<{ idx: number }>(sameAsStoredSql(spec, newFrom));
      for (const row of r.rows)
        warnings.push(withRow({ index: row.idx, ...because('same_as_stored', { layer: spec.layer }) }));
      if (r.rows.length) warnings.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    }

    // A feature far from every stored jurisdiction (a building of Beijing in 遂宁's file).
    if (spec.layer !== 'jurisdictions' && staged) {
      const far = await tx.query<{ idx: number; lon: number; lat: number } & LonLatBox>(OUTSIDE_CITY_SQL);
      // Every feature far away: a wrong file or coordinate system, not a stray feature (helper 45:
      // zone-35 data read as zone 34 went in 290 km west, with a warning a feature and exit 0).
      if (far.rows.length === staged) {
        const [first] = far.rows;
        throw new ImportError([allOutsideCity(staged, first!, first!)]);
      }
      for (const row of far.rows)
        warnings.push(
          withRow({
            index: row.idx,
            ...because('outside_city', { lon: row.lon.toFixed(6), lat: row.lat.toFixed(6) }),
          }),
        );
      if (far.rows.length) warnings.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    }

    warnings = await named(tx, spec, warnings);

    if (direct) {
      progress({ phase: 'writing', done: 0, total });
      // The deferred foreign-key checks run now (and pass: every reference was checked above); an index
      // cannot be built on a table with trigger events still pending.
      await tx.query('SET CONSTRAINTS ALL IMMEDIATE');
      if (rebuild) await tx.query(rebuild);
      if (coverage && staged) await tx.query(refreshCoverageSql('SELECT geom FROM import_staging'));
      await tx.query('DROP VIEW import_staging');
      progress({ phase: 'writing', done: total, total });
      return { ...NOTHING_MOVED, layer: spec.layer, inserted: staged, repaired, warnings };
    }

    // 3. One INSERT … SELECT into the layer's table. Coverage flags are recomputed once, over the
    // imported extent, instead of by the per-statement trigger.
    progress({ phase: 'writing', done: 0, total });
    if (coverage) await tx.query("SELECT set_config('wuyou.bulk_load', 'on', true)");
    const moved = await applyMode(tx, spec, opts.mode, opts.replaceWithin).catch(overlapAsProblem);
    if (spec.layer === 'service-areas') {
      const r = await tx.query<OverlapRow>(OVERLAPS_SQL);
      if (r.rows.length)
        throw new ImportError(
          sortProblems(
            await named(
              tx,
              spec,
              r.rows.map((o) => withRow(overlapProblem(o))),
            ),
          ),
        );
    }
    rebuild = await dropSpatialIndexForBulkLoad(tx, spec, staged - moved.removedFromStaging);
    // Rows go in file order, so ids follow it (a heap's physical order does not: PostgreSQL 16+
    // extends tables in bulk and fills earlier pages later). On a server, memory enough to sort
    // 200,000 rows without spilling to disk. Embedded, the sort and the index build spill to the
    // data folder instead: PGlite's WebAssembly heap grows to its largest use and never shrinks, so
    // a 256 MB sort would stay in the process for good (issue 11: ≤ 1 GB for 200,000 buildings).
    if (db.kind === 'postgres') await tx.query("SELECT set_config('work_mem', '256MB', true)");
    else await tx.query("SELECT set_config('maintenance_work_mem', '16MB', true)");
    const ins = await tx.query(insertSql(spec));
    if (rebuild) await tx.query(rebuild);
    if (coverage && (staged || moved.affected)) {
      await tx.query(
        refreshCoverageSql('SELECT geom FROM import_staging UNION ALL SELECT geom FROM import_affected'),
      );
    }
    progress({ phase: 'writing', done: total, total });
    return {
      layer: spec.layer,
      inserted: ins.rowCount,
      updated: moved.updated,
      unchanged: moved.unchanged,
      skipped: moved.skipped,
      deleted: moved.deleted,
      repaired,
      warnings,
    };
  });
}

const NOTHING_MOVED = { updated: 0, unchanged: 0, skipped: 0, deleted: 0 } as const;

interface OverlapRow {
  idx: number;
  with_id: number | null;
  with_name: string | null;
  with_idx: number | null;
  area_m2: number;
}

/** A service area of the file over a stored one, or over an earlier feature of the file (counted from 1). */
function overlapProblem(o: OverlapRow): ImportProblem {
  const area = o.area_m2.toFixed(1);
  return o.with_idx === null
    ? {
        index: o.idx,
        ...because('overlaps_stored', { id: Number(o.with_id), name: o.with_name ?? '', area }),
      }
    : { index: o.idx, ...because('overlaps_in_file', { other: o.with_idx + 1, area }) };
}

/**
 * The overlap trigger's refusal (SQLSTATE WY001) where the check above cannot see it coming (an
 * upsert moving a stored area onto another): an import problem, never a server error.
 */
function overlapAsProblem(e: unknown): never {
  if ((e as { code?: string } | null)?.code !== 'WY001') throw e;
  let detail: { with?: number[]; area_m2?: number } = {};
  try {
    detail = JSON.parse(String((e as { detail?: string }).detail ?? '{}')) as typeof detail;
  } catch {
    // no detail: the ids stay unnamed
  }
  throw new ImportError([
    {
      index: null,
      ...because('overlaps_stored', {
        id: detail.with?.[0] ?? 0,
        name: '',
        area: (detail.area_m2 ?? 0).toFixed(1),
      }),
    },
  ]);
}

/**
 * Coverage flags recomputed once, over the extent of `geoms` (a query of geometries: the new rows, and
 * the old places of rows a mode deleted or changed), when there is any service area to cover them.
 */
const refreshCoverageSql = (geoms: string) =>
  `SELECT refresh_building_coverage(ST_SetSRID(ST_Extent(geom)::geometry, 4326))
   FROM (${geoms}) g WHERE EXISTS (SELECT 1 FROM service_areas)`;

interface RepairRow {
  idx: number;
  reason: string;
  parts_before: number;
  parts_after: number;
  area_before: number;
  area_after: number;
  empty: boolean;
  valid: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const m2 = (a: number) => `${a.toLocaleString('en-US', { maximumFractionDigits: 1 })} m²`;

function toRepair(r: RepairRow): Repair {
  return {
    index: r.idx,
    reason: r.reason,
    partsBefore: r.parts_before,
    partsAfter: r.parts_after,
    areaBefore: r.area_before,
    areaAfter: r.area_after,
    message:
      `${r.reason} repaired: ${plural(r.parts_before, 'polygon')} → ${plural(r.parts_after, 'part')}, ` +
      `area ${m2(r.area_before)} → ${m2(r.area_after)}`,
  };
}

const STAGING_TYPES: Record<string, string> = {
  text: 'text',
  integer: 'integer',
  'double precision': 'double precision',
  boolean: 'boolean',
};

function stagingDdl(spec: ImportSpec): string {
  const cols = spec.columns.map((c) => `${c.name} ${STAGING_TYPES[c.type]}`).join(', ');
  return `CREATE TEMP TABLE import_staging (idx integer NOT NULL, geom geometry(Geometry, 4326) NOT NULL, source_id text, ${cols}) ON COMMIT DROP`;
}

/**
 * A feature's name as a problem row shows it (its `name`, or the column given), cut to 60
 * characters; none when it has none.
 */
export function nameOf(feature: unknown, column = 'name'): string | undefined {
  const v = (feature as { properties?: Record<string, unknown> } | null)?.properties?.[column];
  // Control characters (a NUL the import refuses, a tab, a line break) would break the line it is in.
  const text = typeof v === 'string' ? v.replace(/\p{Cc}+/gu, ' ').trim() : '';
  if (!text) return undefined;
  const chars = [...text];
  return chars.length > NAME_SHOWN ? `${chars.slice(0, NAME_SHOWN - 1).join('')}…` : chars.join('');
}
const NAME_SHOWN = 60;
/** Problems named from the database at most: a file with more is a wrong file, not one to find features in. */
const NAMED_MAX = 10_000;

/**
 * The problems found in SQL (invalid, overlapping, unknown compound …), named by the staged rows'
 * names, in one query; those found in JS were named from the feature itself.
 */
async function named(tx: Queryable, spec: ImportSpec, list: ImportProblem[]): Promise<ImportProblem[]> {
  if (!spec.columns.some((c) => c.name === 'name')) return list;
  const want = [
    ...new Set(list.filter((p) => p.index !== null && p.name === undefined).map((p) => p.index!)),
  ].slice(0, NAMED_MAX);
  if (!want.length) return list;
  const r = await tx.query<{ idx: number; name: string }>(
    'SELECT idx, name FROM import_staging WHERE idx = ANY($1::integer[]) AND name IS NOT NULL',
    [want],
  );
  const names = new Map(r.rows.map((row) => [row.idx, nameOf({ properties: { name: row.name } })]));
  return list.map((p) => {
    const name = p.index === null || p.name !== undefined ? undefined : names.get(p.index);
    return name === undefined ? p : { ...p, name };
  });
}

/** A box of lon/lat, as PostGIS gives its bounds. */
export interface LonLatBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/**
 * The file's problem when every feature lies far outside the city, said from the first one. A
 * Gauss-Krüger zone mistake is named as such: the first feature moved by whole 3° zones (one to
 * three, east or west) lands in the city's box.
 */
export function allOutsideCity(
  n: number,
  first: { lon: number; lat: number },
  city: LonLatBox,
): ImportProblem {
  const at = { n, lon: first.lon.toFixed(6), lat: first.lat.toFixed(6) };
  const inCity = (lon: number) =>
    lon >= city.xmin && lon <= city.xmax && first.lat >= city.ymin && first.lat <= city.ymax;
  const zones = [1, -1, 2, -2, 3, -3].find((k) => inCity(first.lon + 3 * k));
  return zones === undefined
    ? { index: null, code: 'all_outside_city', params: at }
    : { index: null, code: 'all_outside_city_zone', params: { ...at, deg: String(Math.abs(3 * zones)) } };
}

/** The staging table's columns after `idx`, in the order rows are loaded. */
function stagingColumns(spec: ImportSpec, withIdx = true): string {
  return [...(withIdx ? ['idx'] : []), 'geom', 'source_id', ...spec.columns.map((c) => c.name)].join(', ');
}

/** One value in COPY's text format. */
function copyValue(v: ColumnValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
}

/** Groups an iterator's items into arrays of up to `size`. */
async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Where prepared rows are loaded: the staging table (`idx` = the feature's index) or, for a direct
 * load, the layer's table itself (`id` = offset + the feature's index).
 */
interface LoadTarget {
  table: string;
  lead: 'idx' | 'id';
  offset: number;
}

async function loadRows(
  db: Db,
  tx: Queryable,
  spec: ImportSpec,
  target: LoadTarget,
  rows: AsyncIterable<PreparedFeature>,
): Promise<void> {
  const cols = `${target.lead}, ${stagingColumns(spec, false)}`;
  const offset = target.offset;
  if (db.copyFrom) {
    // COPY text of 2,000 rows at a time, built as the rows come (no batching step in between).
    async function* lines(): AsyncGenerator<string> {
      let s = '';
      let n = 0;
      for await (const r of rows) {
        s += `${offset + r.index}\t${r.ewkb}\t${copyValue(r.sourceId ?? null)}`;
        for (const v of r.values) s += `\t${copyValue(v)}`;
        s += '\n';
        if (++n === 2000) {
          yield s;
          s = '';
          n = 0;
        }
      }
      if (n) yield s;
    }
    if (await db.copyFrom(`COPY ${target.table} (${cols}) FROM STDIN`, lines(), tx)) return;
  }
  // PGlite has no COPY FROM STDIN here: batches of one array parameter per column, unnested.
  const unnest = [
    '$1::bigint[]',
    '$2::text[]',
    '$3::text[]',
    ...spec.columns.map((c, k) => `$${k + 4}::${STAGING_TYPES[c.type]}[]`),
  ].join(', ');
  const sql = `INSERT INTO ${target.table} (${cols}) SELECT * FROM unnest(${unnest})`;
  for await (const part of batches(rows, 5000)) {
    const params: unknown[][] = [
      part.map((r) => offset + r.index),
      part.map((r) => r.ewkb),
      part.map((r) => r.sourceId ?? null),
    ];
    for (let k = 0; k < spec.columns.length; k++) params.push(part.map((r) => r.values[k]));
    await tx.query(sql, params);
  }
}

/** Imports at least this large check validity with parallel workers (their start costs a few ms). */
const PARALLEL_CHECK_MIN_ROWS = 10_000;

/** Imports at least this large into a table no larger rebuild its GiST index instead of growing it. */
const REBUILD_INDEX_MIN_ROWS = 10_000;

/** The table's number of rows, counted up to `limit`. */
async function rowsUpTo(tx: Queryable, table: string, limit: number): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM (SELECT 1 FROM ${table} LIMIT ${Math.floor(limit)}) t`,
  );
  return r.rows[0]!.n;
}

/**
 * For a bulk load into an empty or small table, drops the GiST index on geom and returns the
 * statement that builds it again (run after the insert, in the same transaction): one sorted build
 * is about twice as fast as 200,000 single inserts into the tree. The table is locked until commit.
 */
async function dropSpatialIndexForBulkLoad(
  tx: Queryable,
  spec: ImportSpec,
  rows: number,
  /** The table's rows when already counted (at least up to rows + 1), to spare a second count. */
  existing: number | null = null,
): Promise<string | null> {
  if (rows < REBUILD_INDEX_MIN_ROWS) return null;
  if ((existing ?? (await rowsUpTo(tx, spec.table, rows + 1))) > rows) return null;
  const idx = await tx.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = $1 AND indexdef ILIKE '%USING gist (geom)%'`,
    [spec.table],
  );
  const found = idx.rows[0];
  if (!found) return null;
  await tx.query(`DROP INDEX ${quoteIdent(found.name)}`);
  return found.def;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface KeyCheckRow {
  idx: number;
  value: string;
  n?: number;
}

/** Per-feature checks of references and unique keys: SQL returning (idx, value[, n]) and the problem it means. */
function keyChecks(
  spec: ImportSpec,
  sameSourceIsSelf: boolean,
): { sql: string; problem(row: KeyCheckRow): ProblemReason }[] {
  const out: { sql: string; problem(row: KeyCheckRow): ProblemReason }[] = [];
  const quoted = (v: string) => `'${String(v).replace(/'/g, "''")}'`;
  for (const c of spec.columns) {
    if (c.references) {
      const { table, column } = c.references;
      // A jurisdiction's parent may be another feature of the same file.
      const sameFile =
        table === spec.table
          ? ` AND NOT EXISTS (SELECT 1 FROM import_staging s2 WHERE s2.${column} = s.${c.name})`
          : '';
      out.push({
        sql: `SELECT s.idx, s.${c.name}::text AS value
         FROM import_staging s
         WHERE s.${c.name} IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${column} = s.${c.name})${sameFile}`,
        problem: (r) =>
          because('reference_missing', { column: c.name, value: quoted(r.value), table, ref: column }),
      });
    }
    if (c.unique) {
      out.push({
        sql: `SELECT d.idx, d.${c.name}::text AS value, d.n::integer AS n
         FROM (SELECT idx, ${c.name}, count(*) OVER (PARTITION BY ${c.name}) AS n
               FROM import_staging WHERE ${c.name} IS NOT NULL) d
         WHERE d.n > 1`,
        problem: (r) => because('duplicate_in_file', { column: c.name, value: quoted(r.value), n: r.n ?? 2 }),
      });
      out.push({
        sql: `SELECT s.idx, s.${c.name}::text AS value
         FROM import_staging s
         WHERE s.${c.name} IS NOT NULL AND EXISTS (SELECT 1 FROM ${spec.table} t WHERE t.${c.name} = s.${c.name}${
           // Under upsert/append a stored row with the same source id is this feature itself.
           sameSourceIsSelf ? ' AND t.source_id IS DISTINCT FROM s.source_id' : ''
         })`,
        problem: (r) =>
          because('already_exists', { column: c.name, value: quoted(r.value), table: spec.table }),
      });
    }
  }
  return out;
}

/**
 * The staged features whose geometry, as the layer stores it, a stored row has exactly (`=`: the same
 * vertices in the same order). Direct, the stored rows are those below `newFrom`.
 */
function sameAsStoredSql(spec: ImportSpec, newFrom: number | null): string {
  return `SELECT DISTINCT s.idx FROM import_staging s JOIN ${spec.table} t ON t.geom = ${storedGeom(spec, 's.geom')}
    ${newFrom === null ? '' : `WHERE t.id < ${Number(newFrom)}`} ORDER BY s.idx`;
}

/** The staged geometry as the layer stores it. */
export function storedGeom(spec: ImportSpec, g = 'geom'): string {
  return spec.store === 'multi'
    ? `ST_Multi(${g})`
    : spec.store === 'single-polygon'
      ? `CASE WHEN GeometryType(${g}) = 'MULTIPOLYGON' THEN ST_GeometryN(${g}, 1) ELSE ${g} END`
      : g;
}

/** Who made or changed a row, when the file does not say: the signed-in user (the import page's). */
const BY_COLUMNS = new Set(['updated_by', 'created_by']);

function insertSql(spec: ImportSpec): string {
  const cols = spec.columns.map((c) => c.name).join(', ');
  const values = spec.columns
    .map((c) =>
      BY_COLUMNS.has(c.name) ? `COALESCE(${c.name}, NULLIF(current_setting('app.user', true), ''))` : c.name,
    )
    .join(', ');
  const insert = `INSERT INTO ${spec.table} (${cols}, source_id, geom) SELECT ${values}, source_id, ${storedGeom(spec)} FROM import_staging ORDER BY idx`;
  return withHistory(spec, insert);
}

/**
 * The statement plus a first/next history version of every row it returns, for the layers that keep
 * history (service areas, cameras, gates).
 */
export function withHistory(spec: ImportSpec, insert: string, returning = '*'): string {
  // Every imported area, camera and gate starts its history: version 1, operation 'import' (the
  // attributes as the cameras/gates API records them: server/src/cameras/*-history-write.sql).
  if (spec.layer === 'service-areas')
    return `WITH ins AS (${insert} RETURNING ${returning})
    INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by, changed_at)
    SELECT id, version, 'import', to_jsonb(ins) - 'geom', geom, COALESCE(updated_by, created_by), updated_at FROM ins`;
  if (spec.layer === 'cameras')
    return `WITH ins AS (${insert} RETURNING ${returning})
    INSERT INTO camera_history (camera_id, version, operation, attributes, geom, changed_by, changed_at)
    SELECT id, version, 'import',
           jsonb_build_object(
             'code', code, 'name', name, 'system', system, 'type', type,
             'direction_deg', direction_deg, 'fov_deg', fov_deg, 'range_m', range_m,
             'height_m', height_m, 'indoor', indoor, 'status', status, 'compound_id', compound_id),
           geom, updated_by, updated_at FROM ins`;
  if (spec.layer === 'gates')
    return `WITH ins AS (${insert} RETURNING ${returning})
    INSERT INTO gate_history (gate_id, version, operation, attributes, geom, changed_by, changed_at)
    SELECT id, version, 'import',
           jsonb_build_object('name', name, 'kind', kind, 'access_control', access_control,
                              'compound_id', compound_id),
           geom, updated_by, updated_at FROM ins`;
  return insert;
}
