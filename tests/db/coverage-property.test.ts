import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageCounts } from '../../core/coverage.ts';
import { COMPOUND_CATEGORIES, type CompoundCategory } from '../../core/vocabulary.ts';
import { coverageOf } from '../../server/src/coverage/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/**
 * Property: the coverage counts equal a brute-force count on random data. Areas are cells of a grid
 * (so shared edges are exact), buildings random rectangles; a building is covered when every cell it
 * overlaps is an area, and straddling when that takes more than one cell.
 */

/** mulberry32: a small seeded PRNG, so a failure replays. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.COVERAGE_SEED ?? 20261127);
const COLS = 10;
const ROWS = 8;
const CELL = 100; // units of 1e-5°
const lon = (u: number) => 105.58 + u * 1e-5;
const lat = (u: number) => 30.52 + u * 1e-5;

interface B {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  category: CompoundCategory;
  households: number;
}

let t: TestDb;
const rnd = prng(SEED);
const buildings: B[] = [];
const cells = new Map<string, number>(); // "cx,cy" → area id

beforeAll(async () => {
  t = await createTestDb();
  const env = (x0: number, y0: number, x1: number, y1: number) =>
    `ST_Multi(ST_MakeEnvelope(${lon(x0)}, ${lat(y0)}, ${lon(x1)}, ${lat(y1)}, 4326))`;
  const W = COLS * CELL;
  const H = ROWS * CELL;
  await t.db.exec(`
    INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('d', '区', 'district', NULL, ${env(0, 0, W, H)}),
      ('s', '街道', 'street', 'd', ${env(0, 0, W, H)}),
      ('c1', '西', 'community', 's', ${env(0, 0, W / 2, H)}),
      ('c2', '东', 'community', 's', ${env(W / 2, 0, W, H)});`);
  for (let i = 0; i < 300; i++) {
    const w = 5 + Math.floor(rnd() * 40);
    const h = 5 + Math.floor(rnd() * 40);
    let x0 = Math.floor(rnd() * (W - w));
    const y0 = Math.floor(rnd() * (H - h));
    if (x0 < W / 2 && x0 + w > W / 2) x0 = W / 2; // keep each building on one side of the two communities
    buildings.push({
      x0,
      y0,
      x1: x0 + w,
      y1: y0 + h,
      category: COMPOUND_CATEGORIES[Math.floor(rnd() * 3)]!,
      households: Math.floor(rnd() * 50),
    });
  }
  await t.db.query(
    `INSERT INTO buildings (category, households, geom)
     SELECT c, h, ST_MakeEnvelope(x0, y0, x1, y1, 4326)
     FROM unnest($1::text[], $2::int[], $3::float8[], $4::float8[], $5::float8[], $6::float8[]) AS u(c, h, x0, y0, x1, y1)`,
    [
      buildings.map((b) => b.category),
      buildings.map((b) => b.households),
      buildings.map((b) => lon(b.x0)),
      buildings.map((b) => lat(b.y0)),
      buildings.map((b) => lon(b.x1)),
      buildings.map((b) => lat(b.y1)),
    ],
  );
  const start: [number, number][] = [];
  for (let cx = 0; cx < COLS; cx++) for (let cy = 0; cy < ROWS; cy++) if (rnd() < 0.6) start.push([cx, cy]);
  const r = await t.db.query<{ id: number; name: string }>(
    `INSERT INTO service_areas (name, street_code, management_mode, geom)
     SELECT cx || ',' || cy, 's', 'resident_self',
            ST_MakeEnvelope(105.58 + cx * $3::float8 * 1e-5, 30.52 + cy * $3::float8 * 1e-5,
                            105.58 + (cx + 1) * $3::float8 * 1e-5, 30.52 + (cy + 1) * $3::float8 * 1e-5, 4326)
     FROM unnest($1::int[], $2::int[]) AS u(cx, cy)
     RETURNING id, name`,
    [start.map((c) => c[0]), start.map((c) => c[1]), CELL],
  );
  for (const row of r.rows) cells.set(row.name, row.id);
});
afterAll(async () => {
  await t?.drop();
});

async function addCell(cx: number, cy: number): Promise<void> {
  const r = await t.db.query<{ id: number }>(
    `INSERT INTO service_areas (name, street_code, management_mode, geom)
     VALUES ($1, 's', 'resident_self', ST_MakeEnvelope($2, $3, $4, $5, 4326)) RETURNING id`,
    [`${cx},${cy}`, lon(cx * CELL), lat(cy * CELL), lon((cx + 1) * CELL), lat((cy + 1) * CELL)],
  );
  cells.set(`${cx},${cy}`, r.rows[0]!.id);
}

/** The cells a building overlaps with positive area. */
function cellsOf(b: B): string[] {
  const out: string[] = [];
  for (let cx = Math.floor(b.x0 / CELL); cx < Math.ceil(b.x1 / CELL); cx++)
    for (let cy = Math.floor(b.y0 / CELL); cy < Math.ceil(b.y1 / CELL); cy++) out.push(`${cx},${cy}`);
  return out;
}

function bruteForce(filter: (b: B) => boolean): Record<'all' | CompoundCategory, CoverageCounts> {
  const zero = (): CoverageCounts => ({
    buildings: 0,
    households: 0,
    covered: 0,
    uncovered: 0,
    straddling: 0,
  });
  const out = { all: zero(), three_no: zero(), self_managed: zero(), professional: zero() };
  for (const b of buildings.filter(filter)) {
    const cs = cellsOf(b);
    const covered = cs.every((c) => cells.has(c));
    for (const k of ['all', b.category] as const) {
      const n = out[k];
      n.buildings++;
      n.households += b.households;
      if (covered) n.covered++;
      else n.uncovered++;
      if (covered && cs.length > 1) n.straddling++;
    }
  }
  return out;
}

async function expectCountsMatch() {
  const street = await coverageOf(t.db, 'street', 's');
  const { all, three_no, self_managed, professional } = street;
  expect({ all, three_no, self_managed, professional }).toEqual(bruteForce(() => true));
  const west = street.children.find((c) => c.code === 'c1')!;
  const { all: wAll, three_no: wThree } = west;
  const want = bruteForce((b) => b.x1 <= (COLS * CELL) / 2);
  expect({ all: wAll, three_no: wThree }).toEqual({ all: want.all, three_no: want.three_no });
}

describe(`coverage counts against brute force (seed ${SEED})`, () => {
  it('agree after the areas are drawn', async () => {
    expect(bruteForce(() => true).all.straddling).toBeGreaterThan(0); // the data exercises straddling
    await expectCountsMatch();
  });

  it('agree after random deletes, inserts and moves, and a full recompute finds nothing to fix', async () => {
    for (let step = 0; step < 12; step++) {
      const cx = Math.floor(rnd() * COLS);
      const cy = Math.floor(rnd() * ROWS);
      const key = `${cx},${cy}`;
      const id = cells.get(key);
      if (id === undefined) {
        await addCell(cx, cy);
      } else if (rnd() < 0.5) {
        await t.db.query('DELETE FROM service_areas WHERE id = $1', [id]);
        cells.delete(key);
      } else {
        // move the area to a free cell
        const free = [...Array(COLS * ROWS).keys()]
          .map((i) => `${i % COLS},${Math.floor(i / COLS)}`)
          .filter((k) => !cells.has(k));
        const to = free[Math.floor(rnd() * free.length)];
        if (!to) continue;
        const [tx, ty] = to.split(',').map(Number) as [number, number];
        await t.db.query(
          'UPDATE service_areas SET geom = ST_MakeEnvelope($2, $3, $4, $5, 4326) WHERE id = $1',
          [id, lon(tx * CELL), lat(ty * CELL), lon((tx + 1) * CELL), lat((ty + 1) * CELL)],
        );
        cells.delete(key);
        cells.set(to, id);
      }
      await expectCountsMatch();
    }
    const fixed = await t.db.query<{ n: number }>('SELECT refresh_all_building_coverage() AS n');
    expect(fixed.rows[0]!.n).toBe(0);
    // The whole-table recompute (its own area-by-area plan, 0006) repairs every flag on its own.
    const all = await t.db.query<{ n: number }>(
      'UPDATE buildings SET covered = NOT covered, straddling = NOT straddling RETURNING id',
    );
    const repaired = await t.db.query<{ n: number }>('SELECT refresh_all_building_coverage() AS n');
    expect(repaired.rows[0]!.n).toBe(all.rows.length);
    await expectCountsMatch();
  });
});
