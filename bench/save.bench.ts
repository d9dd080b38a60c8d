/**
 * Server save of a service area (validate + commit, through HTTP: auth, input checks, the write
 * lock, the PostGIS checks, the INSERT with its overlap trigger and building-coverage trigger, the
 * history row) on PostGIS with the demo city of 200,000 buildings and 2,000 of its service areas, against a bare INSERT of the same rows into a copy of the table without triggers, in
 * the same run. Target: p95 ≤ 50 ms; the ratio is reported.
 *
 *   npx tsx bench/save.bench.ts      (BENCH_SAVE_BUILDINGS, BENCH_SAVE_N for a quicker run;
 *   BENCH_SAVE_SETUP_TIMEOUT_MS=0 lifts the statement timeout of the setup's thinning, needed at 2M;
 *   BENCH_SAVE_TEMPLATE=<database> copies a city seeded beforehand on DATABASE_URL's server)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadavg } from 'node:os';
import type { Polygon } from 'geojson';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../server/src/app.ts';
import { ensureDemoAccounts } from '../server/src/auth.ts';
import { loadConfig } from '../server/src/config.ts';
import { migrate } from '../server/src/db/index.ts';
import { createPostgresDb } from '../server/src/db/postgres.ts';
import { seedDemoCity } from '../server/src/seed.ts';
import { benchAdmin, benchPostgres, percentile, report, round } from './lib.ts';

const BUILDINGS = Number(process.env.BENCH_SAVE_BUILDINGS ?? 200_000);
const AREAS = Number(process.env.BENCH_SAVE_AREAS ?? 2_000);
const N = Number(process.env.BENCH_SAVE_N ?? 200);
/** Statement timeout (ms, 0 = none) for thinning the seeded areas only; unset: the pool's 30 s. */
const SETUP_TIMEOUT_MS = process.env.BENCH_SAVE_SETUP_TIMEOUT_MS;
/** BENCH_SAVE_TEMPLATE=<database>: copy a city seeded beforehand on DATABASE_URL's server instead of seeding one. */
const TEMPLATE = process.env.BENCH_SAVE_TEMPLATE || undefined;

const M_LON = (lat: number) => 111_320 * Math.cos((lat * Math.PI) / 180);
const M_LAT = 110_574;

/** A 24-vertex near-circle of radius r metres around (lon, lat). */
function circle(lon: number, lat: number, r: number, n = 24): Polygon {
  const ring = Array.from({ length: n }, (_, k) => {
    const a = (k / n) * 2 * Math.PI;
    return [lon + (r * Math.cos(a)) / M_LON(lat), lat + (r * Math.sin(a)) / M_LAT];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

/** Spots (seeded random over the city's extent) at least `gap` metres from any area and each other. */
async function freeSpots(
  c: pg.Client,
  count: number,
  gap: number,
  seed: number,
): Promise<[number, number][]> {
  await c.query('SELECT setseed($1)', [seed]);
  const r = await c.query<{ x: number; y: number }>(
    `WITH ext AS (SELECT ST_Extent(geom) AS e FROM buildings),
     g AS (
       SELECT ST_SetSRID(ST_MakePoint(ST_XMin(e) + (ST_XMax(e) - ST_XMin(e)) * random(),
                                      ST_YMin(e) + (ST_YMax(e) - ST_YMin(e)) * random()), 4326) AS p
       FROM ext, generate_series(1, $1 * 40))
     SELECT ST_X(p) AS x, ST_Y(p) AS y FROM g
     WHERE NOT EXISTS (SELECT 1 FROM service_areas s WHERE ST_DWithin(s.geom, g.p, $2))`,
    [count, gap / 90_000],
  );
  const kept: [number, number][] = [];
  for (const p of r.rows) {
    if (kept.length >= count) break;
    const far = kept.every(([x, y]) => Math.hypot((x - p.x) * M_LON(p.y), (y - p.y) * M_LAT) > 2.2 * gap);
    if (far) kept.push([p.x, p.y]);
  }
  return kept;
}

export async function run(): Promise<void> {
  const t0 = Date.now();
  const bp = await benchPostgres('save', TEMPLATE);
  const db = createPostgresDb({ connectionString: bp.url, max: 10 });
  const c = new pg.Client({ connectionString: bp.url });
  let server: Server | undefined;
  try {
    await migrate(db);
    const seeded = TEMPLATE ? undefined : await seedDemoCity(db, { buildings: BUILDINGS });
    const seedS = (Date.now() - t0) / 1000;
    await c.connect();

    // Exactly AREAS service areas: the demo city's thinned evenly (it draws one per block, far more
    // than AREAS at this size), or topped up with circles in empty places (through SQL: the trigger
    // still checks each).
    const have = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM service_areas')).rows[0]!.n;
    if (have > AREAS) {
      await db.transaction(async (tx) => {
        await tx.query("SET LOCAL wuyou.bulk_load = 'on'");
        // At 2M the DELETE of ~290,000 seeded areas (audit row each) and the coverage refresh take
        // longer than the pool's 30 s statement timeout.
        if (SETUP_TIMEOUT_MS !== undefined)
          await tx.query(
            `SET LOCAL statement_timeout = ${Math.max(0, Math.round(Number(SETUP_TIMEOUT_MS)))}`,
          );
        await tx.query(
          `DELETE FROM service_areas WHERE id NOT IN (
             SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM service_areas) q
             WHERE (n - 1) % $1 = 0 LIMIT $2)`,
          [Math.floor(have / AREAS), AREAS],
        );
        await tx.query(
          'DELETE FROM service_area_history h WHERE NOT EXISTS (SELECT 1 FROM service_areas s WHERE s.id = h.area_id)',
        );
        await tx.query('SELECT refresh_all_building_coverage()');
      });
    } else if (have < AREAS) {
      const spots = await freeSpots(c, AREAS - have, 45, 0.1);
      for (const [x, y] of spots) {
        await c.query(
          `INSERT INTO service_areas (name, management_mode, geom) VALUES ('补充区域', 'resident_self', ST_GeomFromGeoJSON($1))`,
          [JSON.stringify(circle(x, y, 40))],
        );
      }
    }
    await c.query('VACUUM ANALYZE service_areas');
    await c.query('VACUUM ANALYZE buildings');
    const areas = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM service_areas')).rows[0]!.n;
    const buildings = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM buildings')).rows[0]!.n;

    // A copied city has its own admin password: a bench admin is made there (or given this one).
    let username = 'admin';
    if (TEMPLATE) username = await benchAdmin(db, 'bench-pass');
    else await ensureDemoAccounts(db, 'bench-pass');
    const app = createApp({
      db,
      config: loadConfig({ LOG_LEVEL: 'silent', AUTH_SECRET: 'bench', DATABASE_URL: bp.url }),
      logger: pino({ level: 'silent' }),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench-pass' }),
    });
    if (login.status !== 200) throw new Error(`bench sign-in as ${username}: ${login.status}`);
    const { token } = (await login.json()) as { token: string };

    const spots = await freeSpots(c, N + 20, 60, 0.2);
    if (spots.length < N + 20)
      throw new Error(`only ${spots.length} free spots for ${N} saves (+20 warm-up)`);
    const features = spots.map(([x, y], i) => ({
      type: 'Feature',
      geometry: circle(x, y, 50),
      properties: {
        name: `基准区域 ${i}`,
        management_mode: 'professional',
        provider: '某物业',
        status: 'draft',
      },
    }));
    const post = async (f: unknown) => {
      const s = performance.now();
      const r = await fetch(`${url}/service-areas`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(f),
      });
      await r.arrayBuffer();
      return { ms: performance.now() - s, status: r.status };
    };
    // Warm-up saves (connections, plans), not counted.
    for (const f of features.slice(N)) await post(f);
    const saves: number[] = [];
    const statuses = new Map<number, number>();
    for (const f of features.slice(0, N)) {
      const r = await post(f);
      saves.push(r.ms);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    const ok = statuses.get(201) ?? 0;
    if (ok < N * 0.95) throw new Error(`only ${ok} of ${N} saves answered 201: ${[...statuses].join(' ')}`);
    // Refused saves (each overlaps one just saved): the 422 path.
    const refused: number[] = [];
    for (const f of features.slice(0, 50)) {
      const g = f.geometry.coordinates[0]!.map(([x, y]) => [x! + 20 / M_LON(y!), y!]);
      const r = await post({ ...f, geometry: { type: 'Polygon', coordinates: [g] } });
      if (r.status !== 422) throw new Error(`expected 422 for an overlapping save, got ${r.status}`);
      refused.push(r.ms);
    }

    // The reference: the same rows, a bare INSERT each, into a copy of the table with its index and
    // no triggers, from a client on the same server.
    await c.query('CREATE TABLE bare_areas (LIKE service_areas INCLUDING DEFAULTS INCLUDING INDEXES)');
    await c.query('ALTER TABLE bare_areas ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY');
    const bareSql = `INSERT INTO bare_areas (name, management_mode, provider, status, geom, created_by, updated_by)
      VALUES ($1, $2, $3, $4, ST_SetSRID(ST_GeomFromGeoJSON($5), 4326), 'admin', 'admin') RETURNING id`;
    for (const f of features.slice(N)) {
      const p = f.properties;
      await c.query(bareSql, [p.name, p.management_mode, p.provider, p.status, JSON.stringify(f.geometry)]);
    }
    const bare: number[] = [];
    for (const f of features.slice(0, N)) {
      const p = f.properties;
      const s = performance.now();
      await c.query(bareSql, [p.name, p.management_mode, p.provider, p.status, JSON.stringify(f.geometry)]);
      bare.push(performance.now() - s);
    }

    saves.sort((a, b) => a - b);
    refused.sort((a, b) => a - b);
    bare.sort((a, b) => a - b);
    const p95 = percentile(saves, 95);
    const bareP95 = percentile(bare, 95);
    report(
      'save',
      {
        database: 'PostgreSQL + PostGIS (benchPostgres)',
        buildings,
        service_areas_before: areas,
        ...(seeded
          ? { seeded_service_areas: seeded.service_areas ?? 0, seed_s: round(seedS, 1) }
          : { copied_from: TEMPLATE!, copy_s: round(seedS, 1) }),
        saves: N,
        statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(' '),
        save_p50_ms: round(percentile(saves, 50), 2),
        save_p95_ms: round(p95, 2),
        refused_422_p95_ms: round(percentile(refused, 95), 2),
        bare_insert_p50_ms: round(percentile(bare, 50), 2),
        bare_insert_p95_ms: round(bareP95, 2),
        load_average_1m: round(loadavg()[0]!, 2),
      },
      [
        {
          what: 'save through HTTP (validate + commit), p95',
          unit: 'ms',
          value: p95,
          reference: 50,
          referenceName: 'target',
          ratio: p95 / 50,
          target: '≤ 50 ms',
          pass: p95 <= 50,
        },
        {
          what: 'save p95 against a bare INSERT of the same rows',
          unit: 'ms',
          value: p95,
          reference: bareP95,
          referenceName: 'bare INSERT, no triggers',
          ratio: p95 / bareP95,
          target: 'reported',
          pass: true,
        },
      ],
    );
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await c.end().catch(() => undefined);
    await db.close();
    await bp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
