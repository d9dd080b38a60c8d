import type { Feature, Point } from 'geojson';
import type { PointHistoryEntry, PointLayer } from '../../../../core/api.ts';
import { ApiError, call as apiCall } from '../../api.ts';

/**
 * The cameras and gates part of the API (`/api/cameras`, `/api/gates`): GET one with its version,
 * PUT and DELETE with `If-Match: "<version>"` and the signed-in user's bearer token, history.
 */

export type { PointHistoryEntry, PointLayer };
export type PointFeature = Feature<Point, Record<string, unknown>>;

/** An error answer: status, code from core/errors.ts, message and details (field, problems, current …). */
export class PointApiError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    override readonly details?: Record<string, unknown>,
  ) {
    super(status, code, message, details);
  }

  /** The field the server blames (400 invalid_attribute, 422 validation_failed), if any. */
  get field(): string | null {
    const f = this.details?.field;
    return typeof f === 'string' ? f : null;
  }

  /** The feature as stored now, sent with a 409 (someone saved first). */
  get current(): PointFeature | null {
    return (this.details?.current as PointFeature | undefined) ?? null;
  }
}

async function call<T>(method: string, url: string, body?: unknown, version?: number): Promise<T> {
  try {
    const headers: Record<string, string> = version === undefined ? {} : { 'If-Match': `"${version}"` };
    return (await apiCall<T>(method, url, body, headers)).json;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    throw new PointApiError(e.status, e.code, e.message, e.details as Record<string, unknown> | undefined);
  }
}

/** The version a stored feature carries in its properties. */
export const versionOf = (f: PointFeature): number => Number(f.properties.version);

export function getPoint(layer: PointLayer, id: number): Promise<PointFeature> {
  return call<PointFeature>('GET', `/api/${layer}/${id}`);
}

/** PUT with If-Match: the stored feature after the save, or a PointApiError (409 with `current`). */
export async function savePoint(
  layer: PointLayer,
  feature: PointFeature,
  version: number,
): Promise<PointFeature> {
  const id = Number(feature.properties.id ?? feature.id);
  const out = await call<{ feature: PointFeature }>('PUT', `/api/${layer}/${id}`, feature, version);
  return out.feature;
}

/** POST: a new camera or gate at `coordinates` with these attributes; the stored feature back. */
export async function createPoint(
  layer: PointLayer,
  coordinates: [number, number],
  properties: Record<string, unknown>,
): Promise<PointFeature> {
  const out = await call<{ feature: PointFeature }>('POST', `/api/${layer}`, {
    type: 'Feature',
    geometry: { type: 'Point', coordinates },
    properties,
  });
  return out.feature;
}

export async function deletePoint(layer: PointLayer, id: number, version: number): Promise<void> {
  await call<null>('DELETE', `/api/${layer}/${id}`, undefined, version);
}

export async function pointHistory(layer: PointLayer, id: number): Promise<PointHistoryEntry[]> {
  const out = await call<{ entries: PointHistoryEntry[] }>('GET', `/api/${layer}/${id}/history`);
  return out.entries.map((e) => ({ ...e, version: Number(e.version) }));
}

/** The attributes that differ between two versions (a moved point counts as `geometry`). */
export function changedFields(
  prev: { attributes: Record<string, unknown>; geometry: Point | null } | null,
  next: { attributes: Record<string, unknown>; geometry: Point | null },
): string[] {
  if (!prev) return [];
  const keys = new Set([...Object.keys(prev.attributes), ...Object.keys(next.attributes)]);
  const out = [...keys].filter(
    (k) => JSON.stringify(prev.attributes[k]) !== JSON.stringify(next.attributes[k]),
  );
  if (JSON.stringify(prev.geometry?.coordinates) !== JSON.stringify(next.geometry?.coordinates))
    out.push('geometry');
  return out;
}
