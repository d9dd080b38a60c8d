import type { Feature, Polygon } from 'geojson';
import type {
  MergeServiceAreasRequest,
  ServiceAreaHistoryResponse,
  SplitServiceAreaRequest,
  SplitServiceAreaResponse,
  ValidateServiceAreaRequest,
} from '../../../core/api.ts';
import type { LiveIssue, LiveStats } from './live-checks.ts';
import { splitPartName } from './attributes.ts';
import {
  ATTRIBUTE_FIELDS,
  emptyAttributes,
  type AreaAttributes,
  type PendingParts,
  type StoredArea,
} from './types.ts';

/**
 * The service-area part of the API, with the signed-in user's bearer token: every write sends
 * `Authorization: Bearer …`, and writes to a stored area send `If-Match: "<version>"`.
 */

// The session and the authorised request are the app's (client/src/api.ts); the editor's modules
// import them from here as before.
import { call } from '../api.ts';

export { ApiError, call, login, sessionToken, sessionUser, signOut, type SessionUser } from '../api.ts';

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** A stored area from whatever Feature-like shape the server answers with. */
export function areaFromFeature(raw: unknown, etag?: string | null): StoredArea {
  const o = raw as Record<string, unknown>;
  const f = (o.feature ?? o.current ?? o) as Feature<Polygon, Record<string, unknown>>;
  const p = f.properties ?? {};
  const attributes = emptyAttributes();
  for (const k of ATTRIBUTE_FIELDS)
    if (p[k] !== undefined) (attributes as unknown as Record<string, string>)[k] = text(p[k]);
  const version = Number(p.version ?? o.version ?? (etag ? etag.replace(/\D/g, '') : NaN));
  return {
    id: Number(f.id ?? p.id ?? o.id),
    version,
    geometry: f.geometry,
    attributes,
    updated_by: (p.updated_by as string | null) ?? null,
    updated_at: (p.updated_at as string | null) ?? null,
  };
}

/** The Feature a save sends: the attributes with empty fields as null. */
export function featureOf(
  geometry: Polygon,
  a: AreaAttributes,
  id?: number | null,
): Feature<Polygon, Record<string, string | null>> {
  const properties: Record<string, string | null> = {};
  for (const k of ATTRIBUTE_FIELDS) properties[k] = a[k] === '' ? null : a[k];
  return { type: 'Feature', ...(id ? { id } : {}), geometry, properties };
}

export async function getArea(id: number): Promise<StoredArea> {
  const { json, etag } = await call<unknown>('GET', `/api/service-areas/${id}`);
  return areaFromFeature(json, etag);
}

export interface SaveAnswer {
  area: StoredArea;
  warnings: LiveIssue[];
  /** New areas the save made besides `area` (the pieces a split cut off). */
  created?: StoredArea[];
}

/** POST a new area (201) or PUT a stored one with If-Match (200); a 409 carries theirs in `details`. */
export async function saveArea(
  id: number | null,
  version: number | null,
  geometry: Polygon,
  a: AreaAttributes,
): Promise<SaveAnswer> {
  const body = featureOf(geometry, a, id);
  const r =
    id === null
      ? await call<Record<string, unknown>>('POST', '/api/service-areas', body)
      : await call<Record<string, unknown>>('PUT', `/api/service-areas/${id}`, body, {
          'If-Match': `"${version}"`,
        });
  const answer = r.json ?? {};
  // The answer may be the stored feature or just {id, version}: fill in from what we sent.
  const merged = {
    type: 'Feature',
    id: answer.id ?? (answer.feature as Feature | undefined)?.id ?? id,
    geometry:
      (answer.feature as Feature | undefined)?.geometry ??
      (answer.geometry as Polygon | undefined) ??
      geometry,
    properties: {
      ...body.properties,
      ...((answer.feature as Feature | undefined)?.properties ??
        (answer.properties as object | undefined) ??
        {}),
      version: answer.version ?? (answer.feature as Feature | undefined)?.properties?.version,
    },
  };
  return {
    area: areaFromFeature(merged, r.etag),
    warnings: (answer.warnings as LiveIssue[] | undefined) ?? [],
  };
}

/** Splits a stored area into parts in one transaction; the first part keeps its id. */
export async function splitArea(id: number, version: number, parts: Polygon[]): Promise<StoredArea[]> {
  const body: SplitServiceAreaRequest = { parts };
  const { json } = await call<SplitServiceAreaResponse>('POST', `/api/service-areas/${id}/split`, body, {
    'If-Match': `"${version}"`,
  });
  return json.areas.map((f) => areaFromFeature(f));
}

/** Merges `other` into `keep` in one transaction: `other` is deleted, `keep` becomes the union. */
export async function mergeAreas(req: MergeServiceAreasRequest): Promise<StoredArea> {
  const { json, etag } = await call<unknown>('POST', '/api/service-areas/merge', req);
  return areaFromFeature(json, etag);
}

/**
 * Saves a stored area that absorbed (`pending.mergedAway`) or lost (`pending.splitOff`) parts: each
 * merge and the split are one transaction on the server, so a failure never loses an area. The
 * attributes the user set follow with a PUT when they differ from what the merges and split kept.
 */
export async function saveSplitMerge(
  id: number,
  version: number,
  geometry: Polygon,
  a: AreaAttributes,
  pending: PendingParts,
): Promise<SaveAnswer> {
  let v = version;
  let area: StoredArea | null = null;
  const split = pending.splitOff.length > 0;
  for (const [k, m] of pending.mergedAway.entries()) {
    const last = k === pending.mergedAway.length - 1;
    area = await mergeAreas({
      ids: [id, m.id],
      versions: [v, m.version],
      keep_attributes_of: id,
      // Without a split the draft is the merged polygon; with one, the parts must match the union.
      ...(last && !split ? { geometry } : {}),
    });
    v = area.version;
  }
  const created: StoredArea[] = [];
  if (split) {
    const areas = await splitArea(id, v, [geometry, ...pending.splitOff]);
    area = areas[0]!;
    v = area.version;
    // The server copies the attributes to every piece; each new one gets a name of its own.
    for (const [k, piece] of areas.slice(1).entries()) {
      const attributes = { ...piece.attributes, name: splitPartName(a.name, k + 2) };
      created.push((await saveArea(piece.id, piece.version, piece.geometry, attributes)).area);
    }
  }
  if (area && ATTRIBUTE_FIELDS.every((k) => area!.attributes[k] === a[k]))
    return { area, warnings: [], created };
  // The stored outline is the server's (its union of a merge, not the draft's, which may keep a
  // zero-width slit along the shared edge: issue 9 #1); only the attributes change here.
  return { ...(await saveArea(id, v, area?.geometry ?? geometry, a)), created };
}

export async function deleteArea(id: number, version: number): Promise<void> {
  await call<null>('DELETE', `/api/service-areas/${id}`, undefined, { 'If-Match': `"${version}"` });
}

export interface ValidateAnswer {
  valid: boolean;
  issues: LiveIssue[];
  stats: LiveStats;
}

export async function validateArea(
  geometry: Polygon,
  a: AreaAttributes,
  id: number | null,
): Promise<ValidateAnswer> {
  const body: ValidateServiceAreaRequest = { feature: featureOf(geometry, a, id), id };
  const { json } = await call<ValidateAnswer>('POST', '/api/service-areas/validate', body);
  return json;
}

export interface HistoryEntry {
  version: number;
  operation: string;
  changed_by: string | null;
  changed_at: string;
  attributes: Partial<AreaAttributes>;
  geometry: Polygon | null;
}

export async function fetchHistory(id: number): Promise<HistoryEntry[]> {
  const { json } = await call<unknown>('GET', `/api/service-areas/${id}/history`);
  const list = (json as ServiceAreaHistoryResponse).entries ?? [];
  return (list as unknown as Record<string, unknown>[]).map((h) => ({
    version: Number(h.version),
    operation: text(h.operation),
    changed_by: (h.changed_by as string | null) ?? null,
    changed_at: text(h.changed_at),
    attributes: (h.attributes as Partial<AreaAttributes>) ?? {},
    geometry: (h.geometry as Polygon | null) ?? null,
  }));
}

/** The attributes that differ between two versions: what a history entry "changed". */
export function changedFields(prev: Partial<AreaAttributes> | null, next: Partial<AreaAttributes>): string[] {
  if (!prev) return [];
  return ATTRIBUTE_FIELDS.filter((k) => text(prev[k]) !== text(next[k]));
}
