import type { ImportProblem, ProblemReason } from '../../../../core/import-problems.ts';
import { ApiError, call, sessionToken } from '../../api.ts';

export type { ImportProblem } from '../../../../core/import-problems.ts';

/** What the server answers about a staged upload and its preview (server/src/api/imports.ts). */
export interface StagedUpload {
  id: string;
  name: string;
  size: number;
  format: string;
  layers: { name: string; fields: string[]; count?: number; geometryType?: string; folder?: string }[];
  crs: { id: string | null; problem: ProblemReason | null };
  /** The fields each data layer takes. */
  targets: Record<string, string[]>;
  /** The geometry types each data layer takes (Point; Polygon, MultiPolygon). */
  accepts: Record<string, string[]>;
}
export interface ImportPreview {
  layer: string | null;
  columns: string[];
  total: number;
  shown: number;
  features: GeoJSON.FeatureCollection;
  problems: ImportProblem[];
  crs: { id: string | null; problem: ProblemReason | null };
}
export interface CheckReport {
  total: number;
  ok: number;
  /** Features whose geometry 修复几何 repairs. */
  repaired?: number;
  problems: ImportProblem[];
  /** What does not stop the import but the user should know first (outside China, already stored …). */
  warnings?: ImportProblem[];
}
export interface ImportChoice {
  target: string;
  mapping: Record<string, string | null>;
  sourceLayer?: string;
  crs?: string;
  encoding?: string;
  /** Field → one value for every feature (固定值), as typed: a code or its words. */
  fixed?: Record<string, string>;
  skip?: number[];
  /** 修复几何: repair invalid polygons (ST_MakeValid) instead of refusing them. */
  makeValid?: boolean;
}
export interface Progress {
  phase: string;
  done: number;
  total: number;
}

/**
 * Uploads the file, reporting the bytes sent as they go (XMLHttpRequest: fetch has no upload
 * progress), and resolves with what the server read of it.
 */
export function uploadImport(
  file: File,
  onProgress: (sent: number, total: number) => void = () => {},
): Promise<StagedUpload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/imports?name=${encodeURIComponent(file.name)}`);
    // As bytes: a .geojson File says application/geo+json, which the server would parse as a JSON body.
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    const token = sessionToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON (a proxy's error page): the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve(body as StagedUpload);
        return;
      }
      const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? 'internal', e?.message ?? `${xhr.status}`, e?.details));
    };
    // A network failure reads as fetch's would (errorText words a TypeError as "cannot connect").
    xhr.onerror = () => reject(new TypeError('upload failed'));
    xhr.send(file);
  });
}

export async function previewImport(
  id: string,
  layer?: string,
  crs?: string,
  encoding?: string,
): Promise<ImportPreview> {
  const q = new URLSearchParams();
  if (layer) q.set('layer', layer);
  if (crs) q.set('crs', crs);
  if (encoding) q.set('encoding', encoding);
  return (await call<ImportPreview>('GET', `/api/imports/${id}/preview?${q.toString()}`)).json;
}

export async function checkImport(id: string, choice: ImportChoice): Promise<CheckReport> {
  return (await call<CheckReport>('POST', `/api/imports/${id}/check`, choice)).json;
}

/** Commits, reporting progress lines as they come; resolves with the number of features written. */
export async function commitImport(
  id: string,
  choice: ImportChoice,
  onProgress: (p: Progress) => void,
): Promise<number> {
  const token = sessionToken();
  const r = await fetch(`/api/imports/${id}/commit?progress=ndjson`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(choice),
  });
  if (!r.ok || !r.body) {
    const b = (await r.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: unknown };
    } | null;
    throw new ApiError(
      r.status,
      b?.error?.code ?? 'internal',
      b?.error?.message ?? r.statusText,
      b?.error?.details,
    );
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += value;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as {
        progress?: Progress;
        result?: { inserted: number };
        error?: { code: string; message: string; details?: unknown };
      };
      buf = buf.slice(nl + 1);
      if (line.progress) onProgress(line.progress);
      if (line.result) return line.result.inserted;
      if (line.error) throw new ApiError(422, line.error.code, line.error.message, line.error.details);
    }
    if (done) throw new ApiError(500, 'internal', 'The import stopped without an answer');
  }
}

/**
 * The report as CSV (UTF-8 with BOM for Excel): index, row, reason, with the header and the reasons
 * in the user's words (`header`: the three column titles).
 */
export function reportCsv(
  problems: ImportProblem[],
  reasonText: (p: ImportProblem) => string,
  header: [string, string, string, string] = ['index', 'row', 'name', 'reason'],
): string {
  const cell = (v: string | number | undefined | null) => {
    let s = v === undefined || v === null ? '' : String(v);
    // A name from the file opened in Excel is text, never a formula (=HYPERLINK(…)).
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    '\uFEFF' +
    [
      header.map(cell).join(','),
      ...problems.map((p) =>
        [p.index === null ? null : p.index + 1, p.row, p.name, reasonText(p)].map(cell).join(','),
      ),
    ].join('\r\n') +
    '\r\n'
  );
}
