/**
 * Issue 10 (least privilege): what a history answer must not tell an anonymous reader. Who changed
 * a row is for signed-in users only, as in the live feed; nobody is told an internal user id.
 */

/** Every key of a JSON value, at any depth. */
function keysOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      keysOf(x, out);
    }
  return out;
}

/** Keys naming a user id (user_id, userId, changed_by_id, actor_id …): never in any answer. */
export const userIdKeys = (body: unknown): string[] =>
  keysOf(body).filter((k) => /user_?id|_by_id$|^actor_?id$/i.test(k));

/**
 * Traces of who edited, for an answer given to an anonymous reader: the usernames wherever they
 * appear (changed_by, or created_by/updated_by/closed_by/reopened_by recorded in the attributes)
 * and any `…_by` field that is not null. Empty when the answer tells nothing of who.
 */
export function editorTraces(body: unknown, usernames: string[]): string[] {
  const text = JSON.stringify(body);
  const found = usernames.filter((u) => text.includes(JSON.stringify(u)));
  const named: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (/_by$/.test(k) && x !== null) named.push(`${path}.${k}`);
        walk(x, `${path}.${k}`);
      }
  };
  walk(body, '');
  return [...found.map((u) => `username ${u}`), ...named];
}
