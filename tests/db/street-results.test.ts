import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_GAP_OPTIONS,
  DEFAULT_PROPOSAL_OPTIONS,
  coverageGaps,
  coverageProposals,
} from '../../server/src/coverage/repository.ts';
import { scorecards } from '../../server/src/coverage/scorecard.ts';
import { STREET_RESULT_COMPUTERS } from '../../server/src/coverage/street-result-computers.ts';
import {
  refreshStaleStreetResults,
  streetResult,
  type StreetResultKind,
} from '../../server/src/coverage/street-results.ts';
import type { Queryable } from '../../server/src/db/index.ts';
import { seedDemoCity } from '../../server/src/seed.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// Issue 12 (dashboard speed): a street's gaps, proposals and scorecards are kept (migration 0017) and
// must always equal what a computation from scratch answers, whatever was edited since.

let t: TestDb;
let streets: string[];
beforeAll(async () => {
  t = await createTestDb();
  await seedDemoCity(t.db, { buildings: 1500, seed: 20261202 });
  streets = (
    await t.db.query<{ code: string }>(
      `SELECT j.code FROM jurisdictions j WHERE level = 'street'
       ORDER BY (SELECT count(*) FROM service_areas s WHERE s.geom && j.geom) DESC, code LIMIT 1`,
    )
  ).rows.map((r) => r.code);
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

const KINDS: Record<StreetResultKind, [object, (db: Queryable, street: string) => Promise<unknown>]> = {
  gaps: [DEFAULT_GAP_OPTIONS, (db, s) => coverageGaps(db, s)],
  proposals: [DEFAULT_PROPOSAL_OPTIONS, (db, s) => coverageProposals(db, s)],
  scorecards: [{}, (db, s) => scorecards(db, { street: s })],
};

let computed = 0;
const kept = (street: string, kind: StreetResultKind) => {
  const [options, compute] = KINDS[kind];
  return streetResult(t.db, street, kind, options as Record<string, number>, () => {
    computed++;
    return compute(t.db, street);
  });
};

const last = new Map<string, string>();
/**
 * Every kept answer of the test streets against a computation from scratch; returns how many answers
 * differ from those before (so an edit that changed nothing cannot pass for a test of staleness).
 */
async function expectAllFresh(after: string): Promise<number> {
  let changed = 0;
  for (const street of streets) {
    for (const kind of Object.keys(KINDS) as StreetResultKind[]) {
      const fresh = await KINDS[kind][1](t.db, street);
      expect(await kept(street, kind), `${kind} of ${street} after ${after}`).toEqual(fresh);
      const key = `${street} ${kind}`;
      if (last.get(key) !== JSON.stringify(fresh)) changed++;
      last.set(key, JSON.stringify(fresh));
    }
  }
  return changed;
}

// Edits as the API makes them (the triggers of 0002–0010 run), each touching one input of the answers.
const EDITS: Array<[string, string]> = [
  [
    'an area shrinks',
    // The street's area covering the most buildings: its shrinking changes the street's answers
    // (the first area whose box met the street's could lie in the next street).
    `UPDATE service_areas SET geom = ST_Buffer(geom, -0.00003, 'join=mitre'), version = version + 1
     WHERE id = (SELECT s.id FROM service_areas s
                 WHERE s.street_code = $1 AND ST_Area(s.geom) > 1e-7
                 ORDER BY (SELECT count(*) FROM buildings b WHERE b.geom && s.geom) DESC, s.id LIMIT 1)`,
  ],
  [
    'an area is deleted',
    `DELETE FROM service_areas WHERE id = (
       SELECT s.id FROM service_areas s, jurisdictions j WHERE j.code = $1 AND ST_Intersects(s.geom, j.geom)
       ORDER BY (SELECT count(*) FROM buildings b WHERE b.covered AND b.geom && s.geom) DESC, s.id LIMIT 1)`,
  ],
  [
    'buildings become 三无',
    `UPDATE buildings SET category = 'three_no' WHERE id IN (
       SELECT b.id FROM buildings b JOIN building_places p ON p.building_id = b.id
       WHERE p.street_code = $1 AND NOT b.covered AND b.category IS DISTINCT FROM 'three_no' ORDER BY b.id LIMIT 5)`,
  ],
  [
    'a building is deleted',
    `DELETE FROM buildings WHERE id = (SELECT max(b.id) FROM buildings b JOIN building_places p ON p.building_id = b.id
                                      WHERE p.street_code = $1 AND NOT b.covered AND b.category = 'three_no')`,
  ],
  [
    'a compound changes category',
    `UPDATE compounds SET category = CASE category WHEN 'three_no' THEN 'self_managed' ELSE 'three_no' END
     WHERE id = (SELECT min(id) FROM compounds WHERE street_code = $1)`,
  ],
  [
    'a camera goes offline',
    // one of a compound of the street: its 五有 scorecard counts the cameras online
    `UPDATE cameras SET status = 'offline' WHERE id = (
       SELECT min(c.id) FROM cameras c JOIN compounds k ON k.id = c.compound_id
       WHERE c.status = 'active' AND k.street_code = $1)`,
  ],
  [
    'an assessment is recorded',
    `INSERT INTO five_target_assessments (compound_id, target, state, note)
     SELECT min(id), 'wy_security', 'met', 'street-results test' FROM compounds WHERE street_code = $1`,
  ],
  [
    'a road is drawn through the street',
    `INSERT INTO basemap_roads (kind, geom)
     SELECT 'local', ST_MakeLine(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1), ST_Centroid(geom))
     FROM jurisdictions WHERE code = $1`,
  ],
];

it('issue 12: kept street answers are reused, and equal a computation from scratch after every edit', async () => {
  expect(streets.length).toBeGreaterThan(0);
  await expectAllFresh('the seed');
  // Nothing changed: every answer comes from the table.
  computed = 0;
  for (const street of streets)
    for (const kind of Object.keys(KINDS) as StreetResultKind[]) await kept(street, kind);
  expect(computed).toBe(0);

  for (const [what, sql] of EDITS) {
    const r = await t.db.query(sql, [streets[0]]);
    expect(r.rowCount, what).toBeGreaterThan(0);
    expect(await expectAllFresh(what), `answers changed by ${what}`).toBeGreaterThan(0);
  }

  // The background refresh (server/index.ts) recomputes what an edit made stale; reads are hits again.
  await t.db.query(EDITS[0]![1], [streets[0]]);
  let refreshed = 0;
  for (let n; (n = await refreshStaleStreetResults(t.db, STREET_RESULT_COMPUTERS));) refreshed += n;
  expect(refreshed).toBeGreaterThan(0);
  computed = 0;
  await expectAllFresh('the refresh');
  expect(computed).toBe(0);
}, 600_000);

it('issue 12: two processes refreshing at once never compute the same kept answer twice (SKIP LOCKED)', async (ctx) => {
  if (t.db.kind !== 'postgres') ctx.skip(); // one connection embedded: no two rounds can overlap
  for (const kind of Object.keys(KINDS) as StreetResultKind[]) await kept(streets[0]!, kind);
  await t.db.query(EDITS[0]![1], [streets[0]]);
  let releaseA!: () => void;
  const aMayFinish = new Promise<void>((r) => (releaseA = r));
  let aStarted!: () => void;
  const aIsComputing = new Promise<void>((r) => (aStarted = r));
  // Round A takes every stale answer and holds them (its transaction open) while it computes.
  const slow = Object.fromEntries(
    Object.entries(STREET_RESULT_COMPUTERS).map(([kind, f]) => [
      kind,
      async (db: Queryable, street: string, options: Record<string, number>) => {
        aStarted();
        await aMayFinish;
        return f(db, street, options);
      },
    ]),
  ) as typeof STREET_RESULT_COMPUTERS;
  const a = t.db.transaction((tx) => refreshStaleStreetResults(tx, slow, 100));
  await Promise.race([aIsComputing, a]);
  const bRound = t.db.transaction((tx) => refreshStaleStreetResults(tx, STREET_RESULT_COMPUTERS, 100));
  // Should round B wait on a lock round A holds instead of skipping (the defect), A is let go so the
  // test fails on B's count rather than hanging.
  let bDone = false;
  void bRound.finally(() => (bDone = true)).catch(() => undefined);
  await expect
    .poll(
      async () =>
        bDone ||
        (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0]!.n > 0,
      { timeout: 120_000, interval: 50 },
    )
    .toBe(true);
  const bWaited = !bDone;
  releaseA();
  const b = await bRound;
  expect(bWaited, 'round B waited for round A instead of skipping what A had taken').toBe(false);
  expect(b, 'round B recomputed answers round A had taken').toBe(0);
  expect(await a).toBeGreaterThan(0);
}, 600_000);
