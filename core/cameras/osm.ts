import { parseDirection } from './direction.ts';
import {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  isCameraStatus,
  isCameraSystem,
  lonLatProblems,
  readNumber,
  sectorProblems,
  type CameraRecord,
  type RowProblem,
} from './record.ts';
import type { CameraType } from '../vocabulary.ts';

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
): { cameras: CameraRecord[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const err = (field: string, message: string) => problems.push({ row, field, message, severity: 'error' });
  const warn = (field: string, message: string) =>
    problems.push({ row, field, message, severity: 'warning' });
  for (const p of lonLatProblems(lon, lat)) err(p.field, p.message);

  const kind = text(props['surveillance:type']).toLowerCase();
  if (kind && !CAMERA_KINDS.includes(kind))
    err('surveillance:type', `surveillance:type=${kind} is not a camera (camera, ALPR or webcam)`);

  // Type and its FOV default.
  let type: CameraType = 'fixed';
  const rawType = text(props.type) || text(props['camera:type']);
  if (rawType) {
    const first = rawType.split(/[;,]/)[0]!.trim().toLowerCase();
    const t = TYPE_OF[first];
    if (t) type = t;
    else warn('camera:type', `camera:type "${rawType}" is not fixed, dome or panning; taken as fixed`);
    if (t && first !== rawType.toLowerCase())
      warn('camera:type', `camera:type "${rawType}": the first value (${first}) is used`);
  }

  // Direction: our column, else camera:direction, else the generic direction tag.
  const dirField =
    props.direction_deg !== undefined && props.direction_deg !== ''
      ? 'direction_deg'
      : text(props['camera:direction'])
        ? 'camera:direction'
        : 'direction';
  const parsed = parseDirection(props[dirField]);
  if (!parsed.ok) err(dirField, parsed.message);
  const views =
    parsed.ok && parsed.views.length
      ? parsed.views
      : [{ directionDeg: null as number | null, fovDeg: undefined }];

  const num = (field: string, unit?: RegExp): number | null => {
    const v = props[field];
    if (v === undefined || v === null || v === '') return null;
    const n = readNumber(v, unit);
    if (Number.isNaN(n)) err(field, `${field} "${text(v)}" is not a number`);
    return n;
  };
  const fovOwn = num('fov_deg', /°$/);
  const rangeOwn = num('range_m', /m$/);
  let height = num('height_m', /m$/);
  if (height === null) {
    const h = readNumber(props.height ?? props['camera:height'], /m$/);
    if (props.height !== undefined || props['camera:height'] !== undefined) {
      if (Number.isFinite(h) && h >= 0 && h <= 500) height = h;
      else
        warn(
          'height',
          `height "${text(props.height ?? props['camera:height'])}" is not a height in metres; left empty`,
        );
    }
  }
  let tilt: number | null = null;
  if (props['camera:angle'] !== undefined) {
    const a = readNumber(props['camera:angle'], /°$/);
    if (Number.isFinite(a) && a >= 0 && a <= 90) tilt = a;
    else
      warn('camera:angle', `camera:angle "${text(props['camera:angle'])}" is not a tilt of 0–90°; ignored`);
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
    else err('system', `system "${text(props.system)}" is not xueliang, tianwang, huiyan or other`);
  }
  let status = 'active';
  if (props.status !== undefined && props.status !== '') {
    if (isCameraStatus(props.status)) status = props.status;
    else err('status', `status "${text(props.status)}" is not active, offline or planned`);
  }
  const compound =
    props.compound_id === undefined || props.compound_id === '' ? null : readNumber(props.compound_id);
  if (compound !== null && !(Number.isInteger(compound) && compound > 0))
    err('compound_id', `compound_id "${text(props.compound_id)}" is not a positive integer`);

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
      if (!problems.some((q) => q.field === p.field)) err(p.field, p.message);
  if (views.length > 1)
    warn(
      dirField,
      `${views.length} directions: imported as ${views.length} cameras ${cameras.map((c) => c.code ?? '').join(', ')}`,
    );
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
      problems.push({
        row,
        field: 'geometry',
        message: 'a camera needs a Point geometry',
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
    );
    cameras.push(...r.cameras);
    problems.push(...r.problems);
  });
  return { cameras, problems };
}
