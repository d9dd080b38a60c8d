import {
  LEDGER_CATEGORIES,
  PLAN_PHASES,
  type LedgerCategory,
  type PlanPhase,
} from '../../../core/coverage.ts';
import { isOneOf } from '../../../core/vocabulary.ts';
import { HttpError } from '../errors.ts';

/** The fields of a ledger item a client sets. */
export interface LedgerFields {
  description: string;
  category: LedgerCategory;
  responsible_unit: string | null;
  deadline: string | null;
  phase: PlanPhase;
}
export interface LedgerCreate extends LedgerFields {
  compound_id: number;
}

const FIELDS = ['description', 'category', 'responsible_unit', 'deadline', 'phase'] as const;

const bad = (field: string, message: string, value?: unknown) =>
  new HttpError(400, 'invalid_attribute', `${field}: ${message}`, { field, value });

/** YYYY-MM-DD of a real calendar day. */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function text(body: Record<string, unknown>, field: string, max: number, required: boolean): string | null {
  const v = body[field];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (required) throw bad(field, 'is required', v);
    return null;
  }
  if (typeof v !== 'string') throw bad(field, 'must be text', v);
  if (v.length > max) throw bad(field, `at most ${max} characters`, v.length);
  return v.trim();
}

/**
 * Checks a create (`partial` false) or update body: unknown fields, wrong types and values → 400
 * invalid_attribute naming the field. An update may give any subset of the fields.
 */
export function parseLedgerBody(raw: unknown, partial: false): LedgerCreate;
export function parseLedgerBody(raw: unknown, partial: true): Partial<LedgerFields>;
export function parseLedgerBody(raw: unknown, partial: boolean): Partial<LedgerCreate> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, 'bad_request', 'Send the ledger item as a JSON object');
  }
  const body = raw as Record<string, unknown>;
  const allowed: readonly string[] = partial ? FIELDS : [...FIELDS, 'compound_id'];
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new HttpError(400, 'invalid_attribute', `Unknown field ${unknown[0]}`, {
      fields: unknown,
      allowed,
    });
  }
  const out: Partial<LedgerCreate> = {};
  const has = (f: string) => !partial || f in body;
  if (!partial) {
    const id = body.compound_id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw bad('compound_id', 'must be the id of a compound', id);
    }
    out.compound_id = id;
  }
  if (has('description')) out.description = text(body, 'description', 2000, true)!;
  if (has('category')) {
    if (!isOneOf(LEDGER_CATEGORIES, body.category)) {
      throw bad('category', `must be one of ${LEDGER_CATEGORIES.join(', ')}`, body.category);
    }
    out.category = body.category;
  }
  if (has('responsible_unit')) out.responsible_unit = text(body, 'responsible_unit', 200, false);
  if (has('deadline')) {
    const d = body.deadline ?? null;
    if (d !== null && (typeof d !== 'string' || !isCalendarDate(d))) {
      throw bad('deadline', 'must be a date YYYY-MM-DD or null', d);
    }
    out.deadline = d;
  }
  if (has('phase')) {
    const p = body.phase ?? 'survey';
    if (!isOneOf(PLAN_PHASES, p)) throw bad('phase', `must be one of ${PLAN_PHASES.join(', ')}`, p);
    out.phase = p;
  }
  return out;
}

/**
 * The `{"note"}` of a close or reopen. A 销号 (close) must say why the problem is solved: an absent,
 * empty or blank note is refused (400 invalid_attribute, details `{field: 'note', reason: 'required'}`);
 * a reopen's note is optional.
 */
export function parseNote(raw: unknown, required: boolean): string | null {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw)))
    throw new HttpError(400, 'bad_request', 'Send {"note": "…"}');
  const body = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => k !== 'note');
  if (unknown.length)
    throw new HttpError(400, 'invalid_attribute', `Unknown field ${unknown[0]}`, { fields: unknown });
  const v = body.note;
  if (required && (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')))
    throw new HttpError(400, 'invalid_attribute', 'note: a 销号 needs a note saying how it was solved', {
      field: 'note',
      reason: 'required',
    });
  return text(body, 'note', 2000, false);
}
