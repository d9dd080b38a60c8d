import type { Basemap } from '../../core/basemaps.ts';
import type { Account, AuditPage, CreateAccountRequest, UpdateAccountRequest } from '../../core/accounts.ts';
import type { ApiErrorBody } from '../../core/errors.ts';
import { CONFIG_ELEMENT_ID, type ClientConfig } from '../../core/client-config.ts';
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
    /** The answer's Retry-After in seconds, when it gave one (503 unavailable or busy, 429). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/**
 * Whether a failed read may succeed when asked again later without any change: the server or its
 * database was unavailable, busy or too slow (5xx, 429), or the network failed (fetch's TypeError).
 */
export const isPassing = (e: unknown): boolean =>
  e instanceof ApiError ? e.status >= 500 || e.status === 429 : e instanceof TypeError;

/** The ApiError of a failed response: its `{"error":{…}}` body, or the status line when not JSON. */
export async function errorFrom(r: Response): Promise<ApiError> {
  let e: Partial<ApiErrorBody['error']> = {};
  try {
    e = ((await r.json()) as ApiErrorBody).error ?? {};
  } catch {
    // not JSON (a proxy's error page): the status line says enough
  }
  const retryAfterS = Number(r.headers.get('Retry-After'));
  return new ApiError(
    r.status,
    e.code ?? 'internal',
    e.message ?? `${r.status} ${r.statusText}`,
    e.details,
    Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS : undefined,
  );
}

/**
 * GET a JSON answer (reads are open to all); an error answer throws ApiError. Without credentials,
 * unless `asSession`: then with the session's token when signed in, for reads that tell a signed-in
 * reader more (who created or edited a feature: issue 10, core/api.ts isAuthorField).
 */
export async function getJson<T>(url: string, signal?: AbortSignal, asSession = false): Promise<T> {
  const token = asSession ? sessionToken() : null;
  return answerOf<T>(url, token, signal);
}

/**
 * GET a JSON answer of an endpoint that needs a login (the heavy reads: coverage gaps, proposals,
 * camera suggestions), with the session's token; without one it throws ApiError 401 at once.
 */
export async function getJsonSignedIn<T>(url: string, signal?: AbortSignal): Promise<T> {
  const token = sessionToken();
  if (!token) throw new ApiError(401, 'unauthorized', 'Sign in first', { reason: 'sign_in_first' });
  return answerOf<T>(url, token, signal);
}

/**
 * A kept heavy read (a street's gaps, proposals or 五有 scorecards) that takes longer than the
 * server's limit answers 503 still_computing while the server finishes it: ask again after its
 * Retry-After, the caller's wait (its loading state) going on, for up to STILL_COMPUTING_MAX_MS.
 */
async function answerOf<T>(url: string, token: string | null, signal?: AbortSignal): Promise<T> {
  const until = Date.now() + STILL_COMPUTING_MAX_MS;
  for (;;) {
    const r = await fetch(url, {
      signal,
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    if (r.ok) return (await r.json()) as T;
    const e = await errorFrom(r);
    const again = Number(r.headers.get('Retry-After') ?? 2) * 1000;
    if (!isStillComputing(e) || Date.now() + again > until) throw e;
    await pause(again, signal);
  }
}

/** How long a heavy read is asked again while the server says it is still computing it. */
const STILL_COMPUTING_MAX_MS = 180_000;

const isStillComputing = (e: ApiError) =>
  e.status === 503 && (e.details as { reason?: unknown } | undefined)?.reason === 'still_computing';

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** An answer that asks for a sign-in (no session, or one that has expired or was revoked). */
export const needsSignIn = (e: unknown): boolean => e instanceof ApiError && e.status === 401;

// The signed-in user of this tab: the bearer token and who it is, in sessionStorage.
const TOKEN_KEY = 'wuyou.token';
const USER_KEY = 'wuyou.user';

export interface SessionUser {
  id?: number;
  username: string;
  role: 'city_admin' | 'street_editor' | 'viewer';
  streetCode: string | null;
  /** Must set a new password before anything else (first sign-in, or after an admin's reset). */
  mustChangePassword?: boolean;
}

/** A window event on every sign-in, sign-out and password change, so panels follow the session. */
const SESSION_EVENT = 'wuyou-session';

/** Calls `fn` whenever the session changes; returns the unsubscribe. */
export function onSessionChange(fn: () => void): () => void {
  window.addEventListener(SESSION_EVENT, fn);
  return () => window.removeEventListener(SESSION_EVENT, fn);
}

function keepSession(token: string, user: SessionUser): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  window.dispatchEvent(new Event(SESSION_EVENT));
}

export function sessionToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function sessionUser(): SessionUser | null {
  try {
    const raw = sessionStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

/** Forgets the session here and revokes it on the server (every token of the user: POST /api/auth/logout). */
export function signOut(): void {
  const token = sessionToken();
  if (token)
    void fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(
      () => undefined, // offline: the token still expires by itself
    );
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  window.dispatchEvent(new Event(SESSION_EVENT));
}

/**
 * One request with the session's bearer token (writes send `If-Match` in `headers`); the body is
 * sent as JSON, or as it is when it is a file (Blob). An error answer throws ApiError. Returns the body (null for 204) and the ETag.
 */
export async function call<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ json: T; etag: string | null }> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  const token = sessionToken();
  if (token) h.Authorization = `Bearer ${token}`;
  // A file (Blob) goes as it is, with its own type; anything else as JSON.
  const raw = body instanceof Blob;
  if (raw && body.type) h['Content-Type'] = body.type;
  else if (!raw && body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(url, {
    method,
    headers: h,
    body: raw ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw await errorFrom(r);
  const json = r.status === 204 ? null : ((await r.json()) as T);
  return { json: json as T, etag: r.headers.get('ETag') };
}

/** POST /api/auth/login; the token stays in sessionStorage for this tab. */
export async function login(username: string, password: string): Promise<SessionUser> {
  const { json } = await call<{ token: string; user: SessionUser }>('POST', '/api/auth/login', {
    username,
    password,
  });
  keepSession(json.token, json.user);
  return json.user;
}

/** POST /api/auth/password: sets the user's own password; every other token of the user is revoked. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<SessionUser> {
  const { json } = await call<{ token: string; user: SessionUser }>('POST', '/api/auth/password', {
    currentPassword,
    newPassword,
  });
  keepSession(json.token, json.user);
  return json.user;
}

/** The city admin's user management (GET/POST /api/users, PATCH /api/users/:id, reset). */
export async function listAccounts(): Promise<Account[]> {
  return (await call<{ users: Account[] }>('GET', '/api/users')).json.users;
}
export async function createAccount(req: CreateAccountRequest): Promise<Account> {
  return (await call<{ user: Account }>('POST', '/api/users', req)).json.user;
}
export async function updateAccount(id: number, req: UpdateAccountRequest): Promise<Account> {
  return (await call<{ user: Account }>('PATCH', `/api/users/${id}`, req)).json.user;
}
export async function resetAccountPassword(id: number, password: string): Promise<Account> {
  return (await call<{ user: Account }>('POST', `/api/users/${id}/password`, { password })).json.user;
}
/** One page of the audit log, newest first; `before` is the previous page's `next`. */
export async function fetchAudit(before?: number | null, limit = 50): Promise<AuditPage> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (before) q.set('before', String(before));
  return (await call<AuditPage>('GET', `/api/audit?${q}`)).json;
}

/** The config the server wrote into the page (index.html), or null (served by Vite, or the database was down). */
export function pageConfig(): ClientConfig | null {
  const text = document.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return null;
  try {
    return JSON.parse(text) as ClientConfig;
  } catch {
    return null;
  }
}

/** GET /api/config: what pageConfig() carries, for a page that came without it. */
export function fetchConfig(signal?: AbortSignal): Promise<ClientConfig> {
  return getJson<ClientConfig>('/api/config', signal);
}

/** GET /api/basemaps: the offline basemaps (离线底图) this server serves. */
export async function fetchBasemaps(signal?: AbortSignal): Promise<Basemap[]> {
  return (await getJson<{ basemaps: Basemap[] }>('/api/basemaps', signal)).basemaps;
}

/** POST /api/basemaps (city admin): an MBTiles or PMTiles file, named `name`. */
export async function uploadBasemap(file: Blob, name: string): Promise<Basemap> {
  const body = new Blob([file], { type: 'application/octet-stream' });
  return (await call<Basemap>('POST', `/api/basemaps?name=${encodeURIComponent(name)}`, body)).json;
}

/** DELETE /api/basemaps/:id (city admin). */
export async function removeBasemap(id: number): Promise<void> {
  await call('DELETE', `/api/basemaps/${id}`);
}

/** One hit of `GET /api/search`: a compound (小区) by name, code or address, or a jurisdiction (街道, 社区, 区), with its extent. */
export interface SearchResult {
  kind: 'compound' | 'jurisdiction' | 'service-area';
  /** Compound or service area id, or jurisdiction code. */
  id: string;
  name: string;
  /** A compound's category, or a jurisdiction's level. */
  detail: string;
  /** The street's name (compounds) or the parent's name (jurisdictions), if known. */
  parent: string | null;
  /** The same in English, where the data has it. */
  parent_en: string | null;
  /** A jurisdiction's English name. */
  name_en: string | null;
  /** Which field held the query: the name, the code (or compound id), or a compound's address. */
  matched: 'name' | 'code' | 'address';
  code: string | null;
  address: string | null;
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
  // As the session: who created or edited a feature is told to signed-in readers only (issue 10).
  return getJson<GeoJSON.FeatureCollection>(
    `/api/${layer}?bbox=${bbox.map((n) => n.toFixed(7)).join(',')}`,
    signal,
    true,
  );
}
