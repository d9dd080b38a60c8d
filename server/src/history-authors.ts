import { isAuthorField } from '../../core/api.ts';
import type { User } from './auth.ts';

/**
 * A history answer for its reader (issue 10, least privilege; the rule is core/api.ts
 * isAuthorField): a signed-in reader of any role gets it as recorded; an anonymous reader gets
 * `changed_by` null and every author field of the recorded attributes (created_by, updated_by,
 * closed_by, reopened_by …) null, as the live feed tells only signed-in clients who made a change.
 * The routes read the reader with auth.optional().
 */
export function historyFor<E extends { changed_by: string | null; attributes: object }>(
  entries: E[],
  reader: User | undefined,
): E[] {
  if (reader) return entries;
  return entries.map((e) => ({ ...e, changed_by: null, attributes: authorsFor(e.attributes, reader) }));
}

/**
 * A live record for its reader (issue 10, the same rule as the history): a signed-in reader gets
 * it as stored; an anonymous reader gets every author field (created_by, updated_by, closed_by,
 * reopened_by …: isAuthorField) null, the keys kept so both readers get one shape.
 */
export function authorsFor<R extends object>(row: R, reader: User | undefined): R {
  if (reader) return row;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, isAuthorField(k) ? null : v])) as R;
}

/** A GeoJSON Feature (parsed) for its reader: its properties as authorsFor gives them. */
export function featureFor<F extends { properties: object | null }>(feature: F, reader: User | undefined): F {
  if (reader || !feature.properties) return feature;
  return { ...feature, properties: authorsFor(feature.properties, reader) };
}
