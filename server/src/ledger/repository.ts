import { readFileSync } from 'node:fs';
import {
  PLAN_PHASES,
  type LedgerCounts,
  type LedgerHistoryEntry,
  type LedgerItem,
  type LedgerStats,
  type LedgerStatus,
  type PlanPhase,
} from '../../../core/coverage.ts';
import type { Queryable } from '../db/index.ts';
import type { PlaceFilter } from '../input/query.ts';
import type { LedgerCreate, LedgerFields } from './input.ts';

export type { LedgerHistoryEntry };

const ITEMS_SQL = readFileSync(new URL('./items.sql', import.meta.url), 'utf8');
const STATS_SQL = readFileSync(new URL('./stats.sql', import.meta.url), 'utf8');

export interface LedgerFilter extends PlaceFilter {
  id?: number;
  status?: LedgerStatus;
  compoundId?: number;
  overdue?: boolean;
  limit?: number;
}

/** 台账 items, open first, then by deadline. */
export async function listLedger(db: Queryable, f: LedgerFilter = {}): Promise<LedgerItem[]> {
  const r = await db.query<LedgerItem>(ITEMS_SQL, [
    f.id ?? null,
    f.street ?? null,
    f.status ?? null,
    f.compoundId ?? null,
    f.overdue ?? false,
    f.limit ?? 10_000,
    f.community ?? null,
    f.district ?? null,
  ]);
  return r.rows;
}

export async function getLedgerItem(
  db: Queryable,
  id: number,
  forUpdate = false,
): Promise<LedgerItem | undefined> {
  if (forUpdate) await db.query('SELECT 1 FROM ledger_items WHERE id = $1 FOR UPDATE', [id]);
  return (await listLedger(db, { id }))[0];
}

export type LedgerOperation = 'create' | 'update' | 'close' | 'reopen';

/** Writes the item's current row to ledger_history (same transaction as the change). */
async function record(tx: Queryable, id: number, op: LedgerOperation, user: string, note: string | null) {
  await tx.query(
    `INSERT INTO ledger_history (item_id, version, operation, attributes, note, changed_by)
     SELECT l.id, l.version, $2, to_jsonb(l) - 'id', $3, $4 FROM ledger_items l WHERE l.id = $1`,
    [id, op, note, user],
  );
}

export async function createLedgerItem(tx: Queryable, input: LedgerCreate, user: string): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO ledger_items (compound_id, description, category, responsible_unit, deadline, phase, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5::date, $6, $7, $7) RETURNING id`,
    [
      input.compound_id,
      input.description,
      input.category,
      input.responsible_unit,
      input.deadline,
      input.phase,
      user,
    ],
  );
  const id = r.rows[0]!.id;
  await record(tx, id, 'create', user, null);
  return id;
}

const COLUMNS: readonly (keyof LedgerFields)[] = [
  'description',
  'category',
  'responsible_unit',
  'deadline',
  'phase',
];

/** Applies the given fields and bumps the version; the caller has checked the version under a row lock. */
export async function updateLedgerItem(
  tx: Queryable,
  id: number,
  patch: Partial<LedgerFields>,
  user: string,
): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id, user];
  for (const c of COLUMNS) {
    if (!(c in patch)) continue;
    params.push(patch[c]);
    sets.push(`${c} = $${params.length}${c === 'deadline' ? '::date' : ''}`);
  }
  await tx.query(
    `UPDATE ledger_items SET ${[...sets, 'version = version + 1', 'updated_by = $2', 'updated_at = now()'].join(', ')}
     WHERE id = $1`,
    params,
  );
  await record(tx, id, 'update', user, null);
}

/** 销号: closed by `user` now, with a note. */
export async function closeLedgerItem(
  tx: Queryable,
  id: number,
  note: string | null,
  user: string,
): Promise<void> {
  await tx.query(
    `UPDATE ledger_items SET status = 'closed', closed_by = $2, closed_at = now(), close_note = $3,
            version = version + 1, updated_by = $2, updated_at = now()
     WHERE id = $1`,
    [id, user, note],
  );
  await record(tx, id, 'close', user, note);
}

/** Reopened: the last close stays in the history; the item is open again. */
export async function reopenLedgerItem(
  tx: Queryable,
  id: number,
  note: string | null,
  user: string,
): Promise<void> {
  await tx.query(
    `UPDATE ledger_items SET status = 'open', closed_by = NULL, closed_at = NULL, close_note = NULL,
            reopened_by = $2, reopened_at = now(), reopen_note = $3,
            version = version + 1, updated_by = $2, updated_at = now()
     WHERE id = $1`,
    [id, user, note],
  );
  await record(tx, id, 'reopen', user, note);
}

export async function ledgerHistory(db: Queryable, id: number): Promise<LedgerHistoryEntry[]> {
  const r = await db.query<LedgerHistoryEntry>(
    `SELECT version, operation, attributes, note, changed_by, changed_at
     FROM ledger_history WHERE item_id = $1 ORDER BY version`,
    [id],
  );
  return r.rows;
}

/** Per street and per plan phase: open, closed and overdue. Every phase is listed, also empty ones. */
export async function ledgerStats(db: Queryable, place: PlaceFilter = {}): Promise<LedgerStats> {
  const r = await db.query<{ grp: string; key: string | null; name: string | null } & LedgerCounts>(
    STATS_SQL,
    [place.street ?? null, place.community ?? null, place.district ?? null],
  );
  const counts = (x: LedgerCounts): LedgerCounts => ({ open: x.open, closed: x.closed, overdue: x.overdue });
  const streets = r.rows
    .filter((x) => x.grp === 'street')
    .map((x) => ({ street_code: x.key, name: x.name ?? x.key ?? '未划入', ...counts(x) }));
  const phases = PLAN_PHASES.map((phase: PlanPhase) => {
    const row = r.rows.find((x) => x.grp === 'phase' && x.key === phase);
    return { phase, ...(row ? counts(row) : { open: 0, closed: 0, overdue: 0 }) };
  });
  const total = streets.reduce(
    (t, s) => ({ open: t.open + s.open, closed: t.closed + s.closed, overdue: t.overdue + s.overdue }),
    { open: 0, closed: 0, overdue: 0 },
  );
  return { streets, phases, total };
}

/** The street of a compound, or undefined when there is no such compound. */
export async function compoundStreet(
  db: Queryable,
  id: number,
): Promise<{ street_code: string | null } | undefined> {
  const r = await db.query<{ street_code: string | null }>(
    'SELECT street_code FROM compounds WHERE id = $1',
    [id],
  );
  return r.rows[0];
}
