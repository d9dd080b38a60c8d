import type { Polygon, Position } from 'geojson';
import type { ServiceAreaAttributes } from '../api.ts';
import type { ErrorCode } from '../errors.ts';
import { AREA_STATUSES, MANAGEMENT_MODES, isOneOf } from '../vocabulary.ts';

/** Most vertices one area may have (all rings together). */
export const MAX_AREA_VERTICES = 10_000;

/** Why an input is malformed: each maps to a 400 with the error code beside it. */
export const INPUT_PROBLEMS = {
  not_a_feature: 'invalid_geojson',
  not_a_polygon: 'invalid_geojson',
  bad_coordinate: 'invalid_geometry',
  coordinate_out_of_range: 'invalid_geometry',
  too_few_positions: 'invalid_geometry',
  unclosed_ring: 'invalid_geometry',
  too_many_vertices: 'invalid_geometry',
  crosses_antimeridian: 'invalid_geometry',
  missing_attribute: 'invalid_attribute',
  unknown_attribute: 'invalid_attribute',
  bad_attribute_value: 'invalid_attribute',
} as const satisfies Record<string, ErrorCode>;
export type InputProblemCode = keyof typeof INPUT_PROBLEMS;

export interface InputProblem {
  problem: InputProblemCode;
  /** The API error code it is answered with. */
  code: ErrorCode;
  message: string;
  /** Where: `geometry.coordinates[0][3]`, `properties.management_mode`. */
  path: string;
  /** The attribute, for a form to show the message beside its field. */
  field?: string;
}

export type InputResult<T> = { ok: true; value: T } | { ok: false; problems: InputProblem[] };

const problem = (p: InputProblemCode, path: string, message: string, field?: string): InputProblem => ({
  problem: p,
  code: INPUT_PROBLEMS[p],
  message,
  path,
  ...(field ? { field } : {}),
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The index of the first edge of a ring that spans more than 180° of longitude, or -1. Such an edge
 * is meant to cross the antimeridian, but PostGIS (planar lon/lat) would draw it the long way round
 * and store a strip around the whole globe.
 */
export function crossesAntimeridian(ring: readonly (readonly number[])[]): number {
  for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i]![0]! - ring[i - 1]![0]!) > 180) return i - 1;
  return -1;
}

/**
 * A GeoJSON Polygon fit to be a service area: numbers in lon/lat range, closed rings of at least
 * four positions, at most MAX_AREA_VERTICES vertices. Geometry that is well-formed but crosses itself
 * passes here: that is the `self_intersection` check's job.
 */
export function validatePolygonInput(geometry: unknown, path = 'geometry'): InputResult<Polygon> {
  if (!isObject(geometry) || geometry.type !== 'Polygon' || !Array.isArray(geometry.coordinates)) {
    const got = isObject(geometry) ? String(geometry.type) : typeof geometry;
    return {
      ok: false,
      problems: [problem('not_a_polygon', path, `The geometry must be a Polygon (got ${got})`)],
    };
  }
  const rings = geometry.coordinates as unknown[];
  if (rings.length === 0)
    return {
      ok: false,
      problems: [problem('too_few_positions', `${path}.coordinates`, 'The polygon has no ring')],
    };
  let vertices = 0;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r];
    const rp = `${path}.coordinates[${r}]`;
    if (!Array.isArray(ring))
      return { ok: false, problems: [problem('bad_coordinate', rp, 'A ring must be an array of positions')] };
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i] as unknown;
      const pp = `${rp}[${i}]`;
      if (
        !Array.isArray(p) ||
        p.length < 2 ||
        p.length > 3 ||
        !p.every((c) => typeof c === 'number' && Number.isFinite(c))
      ) {
        return {
          ok: false,
          problems: [problem('bad_coordinate', pp, 'A position must be [lon, lat] of finite numbers')],
        };
      }
      const [lon, lat] = p as number[];
      if (lon! < -180 || lon! > 180 || lat! < -90 || lat! > 90) {
        return {
          ok: false,
          problems: [
            problem('coordinate_out_of_range', pp, `[${lon}, ${lat}] is outside lon -180..180 / lat -90..90`),
          ],
        };
      }
    }
    if (ring.length < 4) {
      return {
        ok: false,
        problems: [
          problem('too_few_positions', rp, `A ring needs at least 4 positions, this has ${ring.length}`),
        ],
      };
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      return { ok: false, problems: [problem('unclosed_ring', rp, 'A ring must end where it starts')] };
    }
    const edge = crossesAntimeridian(ring as number[][]);
    if (edge >= 0) {
      return {
        ok: false,
        problems: [
          problem(
            'crosses_antimeridian',
            `${rp}[${edge}]`,
            'An edge spans more than 180° of longitude: areas may not cross the antimeridian',
          ),
        ],
      };
    }
    vertices += ring.length - 1;
    if (vertices > MAX_AREA_VERTICES) {
      return {
        ok: false,
        problems: [
          problem('too_many_vertices', `${path}.coordinates`, `More than ${MAX_AREA_VERTICES} vertices`),
        ],
      };
    }
  }
  const coordinates = (rings as number[][][]).map((ring) => ring.map((p) => [p[0]!, p[1]!] as Position));
  return { ok: true, value: { type: 'Polygon', coordinates } };
}

/** The attribute names a client may set, with their longest length. */
const TEXT_ATTRIBUTES: Record<string, number> = {
  name: 200,
  street_code: 32,
  community_code: 32,
  provider: 200,
  helper_unit: 200,
  grid_worker: 200,
  notes: 4000,
};
/** What the server sends back in properties; a client may echo them, they are ignored. */
const READ_ONLY = new Set(['id', 'version', 'created_by', 'created_at', 'updated_by', 'updated_at']);

/**
 * The attribute form's values: name and management_mode required, known enum values, known names,
 * bounded text. Reports every problem, each with its field.
 */
export function validateAreaAttributes(
  props: unknown,
  path = 'properties',
): InputResult<ServiceAreaAttributes> {
  if (!isObject(props)) {
    return {
      ok: false,
      problems: [
        problem('missing_attribute', path, 'properties must be an object with name and management_mode'),
      ],
    };
  }
  const problems: InputProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const p = `${path}.${k}`;
    if (READ_ONLY.has(k)) continue;
    if (k === 'management_mode') {
      if (!isOneOf(MANAGEMENT_MODES, v))
        problems.push(
          problem(
            'bad_attribute_value',
            p,
            `management_mode must be one of ${MANAGEMENT_MODES.join(', ')}`,
            k,
          ),
        );
      else out[k] = v;
    } else if (k === 'status') {
      if (!isOneOf(AREA_STATUSES, v))
        problems.push(
          problem('bad_attribute_value', p, `status must be one of ${AREA_STATUSES.join(', ')}`, k),
        );
      else out[k] = v;
    } else if (k in TEXT_ATTRIBUTES) {
      if (v === null || v === undefined) {
        out[k] = null;
      } else if (typeof v !== 'string') {
        problems.push(problem('bad_attribute_value', p, `${k} must be text`, k));
      } else if (v.length > TEXT_ATTRIBUTES[k]!) {
        problems.push(
          problem('bad_attribute_value', p, `${k} is longer than ${TEXT_ATTRIBUTES[k]} characters`, k),
        );
      } else {
        const t = v.trim();
        out[k] = t === '' ? null : t;
      }
    } else {
      problems.push(problem('unknown_attribute', p, `Unknown attribute "${k}"`, k));
    }
  }
  if (!out.name && !problems.some((p) => p.field === 'name'))
    problems.push(problem('missing_attribute', `${path}.name`, 'name is required', 'name'));
  if (!('management_mode' in props))
    problems.push(
      problem(
        'missing_attribute',
        `${path}.management_mode`,
        'management_mode is required',
        'management_mode',
      ),
    );
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { status: 'draft', ...out } as ServiceAreaAttributes };
}

/** A GeoJSON Feature of a Polygon (geometry only: properties are not looked at). */
export function validateAreaGeometryFeature(input: unknown): InputResult<Polygon> {
  if (!isObject(input) || input.type !== 'Feature') {
    return {
      ok: false,
      problems: [problem('not_a_feature', '', 'Send a GeoJSON Feature with a Polygon geometry')],
    };
  }
  return validatePolygonInput(input.geometry);
}

/** A whole service-area Feature as POST and PUT take it: geometry and attributes. */
export function validateServiceAreaInput(
  input: unknown,
): InputResult<{ geometry: Polygon; attributes: ServiceAreaAttributes }> {
  const g = validateAreaGeometryFeature(input);
  if (!g.ok) return g;
  const a = validateAreaAttributes((input as Record<string, unknown>).properties);
  if (!a.ok) return a;
  return { ok: true, value: { geometry: g.value, attributes: a.value } };
}
