import type { ColumnSpec, ImportSpec } from './spec.ts';

export type ColumnValue = string | number | boolean | null;

export interface AttributeResult {
  /** One value per column of `spec.columns`, in that order (defaults filled in). */
  values: ColumnValue[];
  /** Every problem, each naming its field. */
  problems: string[];
}

const show = (v: unknown) =>
  typeof v === 'string' ? `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : JSON.stringify(v);

function range(c: ColumnSpec): string {
  const lo = c.min === undefined ? '' : `${c.minExclusive ? '>' : '≥'} ${c.min}`;
  const hi = c.max === undefined ? '' : `${c.maxExclusive ? '<' : '≤'} ${c.max}`;
  return [lo, hi].filter(Boolean).join(' and ');
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
): { value: ColumnValue } | { problem: string } {
  if (raw === undefined || raw === null || (fromText && raw === '')) {
    if (c.required) return { problem: `${c.name} is required` };
    return { value: c.default ?? null };
  }
  switch (c.type) {
    case 'text': {
      if (typeof raw === 'number' && Number.isFinite(raw) && !c.values) return { value: String(raw) };
      if (typeof raw !== 'string') return { problem: `${c.name} must be text, got ${show(raw)}` };
      const v = fromText ? raw.trim() : raw;
      if (c.values && !c.values.includes(v)) {
        return { problem: `${c.name} ${show(raw)} is not one of ${c.values.join(', ')}` };
      }
      if (c.required && v.trim() === '') return { problem: `${c.name} is required (got an empty string)` };
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
      else return { problem: `${c.name} must be a number, got ${show(raw)}` };
      if (!Number.isFinite(n)) return { problem: `${c.name} must be a finite number, got ${show(raw)}` };
      if (c.type === 'integer' && !Number.isInteger(n)) {
        return { problem: `${c.name} must be a whole number, got ${show(raw)}` };
      }
      if (c.type === 'integer' && Math.abs(n) > 2_147_483_647) {
        return { problem: `${c.name} ${n} is too large` };
      }
      if (!inRange(c, n)) return { problem: `${c.name} ${n} is out of range (must be ${range(c)})` };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (fromText && typeof raw === 'string') {
        const t = raw.trim().toLowerCase();
        if (['true', 't', 'yes', 'y', '1'].includes(t)) return { value: true };
        if (['false', 'f', 'no', 'n', '0'].includes(t)) return { value: false };
      }
      return { problem: `${c.name} must be true or false, got ${show(raw)}` };
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
  const problems: string[] = [];
  const has = (k: string) => Object.prototype.hasOwnProperty.call(props, k);
  for (const c of spec.columns) {
    // A Shapefile's .dbf holds names of at most 10 characters: GDAL and our own export cut
    // `management_mode` to `management`, so the cut name stands for the column when the full one is absent.
    const key = has(c.name)
      ? c.name
      : c.name.length > 10 && has(c.name.slice(0, 10))
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
      problems.push(`parent_code is required for a ${level}`);
    }
  }
  return { values, problems };
}
