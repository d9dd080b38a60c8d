import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_GAP_OPTIONS,
  coverageGaps,
  coverageProposals,
} from '../../server/src/coverage/repository.ts';
import { seedDemoCity } from '../../server/src/seed.ts';
import { validateServiceArea } from '../../server/src/service-areas/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Regression: on PGlite (PostGIS 3.6, GEOS 3.14) the gaps query returned no row at all for most streets
// of the demo city until the closing's difference ran on a grid; PostgreSQL 15 found them all along.

/**
 * Gaps of the first street of the 3,000-building demo city: all, and those the dashboard lists. Since
 * 2026-12-04 the city makes no area that leaves its street (26 and 6 before).
 */
const COUNTS = { all: 17, listed: 4 };

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemoCity(t.db, { buildings: 3000, seed: 20261201 });
});
afterAll(async () => {
  await t?.drop();
});

/** Every gap, the empty small ones too: what the search finds, before the dashboard's filter. */
const ALL = { ...DEFAULT_GAP_OPTIONS, emptyMinAreaM2: 0, emptyMinWidthM: 0 };

it('finds gaps between the service areas of every street of the demo city', async () => {
  const streets = (
    await t.db.query<{ code: string }>("SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code")
  ).rows;
  expect(streets.length).toBeGreaterThan(1);
  const counts = Object.fromEntries(
    await Promise.all(
      streets.map(async (s) => [s.code, (await coverageGaps(t.db, s.code, ALL)).length] as const),
    ),
  );
  for (const [street, n] of Object.entries(counts)) expect(n, street).toBeGreaterThan(0);
});

// Issue 9 #4 (ed9): the demo street's list was ~206 gaps, every one without a building: the lanes
// about 4 m wide the demo city leaves between compounds' areas. The default drops an empty gap under
// 500 m² or 1 m wide. Same figures on both databases (this file runs on each; the parity suite
// compares the lists field by field).
it('issue 9 #4: the dashboard lists a gap without a building only when it is not small or thin', async () => {
  const street = (
    await t.db.query<{ code: string }>(
      "SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code LIMIT 1",
    )
  ).rows[0]!.code;
  const all = await coverageGaps(t.db, street, ALL);
  const listed = await coverageGaps(t.db, street);
  const keep = (g: (typeof all)[number]) => g.buildings > 0 || g.area_m2 >= 500;
  const empty = all.filter((g) => g.buildings === 0);
  expect(empty.length).toBeGreaterThan(10);
  expect(empty.filter((g) => g.area_m2 < 500).length / empty.length).toBeGreaterThan(0.5);
  expect(listed.map((g) => [g.kind, Math.round(g.area_m2)])).toEqual(
    all.filter(keep).map((g) => [g.kind, Math.round(g.area_m2)]),
  );
  expect(listed.length).toBeLessThan(all.length / 2);
  // The same counts as the demo city gave when this was fixed (3,000 buildings, seed 20261201).
  expect({ all: all.length, listed: listed.length }).toEqual(COUNTS);
});

// Issue 9 #4: a proposal was cut by its city block, but a block may reach into the next street, and 23
// of 326 proposals of the demo city's first three streets reached outside their street by more than
// 1 m²: the street's editor who adopted one got out_of_jurisdiction.
it('issue 9 #4: every proposal passes the save checks of its own street editor, unchanged', async () => {
  const streets = (
    await t.db.query<{ code: string }>("SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code")
  ).rows;
  let proposals = 0;
  const refused: string[] = [];
  const none: string[] = [];
  for (const { code } of streets) {
    const ps = await coverageProposals(t.db, code);
    // On PGlite a buffer that failed inside GEOS took every proposal of street 510903001 with it.
    if (!ps.length) none.push(code);
    for (const p of ps) {
      proposals++;
      const r = await validateServiceArea(t.db, p.geometry, { streetCode: code });
      if (!r.valid) refused.push(`${code} #${p.index}: ${r.issues.map((i) => i.code).join(', ')}`);
    }
  }
  expect(proposals).toBeGreaterThan(20);
  expect(none).toEqual([]);
  expect(refused).toEqual([]);
});

// Issue 9 #3b: after a split and a merge an area's ring has vertices on its straight edges. On PGlite
// the overlays of gaps.sql then failed inside GEOS, and a failed GEOS call there ends the statement
// with no row and no error: the street's gaps went from 206 to 0. Extra vertices on straight edges
// change no shape, so they must change no gap.
it('issue 9 #3b: finds the same gaps after the areas get vertices on their straight edges', async () => {
  const street = (
    await t.db.query<{ code: string }>(
      "SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code LIMIT 1",
    )
  ).rows[0]!.code;
  const summary = async () =>
    (await coverageGaps(t.db, street, ALL)).map((g) => ({
      kind: g.kind,
      neighbours: g.neighbours,
      buildings: g.buildings,
      area_m2: Math.round(g.area_m2),
    }));
  const before = await summary();
  expect(before.length).toBeGreaterThan(5);
  // A vertex every ~5 m along every edge of every area of the street (what split + merge leave behind).
  const r = await t.db.query(
    `UPDATE service_areas s SET geom = ST_Segmentize(s.geom, 0.00005)
     FROM jurisdictions j WHERE j.code = $1 AND s.geom && j.geom AND ST_Intersects(s.geom, j.geom)`,
    [street],
  );
  expect(r.rowCount).toBeGreaterThan(5);
  const after = await summary();
  expect(after).toEqual(before);
});
