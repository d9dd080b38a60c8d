import { Router, type Request } from 'express';
import { mayImport } from '../../../core/exchange.ts';
import { DATA_LAYERS } from '../../../core/vocabulary.ts';
import type { User } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite } from '../auth.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { route } from '../http.ts';
import { withTimeLimit } from '../db/index.ts';
import { guessMapping } from '../../../core/import-mapping.ts';
import { IMPORT_SPECS, ImportError, nameOf, readColumn, type ImportProblem } from '../importer/index.ts';
import { openSource } from '../importer/readers/index.ts';
import {
  PREVIEW_FEATURES,
  dropUpload,
  isTarget,
  loadUpload,
  receiveUpload,
  runImport,
  targetFields,
  UploadGoneError,
  withUpload,
  type ImportChoice,
} from '../imports/staged.ts';

/** The file's own problem (unreadable, unknown CRS …) as a 400 naming it; an upload dropped meanwhile, 404. */
function fileProblem(e: unknown): never {
  if (e instanceof UploadGoneError) throw notFound(`No upload ${e.id}`);
  if (e instanceof ImportError) {
    throw new HttpError(400, 'bad_request', e.message, { reason: 'import_unreadable', problems: e.problems });
  }
  throw e;
}

function parseChoice(body: unknown, user: User): ImportChoice {
  const b = (body ?? {}) as Record<string, unknown>;
  if (!isTarget(b.target))
    throw badRequest('bad_request', 'target must be a data layer', { field: 'target' });
  if (!mayImport(user.role, b.target))
    throw new HttpError(403, 'forbidden', `A ${user.role} may not import ${b.target}`, {
      reason: 'import_layer_not_allowed',
      layer: b.target,
    });
  const mapping: Record<string, string | null> = {};
  const m = b.mapping;
  if (m !== undefined && (typeof m !== 'object' || m === null || Array.isArray(m)))
    throw badRequest('bad_request', 'mapping must be an object field → column', { field: 'mapping' });
  const fields = targetFields(b.target);
  for (const [k, v] of Object.entries((m ?? {}) as Record<string, unknown>)) {
    if (!fields.includes(k))
      throw badRequest('bad_request', `${b.target} has no field ${k}`, { field: 'mapping', value: k });
    if (v !== null && typeof v !== 'string')
      throw badRequest('bad_request', `mapping.${k} must be a column name or null`, { field: 'mapping' });
    mapping[k] = v;
  }
  // One value for every feature (固定值): read now as the field's type, its words taken as the
  // file's are (社区托管 → community_custodial); a value the field cannot hold is refused here.
  const fixed: Record<string, string | number | boolean | null> = {};
  const f = b.fixed;
  if (f !== undefined && (typeof f !== 'object' || f === null || Array.isArray(f)))
    throw badRequest('bad_request', 'fixed must be an object field → value', { field: 'fixed' });
  for (const [k, v] of Object.entries((f ?? {}) as Record<string, unknown>)) {
    if (!fields.includes(k))
      throw badRequest('bad_request', `${b.target} has no field ${k}`, { field: 'fixed', value: k });
    if (typeof v !== 'string') throw badRequest('bad_request', `fixed.${k} must be text`, { field: 'fixed' });
    const read = readColumn(
      IMPORT_SPECS[b.target].columns.find((c) => c.name === k)!,
      v,
      true,
    );
    if ('problem' in read)
      throw new HttpError(400, 'bad_request', `fixed.${k}: ${read.problem.code}`, {
        reason: 'import_fixed_value',
        field: 'fixed',
        problems: [{ index: null, ...read.problem }],
      });
    fixed[k] = read.value;
  }
  const str = (k: string) => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw badRequest('bad_request', `${k} must be text`, { field: k });
    return v;
  };
  if (b.makeValid !== undefined && typeof b.makeValid !== 'boolean')
    throw badRequest('bad_request', 'makeValid must be true or false', { field: 'makeValid' });
  const skip = b.skip;
  if (skip !== undefined && (!Array.isArray(skip) || !skip.every((i) => Number.isInteger(i))))
    throw badRequest('bad_request', 'skip must be a list of feature indexes', { field: 'skip' });
  return {
    target: b.target,
    mapping,
    sourceLayer: str('sourceLayer'),
    crs: str('crs'),
    encoding: str('encoding'),
    skip: skip as number[],
    makeValid: b.makeValid === true,
    ...(Object.keys(fixed).length ? { fixed } : {}),
  };
}

/**
 * /api/imports — the import page (数据导入) for city admins and street editors: POST a file (the raw
 * body, `?name=`), then GET its preview, POST …/check (a full dry run, nothing kept) and POST
 * …/commit (one transaction; `?progress=ndjson` streams progress lines before the result).
 */
export function importsRouter(ctx: AppContext): Router {
  const router = Router();
  const { auth, config } = ctx;
  // Uploads, checks and commits last as long as their file: bounded by IMPORT_TIMEOUT_MS, not by the
  // per-statement limit of ordinary requests (a 2 GB file's commit was cancelled by it).
  const db = withTimeLimit(ctx.db, config.importTimeoutMs);

  const upload = async (req: Request) => {
    assertCanWrite(req.user);
    const u = await loadUpload(db, req.user, String(req.params.id));
    if (!u) throw notFound(`No upload ${String(req.params.id)}`);
    return u;
  };

  router.post(
    '/',
    auth.required(),
    route(async (req, res) => {
      assertCanWrite(req.user);
      const max = config.importUploadMaxBytes;
      const maxMb = Math.floor(max / 2 ** 20);
      const tooLarge = () =>
        new HttpError(413, 'payload_too_large', `An import file may be at most ${maxMb} MB`, {
          reason: 'import_too_large',
          maxMb,
        });
      if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge();
      const name = typeof req.query.name === 'string' ? req.query.name.trim().slice(0, 200) : '';
      if (!name) throw badRequest('bad_request', 'Name the file: ?name=<file name>', { field: 'name' });
      let stored;
      try {
        stored = await receiveUpload(db, req.user, name, req, {
          maxBytes: max,
          tooLarge,
          brokeOff: () => badRequest('bad_request', 'The upload broke off'),
          // A hurried user's empty file got only "request refused" before.
          empty: () =>
            badRequest('bad_request', 'The file is empty: send its bytes as the request body', {
              reason: 'import_empty',
            }),
          inspect: async (path) => {
            const src = await openSource(path).catch(fileProblem);
            src.close();
            return src;
          },
        });
      } catch (e) {
        // A refusal before the whole body was read: the rest is not read, the connection ends.
        if (!req.complete) res.set('connection', 'close');
        throw e;
      }
      const { upload: u, inspected: src } = stored;
      const mine = DATA_LAYERS.filter((l) => mayImport(req.user!.role, l));
      res
        .status(201)
        .location(`${req.baseUrl}/${u.id}`)
        .json({
          id: u.id,
          name,
          size: u.size,
          format: src.format,
          layers: src.layers,
          crs: { id: src.crs.id, found: src.crs.found, problem: src.crs.problem },
          maxMb,
          // the fields each layer takes, for the page's column mapping
          targets: Object.fromEntries(mine.map((l) => [l, targetFields(l)])),
          // and the geometry each takes, for choosing a file's layer (an 奥维 KML's polygons or points)
          accepts: Object.fromEntries(mine.map((l) => [l, IMPORT_SPECS[l].accepts])),
        });
    }),
  );

  router.get(
    '/:id/preview',
    auth.required(),
    route(async (req, res) => {
      const u = await upload(req);
      const crs = typeof req.query.crs === 'string' && req.query.crs ? req.query.crs : undefined;
      const layer = typeof req.query.layer === 'string' && req.query.layer ? req.query.layer : undefined;
      // Answered once the temporary file is gone.
      const encoding =
        typeof req.query.encoding === 'string' && req.query.encoding ? req.query.encoding : undefined;
      const body = await withUpload(db, u, { crs, encoding }, async (src) => {
        const features: unknown[] = [];
        const problems: ImportProblem[] = [];
        const columns = new Set<string>(
          src.layers.find((l) => l.name === layer)?.fields ?? src.layers[0]?.fields,
        );
        // Problems name their feature as the check will, by the column the page guesses for 名称.
        const nameColumn = guessMapping(['name'], [...columns]).name ?? 'name';
        let total = 0;
        try {
          for await (const s of src.read(layer)) {
            const index = s.index ?? total;
            total++;
            if (features.length >= PREVIEW_FEATURES) continue;
            const name = s.problems?.length ? nameOf(s.feature, nameColumn) : undefined;
            for (const r of s.problems ?? [])
              problems.push({
                index,
                ...(s.row === undefined ? {} : { row: s.row }),
                ...(name === undefined ? {} : { name }),
                ...r,
              });
            const f = s.feature as { geometry?: unknown; properties?: Record<string, unknown> | null };
            for (const k of Object.keys(f?.properties ?? {})) columns.add(k);
            if (!s.problems?.length)
              features.push({
                type: 'Feature',
                id: index,
                geometry: f.geometry ?? null,
                properties: { ...f.properties },
              });
          }
        } catch (e) {
          fileProblem(e);
        }
        return {
          layer: layer ?? src.layers[0]?.name ?? null,
          columns: [...columns],
          total,
          shown: features.length,
          features: { type: 'FeatureCollection', features },
          problems,
          crs: { id: src.crs.id, problem: src.crs.problem },
        };
      }).catch(fileProblem);
      res.json(body);
    }),
  );

  router.post(
    '/:id/check',
    auth.required(),
    route(async (req, res) => {
      const u = await upload(req);
      const choice = parseChoice(req.body, req.user!);
      const { report } = await runImport(db, req.user!, u, choice, { dry: true }).catch(fileProblem);
      res.json(report);
    }),
  );

  router.post(
    '/:id/commit',
    auth.required(),
    route(async (req, res) => {
      const u = await upload(req);
      const choice = parseChoice(req.body, req.user!);
      const stream = req.query.progress === 'ndjson';
      if (!stream) {
        try {
          const { result } = await runImport(db, req.user!, u, choice, { dry: false });
          await dropUpload(db, u.id);
          res.json({ inserted: result!.inserted, warnings: result!.warnings });
        } catch (e) {
          if (e instanceof ImportError)
            throw new HttpError(422, 'validation_failed', e.message, {
              reason: 'import_refused',
              problems: e.problems,
            });
          fileProblem(e);
        }
        return;
      }
      // Progress as it happens: one JSON line per step, then the result (or the error body).
      res.status(200).type('application/x-ndjson');
      const line = (o: unknown) => res.write(JSON.stringify(o) + '\n');
      try {
        const { result } = await runImport(db, req.user!, u, choice, {
          dry: false,
          onProgress: (p) => line({ progress: p }),
        });
        await dropUpload(db, u.id);
        line({ result: { inserted: result!.inserted, warnings: result!.warnings } });
      } catch (e) {
        const problems = e instanceof ImportError ? e.problems : undefined;
        if (e instanceof UploadGoneError)
          line({ error: { code: 'not_found', message: `No upload ${e.id}`, details: {} } });
        else {
          if (!problems) ctx.logger.error({ err: e }, 'import commit failed');
          line({
            error: {
              code: problems ? 'validation_failed' : 'internal',
              message: problems ? (e as Error).message : 'The import failed; nothing was written',
              details: problems ? { reason: 'import_refused', problems } : {},
            },
          });
        }
      }
      res.end();
    }),
  );

  return router;
}
