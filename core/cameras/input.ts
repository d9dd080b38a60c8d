import type { Point } from 'geojson';
import type { ErrorCode } from '../errors.ts';
import { GATE_KINDS, isOneOf, type GateKind } from '../vocabulary.ts';
import { parseDirection } from './direction.ts';
import {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  isCameraStatus,
  isCameraSystem,
  isCameraType,
  sectorProblems,
  type CameraAttributes,
} from './record.ts';

/** One thing wrong with a camera or gate sent to the API; `field` lets a form show it beside the input. */
export interface PointInputProblem {
  code: ErrorCode;
  message: string;
  path: string;
  field?: string;
}

export type PointInputResult<T> =
  { ok: true; value: { attributes: T; geometry: Point } } | { ok: false; problems: PointInputProblem[] };

export interface GateAttributes {
  name: string | null;
  kind: GateKind;
  access_control: boolean;
  compound_id: number | null;
}

type Props = Record<string, unknown>;

/** The attributes a camera stores (API input, the point-layer repository, tiles and export). */
export const CAMERA_FIELDS = [
  'code',
  'name',
  'system',
  'type',
  'direction_deg',
  'fov_deg',
  'range_m',
  'height_m',
  'indoor',
  'status',
  'compound_id',
] as const;
/** The attributes a gate stores. */
export const GATE_FIELDS = ['name', 'kind', 'access_control', 'compound_id'] as const;

/** The Feature's Point and properties, or the problems with its shape. */
function shape(body: unknown, problems: PointInputProblem[]): { geometry: Point; props: Props } | null {
  const f = body as { type?: unknown; geometry?: unknown; properties?: unknown } | null;
  if (!f || typeof f !== 'object' || Array.isArray(f) || f.type !== 'Feature') {
    problems.push({
      code: 'invalid_geojson',
      message: 'Send a GeoJSON Feature with a Point geometry',
      path: '',
    });
    return null;
  }
  const g = f.geometry as { type?: unknown; coordinates?: unknown } | null;
  const c = g && g.type === 'Point' && Array.isArray(g.coordinates) ? (g.coordinates as unknown[]) : null;
  if (!c) {
    problems.push({ code: 'invalid_geometry', message: 'geometry must be a Point', path: 'geometry' });
    return null;
  }
  const [lon, lat] = c;
  if (
    typeof lon !== 'number' ||
    !(lon >= -180 && lon <= 180) ||
    typeof lat !== 'number' ||
    !(lat >= -90 && lat <= 90)
  ) {
    problems.push({
      code: 'invalid_geometry',
      message: `coordinates must be [lon, lat] numbers in -180..180 / -90..90, got ${JSON.stringify(c)}`,
      path: 'geometry.coordinates',
    });
    return null;
  }
  const props = f.properties;
  if (props !== undefined && props !== null && (typeof props !== 'object' || Array.isArray(props))) {
    problems.push({ code: 'invalid_attribute', message: 'properties must be an object', path: 'properties' });
    return null;
  }
  return { geometry: { type: 'Point', coordinates: [lon, lat] }, props: (props ?? {}) as Props };
}

function attr(problems: PointInputProblem[], field: string, message: string) {
  problems.push({ code: 'invalid_attribute', message, path: `properties.${field}`, field });
}

/** Longest text each point attribute may hold (a GB/T 28181 code is 20 characters). */
export const POINT_TEXT_LIMITS = { code: 64, name: 200 } as const;

function optText(
  problems: PointInputProblem[],
  p: Props,
  field: keyof typeof POINT_TEXT_LIMITS,
): string | null {
  const v = p[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    attr(problems, field, `${field} must be text`);
    return null;
  }
  const max = POINT_TEXT_LIMITS[field];
  if (v.length > max) {
    attr(problems, field, `${field} is longer than ${max} characters`);
    return null;
  }
  return v.trim() === '' ? null : v.trim();
}

/** Properties the server sends back: a client may echo them, they are ignored. */
const READ_ONLY = new Set(['id', 'version', 'updated_by', 'updated_at', 'created_by', 'created_at']);

/** A property this layer does not have is refused by name (a gate's fov_deg is not silently dropped). */
function unknownFields(problems: PointInputProblem[], p: Props, known: readonly string[]) {
  for (const k of Object.keys(p))
    if (!known.includes(k) && !READ_ONLY.has(k)) attr(problems, k, `Unknown attribute "${k}"`);
}

function optNumber(problems: PointInputProblem[], p: Props, field: string): number | null | undefined {
  const v = p[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    attr(problems, field, `${field} must be a finite number, got ${JSON.stringify(v)}`);
    return NaN;
  }
  return v;
}

function optCompound(problems: PointInputProblem[], p: Props): number | null {
  const v = p.compound_id;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    attr(problems, 'compound_id', 'compound_id must be a positive integer');
    return null;
  }
  return v;
}

/**
 * A camera as POSTed or PUT: a Feature with a Point and the camera's attributes. Missing values take
 * the defaults (fixed, 85° or the type's FOV, 30 m, active); `direction_deg` also takes the OSM forms
 * (`NW`, `-8`). Range 0, FOV over 360, NaN and unknown words are refused by field.
 */
export function validateCameraInput(body: unknown): PointInputResult<CameraAttributes> {
  const problems: PointInputProblem[] = [];
  const s = shape(body, problems);
  if (!s) return { ok: false, problems };
  const p = s.props;
  const type = p.type === undefined || p.type === null ? 'fixed' : p.type;
  if (!isCameraType(type)) attr(problems, 'type', `type ${JSON.stringify(type)} must be fixed, dome or ptz`);
  const system = p.system === undefined || p.system === null ? 'other' : p.system;
  if (!isCameraSystem(system))
    attr(problems, 'system', `system ${JSON.stringify(system)} must be xueliang, tianwang, huiyan or other`);
  const status = p.status === undefined || p.status === null ? 'active' : p.status;
  if (!isCameraStatus(status))
    attr(problems, 'status', `status ${JSON.stringify(status)} must be active, offline or planned`);
  unknownFields(problems, p, CAMERA_FIELDS);
  let direction: number | null = null;
  if (typeof p.direction_deg === 'number' && !(Math.abs(p.direction_deg) <= 360)) {
    attr(problems, 'direction_deg', `direction_deg ${p.direction_deg} must be a bearing from -360 to 360`);
  } else if (p.direction_deg !== undefined && p.direction_deg !== null) {
    const d = parseDirection(p.direction_deg);
    if (!d.ok) attr(problems, 'direction_deg', d.message);
    else if (d.views.length > 1 || d.views[0]?.fovDeg !== undefined)
      attr(problems, 'direction_deg', 'direction_deg must be one bearing (lists and ranges are for imports)');
    else direction = d.views[0]?.directionDeg ?? null;
  }
  const fov = optNumber(problems, p, 'fov_deg');
  const range = optNumber(problems, p, 'range_m');
  const height = optNumber(problems, p, 'height_m');
  if (p.indoor !== undefined && p.indoor !== null && typeof p.indoor !== 'boolean')
    attr(problems, 'indoor', 'indoor must be true or false');
  const a: CameraAttributes = {
    code: optText(problems, p, 'code'),
    name: optText(problems, p, 'name'),
    system: isCameraSystem(system) ? system : 'other',
    type: isCameraType(type) ? type : 'fixed',
    direction_deg: direction,
    fov_deg: fov ?? DEFAULT_FOV[isCameraType(type) ? type : 'fixed'],
    range_m: range ?? DEFAULT_RANGE_M,
    height_m: height ?? null,
    indoor: p.indoor === true,
    status: isCameraStatus(status) ? status : 'active',
    compound_id: optCompound(problems, p),
  };
  for (const q of sectorProblems(a))
    if (!problems.some((x) => x.field === q.field)) attr(problems, q.field, q.message);
  return problems.length
    ? { ok: false, problems }
    : { ok: true, value: { attributes: a, geometry: s.geometry } };
}

/** A gate or unit door as POSTed or PUT. */
export function validateGateInput(body: unknown): PointInputResult<GateAttributes> {
  const problems: PointInputProblem[] = [];
  const s = shape(body, problems);
  if (!s) return { ok: false, problems };
  const p = s.props;
  unknownFields(problems, p, GATE_FIELDS);
  const kind = p.kind === undefined || p.kind === null ? 'pedestrian' : p.kind;
  if (!isOneOf(GATE_KINDS, kind))
    attr(problems, 'kind', `kind ${JSON.stringify(kind)} must be vehicle, pedestrian or unit_door`);
  if (p.access_control !== undefined && p.access_control !== null && typeof p.access_control !== 'boolean')
    attr(problems, 'access_control', 'access_control must be true or false');
  const a: GateAttributes = {
    name: optText(problems, p, 'name'),
    kind: isOneOf(GATE_KINDS, kind) ? kind : 'pedestrian',
    access_control: p.access_control === true,
    compound_id: optCompound(problems, p),
  };
  return problems.length
    ? { ok: false, problems }
    : { ok: true, value: { attributes: a, geometry: s.geometry } };
}
