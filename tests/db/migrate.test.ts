import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/src/db/index.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('build every table with a GiST index on geom, and are safe to run again', async () => {
    expect(await migrate(t.db)).toEqual([]);
    const r = await t.db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist (geom)%' ORDER BY tablename",
    );
    expect(r.rows.map((x) => x.tablename)).toEqual(
      expect.arrayContaining([
        'buildings',
        'cameras',
        'compounds',
        'gates',
        'jurisdictions',
        'service_areas',
      ]),
    );
  });

  it('keeps buildings covered / straddling true as areas change', async () => {
    const db = t.db;
    // two buildings: one inside area A, one across the shared edge of A and B
    const b = await db.query<{ id: number }>(
      `INSERT INTO buildings (category, geom) VALUES
        ('three_no', ST_GeomFromText('POLYGON((105.5901 30.5301,105.5902 30.5301,105.5902 30.5302,105.5901 30.5302,105.5901 30.5301))',4326)),
        ('three_no', ST_GeomFromText('POLYGON((105.5909 30.5301,105.5911 30.5301,105.5911 30.5302,105.5909 30.5302,105.5909 30.5301))',4326))
       RETURNING id`,
    );
    const [inside, across] = b.rows.map((x) => x.id);
    const flags = async () =>
      (
        await db.query<{ id: number; covered: boolean; straddling: boolean }>(
          'SELECT id, covered, straddling FROM buildings ORDER BY id',
        )
      ).rows;
    expect((await flags()).every((f) => !f.covered)).toBe(true);
    await db.query(
      `INSERT INTO service_areas (name, management_mode, geom) VALUES
        ('A', 'resident_self', ST_GeomFromText('POLYGON((105.59 30.53,105.591 30.53,105.591 30.531,105.59 30.531,105.59 30.53))',4326))`,
    );
    expect(await flags()).toEqual([
      { id: inside, covered: true, straddling: false },
      { id: across, covered: false, straddling: false },
    ]);
    await db.query(
      `INSERT INTO service_areas (name, management_mode, geom) VALUES
        ('B', 'resident_self', ST_GeomFromText('POLYGON((105.591 30.53,105.592 30.53,105.592 30.531,105.591 30.531,105.591 30.53))',4326))`,
    );
    expect((await flags())[1]).toEqual({ id: across, covered: true, straddling: true });
    await db.query("DELETE FROM service_areas WHERE name = 'A'");
    expect(await flags()).toEqual([
      { id: inside, covered: false, straddling: false },
      { id: across, covered: false, straddling: false },
    ]);
  });

  it('bumps the layer version of buildings when an area changes', async () => {
    const v = async () =>
      (await t.db.query<{ version: number }>("SELECT version FROM layer_versions WHERE layer = 'buildings'"))
        .rows[0]!.version;
    const before = await v();
    await t.db.query("UPDATE service_areas SET name = 'B2' WHERE name = 'B'");
    expect(await v()).toBeGreaterThan(before);
  });

  // Defect (issue 12): migrations ran under the requests' statement limit (30 s). 0024 rebuilds the
  // coverage tallies from every building: 28–33 s at 2,000,000 buildings, so a start on such a
  // database was cancelled at the limit and stopped, every time. Here the limit is 100 ms.
  it('run past the statement limit of the requests (a migration is a batch job)', async (ctx) => {
    if (t.db.kind !== 'postgres') ctx.skip(); // PGlite has no statement limit
    const dir = mkdtempSync(join(tmpdir(), 'wuyou-migrate-'));
    const limited = createPostgresDb({ connectionString: t.url!, statementTimeoutMs: 100 });
    try {
      writeFileSync(join(dir, '9001_slow_batch.sql'), 'SELECT pg_sleep(0.5);');
      expect(await migrate(limited, dir)).toEqual(['9001_slow_batch']);
      // and the limit still holds for everything else on that pool
      await expect(limited.query('SELECT pg_sleep(0.5)')).rejects.toThrow();
    } finally {
      await limited.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
