import { compassBearing } from '../../../core/cameras/direction.ts';
import { FALSE_WORDS, TRUE_WORDS, valueCode } from '../../../core/import-mapping.ts';
import { because, type ProblemReason } from './errors.ts';
import type { ColumnSpec, ImportSpec } from './spec.ts';

export type ColumnValue = string | number | boolean | null;

export interface AttributeResult {
  /** One value per column of `spec.columns`, in that order (defaults filled in). */
  values: ColumnValue[];
  /** Every problem, each naming its field. */
  problems: ProblemReason[];
}

const show = (v: unknown) =>
  typeof v === 'string' ? `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : JSON.stringify(v);

/** The allowed interval in notation both languages read: `[0, 360)`, `(0, 1000]`, `[1, ∞)`. */
function range(c: ColumnSpec): string {
  const lo = c.min === undefined ? '(−∞' : `${c.minExclusive ? '(' : '['}${c.min}`;
  const hi = c.max === undefined ? '∞)' : `${c.max}${c.maxExclusive ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

function inRange(c: ColumnSpec, n: number): boolean {
  if (c.min !== undefined && (c.minExclusive ? n <= c.min : n < c.min)) return false;
  if (c.max !== undefined && (c.maxExclusive ? n >= c.max : n > c.max)) return false;
  return true;
}

/**
 * One property value as the column's type, or a problem naming the field. `fromText` (CSV) reads
 * numbers and booleans from strings; GeoJSON must carry them as JSON numbers and booleans.
 */
export function readColumn(
  c: ColumnSpec,
  raw: unknown,
  fromText: boolean,
): { value: ColumnValue } | { problem: ProblemReason } {
  if (raw === undefined || raw === null || (fromText && raw === '')) {
    if (c.required) return { problem: because('required', { field: c.name }) };
    return { value: c.default ?? null };
  }
  switch (c.type) {
    case 'text': {
      if (typeof raw === 'number' && Number.isFinite(raw) && !c.values) return { value: String(raw) };
      if (typeof raw !== 'string')
        return { problem: because('not_text', { field: c.name, value: show(raw) }) };
      const v = fromText ? raw.trim() : raw;
      if (v.includes('\u0000')) return { problem: because('text_has_nul', { field: c.name }) };
      // Counted as the database counts (code points): the table's check said only "填写的内容不符合要求".
      if (c.maxLength !== undefined && v.length > c.maxLength) {
        const length = [...v].length;
        if (length > c.maxLength)
          return { problem: because('text_too_long', { field: c.name, max: c.maxLength, length }) };
      }
      if (c.values) {
        // A coded value may come as its code or as the words the map uses for it (车行出入口 …).
        const code = valueCode(c.name, v, c.values);
        if (code === null)
          return {
            problem: because('value_not_allowed', {
              field: c.name,
              value: show(raw),
              allowed: c.values.join(', '),
            }),
          };
        return { value: code };
      }
      if (c.required && v.trim() === '') return { problem: because('required', { field: c.name }) };
      return { value: v };
    }
    case 'integer':
    case 'double precision': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (
        fromText &&
        typeof raw === 'string' &&
        /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw)
      )
        n = Number(raw);
      // A camera's direction written as a compass word (东北, NE): a street office's list has them.
      else {
        const bearing = c.name === 'direction_deg' && typeof raw === 'string' ? compassBearing(raw) : null;
        if (bearing === null) return { problem: because('not_number', { field: c.name, value: show(raw) }) };
        n = bearing;
      }
      if (!Number.isFinite(n)) return { problem: because('not_number', { field: c.name, value: show(raw) }) };
      // North written as 360, as camera lists often do, is 0 (the column takes [0, 360)).
      if (c.name === 'direction_deg' && n === 360) n = 0;
      if (c.type === 'integer' && !Number.isInteger(n)) {
        return { problem: because('not_whole_number', { field: c.name, value: show(raw) }) };
      }
      if (c.type === 'integer' && Math.abs(n) > 2_147_483_647) {
        return { problem: because('number_too_large', { field: c.name, value: n }) };
      }
      if (!inRange(c, n))
        return { problem: because('out_of_range', { field: c.name, value: n, range: range(c) }) };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (fromText && typeof raw === 'string') {
        const t = raw.trim().toLowerCase();
        if (TRUE_WORDS.includes(t)) return { value: true };
        if (FALSE_WORDS.includes(t)) return { value: false };
      }
      return { problem: because('not_boolean', { field: c.name, value: show(raw) }) };
    }
  }
}

/**
 * A feature's properties mapped onto the layer's columns: property names are column names, other
 * properties are ignored, wrong types and values outside the schema's CHECKs are problems.
 */
export function readAttributes(
  spec: ImportSpec,
  properties: Record<string, unknown> | null | undefined,
  fromText = false,
): AttributeResult {
  const props = properties ?? {};
  const values: ColumnValue[] = [];
  const problems: ProblemReason[] = [];
  for (const c of spec.columns) {
    // A Shapefile's .dbf holds names of at most 10 characters: GDAL and our own export cut
    // `management_mode` to `management`, so the cut name stands for the column when the full one is absent.
    // (Object.hasOwn rather than a closure: under tsx a closure made per feature pays for
    // esbuild's keepNames wrapper.)
    const key = Object.hasOwn(props, c.name)
      ? c.name
      : c.name.length > 10 && Object.hasOwn(props, c.name.slice(0, 10))
        ? c.name.slice(0, 10)
        : null;
    const r = readColumn(c, key === null ? undefined : props[key], fromText);
    if ('problem' in r) {
      problems.push(r.problem);
      values.push(null);
    } else values.push(r.value);
  }
  if (spec.layer === 'jurisdictions') {
    const level = values[spec.columns.findIndex((c) => c.name === 'level')];
    const parent = values[spec.columns.findIndex((c) => c.name === 'parent_code')];
    if ((level === 'street' || level === 'community') && parent === null) {
      problems.push(because('parent_required', { level }));
    }
  }
  return { values, problems };
}
