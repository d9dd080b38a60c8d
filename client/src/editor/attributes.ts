import { AREA_STATUSES, MANAGEMENT_MODES, isOneOf } from '../../../core/vocabulary.ts';
import type { AreaAttributes, AttributeField } from './types.ts';

/** Why a field's value is refused: keys of the i18n dictionary (`field_error.<key>`). */
export type FieldError = 'required' | 'too_long' | 'invalid_choice' | 'not_your_street';

export const REQUIRED_FIELDS: readonly AttributeField[] = [
  'name',
  'street_code',
  'management_mode',
  'status',
];
export const MAX_TEXT_LENGTH = 200;
export const MAX_NOTES_LENGTH = 2000;

export interface AttributeContext {
  /** 街道 codes the form offers; empty = unknown, any code is accepted. */
  streetCodes?: readonly string[];
  /** A street_editor's own 街道: other streets are refused next to the field. */
  ownStreet?: string | null;
}

/** Every field with a bad value and why; an empty object means the form may be saved. */
export function validateAttributes(
  a: AreaAttributes,
  ctx: AttributeContext = {},
): Partial<Record<AttributeField, FieldError>> {
  const errors: Partial<Record<AttributeField, FieldError>> = {};
  for (const f of REQUIRED_FIELDS) if (String(a[f]).trim() === '') errors[f] = 'required';
  for (const f of ['name', 'provider', 'helper_unit', 'grid_worker', 'community_code'] as const) {
    if (a[f].length > MAX_TEXT_LENGTH) errors[f] = 'too_long';
  }
  if (a.notes.length > MAX_NOTES_LENGTH) errors.notes = 'too_long';
  if (a.management_mode !== '' && !isOneOf(MANAGEMENT_MODES, a.management_mode)) {
    errors.management_mode = 'invalid_choice';
  }
  if (!isOneOf(AREA_STATUSES, a.status)) errors.status = 'invalid_choice';
  if (a.street_code !== '') {
    if (ctx.streetCodes && ctx.streetCodes.length > 0 && !ctx.streetCodes.includes(a.street_code)) {
      errors.street_code = 'invalid_choice';
    } else if (ctx.ownStreet && a.street_code !== ctx.ownStreet) {
      errors.street_code = 'not_your_street';
    }
  }
  return errors;
}

const CHINESE_NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/**
 * The name of the `n`-th piece (2, 3, …) a split cuts off an area called `name`: 「name（二）」, so the
 * pieces are told apart in lists and in the merge dialog (issue 9 #9: both kept the same name).
 */
export function splitPartName(name: string, n: number): string {
  const base = name.trim() || '—';
  return `${base}（${CHINESE_NUMERALS[n] ?? String(n)}）`;
}
