import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth } from '../../server/src/auth.ts';
import type { Db } from '../../server/src/db/index.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// issue 12 (live map): every open /api/events stream asks, before each event, whether its user is still
// signed in as its ticket said. Auth.stillValid answers all the questions asked in one turn of the
// event loop (every stream of a process handed one event) with one query, so the check costs one
// query per event per process, not one per stream — and each answer is still the asker's own.

let t: TestDb;
let queries = 0;
let auth: Auth;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(`
    INSERT INTO users (username, password_hash, role) VALUES ('ann', 'x', 'viewer'), ('bob', 'x', 'viewer'), ('cat', 'x', 'viewer');
    UPDATE users SET token_version = 2 WHERE username = 'bob';
    UPDATE users SET disabled = true WHERE username = 'cat';`);
  const r = await t.db.query<{ id: number; username: string }>('SELECT id, username FROM users');
  for (const row of r.rows) ids[row.username] = Number(row.id);
  // The real database, its queries counted.
  const counted = new Proxy(t.db, {
    get(target, key, receiver) {
      if (key === 'query')
        return (...args: Parameters<Db['query']>) => {
          queries++;
          return target.query(...args);
        };
      const v = Reflect.get(target, key, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  auth = new Auth(counted, 'test-secret');
});
afterAll(async () => {
  await t?.drop();
});

describe(`Auth.stillValid on ${TEST_DB_KIND}`, () => {
  it('answers the questions of one turn with one query, each by its own user and token version', async () => {
    const before = queries;
    const asked = [
      ...Array.from({ length: 50 }, () => auth.stillValid(ids.ann!, 1)),
      auth.stillValid(ids.bob!, 1), // signed out since (token version 2)
      auth.stillValid(ids.bob!, 2),
      auth.stillValid(ids.cat!, 1), // disabled
      auth.stillValid(999_999, 1), // no such user
    ];
    const got = await Promise.all(asked);
    expect(queries - before).toBe(1);
    expect(got.slice(0, 50).every((x) => x)).toBe(true);
    expect(got.slice(50)).toEqual([false, true, false, false]);
  });

  it('asks again in a later turn: a revocation committed in between is seen', async () => {
    expect(await auth.stillValid(ids.ann!, 1)).toBe(true);
    await t.db.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [ids.ann]);
    const before = queries;
    expect(await auth.stillValid(ids.ann!, 1)).toBe(false);
    expect(queries - before).toBe(1);
  });
});
