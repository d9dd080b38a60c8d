import { randomUUID } from 'node:crypto';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportProblemCode } from '../../../core/import-problems.ts';
import { DATA_LAYERS, type DataLayer } from '../../../core/vocabulary.ts';
import type { User } from '../auth.ts';
import type { Db, Queryable } from '../db/index.ts';
import {
  allOutsideCity,
  ImportError,
  type LonLatBox,
  IMPORT_SPECS,
  importLayer,
  nameOf,
  type ImportProblem,
  type ImportProgress,
  type ImportResult,
} from '../importer/index.ts';
import type { SourceFeature } from '../importer/features.ts';
import { openSource, type OpenedSource } from '../importer/readers/index.ts';
import { sqlFiles } from '../sql-files.ts';

/**
 * The import page's server side (issue 11): a file is uploaded once and kept in import_uploads, so
 * each later step — preview, check, commit — may land on any server process. Nothing reaches a layer
 * before the commit, which is one importLayer transaction.
 */
const sql = sqlFiles(new URL('.', import.meta.url));
const OUTSIDE_STREET_SQL = sql('outside-street.sql');
const FAR_FROM_CITY_SQL = sql('far-from-city.sql');

/** Features the preview returns (and the map shows). */
export const PREVIEW_FEATURES = 1000;

export interface Upload {
  id: string;
  name: string;
  size: number;
}

/**
 * The size of a stored piece of an upload: what one step holds of the file at a time. Pieces travel
 * as base64 text (decode/encode in the statement): the embedded database takes and gives bytea as
 * hex, about five times slower (4 MB: 4–6 s in and 2–3 s out against ~1 s each, on a loaded machine),
 * and PostgreSQL gives it as hex, twice the bytes.
 */
export const UPLOAD_CHUNK_BYTES = 4 * 2 ** 20;

const TEMP_PREFIX = 'wuyou-upload-';

/**
 * A temporary folder holding the upload under its own name (the readers judge the format by the
 * extension), removed by `dispose` — call it in a finally.
 */
async function tempFileFor(u: { id: string; name: string }) {
  const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${u.id}-`));
  // One name within the folder: no separators, not `.`/`..`, short enough for any file system.
  let file = u.name.replace(/[/\\\0]/g, '_');
  if (file === '.' || file === '..' || Buffer.byteLength(file) > 200)
    file = `upload${/\.[A-Za-z0-9]{1,10}$/.exec(u.name)?.[0] ?? ''}`;
  return { path: join(dir, file), dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Temporary folders a process that died mid-step left behind, a day old or more. */
async function sweepTempFolders(): Promise<void> {
  const dir = tmpdir();
  const old = Date.now() - 24 * 3600_000;
  for (const e of await readdir(dir).catch(() => [])) {
    if (!e.startsWith(TEMP_PREFIX)) continue;
    const at = await stat(join(dir, e)).catch(() => undefined);
    if (at && at.mtimeMs < old) await rm(join(dir, e), { recursive: true, force: true });
  }
}

/**
 * Takes an upload as it arrives: each UPLOAD_CHUNK_BYTES is written as one row of
 * import_upload_chunks (and the whole to a temporary file), so the server holds a piece, never the
 * file. `inspect` opens the temporary file before the upload is answered (a file no reader can open
 * is refused). More than `maxBytes`, a body that breaks off, an empty one or one `inspect` refuses
 * leaves nothing behind: the upload's row and its pieces are deleted (a process that dies half-way
 * leaves a row the next day's clean-up removes; nobody was given its id).
 */
export async function receiveUpload<T>(
  db: Queryable,
  user: User,
  name: string,
  body: AsyncIterable<Uint8Array>,
  opts: {
    maxBytes: number;
    tooLarge: () => Error;
    brokeOff: (e: unknown) => Error;
    empty: () => Error;
    inspect: (path: string) => Promise<T>;
  },
): Promise<{ upload: Upload; inspected: T }> {
  const id = randomUUID();
  await db.query(`DELETE FROM import_uploads WHERE created_at < now() - interval '1 day'`);
  await sweepTempFolders();
  await db.query('INSERT INTO import_uploads (id, username, name, size) VALUES ($1, $2, $3, 0)', [
    id,
    user.username,
    name,
  ]);
  const temp = await tempFileFor({ id, name });
  let kept = false;
  try {
    const file = await open(temp.path, 'w');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let refused = false;
    const store = async (bytes: Buffer) => {
      await db.query(
        "INSERT INTO import_upload_chunks (upload_id, seq, bytes) VALUES ($1, $2, decode($3, 'base64'))",
        [id, seq++, bytes.toString('base64')],
      );
    };
    try {
      const pieces = body[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await pieces.next();
        } catch (e) {
          throw opts.brokeOff(e);
        }
        if (next.done) break;
        const piece = next.value;
        size += piece.length;
        if (size > opts.maxBytes) {
          // Nothing more is kept. The rest is read and dropped, so the client, still sending, gets
          // the answer (a connection closed on unread bytes is reset, and the answer lost with it) —
          // up to as much again; past that the caller closes the connection.
          refused = true;
          if (size > 2 * opts.maxBytes) throw opts.tooLarge();
          continue;
        }
        const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
        await file.write(buf);
        pending.push(buf);
        pendingBytes += buf.length;
        while (pendingBytes >= UPLOAD_CHUNK_BYTES) {
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          await store(all.subarray(0, UPLOAD_CHUNK_BYTES));
          const rest = all.subarray(UPLOAD_CHUNK_BYTES);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      if (refused) throw opts.tooLarge();
      if (pendingBytes) await store(Buffer.concat(pending, pendingBytes));
      pending = [];
    } finally {
      await file.close();
    }
    if (!size) throw opts.empty();
    const inspected = await opts.inspect(temp.path);
    await db.query('UPDATE import_uploads SET size = $2 WHERE id = $1', [id, size]);
    kept = true;
    return { upload: { id, name, size }, inspected };
  } finally {
    await temp.dispose();
    if (!kept) await dropUpload(db, id);
  }
}
/** The user's own upload, or undefined (another user's upload is as good as absent). */
export async function loadUpload(db: Queryable, user: User, id: string): Promise<Upload | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const r = await db.query<Upload>(
    'SELECT id, name, size FROM import_uploads WHERE id = $1 AND username = $2 AND size > 0',
    [id, user.username],
  );
  return r.rows[0];
}

export async function dropUpload(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM import_uploads WHERE id = $1', [id]);
}

/** The upload was dropped (committed in another request, or a day old) while it was being read. */
export class UploadGoneError extends Error {
  constructor(readonly id: string) {
    super(`The upload ${id} is gone`);
    this.name = 'UploadGoneError';
  }
}

/**
 * Opens an upload for one step: its pieces are written, one query each, to a temporary file that the
 * readers open as the command line opens a file (streamed where the format allows), and the file is
 * removed when `fn` ends, however it ends.
 */
export async function withUpload<T>(
  db: Queryable,
  u: Upload,
  how: { crs?: string; encoding?: string },
  fn: (src: OpenedSource) => Promise<T>,
): Promise<T> {
  const temp = await tempFileFor(u);
  try {
    const file = await open(temp.path, 'w');
    let size = 0;
    try {
      for (let seq = 0; ; seq++) {
        const r = await db.query<{ b64: string }>(
          "SELECT encode(bytes, 'base64') AS b64 FROM import_upload_chunks WHERE upload_id = $1 AND seq = $2",
          [u.id, seq],
        );
        if (!r.rows[0]) break;
        const bytes = Buffer.from(r.rows[0].b64, 'base64');
        await file.write(bytes);
        size += bytes.length;
      }
    } finally {
      await file.close();
    }
    if (size !== u.size) throw new UploadGoneError(u.id);
    const src = await openSource(temp.path, {
      ...(how.crs ? { crs: how.crs } : {}),
      ...(how.encoding ? { encoding: how.encoding } : {}),
    });
    try {
      return await fn(src);
    } finally {
      src.close();
    }
  } finally {
    await temp.dispose();
  }
}

/** What the user chose on the page: which layer of the file, into which layer, which column is which field. */
export interface ImportChoice {
  sourceLayer?: string;
  crs?: string;
  /** The attribute text's encoding when detection got it wrong (a Shapefile's or a CSV's). */
  encoding?: string;
  target: DataLayer;
  /** Field of the target layer → column of the file (absent or null: not imported). */
  mapping: Record<string, string | null>;
  /**
   * Field → one value for every feature, already read as the field's type (a KML of service areas
   * has no 管理模式 column: 社区托管 for all of them). Wins over a mapped column.
   */
  fixed?: Record<string, string | number | boolean | null>;
  /** Feature indexes to leave out (the refused ones the user accepted to skip). */
  skip?: number[];
  /** 修复几何: repair invalid polygons with ST_MakeValid (the CLI's --make-valid). */
  makeValid?: boolean;
}

/**
 * The fields a layer takes from a file, for the mapping. Who made or changed a row is not one: the
 * import records the signed-in user (a helper was offered 修改人 and 创建人 as columns to map).
 */
export function targetFields(layer: DataLayer): string[] {
  return IMPORT_SPECS[layer]!.columns.map((c) => c.name).filter(
    (n) => n !== 'updated_by' && n !== 'created_by',
  );
}

export function isTarget(v: unknown): v is DataLayer {
  return typeof v === 'string' && (DATA_LAYERS as readonly string[]).includes(v);
}

/** The file's features with their properties renamed to the target's fields. */
async function* mapped(src: OpenedSource, c: ImportChoice): AsyncGenerator<SourceFeature> {
  const fields = targetFields(c.target);
  const skip = new Set(c.skip ?? []);
  let i = 0;
  for await (const s of src.read(c.sourceLayer)) {
    const index = s.index ?? i;
    i++;
    if (skip.has(index)) continue;
    const f = s.feature as {
      type?: unknown;
      geometry?: unknown;
      properties?: Record<string, unknown> | null;
    };
    const props = f?.properties ?? {};
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const col = c.mapping[field];
      if (col && col in props) out[field] = props[col];
    }
    if (c.fixed) Object.assign(out, c.fixed);
    yield { ...s, index, feature: { ...f, properties: out } };
  }
}

/** Every vertex of a GeoJSON geometry that is made of numbers (others are the import's to report). */
function vertices(g: unknown): [number, number][] {
  const out: [number, number][] = [];
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      if (Number.isFinite(c[0]) && Number.isFinite(c[1])) out.push([c[0], c[1] as number]);
    } else c.forEach(walk);
  };
  walk((g as { coordinates?: unknown } | null)?.coordinates);
  return out;
}

/**
 * Indexes of the features with a vertex outside the street (a street editor's import), and the
 * file's problem when all of them lie far outside the city.
 */
async function outsideStreet(
  db: Queryable,
  src: OpenedSource,
  c: ImportChoice,
  street: string,
  progress: (p: ImportProgress) => void,
) {
  let n = 0;
  const outside: number[] = [];
  const rows = new Map<number, number>();
  // The names of the batch's features, kept for those found outside.
  let batchNames = new Map<number, string>();
  const names = new Map<number, string>();
  // …and their first positions, to tell a file that is all far from the city (a wrong zone).
  let batchFirst = new Map<number, [number, number]>();
  const firsts: [number, number][] = [];
  let idx: number[] = [];
  let xs: number[] = [];
  let ys: number[] = [];
  const flush = async () => {
    if (!idx.length) return;
    const r = await db.query<{ idx: number }>(OUTSIDE_STREET_SQL, [idx, xs, ys, street]);
    for (const { idx: i } of r.rows) {
      outside.push(i);
      const name = batchNames.get(i);
      if (name !== undefined) names.set(i, name);
      firsts.push(batchFirst.get(i)!);
    }
    [idx, xs, ys] = [[], [], []];
    batchNames = new Map();
    batchFirst = new Map();
  };
  for await (const s of mapped(src, c)) {
    if (s.row !== undefined) rows.set(s.index!, s.row);
    const points = [...vertices((s.feature as { geometry?: unknown }).geometry)];
    // Positions that are no lon/lat (metres under a WGS84 .prj, a wrong zone) are the import's own
    // problem, said with its reason: "outside your street" hid it (new-user try, 2026-12-05).
    const lonLat = points.every(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) <= 180 && Math.abs(y) <= 90,
    );
    if (!s.problems?.length && lonLat) {
      const name = nameOf(s.feature);
      if (name !== undefined) batchNames.set(s.index!, name);
      if (points.length) batchFirst.set(s.index!, points[0]!);
      for (const [x, y] of points) {
        idx.push(s.index!);
        xs.push(x);
        ys.push(y);
      }
    }
    if (idx.length >= 20_000) await flush();
    if ((++n & 0x3ff) === 0) progress({ phase: 'checking', done: n, total: n });
  }
  await flush();
  progress({ phase: 'checking', done: n, total: n });
  const refused = outside.map((index) => ({ index, row: rows.get(index), name: names.get(index) }));
  // Every feature outside the street and far from the city: the file's coordinate system is the
  // likelier mistake, and the page says so (helper 45: only "不在本街道范围内" for a wrong zone).
  let allFar: ImportProblem | null = null;
  if (n > 0 && outside.length === n) {
    const far = await db.query<{ far: number } & LonLatBox>(FAR_FROM_CITY_SQL, [
      firsts.map((p) => p[0]),
      firsts.map((p) => p[1]),
    ]);
    const row = far.rows[0];
    if (row && row.far === firsts.length) {
      const [lon, lat] = firsts[0]!;
      allFar = allOutsideCity(n, { lon, lat }, row);
    }
  }
  return { refused, allFar };
}

/** The reason a street editor's feature is refused (the client words it). */
export const OUTSIDE_STREET = 'outside_street' satisfies ImportProblemCode;

export interface CheckReport {
  total: number;
  ok: number;
  /** Features whose geometry 修复几何 repairs (0 without it). */
  repaired: number;
  problems: ImportProblem[];
  warnings: ImportProblem[];
}

/** A database whose transactions always roll back: the check runs the real import and keeps nothing. */
function dryRun(db: Db): Db {
  const ROLLBACK = Symbol('rollback');
  const dry = Object.create(db) as Db;
  dry.transaction = async (fn, opts) => {
    let out: Awaited<ReturnType<typeof fn>> | undefined;
    try {
      await db.transaction(async (tx) => {
        out = await fn(tx);
        throw ROLLBACK;
      }, opts);
    } catch (e) {
      if (e !== ROLLBACK) throw e;
    }
    return out!;
  };
  return dry;
}

/**
 * Runs the import of an upload: `dry` checks everything (the same code as the commit) and rolls
 * back. A street editor's features outside their street are refused per feature, before anything.
 */
export async function runImport(
  db: Db,
  user: User,
  upload: Upload,
  c: ImportChoice,
  opts: { dry: boolean; onProgress?: (p: ImportProgress) => void },
): Promise<{ report: CheckReport; result?: ImportResult }> {
  return withUpload(db, upload, { crs: c.crs, encoding: c.encoding }, async (src) => {
    const street =
      user.role === 'street_editor' && user.streetCode
        ? await outsideStreet(db, src, c, user.streetCode, opts.onProgress ?? (() => {}))
        : { refused: [], allFar: null };
    const refused: CheckReport['problems'] = street.refused.map(({ index, row, name }) => ({
      index,
      ...(row === undefined ? {} : { row }),
      ...(name === undefined ? {} : { name }),
      code: OUTSIDE_STREET,
      params: { street: user.streetCode! },
    }));
    let total = 0;
    // A street editor's feature filed under another street (a column or a fixed value saying so) is
    // refused by name: row-level security refused it as 无权限 embedded, and a server run as its
    // tables' owner stored it there (helper 46).
    const mine = user.role === 'street_editor' ? user.streetCode : null;
    async function* counted() {
      for await (const s of mapped(src, c)) {
        total++;
        const given = (s.feature as { properties?: Record<string, unknown> } | null)?.properties?.street_code;
        if (mine && given !== undefined && given !== null && given !== '' && String(given).trim() !== mine)
          yield {
            ...s,
            problems: [
              ...(s.problems ?? []),
              { code: 'street_not_yours' as const, params: { street: mine, given: String(given) } },
            ],
          };
        else yield s;
      }
    }
    const report: CheckReport = {
      total: 0,
      ok: 0,
      repaired: 0,
      problems: [...(street.allFar ? [street.allFar] : []), ...refused],
      warnings: [],
    };
    const refusedSet = new Set(refused.map((p) => p.index));
    const run = (target: Db) =>
      importLayer(target, {
        layer: c.target,
        sources: (async function* () {
          for await (const s of counted()) if (!refusedSet.has(s.index!)) yield s;
        })(),
        onProgress: opts.onProgress,
        makeValid: c.makeValid === true,
      });
    try {
      if (refused.length && !opts.dry) {
        // Nothing is written while a refused feature is still in the choice.
        for await (const _ of counted()) void _;
        throw new ImportError(refused);
      }
      const result = await run(opts.dry ? dryRun(db) : db);
      report.warnings = result.warnings;
      report.repaired = result.repaired.length;
      report.total = total;
      report.ok = total - refused.length;
      return { report, result: opts.dry ? undefined : result };
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      const problems = [...report.problems, ...(refused.length && !opts.dry ? [] : e.problems)];
      report.problems = problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
      report.total = total;
      // A problem of the whole file (index null) leaves nothing to import.
      report.ok = problems.some((p) => p.index === null)
        ? 0
        : total - new Set(problems.map((p) => p.index)).size;
      if (!opts.dry) throw new ImportError(report.problems);
      return { report };
    }
  });
}
