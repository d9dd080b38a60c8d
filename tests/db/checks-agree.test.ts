import { readdirSync, readFileSync } from 'node:fs';
import type { Polygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckCase } from '../fixtures/checks/generate.ts';
import { OVERLAP_TOLERANCE_M2, DEFAULT_MIN_AREA_M2, type CheckResult } from '../../core/checks/codes.ts';
import { createCheckContext } from '../../core/checks/context.ts';
import { checkServiceArea } from '../../core/checks/service-area.ts';
import { validateServiceArea } from '../../server/src/service-areas/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/**
 * One suite of cases through both deciders: core's checkServiceArea (Turf + flatbush, what the editor
 * shows while dragging) and the server's PostGIS checks (what a save is held to). Same verdict per
 * check code, same cut buildings, same covered count.
 */
const dir = new URL('../fixtures/checks/cases/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as CheckCase);

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

const wkt = (p: Polygon) =>
  `POLYGON(${p.coordinates.map((r) => `(${r.map((c) => `${c[0]} ${c[1]}`).join(',')})`).join(',')})`;

async function load(c: CheckCase) {
  await t.db.exec('DELETE FROM service_areas; DELETE FROM buildings; DELETE FROM jurisdictions;');
  for (const n of c.neighbours) {
    await t.db.query(
      `INSERT INTO service_areas (id, name, management_mode, geom) VALUES ($1, $2, 'professional', ST_GeomFromText($3, 4326))`,
      [n.id, n.name, wkt(n.geometry)],
    );
  }
  for (const b of c.buildings) {
    await t.db.query(
      `INSERT INTO buildings (id, category, households, geom) VALUES ($1, $2, $3, ST_GeomFromText($4, 4326))`,
      [b.id, b.category, b.households, wkt(b.geometry)],
    );
  }
  if (c.jurisdiction) {
    await t.db.query(
      `INSERT INTO jurisdictions (code, name, level, geom) VALUES ($1, '街道', 'street', ST_GeomFromGeoJSON($2))`,
      [c.jurisdiction.code, JSON.stringify(c.jurisdiction.geometry)],
    );
  }
}

async function both(c: CheckCase): Promise<{ client: CheckResult; server: CheckResult }> {
  await load(c);
  const ctx = createCheckContext({
    areas: c.neighbours,
    buildings: c.buildings,
    jurisdiction: c.jurisdiction,
  });
  const client = checkServiceArea(c.area, ctx, { id: c.id });
  const server = await validateServiceArea(t.db, c.area, {
    excludeId: c.id ?? null,
    streetCode: c.jurisdiction?.code ?? null,
  });
  return { client, server };
}

const codes = (r: CheckResult) => r.issues.map((i) => i.code);
const cutIds = (r: CheckResult) => r.issues.flatMap((i) => (i.code === 'cut_building' ? i.buildings : []));
const overlapIds = (r: CheckResult) => r.issues.flatMap((i) => (i.code === 'overlap' ? i.with : []));

describe('hand-made cases: core and PostGIS agree, and say what the case expects', () => {
  it.each(fixtures.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { client, server } = await both(c);
    expect(codes(server)).toEqual(c.expect);
    expect(codes(client)).toEqual(codes(server));
    expect(cutIds(client)).toEqual(cutIds(server));
    expect(overlapIds(client)).toEqual(overlapIds(server));
    if (!codes(server).includes('self_intersection')) {
      expect(client.stats.buildings).toBe(server.stats.buildings);
      expect(client.stats.households).toBe(server.stats.households);
      // Turf's sphere against PostGIS's spheroid: within 0.5 %.
      expect(Math.abs(client.stats.area_m2 - server.stats.area_m2)).toBeLessThan(
        server.stats.area_m2 * 0.005,
      );
    }
    if (c.expectBuildings !== undefined) expect(server.stats.buildings).toBe(c.expectBuildings);
  });
});

// mulberry32: a small seeded PRNG, so a failing random case can be replayed by its number.
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const LON0 = 105.59;
const LAT0 = 30.53;
const M_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
const M_LAT = 110_574;
const pt = (x: number, y: number): Position => [LON0 + x / M_LON, LAT0 + y / M_LAT];
const closed = (r: Position[]) => [...r, r[0]!];
const cell = (i: number, j: number, size: number): Position[] => [
  pt(i * size, j * size),
  pt((i + 1) * size, j * size),
  pt((i + 1) * size, (j + 1) * size),
  pt(i * size, (j + 1) * size),
];

/** A random case: a grid of neighbour cells with holes in it, scattered buildings, a star-shaped area. */
function randomCase(seed: number): CheckCase {
  const rnd = prng(seed);
  const size = 100;
  const neighbours: CheckCase['neighbours'] = [];
  const free: [number, number][] = [];
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      if (rnd() < 0.5)
        neighbours.push({
          id: 100 + i * 4 + j,
          name: `cell ${i},${j}`,
          geometry: { type: 'Polygon', coordinates: [closed(cell(i, j, size))] },
        });
      else free.push([i, j]);
    }
  const buildings: CheckCase['buildings'] = [];
  for (let k = 0; k < 60; k++) {
    const x = rnd() * 400;
    const y = rnd() * 400;
    const w = 4 + rnd() * 12;
    const h = 4 + rnd() * 12;
    const a = rnd() * Math.PI;
    const corners = [
      [-w / 2, -h / 2],
      [w / 2, -h / 2],
      [w / 2, h / 2],
      [-w / 2, h / 2],
    ].map(([dx, dy]) =>
      pt(x + dx! * Math.cos(a) - dy! * Math.sin(a), y + dx! * Math.sin(a) + dy! * Math.cos(a)),
    );
    buildings.push({
      id: k + 1,
      category: rnd() < 0.4 ? 'three_no' : 'professional',
      households: Math.floor(rnd() * 40),
      geometry: { type: 'Polygon', coordinates: [closed(corners)] },
    });
  }
  let ring: Position[];
  const kind = rnd();
  if (kind < 0.2 && free.length) {
    // A free cell, with extra vertices on its edges: shared edges with every neighbour around it.
    const [i, j] = free[Math.floor(rnd() * free.length)]!;
    const c = cell(i, j, size);
    ring = [];
    for (let e = 0; e < 4; e++) {
      const p = c[e]!;
      const q = c[(e + 1) % 4]!;
      ring.push(p);
      const f = rnd();
      ring.push([p[0]! + (q[0]! - p[0]!) * f, p[1]! + (q[1]! - p[1]!) * f]);
    }
  } else {
    const cx = 50 + rnd() * 300;
    const cy = 50 + rnd() * 300;
    const r = 5 + rnd() * 150;
    const n = 3 + Math.floor(rnd() * 40);
    const angles = Array.from({ length: n }, () => rnd() * 2 * Math.PI).sort((a, b) => a - b);
    const pts = angles.map((a) => {
      const rr = r * (0.4 + 0.6 * rnd());
      return pt(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
    });
    if (kind > 0.75 && n > 4) {
      // Swap two vertices: usually a self-intersection.
      const a = Math.floor(rnd() * n);
      const b = (a + 2 + Math.floor(rnd() * (n - 3))) % n;
      [pts[a], pts[b]] = [pts[b]!, pts[a]!];
    }
    ring = pts;
  }
  const jurisdiction =
    rnd() < 0.3
      ? (() => {
          const x0 = rnd() * 200;
          const y0 = rnd() * 200;
          const x1 = x0 + 100 + rnd() * 300;
          const y1 = y0 + 100 + rnd() * 300;
          return {
            code: 'J',
            geometry: {
              type: 'MultiPolygon' as const,
              coordinates: [[closed([pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1)])]],
            },
          };
        })()
      : undefined;
  return {
    name: `random-${seed}`,
    description: 'generated',
    area: { type: 'Polygon', coordinates: [closed(ring)] },
    neighbours,
    buildings,
    jurisdiction,
    expect: [],
  };
}

/** Figures within 1 % of a threshold are where spherical (Turf) and spheroidal (PostGIS) areas may differ. */
function borderline(r: CheckResult): string[] {
  const out: string[] = [];
  if (Math.abs(r.stats.area_m2 - DEFAULT_MIN_AREA_M2) < DEFAULT_MIN_AREA_M2 * 0.01) out.push('too_small');
  return out;
}

describe('generated cases (seeded): core and PostGIS agree', () => {
  const seeds = Array.from({ length: 80 }, (_, i) => i + 1);
  const seen = new Map<string, number>();
  afterAll(() => {
    // The generator reaches every kind of verdict, or the suite proves little.
    for (const code of [
      'self_intersection',
      'overlap',
      'cut_building',
      'empty',
      'too_small',
      'out_of_jurisdiction',
    ]) {
      expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });
  it.each(seeds)('seed %i', async (seed) => {
    const c = randomCase(seed);
    const { client, server } = await both(c);
    for (const code of codes(server)) seen.set(code, (seen.get(code) ?? 0) + 1);
    const skip = new Set(borderline(server));
    const cmp = (r: CheckResult) => codes(r).filter((x) => !skip.has(x));
    expect(cmp(client)).toEqual(cmp(server));
    expect(cutIds(client)).toEqual(cutIds(server));
    expect(overlapIds(client)).toEqual(overlapIds(server));
    if (!codes(server).includes('self_intersection')) {
      expect(client.stats.buildings).toBe(server.stats.buildings);
      expect(client.stats.three_no_buildings).toBe(server.stats.three_no_buildings);
      const o = server.issues.find((i) => i.code === 'overlap');
      if (o) expect(o.area_m2).toBeGreaterThan(OVERLAP_TOLERANCE_M2);
    }
  });
});
