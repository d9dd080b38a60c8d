import {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  isCameraSystem,
  readNumber,
  sectorProblems,
  type CameraRecord,
  type RowProblem,
} from './record.ts';
import type { CameraSystem, CameraType } from '../vocabulary.ts';

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
    const err = (field: string, message: string) =>
      rowProblems.push({ row, field, message, severity: 'error' });
    const warn = (field: string, message: string) =>
      rowProblems.push({ row, field, message, severity: 'warning' });

    const id = r.deviceid ?? '';
    if (!/^\d{20}$/.test(id)) err('DeviceID', `DeviceID "${id}" must be 20 digits`);
    const civil = r.civilcode ?? '';
    if (civil && !/^\d{2,8}$/.test(civil))
      warn('CivilCode', `CivilCode "${civil}" is not a 2–8 digit region code`);
    const lon = readNumber(r.longitude);
    const lat = readNumber(r.latitude);
    if (!(Number.isFinite(lon) && lon >= -180 && lon <= 180))
      err('Longitude', `Longitude "${r.longitude ?? ''}" must be a number in -180..180`);
    if (!(Number.isFinite(lat) && lat >= -90 && lat <= 90))
      err('Latitude', `Latitude "${r.latitude ?? ''}" must be a number in -90..90`);
    const ptz = PTZ[r.ptztype ?? ''];
    if (!ptz && r.ptztype)
      err('PTZType', `PTZType "${r.ptztype}" must be 1 (球机), 2 (半球), 3 (固定枪机) or 4 (遥控枪机)`);
    const kind = ptz ?? { type: 'fixed' as const, fov: DEFAULT_FOV.fixed };
    if (!r.ptztype) warn('PTZType', 'PTZType is empty; taken as 3 (固定枪机, fixed)');
    let indoor = false;
    if (r.roomtype === '2') indoor = true;
    else if (r.roomtype && r.roomtype !== '1')
      err('RoomType', `RoomType "${r.roomtype}" must be 1 (室外) or 2 (室内)`);
    if (r.usetype && !['1', '2', '3'].includes(r.usetype))
      warn('UseType', `UseType "${r.usetype}" is not 1 (治安), 2 (交通) or 3 (重点); ignored`);
    let direction: number | null = null;
    if (r.directiontype) {
      const d = DIRECTION[r.directiontype];
      if (d === undefined)
        err(
          'DirectionType',
          `DirectionType "${r.directiontype}" must be 1–8 (东 西 南 北 东南 东北 西南 西北)`,
        );
      else direction = d;
    }
    const optional = (name: string) => {
      const v = r[name];
      if (v === undefined || v === '') return null;
      const n = readNumber(v);
      if (Number.isNaN(n)) err(name, `${name} "${v}" is not a number`);
      return n;
    };
    let system: CameraSystem = opts.system ?? 'other';
    if (r.system) {
      if (isCameraSystem(r.system)) system = r.system;
      else err('system', `system "${r.system}" is not xueliang, tianwang, huiyan or other`);
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
      if (!rowProblems.some((q) => q.field === p.field)) err(p.field, p.message);
    if (kind.type === 'fixed' && !r.directiontype)
      warn('DirectionType', 'a fixed camera without DirectionType has no known view; it gets no viewshed');
    problems.push(...rowProblems);
    if (!rowProblems.some((p) => p.severity === 'error')) cameras.push(c);
  });
  return { cameras, problems };
}
