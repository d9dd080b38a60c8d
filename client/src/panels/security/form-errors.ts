import { MAX_RANGE_M } from '../../../../core/cameras/record.ts';
import { errorText as appErrorText } from '../../i18n/errors.ts';
import type { Language } from '../../i18n/messages.ts';
import type { PointApiError, PointFeature } from './point-client.ts';
import type { SecurityMessageKey } from './messages.ts';

type T = (key: SecurityMessageKey, vars?: Record<string, string | number>) => string;

/**
 * The server's refusal of a camera or gate write in the user's words: 409 names the version that won,
 * 403 says whose jurisdiction, a camera inside a building says what to do; every other answer is
 * worded from its code and details like the area editor's (client/src/i18n/errors.ts), never with
 * the server's English message (issue 9 #7).
 */
export function errorText(e: PointApiError, t: T, lang: Language): string {
  const d = e.details ?? {};
  if (e.status === 409 && e.current) return t('error.conflict', { v: Number(e.current.properties.version) });
  if (e.code === 'out_of_jurisdiction')
    return t('error.out_of_jurisdiction', { street: String(d.street_code ?? '') });
  if (e.status === 403) return t('error.forbidden');
  if (e.status === 401) return t('error.unauthorized');
  if (e.status === 404) return t('error.not_found');
  const issues = (d.issues as { code?: string; buildings?: unknown[] }[] | undefined) ?? [];
  const inside = issues.find((i) => i.code === 'inside_building');
  if (inside) return t('error.inside_building', { buildings: (inside.buildings ?? []).join('、') });
  const words = appErrorText(lang, e);
  if (e.status === 400 || e.status === 422) return t('error.validation', { message: words });
  return t('error.generic', { status: e.status, message: words });
}

const PROBLEM_KEYS: Record<string, SecurityMessageKey> = {
  direction_deg: 'problem.direction_deg',
  fov_deg: 'problem.fov_deg',
  range_m: 'problem.range_m',
  height_m: 'problem.height_m',
};

/** One problem of the camera form's own check (cameraProblems) in the user's words, by its field. */
export function problemText(p: { field: string; message: string }, t: T): string {
  const key = PROBLEM_KEYS[p.field];
  return key ? t(key, { max: MAX_RANGE_M }) : t('error.validation', { message: p.field });
}

/** Book-keeping properties a version change always touches: not "their changes". */
const BOOKKEEPING = new Set(['id', 'version', 'updated_at', 'updated_by']);

/**
 * What the version that won a 409 changed against the one the form started from: attribute names,
 * and `geometry` when it moved the point.
 */
export function theirChanges(current: PointFeature, base: PointFeature): string[] {
  const fields = Object.keys(current.properties).filter(
    (k) =>
      !BOOKKEEPING.has(k) && JSON.stringify(current.properties[k]) !== JSON.stringify(base.properties[k]),
  );
  if (JSON.stringify(current.geometry.coordinates) !== JSON.stringify(base.geometry.coordinates))
    fields.push('geometry');
  return fields;
}
