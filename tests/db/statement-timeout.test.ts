import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// trust10 #2: what a per-statement time limit does on each database. PostgreSQL cancels the statement
// (57014, answered 503 `timeout` by the heavy endpoints). PGlite runs the query on the JavaScript
// thread and has no timer signal: `statement_timeout` is accepted and ignored, and nothing can
// interrupt a statement from outside either (the event loop is busy with it). The embedded database
// is bounded by the input limits instead (README, Reliability). If this test fails on PGlite, PGlite
// has gained timeouts: remove the README's caveat and test the 503 there too.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

it(`a transaction's time limit on ${TEST_DB_KIND}: ${TEST_DB_KIND === 'postgres' ? 'cancels the statement (57014)' : 'is not enforced by PGlite'}`, async () => {
  const t0 = Date.now();
  const outcome = await t.db
    .transaction((q) => q.query('SELECT pg_sleep(0.4)'), { timeoutMs: 50 })
    .then(
      () => 'completed',
      (e: { code?: string }) => e.code ?? 'error',
    );
  const ms = Date.now() - t0;
  if (TEST_DB_KIND === 'postgres') {
    expect(outcome).toBe('57014');
    expect(ms).toBeLessThan(400);
  } else {
    expect(outcome).toBe('completed');
    expect(ms).toBeGreaterThanOrEqual(390);
  }
});
