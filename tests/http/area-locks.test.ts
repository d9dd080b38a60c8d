/**
 * issue 10 #5: service-area writes lock the grid cells they touch (migrations/0008), not the whole
 * city. A save elsewhere goes on while another transaction holds its area; a save that could overlap
 * waits. (Exactly-one-of-N overlapping saves: tests/http/service-areas.test.ts.)
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TEST_DB_KIND } from '../helpers/db.ts';
import { area, rect, useServiceAreaWorld, wkt } from '../helpers/service-area-world.ts';

const w = useServiceAreaWorld();
const INSERT = `INSERT INTO service_areas (name, management_mode, geom) VALUES ($1, 'professional', ST_GeomFromText($2, 4326)) RETURNING id`;

/** A second connection that gives up on a lock after `ms` (55P03) instead of waiting. */
async function impatient(ms: number) {
  const c = new pg.Client({ connectionString: w.t.url });
  await c.connect();
  await c.query('BEGIN');
  await c.query(`SET LOCAL lock_timeout = '${ms}ms'`);
  return c;
}

describe.skipIf(TEST_DB_KIND !== 'postgres')('issue 10 #5: write locks scoped to grid cells', () => {
  it('a save 2.5 km away commits while an open transaction holds a new area; an overlapping one waits', async () => {
    await w.cleanup();
    await w.t.db.query(`INSERT INTO buildings (id, geom) VALUES (900, ST_GeomFromText($1, 4326))`, [
      wkt(rect(2520, 20, 2530, 30)),
    ]);
    const holder = new pg.Client({ connectionString: w.t.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(INSERT, ['held', wkt(rect(10, 10, 80, 80))]);

      // Plain SQL elsewhere: no wait (with the city-wide lock of 0003 this timed out).
      const far = await impatient(3000);
      await expect(far.query(INSERT, ['far', wkt(rect(2500, 0, 2550, 50))])).resolves.toMatchObject({
        rowCount: 1,
      });
      await far.query('ROLLBACK');
      await far.end();

      // Overlapping: waits for the holder.
      const near = await impatient(300);
      await expect(near.query(INSERT, ['near', wkt(rect(50, 50, 120, 120))])).rejects.toMatchObject({
        code: '55P03',
      });
      await near.query('ROLLBACK').catch(() => undefined);
      await near.end();

      // Through the API: the far save answers 201 while the holder is still open.
      const r = await w.call('POST', '', area(rect(2500, 0, 2550, 50), { name: '远处' }));
      expect(r.status).toBe(201);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect(await w.count()).toBe(2);
  });

  it('a big area locks its coarse cells: far saves go on, saves inside it wait', async () => {
    await w.cleanup();
    const holder = new pg.Client({ connectionString: w.t.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // 12 × 12 km: more than 64 fine cells, so coarse cells exclusive.
      await holder.query(INSERT, ['big', wkt(rect(5000, 5000, 17000, 17000))]);
      const inside = await impatient(300);
      await expect(inside.query(INSERT, ['in', wkt(rect(6000, 6000, 6100, 6100))])).rejects.toMatchObject({
        code: '55P03',
      });
      await inside.query('ROLLBACK').catch(() => undefined);
      await inside.end();
      const far = await impatient(3000);
      await expect(
        far.query(INSERT, ['far', wkt(rect(-30000, -30000, -29900, -29900))]),
      ).resolves.toMatchObject({ rowCount: 1 });
      await far.query('ROLLBACK');
      await far.end();
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
  });

  it('one transaction writing many areas (an import) takes the city-wide lock instead of thousands of cells', async () => {
    await w.cleanup();
    const out = await w.t.db.transaction(async (tx) => {
      for (let i = 0; i < 40; i++)
        await tx.query(INSERT, [`bulk ${i}`, wkt(rect(i * 2000, -60000, i * 2000 + 50, -59950))]);
      // 40 areas far apart would be 40+ fine and coarse cells each; big ones push past 1000.
      await tx.query(INSERT, ['huge', wkt(rect(-500000, 100000, 500000, 500000))]);
      return tx.query<{ mode: string }>(`SELECT current_setting('wuyou.area_lock', true) AS mode`);
    });
    expect(out.rows[0]!.mode).toBe('city');
    expect(await w.count()).toBe(41);
  });
});
