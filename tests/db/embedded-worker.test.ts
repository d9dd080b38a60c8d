/**
 * issue 10 #5 (embedded): PGlite runs in a worker thread of its own, behind the same `Db` interface.
 * These pin what only the embedded database does: the deadline of a transaction that keeps working,
 * one that never began, errors with their PostgreSQL fields, notifications, and a thread that dies.
 */
import { describe, expect, it } from 'vitest';
import { embeddedThread } from '../../server/src/db/embedded.ts';
import { RateLimits } from '../../server/src/rate-limits/rate-limits.ts';
import { BUSY_SQL, createTestDb, migratedEmbeddedDb, TEST_DB_KIND, until } from '../helpers/db.ts';

const code = (e: unknown) => (e as { code?: string }).code ?? String(e);

describe.skipIf(TEST_DB_KIND !== 'embedded')('the embedded database in its own thread', () => {
  it('issue 10 #5 (embedded): past its deadline, a transaction that keeps its answer commits after all; one not begun never runs', async () => {
    const t = await createTestDb();
    try {
      await t.db.exec('CREATE TABLE kept (what text)');
      const kept = t.db.transaction(
        async (q) => {
          await q.query(BUSY_SQL, [until(1500)]);
          await q.query("INSERT INTO kept VALUES ('late answer')");
        },
        { timeoutMs: 200, finishAfterDeadline: true },
      );
      // Queued behind it: its deadline passes before it can begin.
      const queued = t.db.transaction(
        async (q) => {
          await q.query("INSERT INTO kept VALUES ('never')");
        },
        { timeoutMs: 200, finishAfterDeadline: true },
      );
      const t0 = Date.now();
      expect(await kept.then(() => 'ok', code)).toBe('57014');
      expect(await queued.then(() => 'ok', code)).toBe('57014');
      expect(Date.now() - t0).toBeLessThan(1200);
      await expect
        .poll(async () => (await t.db.query<{ what: string }>('SELECT what FROM kept')).rows, {
          timeout: 20_000,
        })
        .toEqual([{ what: 'late answer' }]);
    } finally {
      await t.drop();
    }
  });

  it("issue 10 #5 (embedded): a heavy request's rate-limit take waits for a busy database no longer than its deadline, and takes nothing", async () => {
    const t = await createTestDb();
    try {
      const rates = new RateLimits(t.db, 'probe', { timeoutMs: 300 });
      const busy = t.db.query(BUSY_SQL, [until(2500)]);
      const t0 = Date.now();
      expect(await rates.take([{ key: 'user:ann', perMin: 1 }]).then(String, code)).toBe('57014');
      expect(Date.now() - t0).toBeLessThan(1500);
      await busy;
      expect(await rates.take([{ key: 'user:ann', perMin: 1 }])).toBe(0);
    } finally {
      await t.drop();
    }
  });

  it('errors keep their PostgreSQL fields; int8 comes back as a number; notifications arrive before the commit answers', async () => {
    const t = await createTestDb();
    try {
      await t.db.exec('CREATE TABLE u (k integer PRIMARY KEY)');
      await t.db.query('INSERT INTO u VALUES (1)');
      const e = (await t.db.query('INSERT INTO u VALUES (1)').catch((x: unknown) => x)) as Record<
        string,
        unknown
      >;
      expect(e).toBeInstanceOf(Error);
      expect(e).toMatchObject({ code: '23505', constraint: 'u_pkey', table: 'u', severity: 'ERROR' });
      expect(typeof e.detail).toBe('string');
      expect((await t.db.query<{ n: unknown }>('SELECT 5::int8 AS n')).rows[0]!.n).toBe(5);
      const heard: string[] = [];
      const l = await t.db.listen('probe', { notify: (p) => heard.push(p), state: () => undefined });
      await t.db.transaction(async (q) => {
        await q.query("SELECT pg_notify('probe', 'hello')");
      });
      expect(heard).toEqual(['hello']);
      await l.close();
    } finally {
      await t.drop();
    }
  });

  it('issue 10 #5 (embedded): when the thread dies, calls fail and the owner is told, instead of hanging', async () => {
    let fatal: Error | undefined;
    const db = await migratedEmbeddedDb({ onFatal: (err) => (fatal = err) });
    const running = db.query('SELECT count(*) FROM generate_series(1, 1000000000)');
    await embeddedThread(db)!.terminate();
    await expect(running).rejects.toThrow(/thread ended/);
    await expect(db.query('SELECT 1')).rejects.toThrow(/thread ended/);
    expect(fatal?.message).toMatch(/thread ended/);
  });
});
