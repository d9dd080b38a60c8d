import express, { Router, type Request } from 'express';
import { FIVE_TARGETS, TARGET_STATES, isOneOf, type TargetState } from '../../../core/vocabulary.ts';
import { summarizeScorecards } from '../../../core/coverage.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite } from '../auth.ts';
import { streetResult } from '../coverage/street-results.ts';
import { streetExists } from '../coverage/repository.ts';
import {
  assessmentHistory,
  recordAssessment,
  scorecard,
  scorecardFor,
  scorecards,
} from '../coverage/scorecard.ts';
import { authorsFor } from '../history-authors.ts';
import { keptHeavyQuery } from '../limits.ts';
import {
  SurveyFileError,
  UPDATABLE,
  matchSurvey,
  parseSurvey,
  readSheet,
  surveyTable,
  type SurveyRow,
} from '../coverage/survey.ts';
import { TABLE_FORMATS, sendTable } from '../coverage/table-file.ts';
import type { Queryable } from '../db/index.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { parseId, route } from '../http.ts';
import { queryInt, queryString } from '../input/query.ts';
import { assertCompoundInJurisdiction } from '../ledger/access.ts';
import { isCalendarDate } from '../ledger/input.ts';
import { compoundStreet } from '../ledger/repository.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** csv or xlsx: from ?format, the file name, the content type, or the bytes (XLSX is a zip: "PK"). */
function surveyFormat(req: Request, data: Buffer): 'csv' | 'xlsx' {
  const f = queryString(req, 'format');
  if (f !== undefined) {
    if (!isOneOf(TABLE_FORMATS, f)) throw badRequest('bad_request', 'format must be csv or xlsx');
    return f;
  }
  const name = queryString(req, 'name') ?? '';
  if (/\.xlsx$/i.test(name)) return 'xlsx';
  if (/\.csv$/i.test(name)) return 'csv';
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith(XLSX_TYPE)) return 'xlsx';
  if (type.startsWith('text/csv')) return 'csv';
  return data.subarray(0, 2).toString('latin1') === 'PK' ? 'xlsx' : 'csv';
}

interface PendingImport {
  id: number;
  file_name: string | null;
  rows: SurveyRow[];
  status: 'pending' | 'applied';
  created_by: string | null;
}

function summary(rows: SurveyRow[]) {
  const n = (s: SurveyRow['status']) => rows.filter((r) => r.status === s).length;
  return {
    rows: rows.length,
    matched: n('matched'),
    fuzzy: n('fuzzy'),
    unmatched: n('unmatched'),
    invalid: n('invalid'),
  };
}

const previewBody = (p: PendingImport) => ({
  import_id: p.id,
  file_name: p.file_name,
  status: p.status,
  summary: summary(p.rows),
  rows: p.rows,
});

async function loadImport(db: Queryable, id: number, lock = false): Promise<PendingImport> {
  const r = await db.query<PendingImport>(
    `SELECT id, file_name, rows, status, created_by FROM survey_imports WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!r.rows[0]) throw notFound(`No survey import ${id}`);
  return r.rows[0];
}

/** The confirm body: `{"confirm":[{"row","compound_id"}],"skip":[row]}`, both optional. */
function parseConfirm(raw: unknown): { confirm: Map<number, number>; skip: Set<number> } {
  const body = (raw ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest('bad_request', 'Send {"confirm":[…],"skip":[…]}');
  const unknown = Object.keys(body).filter((k) => k !== 'confirm' && k !== 'skip');
  if (unknown.length) throw new HttpError(400, 'invalid_attribute', `Unknown field ${unknown[0]}`);
  const confirm = new Map<number, number>();
  for (const c of (body.confirm ?? []) as unknown[]) {
    const x = c as { row?: unknown; compound_id?: unknown };
    if (!Number.isSafeInteger(x?.row) || !Number.isSafeInteger(x?.compound_id)) {
      throw new HttpError(400, 'invalid_attribute', 'confirm: each entry is {"row": n, "compound_id": n}', {
        entry: c,
      });
    }
    confirm.set(x.row as number, x.compound_id as number);
  }
  if (body.confirm !== undefined && !Array.isArray(body.confirm))
    throw new HttpError(400, 'invalid_attribute', 'confirm must be a list');
  if (
    body.skip !== undefined &&
    (!Array.isArray(body.skip) || !body.skip.every((s) => Number.isSafeInteger(s)))
  ) {
    throw new HttpError(400, 'invalid_attribute', 'skip must be a list of row numbers');
  }
  return { confirm, skip: new Set((body.skip ?? []) as number[]) };
}

/**
 * Compounds: the 五有 scorecard (GET /:id/scorecard, /scorecards), staff assessments (POST
 * /:id/assessments), and the survey spreadsheet (POST /survey → preview, POST /survey/:id/confirm,
 * GET /survey.(xlsx|csv)). GET / stays the generic layer route.
 */
export function compoundsRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, auth } = ctx;

  // Who assessed a target: told to signed-in readers only (issue 10), here and in /:id/….
  // `limit` / `offset` page the cards (a street of a province-scale city has tens of thousands: the
  // whole list was 111 MB at 2,000,000 buildings); `limit=0` is the summary alone, which the
  // dashboard reads and which is kept on its own (issue 12).
  router.get(
    '/scorecards',
    auth.optional(),
    route(async (req, res) => {
      const street = queryString(req, 'street');
      const limit = queryInt(req, 'limit', Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER);
      const offset = queryInt(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      if (street !== undefined && !(await streetExists(db, street)))
        throw notFound(`No street with code ${street}`, { street });
      const kept = street !== undefined;
      // A street's summary and cards are kept until one of their inputs changes (migration 0017), and
      // computed as a kept heavy read: past the heavy time limit the answer is 503 still_computing
      // and is finished anyway (at 2,000,000 buildings the largest street's summary took longer than
      // the pool's 30 s statement limit, so it was cancelled on every request and never kept).
      if (limit === 0) {
        const summary = kept
          ? await keptHeavyQuery(ctx, `scorecards|${street}|summary`, (q) =>
              streetResult(q, street, 'scorecards', { summary: 1 }, async () =>
                summarizeScorecards(await scorecards(q, { street })),
              ),
            )
          : summarizeScorecards(await scorecards(db, {}));
        res.json({ summary, scorecards: [] });
        return;
      }
      const cards = kept
        ? await keptHeavyQuery(ctx, `scorecards|${street}`, (q) =>
            streetResult(q, street, 'scorecards', {}, () => scorecards(q, { street })),
          )
        : await scorecards(db, {});
      res.json({
        summary: summarizeScorecards(cards),
        scorecards: cards.slice(offset, offset + limit).map((c) => scorecardFor(c, req.user)),
      });
    }),
  );

  router.get(
    '/survey.:format',
    route(async (req, res) => {
      const format = req.params.format;
      if (!isOneOf(TABLE_FORMATS, format)) throw notFound(`No export format ${format}; csv or xlsx`);
      await sendTable(res, await surveyTable(db, queryString(req, 'street')), format);
    }),
  );

  router.post(
    '/survey',
    auth.required(),
    express.raw({ type: () => true, limit: ctx.config.bodyLimit }),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const data = req.body as unknown;
      if (!Buffer.isBuffer(data) || data.length === 0) {
        throw badRequest('bad_request', 'Send the spreadsheet (XLSX or CSV) as the request body');
      }
      let rows: SurveyRow[];
      try {
        const sheet = await readSheet(data, surveyFormat(req, data));
        if (sheet.some((r) => r.some((cell) => cell.includes('\u0000'))))
          throw new SurveyFileError('A cell of the file contains a NUL character');
        rows = await matchSurvey(db, parseSurvey(sheet));
      } catch (e) {
        if (e instanceof SurveyFileError) throw badRequest('bad_request', e.message, { reason: e.reason });
        throw e;
      }
      const r = await db.query<{ id: number }>(
        'INSERT INTO survey_imports (file_name, rows, created_by) VALUES ($1, $2::jsonb, $3) RETURNING id',
        [queryString(req, 'name') ?? null, JSON.stringify(rows), user.username],
      );
      const id = r.rows[0]!.id;
      res.status(201).setHeader('Location', `${req.baseUrl}/survey/${id}`);
      res.json(previewBody(await loadImport(db, id)));
    }),
  );

  router.get(
    '/survey/:importId',
    route(async (req, res) => {
      res.json(previewBody(await loadImport(db, parseId(req.params.importId))));
    }),
  );

  router.post(
    '/survey/:importId/confirm',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.importId);
      const { confirm, skip } = parseConfirm(req.body);
      const applied = await db.transaction(async (tx) => {
        const imp = await loadImport(tx, id, true);
        if (imp.status !== 'pending') {
          throw new HttpError(422, 'validation_failed', `Survey import ${id} was applied already`, {
            reason: 'survey_applied_already',
            import_id: id,
            issues: [{ code: 'already_applied' }],
          });
        }
        const byRow = new Map(imp.rows.map((r) => [r.row, r]));
        for (const row of [...confirm.keys(), ...skip]) {
          if (!byRow.has(row))
            throw new HttpError(400, 'invalid_attribute', `No row ${row} in import ${id}`, { row });
        }
        const plan: { row: SurveyRow; compoundId: number }[] = [];
        for (const r of imp.rows) {
          if (skip.has(r.row)) continue;
          const chosen = confirm.get(r.row);
          if (chosen !== undefined) plan.push({ row: r, compoundId: chosen });
          else if (r.status === 'matched') plan.push({ row: r, compoundId: r.match!.compound_id });
        }
        for (const p of plan) {
          if (p.row.status === 'invalid') {
            throw new HttpError(400, 'invalid_attribute', `Row ${p.row.row} has invalid values`, {
              reason: 'survey_row_invalid',
              row: p.row.row,
              problems: p.row.problems,
            });
          }
          const c = await compoundStreet(tx, p.compoundId);
          if (!c)
            throw new HttpError(400, 'invalid_attribute', `Row ${p.row.row}: no compound ${p.compoundId}`, {
              reason: 'survey_row_unknown_compound',
              row: p.row.row,
              compound_id: p.compoundId,
            });
          assertCompoundInJurisdiction(user, c.street_code, `Compound ${p.compoundId} (row ${p.row.row})`);
          await applyRow(tx, p.compoundId, p.row, imp.file_name, user.username);
        }
        await tx.query(
          "UPDATE survey_imports SET status = 'applied', applied_by = $2, applied_at = now() WHERE id = $1",
          [id, user.username],
        );
        return plan.map((p) => ({ row: p.row.row, compound_id: p.compoundId }));
      });
      res.json({ import_id: id, applied });
    }),
  );

  router.get(
    '/:id/scorecard',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const card = await scorecard(db, id);
      if (!card) throw notFound(`No compound ${id}`);
      res.json(scorecardFor(card, req.user));
    }),
  );

  router.get(
    '/:id/assessments',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      if (!(await compoundStreet(db, id))) throw notFound(`No compound ${id}`);
      const assessments = (await assessmentHistory(db, id)).map((a) => authorsFor(a, req.user));
      res.json({ compound_id: id, assessments });
    }),
  );

  router.post(
    '/:id/assessments',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.id);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body))
        throw badRequest('bad_request', 'Send a JSON object');
      const unknown = Object.keys(body).filter(
        (k) => !['target', 'state', 'assessed_on', 'note'].includes(k),
      );
      if (unknown.length)
        throw new HttpError(400, 'invalid_attribute', `Unknown field ${unknown[0]}`, { fields: unknown });
      if (!isOneOf(FIVE_TARGETS, body.target)) {
        throw new HttpError(400, 'invalid_attribute', `target must be one of ${FIVE_TARGETS.join(', ')}`, {
          field: 'target',
        });
      }
      if (!isOneOf(TARGET_STATES, body.state)) {
        throw new HttpError(400, 'invalid_attribute', `state must be one of ${TARGET_STATES.join(', ')}`, {
          field: 'state',
        });
      }
      const on = body.assessed_on ?? new Date().toISOString().slice(0, 10);
      if (typeof on !== 'string' || !isCalendarDate(on)) {
        throw new HttpError(400, 'invalid_attribute', 'assessed_on must be a date YYYY-MM-DD', {
          field: 'assessed_on',
        });
      }
      const note = body.note ?? null;
      if (note !== null && (typeof note !== 'string' || note.length > 2000)) {
        throw new HttpError(400, 'invalid_attribute', 'note must be text of at most 2000 characters', {
          field: 'note',
        });
      }
      const target = body.target;
      const state = body.state as TargetState;
      await db.transaction(async (tx) => {
        const c = await compoundStreet(tx, id);
        if (!c) throw notFound(`No compound ${id}`);
        assertCompoundInJurisdiction(user, c.street_code, `Compound ${id}`);
        await recordAssessment(tx, {
          compoundId: id,
          target,
          state,
          assessedOn: on,
          note,
          by: user.username,
        });
      });
      res.status(201).json(await scorecard(db, id));
    }),
  );

  return router;
}

/** One confirmed survey row: attribute columns updated; changed targets recorded as assessments. */
async function applyRow(
  tx: Queryable,
  compoundId: number,
  row: SurveyRow,
  file: string | null,
  user: string,
) {
  const v = row.values;
  const today = new Date().toISOString().slice(0, 10);
  const plain = UPDATABLE.filter(
    (f) => !(FIVE_TARGETS as readonly string[]).includes(f) && v[f] !== undefined,
  );
  if (plain.length) {
    // Column names from the UPDATABLE allow-list.
    const sets = plain.map((f, i) => `${f} = $${i + 2}`);
    await tx.query(
      `UPDATE compounds SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
      [compoundId, ...plain.map((f) => v[f])],
    );
  }
  for (const t of FIVE_TARGETS) {
    const state = v[t];
    if (state === undefined) continue;
    const cur = await tx.query<{ s: TargetState }>(`SELECT ${t} AS s FROM compounds WHERE id = $1`, [
      compoundId,
    ]);
    if (cur.rows[0]?.s === state) continue;
    await recordAssessment(tx, {
      compoundId,
      target: t,
      state,
      assessedOn: today,
      note: `摸排表导入${file ? ` ${file}` : ''} 第 ${row.row} 行`,
      by: user,
    });
  }
}
