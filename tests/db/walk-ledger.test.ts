import { afterAll, beforeAll, expect, it } from 'vitest';
import { AreaLedger } from '../walk/driver.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// The random walk's ledger of acknowledged writes (issue 9): it must see an acknowledged save that is
// not stored, a write no acknowledged request made, a version or polygon other than the answered one.
let t: TestDb;
const square = (x: number, d = 0.0005) => ({
  type: 'Polygon',
  coordinates: [
    [
      [105.59 + x, 30.53],
      [105.59 + x + d, 30.53],
      [105.59 + x + d, 30.53 + d],
      [105.59 + x, 30.53 + d],
      [105.59 + x, 30.53],
    ],
  ],
});
const insert = async (x: number) =>
  Number(
    (
      await t.db.query<{ id: string }>(
        `INSERT INTO service_areas (name, management_mode, geom)
         VALUES ('账', 'resident_self', ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) RETURNING id`,
        [JSON.stringify(square(x))],
      )
    ).rows[0]!.id,
  );

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

it('agrees with the database only when it holds exactly the acknowledged writes', async () => {
  const first = await insert(0);
  const ledger = new AreaLedger();
  await ledger.reset(t.db);
  expect(await ledger.compare(t.db)).toEqual([]);

  // An acknowledged create that the database does not hold.
  ledger.apply('POST', '/api/service-areas', 201, { geometry: square(0.002) }, { id: 999, version: 1 });
  expect(await ledger.compare(t.db)).toEqual(['area 999 (version 1) was acknowledged, but is not stored']);
  ledger.apply('DELETE', '/api/service-areas/999', 204, null, null);
  expect(await ledger.compare(t.db)).toEqual([]);

  // A write nobody asked for: a new row, then a changed polygon at a new version.
  const other = await insert(0.004);
  expect(await ledger.compare(t.db)).toEqual([
    `area ${other} (version 1) is stored, but no acknowledged save made it`,
  ]);
  await t.db.query('DELETE FROM service_areas WHERE id = $1', [other]);
  await t.db.query(
    'UPDATE service_areas SET geom = ST_SetSRID(ST_GeomFromGeoJSON($2), 4326), version = version + 1 WHERE id = $1',
    [first, JSON.stringify(square(0, 0.0004))],
  );
  expect(await ledger.compare(t.db)).toEqual([
    `area ${first} is stored at version 2, the acknowledged one is 1`,
  ]);
  // Acknowledged at that version but with the polygon the walk asked for: the stored one differs.
  ledger.apply('PUT', `/api/service-areas/${first}`, 200, { geometry: square(0) }, { id: first, version: 2 });
  expect((await ledger.compare(t.db))[0]).toMatch(
    new RegExp(`^area ${first}: the stored polygon differs from the acknowledged one by \\d`),
  );
  // An answered write of a kind the ledger does not know is a complaint, not silently passed.
  expect(ledger.apply('PATCH', `/api/service-areas/${first}`, 200, {}, {})).toMatch(/does not know/);
  expect(ledger.apply('POST', '/api/service-areas/validate', 200, {}, {})).toBeNull();
});
