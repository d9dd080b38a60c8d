import { Router } from 'express';
import type { AuditEntry, AuditPage } from '../../../core/accounts.ts';
import type { AppContext } from '../context.ts';
import { assertAdmin } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { route } from '../http.ts';

interface AuditRow {
  id: number;
  at: Date | string;
  username: string | null;
  address: string | null;
  action: AuditEntry['action'];
  table_name: string;
  row_id: string | null;
  changed: string[] | null;
}

/** A whole number query parameter within [min, max], or 400. */
function whole(raw: unknown, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || n < min || n > max)
    throw badRequest('bad_request', `${name} must be a whole number from ${min} to ${max}`, { [name]: raw });
  return n;
}

/** GET /api/audit?before=&limit= — the audit log, newest first, for city admins. */
export function auditRouter({ db }: AppContext): Router {
  const router = Router();
  router.get(
    '/',
    route(async (req, res) => {
      assertAdmin(req.user);
      const before = whole(req.query.before, 'before', 1, Number.MAX_SAFE_INTEGER);
      const limit = whole(req.query.limit, 'limit', 1, 200) ?? 50;
      const r = await db.query<AuditRow>(
        `SELECT id, at, username, address, action, table_name, row_id, changed FROM audit_log
          WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2`,
        [before ?? null, limit + 1],
      );
      const rows = r.rows.slice(0, limit);
      const page: AuditPage = {
        entries: rows.map((a) => ({
          id: a.id,
          at: new Date(a.at).toISOString(),
          username: a.username,
          address: a.address,
          action: a.action,
          table: a.table_name,
          rowId: a.row_id,
          changed: a.changed,
        })),
        next: r.rows.length > limit ? rows[rows.length - 1]!.id : null,
      };
      res.json(page);
    }),
  );
  return router;
}
