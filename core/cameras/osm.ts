import { parseDirection } from './direction.ts';
import {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  isCameraStatus,
  isCameraSystem,
  lonLatProblems,
  readNumber,
  sectorProblems,
  shownValue,
  type CameraRecord,
  type RowProblem,
} from './record.ts';
import type { ImportProblemCode, ImportProblemParams } from '../import-problems.ts';
import { CAMERA_STATUSES, CAMERA_SYSTEMS, type CameraType } from '../vocabulary.ts';

/**
 * Cameras from OpenStreetMap `man_made=surveillance` features (GeoJSON, or CSV rows with lon/lat).
 *
 * Decisions, so that real data imports:
 * - A list in `camera:direction` (`90;160;270`) is that many cameras on one mount: one camera row per
 *   entry, codes `<id>#1`, `<id>#2` …
 * - A range (`190-100`) is one camera whose view sweeps clockwise from the first bearing to the
 *   second: its centre is the direction and the sweep its FOV.
 * - `camera:type` fixed → fixed 85°, dome → dome 360°, panning → ptz 360°; `360` → dome. A list
 *   (`dome;fixed`) takes the first; anything else is taken as fixed, with a warning.
 * - `surveillance=indoor` or `indoor=yes` → indoor. `surveillance:type` other than camera, ALPR or
 *   webcam (e.g. guard) is not a camera: the row is rejected.
 * - Our own columns (`fov_deg`, `range_m`, `direction_deg`, `system`, `status` …) win over tags, so an
 *   export of this app reads back unchanged.
 */
const TYPE_OF: Record<string, CameraType> = {
  fixed: 'fixed',
  dome: 'dome',
  panning: 'ptz',
  ptz: 'ptz',
  '360': 'dome',
};
const CAMERA_KINDS = ['camera', 'alpr', 'webcam'];

type Props = Record<string, unknown>;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** One feature (its properties and point) as cameras, with every problem found in it. */
export function camerasFromOsmFeature(
  props: Props,
  lon: number,
  lat: number,
  row: number,
  id?: string | number | null,
  raw: [unknown, unknown] = [lon, lat],
): { cameras: CameraRecord[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const err = (field: string, code: ImportProblemCode, params: ImportProblemParams = { field }) =>
    problems.push({ row, field, code, params, severity: 'error' });
  const warn = (field: string, code: ImportProblemCode, params: ImportProblemParams = { field }) =>
    problems.push({ row, field, code, params, severity: 'warning' });
  for (const p of lonLatProblems(lon, lat, raw)) err(p.field, p.code, p.params);

  const kind = text(props['surveillance:type']).toLowerCase();
  if (kind && !CAMERA_KINDS.includes(kind))
    err('surveillance:type', 'camera_not_camera', { field: 'surveillance:type', value: shownValue(kind) });

  // Type and its FOV default.
  let type: CameraType = 'fixed';
  const typeField = text(props.type) ? 'type' : 'camera:type';
  const rawType = text(props[typeField]);
  if (rawType) {
    const first = rawType.split(/[;,]/)[0]!.trim().toLowerCase();
    const t = TYPE_OF[first];
    const value = shownValue(rawType);
    if (t) type = t;
    else warn(typeField, 'camera_type_unknown', { field: typeField, value });
    if (t && first !== rawType.toLowerCase())
      warn(typeField, 'camera_type_list', { field: typeField, value, first });
  }

  // Direction: our column, else camera:direction, else the generic direction tag.
  const dirField =
    props.direction_deg !== undefined && props.direction_deg !== ''
      ? 'direction_deg'
      : text(props['camera:direction'])
        ? 'camera:direction'
        : 'direction';
  const parsed = parseDirection(props[dirField]);
  if (!parsed.ok) err(dirField, parsed.code, { field: dirField, value: parsed.value });
  const views =
    parsed.ok && parsed.views.length
      ? parsed.views
      : [{ directionDeg: null as number | null, fovDeg: undefined }];

  const num = (field: string, unit?: RegExp): number | null => {
    const v = props[field];
    if (v === undefined || v === null || v === '') return null;
    const n = readNumber(v, unit);
    if (Number.isNaN(n)) err(field, 'not_number', { field, value: shownValue(text(v)) });
    return n;
  };
  const fovOwn = num('fov_deg', /°$/);
  const rangeOwn = num('range_m', /m$/);
  let height = num('height_m', /m$/);
  if (height === null) {
    const h = readNumber(props.height ?? props['camera:height'], /m$/);
    if (props.height !== undefined || props['camera:height'] !== undefined) {
      const field = props.height !== undefined ? 'height' : 'camera:height';
      if (Number.isFinite(h) && h >= 0 && h <= 500) height = h;
      else warn(field, 'height_ignored', { field, value: shownValue(text(props[field])) });
    }
  }
  let tilt: number | null = null;
  if (props['camera:angle'] !== undefined) {
    const a = readNumber(props['camera:angle'], /°$/);
    if (Number.isFinite(a) && a >= 0 && a <= 90) tilt = a;
    else
      warn('camera:angle', 'tilt_ignored', {
        field: 'camera:angle',
        value: shownValue(text(props['camera:angle'])),
      });
  }

  const surveillance = text(props.surveillance).toLowerCase();
  const indoorTag = props.indoor;
  const indoor =
    indoorTag === true ||
    ['yes', 'true', '1'].includes(text(indoorTag).toLowerCase()) ||
    surveillance === 'indoor';

  let system = 'other';
  if (props.system !== undefined && props.system !== '') {
    if (isCameraSystem(props.system)) system = props.system;
    else
      err('system', 'value_not_allowed', {
        field: 'system',
        value: shownValue(text(props.system)),
        allowed: CAMERA_SYSTEMS.join(', '),
      });
  }
  let status = 'active';
  if (props.status !== undefined && props.status !== '') {
    if (isCameraStatus(props.status)) status = props.status;
    else
      err('status', 'value_not_allowed', {
        field: 'status',
        value: shownValue(text(props.status)),
        allowed: CAMERA_STATUSES.join(', '),
      });
  }
  const compound =
    props.compound_id === undefined || props.compound_id === '' ? null : readNumber(props.compound_id);
  if (compound !== null && !(Number.isInteger(compound) && compound > 0))
    err('compound_id', 'not_positive_integer', {
      field: 'compound_id',
      value: shownValue(text(props.compound_id)),
    });

  const baseCode =
    text(props.code) || text(props['@id']) || (id !== undefined && id !== null ? String(id) : '');
  const name = text(props.name) || null;
  const cameras: CameraRecord[] = views.map((v, k) => {
    const c: CameraRecord = {
      code: baseCode ? (views.length > 1 ? `${baseCode}#${k + 1}` : baseCode) : null,
      name,
      system: system as CameraRecord['system'],
      type,
      direction_deg: v.directionDeg,
      fov_deg: fovOwn ?? v.fovDeg ?? DEFAULT_FOV[type],
      range_m: rangeOwn ?? DEFAULT_RANGE_M,
      height_m: height,
      indoor,
      status: status as CameraRecord['status'],
      compound_id: compound,
      lon,
      lat,
      tilt_deg: tilt,
      row,
    };
    return c;
  });
  // Sector checks once (every view shares fov/range unless a range set the FOV).
  for (const c of cameras.slice(0, 1))
    for (const p of sectorProblems(c))
      if (!problems.some((q) => q.field === p.field)) err(p.field, p.code, p.params);
  if (views.length > 1)
    warn(dirField, 'directions_split', {
      field: dirField,
      n: views.length,
      codes: cameras.map((c) => c.code ?? '').join(', '),
    });
  return { cameras: problems.some((p) => p.severity === 'error') ? [] : cameras, problems };
}

/** Cameras of a GeoJSON FeatureCollection's features (or CSV-built ones), row by row. */
export function camerasFromOsm(features: readonly unknown[]): {
  cameras: CameraRecord[];
  problems: RowProblem[];
} {
  const cameras: CameraRecord[] = [];
  const problems: RowProblem[] = [];
  features.forEach((f, row) => {
    const feat = f as {
      id?: unknown;
      properties?: unknown;
      geometry?: { type?: unknown; coordinates?: unknown };
    } | null;
    const g = feat?.geometry;
    const xy = g?.type === 'Point' && Array.isArray(g.coordinates) ? (g.coordinates as unknown[]) : null;
    if (!feat || !xy) {
      const type = typeof g?.type === 'string' ? g.type : null;
      problems.push({
        row,
        field: 'geometry',
        ...(type
          ? { code: 'wrong_geometry_type', params: { type, layer: 'cameras', accepts: 'Point' } }
          : { code: 'no_geometry', params: { layer: 'cameras', accepts: 'Point' } }),
        severity: 'error',
      });
      return;
    }
    const props = (feat.properties && typeof feat.properties === 'object' ? feat.properties : {}) as Props;
    const r = camerasFromOsmFeature(
      props,
      readNumber(xy[0]),
      readNumber(xy[1]),
      row,
      typeof feat.id === 'string' || typeof feat.id === 'number' ? feat.id : null,
      [xy[0], xy[1]],
    );
    cameras.push(...r.cameras);
    problems.push(...r.problems);
  });
  return { cameras, problems };
}
