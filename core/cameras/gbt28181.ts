import {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  isCameraSystem,
  lonLatProblems,
  readNumber,
  sectorProblems,
  shownValue,
  type CameraRecord,
  type RowProblem,
} from './record.ts';
import type { ImportProblemCode, ImportProblemParams } from '../import-problems.ts';
import { CAMERA_SYSTEMS, type CameraSystem, type CameraType } from '../vocabulary.ts';

/**
 * Cameras from a GB/T 28181 device catalogue (what 雪亮/天网 platforms export), one CSV row each:
 * DeviceID, Name, CivilCode, Longitude, Latitude, PTZType, RoomType, UseType, DirectionType.
 *
 * PTZType: 1 球机 → dome 360°; 2 半球 → dome, 180° (a half-dome on a wall or ceiling sees one side);
 * 3 固定枪机 → fixed 85°; 4 遥控枪机 → ptz 360° (it can be turned anywhere). RoomType 2 → indoor.
 * DirectionType 1 东 E, 2 西 W, 3 南 S, 4 北 N, 5 东南 SE, 6 东北 NE, 7 西南 SW, 8 西北 NW.
 * UseType (1 治安, 2 交通, 3 重点) is checked but not stored. Optional columns `system`, `range_m`,
 * `fov_deg`, `height_m` are read when present.
 */
export const GBT28181_COLUMNS = [
  'DeviceID',
  'Name',
  'CivilCode',
  'Longitude',
  'Latitude',
  'PTZType',
  'RoomType',
  'UseType',
  'DirectionType',
] as const;

const PTZ: Record<string, { type: CameraType; fov: number }> = {
  '1': { type: 'dome', fov: DEFAULT_FOV.dome },
  '2': { type: 'dome', fov: 180 },
  '3': { type: 'fixed', fov: DEFAULT_FOV.fixed },
  '4': { type: 'ptz', fov: DEFAULT_FOV.ptz },
};
const DIRECTION: Record<string, number> = {
  '1': 90,
  '2': 270,
  '3': 180,
  '4': 0,
  '5': 135,
  '6': 45,
  '7': 225,
  '8': 315,
};

/** Does a CSV header look like a GB/T 28181 catalogue? (DeviceID plus Longitude/Latitude.) */
export function isGbt28181Header(header: readonly string[]): boolean {
  const h = new Set(header.map((x) => x.trim().toLowerCase()));
  return h.has('deviceid') && h.has('longitude') && h.has('latitude');
}

/** Cameras of catalogue rows (header → text), with problems by row and field. */
export function camerasFromGbt28181(
  rows: readonly Record<string, string>[],
  opts: { system?: CameraSystem } = {},
): { cameras: CameraRecord[]; problems: RowProblem[] } {
  const cameras: CameraRecord[] = [];
  const problems: RowProblem[] = [];
  rows.forEach((raw, row) => {
    // Column names in any case.
    const r: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) r[k.trim().toLowerCase()] = (v ?? '').trim();
    const rowProblems: RowProblem[] = [];
    const err = (field: string, code: ImportProblemCode, params: ImportProblemParams = { field }) =>
      rowProblems.push({ row, field, code, params, severity: 'error' });
    const warn = (field: string, code: ImportProblemCode, params: ImportProblemParams = { field }) =>
      rowProblems.push({ row, field, code, params, severity: 'warning' });
    const bad = (field: string, value: string, code: ImportProblemCode, severity = err) =>
      severity(field, code, { field, value: shownValue(value) });

    const id = r.deviceid ?? '';
    if (!/^\d{20}$/.test(id)) bad('DeviceID', id, 'gbt_device_id');
    const civil = r.civilcode ?? '';
    if (civil && !/^\d{2,8}$/.test(civil)) bad('CivilCode', civil, 'gbt_civil_code', warn);
    const lon = readNumber(r.longitude);
    const lat = readNumber(r.latitude);
    for (const p of lonLatProblems(lon, lat, [r.longitude, r.latitude], ['Longitude', 'Latitude']))
      err(p.field, p.code, p.params);
    const ptz = PTZ[r.ptztype ?? ''];
    if (!ptz && r.ptztype) bad('PTZType', r.ptztype, 'gbt_ptz_type');
    const kind = ptz ?? { type: 'fixed' as const, fov: DEFAULT_FOV.fixed };
    if (!r.ptztype) warn('PTZType', 'gbt_ptz_type_empty');
    let indoor = false;
    if (r.roomtype === '2') indoor = true;
    else if (r.roomtype && r.roomtype !== '1') bad('RoomType', r.roomtype, 'gbt_room_type');
    if (r.usetype && !['1', '2', '3'].includes(r.usetype)) bad('UseType', r.usetype, 'gbt_use_type', warn);
    let direction: number | null = null;
    if (r.directiontype) {
      const d = DIRECTION[r.directiontype];
      if (d === undefined) bad('DirectionType', r.directiontype, 'gbt_direction_type');
      else direction = d;
    }
    const optional = (name: string) => {
      const v = r[name];
      if (v === undefined || v === '') return null;
      const n = readNumber(v);
      if (Number.isNaN(n)) bad(name, v, 'not_number');
      return n;
    };
    let system: CameraSystem = opts.system ?? 'other';
    if (r.system) {
      if (isCameraSystem(r.system)) system = r.system;
      else
        err('system', 'value_not_allowed', {
          field: 'system',
          value: shownValue(r.system),
          allowed: CAMERA_SYSTEMS.join(', '),
        });
    }
    const c: CameraRecord = {
      code: id || null,
      name: r.name || null,
      system,
      type: kind.type,
      direction_deg: direction,
      fov_deg: optional('fov_deg') ?? kind.fov,
      range_m: optional('range_m') ?? DEFAULT_RANGE_M,
      height_m: optional('height_m'),
      indoor,
      status: 'active',
      compound_id: null,
      lon,
      lat,
      tilt_deg: null,
      row,
    };
    for (const p of sectorProblems(c))
      if (!rowProblems.some((q) => q.field === p.field)) err(p.field, p.code, p.params);
    if (kind.type === 'fixed' && !r.directiontype) warn('DirectionType', 'gbt_no_direction');
    problems.push(...rowProblems);
    if (!rowProblems.some((p) => p.severity === 'error')) cameras.push(c);
  });
  return { cameras, problems };
}
