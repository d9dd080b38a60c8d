/**
 * The 摸排 survey spreadsheet: one row per compound (name, address, category, households, the five
 * targets, 帮扶单位, 网格员). Import reads XLSX or CSV, matches rows to compounds by code or name
 * (fuzzy matches wait for a person to confirm) and changes nothing until confirmed; export writes the
 * same layout back.
 */
export type { SurveyMatch, SurveyField, SurveyRow, SurveyValues } from '../../../core/survey.ts';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { CATEGORY_LABELS, STATE_LABELS, TARGET_LABELS } from '../../../core/coverage.ts';
import {
  COMPOUND_CATEGORIES,
  FIVE_TARGETS,
  isOneOf,
  type CompoundCategory,
  type FiveTarget,
  type TargetState,
} from '../../../core/vocabulary.ts';
import type { SurveyMatch, SurveyField, SurveyRow, SurveyValues } from '../../../core/survey.ts';
import type { SurveyProblem } from '../../../core/errors.ts';
import type { Queryable } from '../db/index.ts';
import type { Table } from './table-file.ts';

/** The layout, in column order: the Chinese header each field is written under. */
export const SURVEY_COLUMNS: { field: SurveyField; header: string }[] = [
  { field: 'code', header: '小区编码' },
  { field: 'name', header: '小区名称' },
  { field: 'street_code', header: '街道编码' },
  { field: 'address', header: '地址' },
  { field: 'category', header: '类别' },
  { field: 'households', header: '户数' },
  ...FIVE_TARGETS.map((t) => ({ field: t, header: TARGET_LABELS[t] })),
  { field: 'helper_unit', header: '帮扶单位' },
  { field: 'grid_worker', header: '网格员' },
];

/** A file that is not a survey sheet; `reason` is the code the client words (core/errors.ts). */
export class SurveyFileError extends Error {
  constructor(
    message: string,
    readonly reason: 'survey_unreadable' | 'survey_no_header' = 'survey_unreadable',
  ) {
    super(message);
  }
}

const cellText = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: string; result?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return String(o.text);
    if (o.result !== undefined) return cellText(o.result);
    if (v instanceof Date) return v.toISOString().slice(0, 10);
  }
  return String(v).trim();
};

/** The sheet's cells as text rows (the first row is the header). */
export async function readSheet(data: Buffer, format: 'csv' | 'xlsx'): Promise<string[][]> {
  if (format === 'csv') {
    try {
      return (
        parseCsv(data, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][]
      ).map((r) => r.map((c) => c.trim()));
    } catch (e) {
      throw new SurveyFileError(`Not a readable CSV: ${(e as Error).message}`);
    }
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch (e) {
    throw new SurveyFileError(`Not a readable XLSX: ${(e as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new SurveyFileError('The workbook has no sheet');
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(rows, (r) => r ?? []);
}

const HEADER_ALIASES: Record<string, SurveyField> = Object.fromEntries([
  ...SURVEY_COLUMNS.flatMap((c) => [
    [c.header, c.field],
    [c.field, c.field],
  ]),
  ['小区', 'name'],
  ['名称', 'name'],
  ['编码', 'code'],
  ['小区类别', 'category'],
  ['住户数', 'households'],
]);

const CATEGORY_WORDS: Record<string, CompoundCategory> = {
  三无小区: 'three_no',
  三无: 'three_no',
  自管小区: 'self_managed',
  自管: 'self_managed',
  专业物业: 'professional',
  专业物业小区: 'professional',
};
const STATE_WORDS: Record<string, TargetState> = {
  是: 'met',
  有: 'met',
  达标: 'met',
  部分: 'partly',
  部分达标: 'partly',
  否: 'not_met',
  无: 'not_met',
  未达标: 'not_met',
};

/** Parses the rows below the header; values checked, problems listed per row. */
export function parseSurvey(
  sheet: string[][],
): Omit<SurveyRow, 'status' | 'how' | 'match' | 'candidates' | 'changes'>[] {
  const header = sheet[0] ?? [];
  const fields = header.map((h) => HEADER_ALIASES[h.trim()] ?? HEADER_ALIASES[h.trim().toLowerCase()]);
  if (!fields.includes('name') && !fields.includes('code')) {
    throw new SurveyFileError(
      `The first row must hold the headers, with 小区名称 or 小区编码; got: ${header.join(', ')}`,
      'survey_no_header',
    );
  }
  const out = [];
  for (let i = 1; i < sheet.length; i++) {
    const cells = sheet[i]!;
    if (cells.every((c) => !c)) continue;
    const values: SurveyValues = {};
    const problems: SurveyRow['problems'] = [];
    const bad = (
      field: string,
      problem: SurveyProblem,
      message: string,
      extra: { value?: string; max?: number } = {},
    ) => problems.push({ field, problem, message, ...extra });
    fields.forEach((f, col) => {
      const raw = (cells[col] ?? '').trim();
      if (!f || raw === '') return;
      if (f === 'category') {
        const c = CATEGORY_WORDS[raw] ?? (isOneOf(COMPOUND_CATEGORIES, raw) ? raw : undefined);
        if (c) values.category = c;
        else
          bad(f, 'bad_category', `category "${raw}" must be 三无小区, 自管小区 or 专业物业`, { value: raw });
      } else if (f === 'households') {
        const n = Number(raw);
        if (Number.isInteger(n) && n >= 0 && n <= 1_000_000) values.households = n;
        else
          bad(f, 'bad_households', `households "${raw}" must be a whole number, 0 or more`, { value: raw });
      } else if ((FIVE_TARGETS as readonly string[]).includes(f)) {
        const s =
          STATE_WORDS[raw] ?? (['met', 'partly', 'not_met'].includes(raw) ? (raw as TargetState) : undefined);
        if (s) values[f as FiveTarget] = s;
        else bad(f, 'bad_target_state', `"${raw}" must be 是, 部分 or 否`, { value: raw });
      } else if (raw.length > 500) {
        bad(f, 'too_long', 'longer than 500 characters', { max: 500 });
      } else {
        (values as Record<string, string>)[f] = raw;
      }
    });
    if (!values.name && !values.code)
      bad('name', 'missing_name_or_code', 'the compound name or code is missing');
    out.push({ row: i + 1, values, problems });
  }
  return out;
}

/** A name without the words that vary between spellings of the same compound. */
export function normalizeName(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s·•.,，。()（）【】[\]\-_—]/g, '')
    .replace(/小区|住宅区|宿舍区|宿舍|家属区|家属院|院落/gu, '')
    .toLowerCase();
}

/** Dice coefficient over character bigrams (single characters for one-character names). */
export function nameSimilarity(a: string, b: string): number {
  const x = normalizeName(a);
  const y = normalizeName(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  const grams = (s: string) => {
    const chars = [...s];
    if (chars.length < 2) return chars;
    return chars.slice(1).map((c, i) => chars[i] + c);
  };
  const gx = grams(x);
  const gy = grams(y);
  const pool = new Map<string, number>();
  for (const g of gy) pool.set(g, (pool.get(g) ?? 0) + 1);
  let common = 0;
  for (const g of gx) {
    const n = pool.get(g) ?? 0;
    if (n > 0) {
      common++;
      pool.set(g, n - 1);
    }
  }
  return (2 * common) / (gx.length + gy.length);
}

/** Fuzzy matches below this similarity are not offered. */
export const FUZZY_THRESHOLD = 0.5;

interface CompoundRow extends Record<FiveTarget, TargetState> {
  id: number;
  code: string | null;
  name: string;
  street_code: string | null;
  address: string | null;
  category: CompoundCategory;
  households: number | null;
  helper_unit: string | null;
  grid_worker: string | null;
}

const COMPOUND_SQL = `SELECT id, code, name, street_code, address, category, households, helper_unit, grid_worker,
  ${FIVE_TARGETS.join(', ')} FROM compounds ORDER BY id`;

/** The compound fields a confirmed row may change (code and name identify, they are not changed). */
export const UPDATABLE: readonly (keyof SurveyValues)[] = [
  'address',
  'category',
  'households',
  ...FIVE_TARGETS,
  'helper_unit',
  'grid_worker',
];

/** Matches parsed rows to the compounds in the database and lists what each would change. */
export async function matchSurvey(
  db: Queryable,
  parsed: ReturnType<typeof parseSurvey>,
): Promise<SurveyRow[]> {
  const compounds = (await db.query<CompoundRow>(COMPOUND_SQL)).rows;
  const byCode = new Map(compounds.filter((c) => c.code).map((c) => [c.code!, c]));
  const asMatch = (c: CompoundRow, score: number): SurveyMatch => ({
    compound_id: c.id,
    code: c.code,
    name: c.name,
    score: Math.round(score * 1000) / 1000,
  });
  return parsed.map((p) => {
    const base = { ...p, how: null, match: null, candidates: [] as SurveyMatch[], changes: {} };
    if (p.problems.length) return { ...base, status: 'invalid' as const };
    const v = p.values;
    let found: CompoundRow | undefined;
    let how: SurveyRow['how'] = null;
    let candidates: SurveyMatch[] = [];
    if (v.code && byCode.has(v.code)) {
      found = byCode.get(v.code);
      how = 'code';
    } else if (v.name) {
      const pool = compounds.filter(
        (c) => !v.street_code || !c.street_code || c.street_code === v.street_code,
      );
      const scored = pool
        .map((c) => ({ c, s: nameSimilarity(v.name!, c.name) }))
        .filter((x) => x.s >= FUZZY_THRESHOLD)
        .sort((a, b) => b.s - a.s || a.c.id - b.c.id);
      const exact = pool.filter((c) => c.name === v.name);
      if (exact.length === 1) {
        found = exact[0];
        how = 'name';
      } else if (scored.length) {
        found = scored[0]!.c;
        how = 'fuzzy';
      }
      candidates = scored
        .filter((x) => x.c !== found)
        .slice(0, 3)
        .map((x) => asMatch(x.c, x.s));
    }
    if (!found) return { ...base, status: 'unmatched' as const, candidates };
    const changes: SurveyRow['changes'] = {};
    for (const f of UPDATABLE) {
      const to = v[f];
      const from = found[f as keyof CompoundRow];
      if (to !== undefined && to !== from) changes[f] = { from, to };
    }
    return {
      ...base,
      status: how === 'fuzzy' ? ('fuzzy' as const) : ('matched' as const),
      how,
      match: asMatch(found, how === 'fuzzy' ? nameSimilarity(v.name!, found.name) : 1),
      candidates,
      changes,
    };
  });
}

/** The compounds (of one street, or all) in the survey layout. */
export async function surveyTable(db: Queryable, street?: string): Promise<Table> {
  const r = await db.query<CompoundRow>(
    `SELECT id, code, name, street_code, address, category, households, helper_unit, grid_worker,
            ${FIVE_TARGETS.join(', ')}
     FROM compounds WHERE $1::text IS NULL OR street_code = $1 ORDER BY code NULLS LAST, id`,
    [street ?? null],
  );
  return {
    title: '小区摸排表',
    headers: SURVEY_COLUMNS.map((c) => c.header),
    rows: r.rows.map((c) =>
      SURVEY_COLUMNS.map(({ field }) => {
        if (field === 'category') return CATEGORY_LABELS[c.category];
        if ((FIVE_TARGETS as readonly string[]).includes(field)) return STATE_LABELS[c[field as FiveTarget]];
        const v = c[field as keyof CompoundRow];
        return v === undefined ? null : (v as string | number | null);
      }),
    ),
  };
}
