import { Router, type Request, type Response } from 'express';
import {
  LEDGER_STATUSES,
  PHASE_LABELS,
  TARGET_LABELS,
  type LedgerItem,
  type LedgerStatus,
} from '../../../core/coverage.ts';
import { isOneOf } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite, type User } from '../auth.ts';
import { TABLE_FORMATS, sendTable, type Table } from '../coverage/table-file.ts';
import type { Queryable } from '../db/index.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { authorsFor, historyFor } from '../history-authors.ts';
import { etag, ifMatchVersion, parseId, route } from '../http.ts';
import { placeFilter, queryInt, queryString } from '../input/query.ts';
import { assertCompoundInJurisdiction } from '../ledger/access.ts';
import { parseLedgerBody, parseNote } from '../ledger/input.ts';
import {
  closeLedgerItem,
  compoundStreet,
  createLedgerItem,
  getLedgerItem,
  ledgerHistory,
  ledgerStats,
  listLedger,
  reopenLedgerItem,
  updateLedgerItem,
} from '../ledger/repository.ts';

function filters(req: Request) {
  const status = queryString(req, 'status');
  if (status !== undefined && !isOneOf(LEDGER_STATUSES, status)) {
    throw badRequest('bad_request', `status must be one of ${LEDGER_STATUSES.join(', ')}`, { status });
  }
  const compound = queryString(req, 'compound');
  const overdue = queryString(req, 'overdue');
  if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') {
    throw badRequest('bad_request', 'overdue must be true or false');
  }
  return {
    ...placeFilter(req),
    status: status as LedgerStatus | undefined,
    compoundId: compound === undefined ? undefined : parseId(compound),
    overdue: overdue === 'true',
    // Read like every other list's limit: `limit=1.5` is a 400, not ignored.
    limit: queryInt(req, 'limit', 10_000, 1, 10_000),
  };
}

function ledgerTable(items: LedgerItem[]): Table {
  const category = (c: LedgerItem['category']) => (c === 'other' ? '其他' : TARGET_LABELS[c]);
  const time = (t: string | null) => (t ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) : null);
  return {
    title: '问题台账',
    headers: [
      '编号',
      '小区',
      '街道编码',
      '问题描述',
      '类别',
      '责任单位',
      '整改期限',
      '阶段',
      '状态',
      '是否逾期',
      '登记人',
      '登记时间',
      '销号人',
      '销号时间',
      '销号说明',
    ],
    rows: items.map((i) => [
      i.id,
      i.compound_name,
      i.street_code,
      i.description,
      category(i.category),
      i.responsible_unit,
      i.deadline,
      PHASE_LABELS[i.phase],
      i.status === 'open' ? '未销号' : '已销号',
      i.overdue ? '是' : '否',
      i.created_by,
      time(i.created_at),
      i.closed_by,
      time(i.closed_at),
      i.close_note,
    ]),
  };
}

/**
 * Loads the item under a row lock, checks the If-Match version and the user's street; 404, 409
 * version_conflict (with the current item), 403 out_of_jurisdiction.
 */
async function lockedItem(tx: Queryable, id: number, expected: number, user: User): Promise<LedgerItem> {
  const current = await getLedgerItem(tx, id, true);
  if (!current) throw notFound(`No ledger item ${id}`);
  if (current.version !== expected) {
    throw new HttpError(
      409,
      'version_conflict',
      `Ledger item ${id} is at version ${current.version}, not ${expected}: someone saved first`,
      { current_version: current.version, current },
    );
  }
  assertCompoundInJurisdiction(user, current.street_code, `Ledger item ${id}`);
  return current;
}

/** 台账 problem list: read by all, written by city admins and the street editors of the compound's street. */
export function ledgerRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, auth } = ctx;

  const reply = async (res: Response, id: number, status = 200) => {
    const item = (await getLedgerItem(db, id))!;
    res.status(status).setHeader('ETag', etag(item.version)).json(item);
  };

  // Who registered, closed and reopened an item: told to signed-in readers only (issue 10).
  router.get(
    '/',
    auth.optional(),
    route(async (req, res) => {
      res.json({ items: (await listLedger(db, filters(req))).map((i) => authorsFor(i, req.user)) });
    }),
  );

  router.get(
    '/stats',
    route(async (req, res) => {
      res.json(await ledgerStats(db, placeFilter(req)));
    }),
  );

  router.get(
    '/export.:format',
    auth.optional(),
    route(async (req, res) => {
      const format = req.params.format;
      if (!isOneOf(TABLE_FORMATS, format)) throw notFound(`No export format ${format}; csv or xlsx`);
      const items = (await listLedger(db, filters(req))).map((i) => authorsFor(i, req.user));
      await sendTable(res, ledgerTable(items), format);
    }),
  );

  router.get(
    '/:id',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const item = await getLedgerItem(db, id);
      if (!item) throw notFound(`No ledger item ${id}`);
      res.setHeader('ETag', etag(item.version)).json(authorsFor(item, req.user));
    }),
  );

  router.get(
    '/:id/history',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const history = historyFor(await ledgerHistory(db, id), req.user);
      if (!history.length) throw notFound(`No ledger item ${id}`);
      res.json({ id, history });
    }),
  );

  router.post(
    '/',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const input = parseLedgerBody(req.body, false);
      const id = await db.transaction(async (tx) => {
        const compound = await compoundStreet(tx, input.compound_id);
        if (!compound) {
          throw new HttpError(400, 'invalid_attribute', `compound_id: no compound ${input.compound_id}`, {
            field: 'compound_id',
            value: input.compound_id,
          });
        }
        assertCompoundInJurisdiction(user, compound.street_code, `Compound ${input.compound_id}`);
        return createLedgerItem(tx, input, user.username);
      });
      res.setHeader('Location', `${req.baseUrl}/${id}`);
      await reply(res, id, 201);
    }),
  );

  router.put(
    '/:id',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.id);
      const expected = ifMatchVersion(req);
      const patch = parseLedgerBody(req.body, true);
      if (!Object.keys(patch).length) throw badRequest('bad_request', 'Nothing to change');
      await db.transaction(async (tx) => {
        await lockedItem(tx, id, expected, user);
        await updateLedgerItem(tx, id, patch, user.username);
      });
      await reply(res, id);
    }),
  );

  for (const action of ['close', 'reopen'] as const) {
    router.post(
      `/:id/${action}`,
      auth.required(),
      route(async (req, res) => {
        const user = req.user;
        assertCanWrite(user);
        const id = parseId(req.params.id);
        const expected = ifMatchVersion(req);
        const note = parseNote(req.body, action === 'close');
        await db.transaction(async (tx) => {
          const item = await lockedItem(tx, id, expected, user);
          const want = action === 'close' ? 'open' : 'closed';
          if (item.status !== want) {
            throw new HttpError(422, 'validation_failed', `Ledger item ${id} is already ${item.status}`, {
              issues: [{ code: action === 'close' ? 'already_closed' : 'not_closed', status: item.status }],
            });
          }
          if (action === 'close') await closeLedgerItem(tx, id, note, user.username);
          else await reopenLedgerItem(tx, id, note, user.username);
        });
        await reply(res, id);
      }),
    );
  }

  return router;
}
