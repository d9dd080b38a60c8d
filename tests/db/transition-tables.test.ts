import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// Found by the province bench (2026-12-04): the tally triggers of migration 0024 joined an UPDATE's
// transition tables (new_rows JOIN old_rows). PL/pgSQL keeps the plan made for the first statement
// that fired the trigger in a session; made for a one-row edit it is a nested loop, and a later bulk
// UPDATE on the same connection compares every new row with every old one (30,000 rows: 89 s instead
// of 0.28 s; the coverage bench's recompute of 200,000 flags did not end in 8 minutes). A pooled
// connection lives long enough to meet both. Migration 0027 finds the changed rows with EXCEPT.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
}, 180_000);
afterAll(async () => {
  await t?.drop();
});

/** A JOIN of one transition table with another, or a NOT EXISTS over one correlated with the other. */
const JOINED =
  /\b(new_rows|old_rows)\b(\s+(as\s+)?\w+)?\s+((full|left|right|inner)\s+)?(outer\s+)?join\s+(new_rows|old_rows)\b/i;
const CORRELATED =
  /\bfrom\s+(new_rows|old_rows)\b[^;]*\bexists\s*\(\s*select\b[^)]*\bfrom\s+(new_rows|old_rows)\b/i;

describe('statement triggers and their transition tables', () => {
  it('no trigger function joins an UPDATE’s new rows with its old ones (a kept nested loop is quadratic)', async () => {
    const r = await t.db.query<{ trigger: string; fn: string; src: string }>(
      `SELECT t.tgname AS trigger, p.proname AS fn, p.prosrc AS src
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE t.tgoldtable IS NOT NULL AND t.tgnewtable IS NOT NULL`,
    );
    // The tally and feed triggers of buildings, building_places, compounds, service areas … at least.
    expect(r.rows.length).toBeGreaterThanOrEqual(4);
    const offending = r.rows
      .filter((row) => row.src.split(';').some((stmt) => JOINED.test(stmt) || CORRELATED.test(stmt)))
      .map((row) => `${row.trigger} → ${row.fn}()`);
    expect(offending).toEqual([]);
  });

  // PGlite cannot cancel a statement (no statement_timeout), so this bound is checked on a server only.
  it.skipIf(TEST_DB_KIND === 'embedded')(
    'a bulk UPDATE of buildings after a one-row UPDATE on the same connection ends within a statement limit far above its linear cost',
    async () => {
      const n = 20_000;
      await t.db.query(
        `INSERT INTO buildings (households, geom)
         SELECT 1, ST_MakeEnvelope(105.5 + (i % 200) * 1e-4, 30.5 + (i / 200) * 1e-4,
                                   105.5 + (i % 200) * 1e-4 + 5e-5, 30.5 + (i / 200) * 1e-4 + 5e-5, 4326)
         FROM generate_series(0, $1 - 1) i`,
        [n],
      );
      const updated = await t.db.transaction(async (tx) => {
        // One connection: the first firing of the UPDATE trigger plans for one row…
        await tx.query('UPDATE buildings SET households = 2 WHERE id = (SELECT min(id) FROM buildings)');
        // …and the bulk one reuses that plan. Linear, this takes well under a second here (0.3 s for
        // 30,000 rows); quadratic, 20,000 rows take about 40 s.
        await tx.query("SET LOCAL statement_timeout = '20s'");
        return (await tx.query('UPDATE buildings SET households = households + 1')).rowCount;
      });
      expect(updated).toBe(n);
      // The tallies followed: every building counted once with its households.
      const r = await t.db.query<{ buildings: number; households: number }>(
        `SELECT sum(buildings)::int AS buildings, sum(households)::int AS households FROM coverage_place_figures`,
      );
      expect(r.rows[0]).toEqual({ buildings: n, households: 2 * n + 1 });
    },
    120_000,
  );
});
