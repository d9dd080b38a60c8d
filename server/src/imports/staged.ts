import { randomUUID } from 'node:crypto';
import type { ImportProblemCode } from '../../../core/import-problems.ts';
import { DATA_LAYERS, type DataLayer } from '../../../core/vocabulary.ts';
import type { User } from '../auth.ts';
import type { Db, Queryable } from '../db/index.ts';
import {
  ImportError,
  IMPORT_SPECS,
  importLayer,
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

/** Features the preview returns (and the map shows). */
export const PREVIEW_FEATURES = 1000;

export interface Upload {
  id: string;
  name: string;
  size: number;
  bytes: Uint8Array;
}

export async function storeUpload(db: Queryable, user: User, name: string, bytes: Buffer): Promise<string> {
  const id = randomUUID();
  await db.query(`DELETE FROM import_uploads WHERE created_at < now() - interval '1 day'`);
  await db.query('INSERT INTO import_uploads (id, username, name, size, bytes) VALUES ($1, $2, $3, $4, $5)', [
    id,
    user.username,
    name,
    bytes.length,
    bytes,
  ]);
  return id;
}

/** The user's own upload, or undefined (another user's upload is as good as absent). */
export async function loadUpload(db: Queryable, user: User, id: string): Promise<Upload | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const r = await db.query<{ id: string; name: string; size: number; bytes: Uint8Array }>(
    'SELECT id, name, size, bytes FROM import_uploads WHERE id = $1 AND username = $2',
    [id, user.username],
  );
  return r.rows[0];
}

export async function dropUpload(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM import_uploads WHERE id = $1', [id]);
}

export function openUpload(u: Upload, crs?: string): Promise<OpenedSource> {
  return openSource({ name: u.name, bytes: u.bytes }, crs ? { crs } : {});
}

/** What the user chose on the page: which layer of the file, into which layer, which column is which field. */
export interface ImportChoice {
  sourceLayer?: string;
  crs?: string;
  target: DataLayer;
  /** Field of the target layer → column of the file (absent or null: not imported). */
  mapping: Record<string, string | null>;
  /** Feature indexes to leave out (the refused ones the user accepted to skip). */
  skip?: number[];
}

/** The fields a layer takes, for the mapping. */
export function targetFields(layer: DataLayer): string[] {
  return IMPORT_SPECS[layer]!.columns.map((c) => c.name);
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

/** Indexes of the features with a vertex outside the street (a street editor's import). */
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
  let idx: number[] = [];
  let xs: number[] = [];
  let ys: number[] = [];
  const flush = async () => {
    if (!idx.length) return;
    const r = await db.query<{ idx: number }>(OUTSIDE_STREET_SQL, [idx, xs, ys, street]);
    outside.push(...r.rows.map((x) => x.idx));
    [idx, xs, ys] = [[], [], []];
  };
  for await (const s of mapped(src, c)) {
    if (s.row !== undefined) rows.set(s.index!, s.row);
    for (const [x, y] of vertices((s.feature as { geometry?: unknown }).geometry)) {
      idx.push(s.index!);
      xs.push(x);
      ys.push(y);
    }
    if (idx.length >= 20_000) await flush();
    if ((++n & 0x3ff) === 0) progress({ phase: 'checking', done: n, total: n });
  }
  await flush();
  progress({ phase: 'checking', done: n, total: n });
  return outside.map((index) => ({ index, row: rows.get(index) }));
}

/** The reason a street editor's feature is refused (the client words it). */
export const OUTSIDE_STREET = 'outside_street' satisfies ImportProblemCode;

export interface CheckReport {
  total: number;
  ok: number;
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
  const src = await openUpload(upload, c.crs);
  try {
    const refused: CheckReport['problems'] =
      user.role === 'street_editor' && user.streetCode
        ? (await outsideStreet(db, src, c, user.streetCode, opts.onProgress ?? (() => {}))).map(
            ({ index, row }) => ({
              index,
              ...(row === undefined ? {} : { row }),
              code: OUTSIDE_STREET,
              params: { street: user.streetCode! },
            }),
          )
        : [];
    let total = 0;
    async function* counted() {
      for await (const s of mapped(src, c)) {
        total++;
        yield s;
      }
    }
    const report: CheckReport = { total: 0, ok: 0, problems: [...refused], warnings: [] };
    const refusedSet = new Set(refused.map((p) => p.index));
    const run = (target: Db) =>
      importLayer(target, {
        layer: c.target,
        sources: (async function* () {
          for await (const s of counted()) if (!refusedSet.has(s.index!)) yield s;
        })(),
        onProgress: opts.onProgress,
      });
    try {
      if (refused.length && !opts.dry) {
        // Nothing is written while a refused feature is still in the choice.
        for await (const _ of counted()) void _;
        throw new ImportError(refused);
      }
      const result = await run(opts.dry ? dryRun(db) : db);
      report.warnings = result.warnings;
      report.total = total;
      report.ok = total - refused.length;
      return { report, result: opts.dry ? undefined : result };
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      const problems = [...report.problems, ...(refused.length && !opts.dry ? [] : e.problems)];
      report.problems = problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
      report.total = total;
      report.ok = total - new Set(problems.map((p) => p.index)).size;
      if (!opts.dry) throw new ImportError(report.problems);
      return { report };
    }
  } finally {
    src.close();
  }
}
