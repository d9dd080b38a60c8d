import type { ApiErrorBody } from '../../core/errors.ts';
import type { DataLayer } from '../../core/vocabulary.ts';

/** The one module of the client that talks HTTP to the server (same origin, relative URLs). */

export type Bbox = [number, number, number, number];

/** An error answer of the API, with its code from core/errors.ts. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const r = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  if (!r.ok) {
    let body: Partial<ApiErrorBody> = {};
    try {
      body = (await r.json()) as ApiErrorBody;
    } catch {
      // not JSON (a proxy's error page): fall through to the status line
    }
    const e = body.error;
    throw new ApiError(
      r.status,
      e?.code ?? 'internal',
      e?.message ?? `${r.status} ${r.statusText}`,
      e?.details,
    );
  }
  return (await r.json()) as T;
}

export interface ClientConfig {
  /** 天地图 key; null → the offline basemap only. */
  tiandituKey: string | null;
}

export function fetchConfig(signal?: AbortSignal): Promise<ClientConfig> {
  return getJson<ClientConfig>('/api/config', signal);
}

/** One hit of `GET /api/search`: a compound (小区) or a jurisdiction (街道, 社区, 区), with its extent. */
export interface SearchResult {
  kind: 'compound' | 'jurisdiction';
  /** Compound id, or jurisdiction code. */
  id: string;
  name: string;
  /** A compound's category, or a jurisdiction's level. */
  detail: string;
  /** The street's name (compounds) or the parent's name (jurisdictions), if known. */
  parent: string | null;
  bbox: Bbox | null;
}

export async function search(q: string, signal?: AbortSignal): Promise<SearchResult[]> {
  const body = await getJson<{ results: SearchResult[] }>(`/api/search?q=${encodeURIComponent(q)}`, signal);
  return body.results;
}

export interface JurisdictionSummary {
  code: string;
  name: string;
  name_en: string | null;
  level: 'district' | 'street' | 'community';
  parent_code: string | null;
}

export async function fetchJurisdictions(signal?: AbortSignal): Promise<JurisdictionSummary[]> {
  const body = await getJson<{ jurisdictions: JurisdictionSummary[] }>('/api/jurisdictions', signal);
  return body.jurisdictions;
}

/** Features of a data layer meeting `bbox`, with all their columns (tiles carry only a few). */
export function fetchFeatures(
  layer: DataLayer,
  bbox: Bbox,
  signal?: AbortSignal,
): Promise<GeoJSON.FeatureCollection> {
  return getJson<GeoJSON.FeatureCollection>(
    `/api/${layer}?bbox=${bbox.map((n) => n.toFixed(7)).join(',')}`,
    signal,
  );
}
