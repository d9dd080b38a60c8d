import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/src/db/index.ts';
import { createEmbeddedDb } from '../../server/src/db/embedded.ts';
import { TEST_DB_KIND } from '../helpers/db.ts';

// Issue 11 (embedded import of 200,000 buildings in ≤ 1 GB): PGlite compiled all three libraries of
// pglite-postgis's bundle at start, ~250 MB for postgis_raster and postgis_topology, which the app
// never creates. The embedded database loads a PostGIS-only copy (server/src/db/postgis-bundle.ts).
// (The embedded pass only: it is about PGlite.)
describe.skipIf(TEST_DB_KIND !== 'embedded')('embedded PostGIS from the PostGIS-only bundle', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createEmbeddedDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('has PostGIS with GEOS and PROJ (a CGCS2000 Gauss-Krüger transform)', async () => {
    await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
    const r = await db.query<{ valid: boolean; x: number; y: number }>(
      `SELECT ST_IsValid('POLYGON((0 0,2 2,2 0,0 2,0 0))'::geometry) AS valid,
              ST_X(p) AS x, ST_Y(p) AS y
       FROM ST_Transform(ST_SetSRID(ST_MakePoint(105.6, 30.5), 4326), 4544) p`,
    );
    expect(r.rows[0]!.valid).toBe(false);
    // 105.6°E, 30.5°N in the 3° zone of central meridian 105°E, without zone prefix.
    expect(r.rows[0]!.x).toBeGreaterThan(557_000);
    expect(r.rows[0]!.x).toBeLessThan(558_000);
    expect(r.rows[0]!.y).toBeGreaterThan(3_374_000);
    expect(r.rows[0]!.y).toBeLessThan(3_376_000);
  });

  it('does not carry the raster library (the copy, not the package bundle, is loaded)', async () => {
    await expect(db.query('CREATE EXTENSION postgis_raster')).rejects.toThrow(/postgis_raster/);
  });
});
