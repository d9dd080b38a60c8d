/**
 * The house rule of issue 10: routers do not import each other; what two of them share lives in a
 * module of its own, so `app.ts` is the only place that knows every router. Found broken 2026-12-04:
 * users.ts took `weakPassword` from the auth router (now in server/src/auth.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const dir = new URL('./', import.meta.url);
const routers = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

it('no router module under server/src/api imports another', () => {
  expect(routers.length).toBeGreaterThan(10);
  const found: string[] = [];
  for (const f of routers) {
    const source = readFileSync(new URL(f, dir), 'utf8');
    for (const m of source.matchAll(/from\s+['"]\.\/([^'"]+)['"]/g)) {
      if (routers.includes(m[1]!)) found.push(`${f} imports ${m[1]}`);
    }
  }
  expect(found).toEqual([]);
});
