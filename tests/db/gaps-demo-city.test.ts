import { afterAll, beforeAll, expect, it } from 'vitest';
import { coverageGaps } from '../../server/src/coverage/repository.ts';
import { seedDemoCity } from '../../server/src/seed.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Regression: on PGlite (PostGIS 3.6, GEOS 3.14) the gaps query returned no row at all for most streets
// of the demo city until the closing's difference ran on a grid; PostgreSQL 15 found them all along.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemoCity(t.db, { buildings: 2000 });
});
afterAll(async () => {
  await t?.drop();
});

it('finds gaps between the service areas of every street of the demo city', async () => {
  const streets = (
    await t.db.query<{ code: string }>("SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code")
  ).rows;
  expect(streets.length).toBeGreaterThan(1);
  const counts = Object.fromEntries(
    await Promise.all(streets.map(async (s) => [s.code, (await coverageGaps(t.db, s.code)).length] as const)),
  );
  for (const [street, n] of Object.entries(counts)) expect(n, street).toBeGreaterThan(0);
});
