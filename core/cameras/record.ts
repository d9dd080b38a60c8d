import type { Feature, Point } from 'geojson';
import type { ImportProblemCode, ImportProblemParams } from '../import-problems.ts';
import {
  CAMERA_STATUSES,
  CAMERA_SYSTEMS,
  CAMERA_TYPES,
  isOneOf,
  type CameraStatus,
  type CameraSystem,
  type CameraType,
} from '../vocabulary.ts';

/** The stored attributes of a camera (columns of `cameras`). */
export interface CameraAttributes {
  code: string | null;
  name: string | null;
  system: CameraSystem;
  type: CameraType;
  /** Compass bearing, [0, 360); null = unknown (then only a 360° camera has a viewshed). */
  direction_deg: number | null;
  fov_deg: number;
  range_m: number;
  height_m: number | null;
  indoor: boolean;
  status: CameraStatus;
  compound_id: number | null;
}

/** A camera read from a source row, with where it stands. */
export interface CameraRecord extends CameraAttributes {
  lon: number;
  lat: number;
  /** Tilt below the horizon (`camera:angle`); read and checked, not stored. */
  tilt_deg: number | null;
  /** The source row (0-based) it came from; one row may give several cameras. */
  row: number;
}

/**
 * A problem with one field of one source row; `error` rejects the row, `warning` only tells. Why is
 * a code of the import's (core/import-problems.ts) with its params, worded by core/import-words.ts.
 */
export interface RowProblem {
  /** The source row (0-based: the file's feature or record). */
  row: number;
  field: string;
  code: ImportProblemCode;
  params: ImportProblemParams;
  severity: 'error' | 'warning';
}

/** A check's finding: the field, why as a code with params, and the API's English message. */
export interface FieldProblem {
  field: string;
  code: ImportProblemCode;
  params: ImportProblemParams;
  message: string;
}

/** A value as a problem shows it: text quoted (`"abc"`), numbers as they are. */
export const shownValue = (v: unknown): string | number =>
  typeof v === 'number' ? v : typeof v === 'string' ? JSON.stringify(v) : String(v);

/** A number outside its interval, or no number at all. */
function rangeProblem(field: string, value: number, range: string, message: string): FieldProblem {
  return Number.isNaN(value)
    ? { field, code: 'not_number', params: { field, value: 'NaN' }, message }
    : { field, code: 'out_of_range', params: { field, value, range }, message };
}

/** FOV defaults by camera type (no standard tag carries FOV; tools assume these). */
export const DEFAULT_FOV: Record<CameraType, number> = { fixed: 85, dome: 360, ptz: 360 };
export const DEFAULT_RANGE_M = 30;
export const MAX_RANGE_M = 1000;

/** A number from a number or a text like "3.5", "3.5 m", "15°"; NaN when unreadable. */
export function readNumber(v: unknown, unit?: RegExp): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  let t = v.trim();
  if (unit) t = t.replace(unit, '').trim();
  return t === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(t) ? NaN : Number(t);
}

/** Checks of the sector values, one problem each: range 0, FOV > 360, NaN … */
export function sectorProblems(a: {
  direction_deg: number | null;
  fov_deg: number;
  range_m: number;
  height_m?: number | null;
}): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (
    a.direction_deg !== null &&
    !(Number.isFinite(a.direction_deg) && a.direction_deg >= 0 && a.direction_deg < 360)
  )
    out.push(
      rangeProblem(
        'direction_deg',
        a.direction_deg,
        '[0, 360)',
        `direction_deg ${a.direction_deg} must be a bearing ≥ 0 and < 360`,
      ),
    );
  if (!(Number.isFinite(a.fov_deg) && a.fov_deg > 0 && a.fov_deg <= 360))
    out.push(
      rangeProblem('fov_deg', a.fov_deg, '(0, 360]', `fov_deg ${a.fov_deg} must be > 0 and ≤ 360 degrees`),
    );
  if (!(Number.isFinite(a.range_m) && a.range_m > 0 && a.range_m <= MAX_RANGE_M))
    out.push(
      rangeProblem(
        'range_m',
        a.range_m,
        `(0, ${MAX_RANGE_M}]`,
        `range_m ${a.range_m} must be > 0 and ≤ ${MAX_RANGE_M} metres`,
      ),
    );
  if (
    a.height_m !== undefined &&
    a.height_m !== null &&
    !(Number.isFinite(a.height_m) && a.height_m >= 0 && a.height_m <= 500)
  )
    out.push(
      rangeProblem('height_m', a.height_m, '[0, 500]', `height_m ${a.height_m} must be ≥ 0 and ≤ 500 metres`),
    );
  return out;
}

/**
 * A position's longitude and latitude (`raw`: the values as found, shown when they are no number;
 * `fields`: the columns' names).
 */
export function lonLatProblems(
  lon: number,
  lat: number,
  raw: [unknown, unknown] = [lon, lat],
  fields: [string, string] = ['lon', 'lat'],
): FieldProblem[] {
  const out: FieldProblem[] = [];
  const check = (v: number, shown: unknown, field: string, max: number, what: string) => {
    if (Number.isFinite(v) && v >= -max && v <= max) return;
    const message = `${what} ${String(shown)} must be a number in -${max}..${max}`;
    out.push(
      Number.isFinite(v)
        ? { field, code: 'out_of_range', params: { field, value: v, range: `[-${max}, ${max}]` }, message }
        : { field, code: 'not_number', params: { field, value: shownValue(shown ?? '') }, message },
    );
  };
  check(lon, raw[0], fields[0], 180, 'longitude');
  check(lat, raw[1], fields[1], 90, 'latitude');
  return out;
}

/** The GeoJSON Feature the generic importer (server/src/importer) takes for a camera. */
export function cameraImportFeature(c: CameraRecord): Feature<Point> {
  const { lon, lat, row: _row, tilt_deg: _tilt, ...properties } = c;
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties };
}

export const isCameraType = (v: unknown): v is CameraType => isOneOf(CAMERA_TYPES, v);
export const isCameraSystem = (v: unknown): v is CameraSystem => isOneOf(CAMERA_SYSTEMS, v);
export const isCameraStatus = (v: unknown): v is CameraStatus => isOneOf(CAMERA_STATUSES, v);
