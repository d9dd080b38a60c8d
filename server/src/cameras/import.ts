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

export interface CameraImportResult {
  /** What the file held: OSM tags or a GB/T 28181 catalogue. */
  source: 'osm' | 'gbt28181';
  rows: number;
  inserted: number;
  /** Rows left out (only with skipInvalid; otherwise any error throws CameraImportError). */
  rejected: RowProblem[];
  warnings: RowProblem[];
}

/** An import that wrote nothing: every problem, by source row and field. */
export class CameraImportError extends Error {
  constructor(readonly problems: RowProblem[]) {
    const first = problems[0];
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'}; first: ` +
        (first ? `row ${first.row + 1}, ${first.field}: ${first.message}` : 'unknown'),
    );
    this.name = 'CameraImportError';
  }
}

/** Reads a camera file into records and problems, without touching the database. */
export function readCameraFile(opts: Pick<CameraImportOptions, 'text' | 'format' | 'system'>): {
  source: 'osm' | 'gbt28181';
  rows: number;
  cameras: CameraRecord[];
  problems: RowProblem[];
} {
  if (opts.format === 'geojson') {
    const features = featuresFromGeoJson(opts.text).map((s) => s.feature);
    return { source: 'osm', rows: features.length, ...camerasFromOsm(features) };
  }
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(opts.text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      string
    >[];
  } catch (e) {
    throw new CameraImportError([
      { row: -1, field: 'file', message: `not readable as CSV: ${(e as Error).message}`, severity: 'error' },
    ]);
  }
  if (rows.length && isGbt28181Header(Object.keys(rows[0]!)))
    return { source: 'gbt28181', rows: rows.length, ...camerasFromGbt28181(rows, { system: opts.system }) };
  const features = featuresFromRows(rows).map((s) => s.feature);
  return { source: 'osm', rows: rows.length, ...camerasFromOsm(features) };
}

/**
 * Imports a camera file in one transaction through the generic importer (which checks codes,
 * compounds and coordinates again in PostGIS). Errors are reported by source row and field.
 */
export async function importCameras(db: Db, opts: CameraImportOptions): Promise<CameraImportResult> {
  const read = readCameraFile(opts);
  const errors = read.problems.filter((p) => p.severity === 'error');
  const warnings = read.problems.filter((p) => p.severity === 'warning');
  if (errors.length && !opts.skipInvalid) throw new CameraImportError(errors);
  try {
    const r = await importLayer(db, {
      layer: 'cameras',
      features: read.cameras.map(cameraImportFeature),
      crs: opts.crs,
    });
    return { source: read.source, rows: read.rows, inserted: r.inserted, rejected: errors, warnings };
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    // The generic importer counts features; map them back to the rows they came from.
    throw new CameraImportError(
      e.problems.map((p) => ({
        row: p.index === null ? -1 : (read.cameras[p.index]?.row ?? -1),
        field: 'row',
        message: importProblemLine('en', p),
        severity: 'error' as const,
      })),
    );
  }
}
