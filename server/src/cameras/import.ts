import type { ImportProblem } from '../../../core/import-problems.ts';
import { importProblemLine } from '../../../core/import-words.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  cameraImportFeature,
  camerasFromGbt28181,
  camerasFromOsm,
  isGbt28181Header,
  type CameraRecord,
  type RowProblem,
} from '../../../core/cameras/index.ts';
import type { CameraSystem } from '../../../core/vocabulary.ts';
import type { Db } from '../db/index.ts';
import { guessMapping } from '../../../core/import-mapping.ts';
import { IMPORT_SPECS } from '../importer/spec.ts';
import { insideChina } from '../importer/crs.ts';
import {
  ImportError,
  featuresFromGeoJson,
  featuresFromRows,
  importLayer,
  type ImportCrs,
} from '../importer/index.ts';

export type CameraFileFormat = 'geojson' | 'csv';

export interface CameraImportOptions {
  /** The file's text: GeoJSON (OSM `man_made=surveillance` features or this app's export) or CSV. */
  text: string;
  format: CameraFileFormat;
  crs?: ImportCrs;
  /** Import the good rows and report the rejected ones, instead of writing nothing on any error. */
  skipInvalid?: boolean;
  /** The programme of a GB/T 28181 catalogue's cameras (雪亮/天网 …) when it has no `system` column. */
  system?: CameraSystem;
}

/**
 * One problem of a camera file, as the main importer's (core/import-problems.ts): the source feature
 * or record (`index`, 0-based; null for the file), its CSV line (`row`, header = 1), why as a code
 * with params; plus the field it is about and whether it rejects the row.
 */
export interface CameraProblem extends ImportProblem {
  field: string;
  severity: 'error' | 'warning';
}

export interface CameraImportResult {
  /** What the file held: OSM tags or a GB/T 28181 catalogue. */
  source: 'osm' | 'gbt28181';
  rows: number;
  inserted: number;
  /** Rows left out (only with skipInvalid; otherwise any error throws CameraImportError). */
  rejected: CameraProblem[];
  warnings: CameraProblem[];
}

/** An import that wrote nothing: every problem, by source row and field. */
export class CameraImportError extends Error {
  constructor(readonly problems: CameraProblem[]) {
    const first = problems[0];
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'}; first: ` +
        (first ? importProblemLine('en', first) : 'unknown'),
    );
    this.name = 'CameraImportError';
  }
}

/**
 * Reads a camera file into records and problems, without touching the database. A camera outside
 * China is a warning on its row, as the main importer gives for any layer (wrong columns or CRS).
 */
export function readCameraFile(
  opts: Pick<CameraImportOptions, 'text' | 'format' | 'system'>,
): ReturnType<typeof readCameraRows> {
  const r = readCameraRows(opts);
  const far = new Map<number, RowProblem>();
  for (const c of r.cameras) {
    if (far.has(c.row) || !Number.isFinite(c.lon) || !Number.isFinite(c.lat) || insideChina(c.lon, c.lat))
      continue;
    far.set(c.row, {
      row: c.row,
      field: 'lon',
      code: 'outside_china',
      params: { lon: c.lon.toFixed(6), lat: c.lat.toFixed(6) },
      severity: 'warning',
    });
  }
  if (!far.size) return r;
  const problems = [...r.problems, ...[...far.values()].map(located(r.lines))];
  return { ...r, problems: problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1)) };
}

/** OpenStreetMap's camera keys: `man_made`, `surveillance`, `surveillance:type`, `camera:*`. */
const OSM_KEY = /^(?:man_made|surveillance(?::.+)?|camera:.+)$/;

/**
 * Whether a camera file speaks OpenStreetMap's tags or is a GB/T 28181 catalogue (DeviceID,
 * Longitude, Latitude), which this importer reads; a street office's own list (名称, 类型 球机,
 * 所属系统 雪亮工程 …) is read as every other layer's file is, with its columns mapped and its
 * words read (helper 45: its 球机 became a fixed camera and its 所属系统 was dropped).
 */
export function isTaggedCameraFile(text: string, format: CameraFileFormat): boolean {
  if (format === 'geojson') {
    const head = text.slice(0, 1 << 16);
    return /"(?:man_made|surveillance(?::[\w:]+)?|camera:[\w:]+)"\s*:/.test(head);
  }
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const header = firstLine.split(/[,;\t]/).map((h) => h.trim().replace(/^"|"$/g, ''));
  return isGbt28181Header(header) || header.some((h) => OSM_KEY.test(h));
}

function readCameraRows(opts: Pick<CameraImportOptions, 'text' | 'format' | 'system'>): {
  source: 'osm' | 'gbt28181';
  rows: number;
  cameras: CameraRecord[];
  problems: CameraProblem[];
  /** Each source row's CSV line (header = 1), for a CSV. */
  lines?: number[];
} {
  if (opts.format === 'geojson') {
    const features = featuresFromGeoJson(opts.text).map((s) => s.feature);
    const r = camerasFromOsm(features);
    return { source: 'osm', rows: features.length, cameras: r.cameras, problems: r.problems.map(located()) };
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(opts.text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as typeof records;
  } catch (e) {
    // The parser's own words, as the main importer's CSV reader gives them (`not_csv` { detail }).
    throw new CameraImportError([
      {
        index: null,
        field: 'file',
        code: 'not_csv',
        params: { detail: (e as Error).message },
        severity: 'error',
      },
    ]);
  }
  const rows = records.map((r) => r.record);
  const lines = records.map((r) => r.info.lines);
  if (rows.length && isGbt28181Header(Object.keys(rows[0]!))) {
    const r = camerasFromGbt28181(rows, { system: opts.system });
    const problems = r.problems.map(located(lines));
    return { source: 'gbt28181', rows: rows.length, cameras: r.cameras, problems, lines };
  }
  const sources = featuresFromRows(withFieldNames(rows));
  const r = camerasFromOsm(sources.map((s) => s.feature));
  // An unreadable lon/lat cell is the reader's problem (with the cell's text), not the camera's NaN.
  const cells: RowProblem[] = sources.flatMap((s, row) =>
    (s.problems ?? []).map((p) => ({
      row,
      field: typeof p.params?.field === 'string' ? p.params.field : 'row',
      code: p.code,
      params: p.params ?? {},
      severity: 'error' as const,
    })),
  );
  const unreadable = new Set(cells.map((p) => p.row));
  const own = r.problems.filter((p) => !(unreadable.has(p.row) && (p.field === 'lon' || p.field === 'lat')));
  const problems = [...cells, ...own].sort((a, b) => a.row - b.row).map(located(lines));
  return { source: 'osm', rows: rows.length, cameras: r.cameras, problems, lines };
}

/**
 * Rows with the camera fields also under their own names where a column is named for them the way
 * the import page guesses (名称 → name, 编号 → code, 方向 → direction_deg …): a camera list from Excel
 * had its names dropped on the command line.
 */
function withFieldNames(rows: Record<string, string>[]): Record<string, string>[] {
  if (!rows.length) return rows;
  const fields = IMPORT_SPECS.cameras.columns.map((c) => c.name);
  const mapped = Object.entries(guessMapping(fields, Object.keys(rows[0]!))).filter(
    (e): e is [string, string] => e[1] !== null && e[1] !== e[0],
  );
  if (!mapped.length) return rows;
  return rows.map((r) => {
    const o = { ...r };
    for (const [field, column] of mapped) if (o[field] === undefined) o[field] = r[column] ?? '';
    return o;
  });
}

/** A row's problem as an import problem: its index, and its CSV line when there are lines. */
const located =
  (lines?: number[]) =>
  (p: RowProblem): CameraProblem => {
    const line = lines?.[p.row];
    return {
      index: p.row,
      ...(line === undefined ? {} : { row: line }),
      field: p.field,
      code: p.code,
      params: p.params,
      severity: p.severity,
    };
  };

/**
 * Imports a camera file in one transaction through the generic importer (which checks codes,
 * compounds and coordinates again in PostGIS). Errors are reported by source row and field.
 */
export async function importCameras(db: Db, opts: CameraImportOptions): Promise<CameraImportResult> {
  const read = readCameraFile(opts);
  const errors = read.problems.filter((p) => p.severity === 'error');
  const warnings = read.problems.filter((p) => p.severity === 'warning');
  if (errors.length && !opts.skipInvalid) throw new CameraImportError(errors);
  const lines = read.lines;
  try {
    const r = await importLayer(db, {
      layer: 'cameras',
      features: read.cameras.map(cameraImportFeature),
      crs: opts.crs,
    });
    return { source: read.source, rows: read.rows, inserted: r.inserted, rejected: errors, warnings };
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    // The generic importer counts cameras; map them back to the rows they came from.
    throw new CameraImportError(
      e.problems.map(({ index, row: _row, ...why }) => {
        const row = index === null ? undefined : read.cameras[index]?.row;
        const line = row === undefined ? undefined : lines?.[row];
        const named = why.params?.field ?? why.params?.column;
        return {
          index: row ?? null,
          ...(line === undefined ? {} : { row: line }),
          field: typeof named === 'string' ? named : row === undefined ? 'file' : 'row',
          ...why,
          severity: 'error' as const,
        };
      }),
    );
  }
}
