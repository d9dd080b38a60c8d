/**
 * Province scale (issue 12): every figure the issue sets, at each city size in one run — 200,000 and
 * 2,000,000 buildings by default — so that how each cost grows can be read off one table.
 *
 * Each figure comes from the bench that measures it, run here in a child process with the size in its
 * environment, against its own reference in the same run:
 *   import   `npm run import` of N buildings (GeoJSON) against `ogr2ogr -f PostgreSQL`   ≤ 2 min at 2M
 *   tiles    uncached building tiles z14–z17 on the seeded city: p95, and against ST_AsMVT via `pg`
 *   dashboard city / district / street figures, and a street's proposals computed (its first answer
 *            after the kept answers are dropped) on the seeded city   ≤ 300 ms; proposals ≤ 1 s
 *   save     a service-area save through HTTP, p95, with N/100 areas (a copy of the seeded city)  ≤ 50 ms
 *   coverage full recompute of N buildings × N/100 areas ≤ 15 s; the update after one save p95 ≤ 10 ms
 *   viewshed the viewsheds of N/40 cameras among N buildings (the seed's density: ~50,000 at 2M)  ≤ 30 s
 * Each bench's own result is kept as bench/results/province/<bench>-<N>.json; the table of figures
 * × sizes against the issue's targets goes to bench/results/province.json.
 *
 * Needs a PostgreSQL server (DATABASE_URL) and `ogr2ogr`. The tiles, the dashboard and the save bench
 * read a city seeded beforehand: BENCH_PROVINCE_DB_<N>=<url of a database on that server> names one
 * (`npm run seed -- --buildings N` into it; migrated here if behind), else one is seeded here and the
 * seed is timed (about 12 minutes at 2M). Takes about an hour for both sizes; so `npm run bench`
 * runs it only when named (`npm run bench -- province`) or when BENCH_PROVINCE_SIZES is set.
 *
 *   BENCH_PROVINCE_SIZES=200000,2000000 DATABASE_URL=… npx tsx bench/province.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { migrate } from '../server/src/db/index.ts';
import { createPostgresDb } from '../server/src/db/postgres.ts';
import { hasCommand, machine, RESULTS_DIR, round, type BenchResult } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = (process.env.BENCH_PROVINCE_SIZES ?? '200000,2000000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);

/** One figure of the issue at one size. */
interface Row {
  figure: string;
  buildings: number;
  value: number | null;
  unit: string;
  reference: string;
  target: string;
  met: boolean | null;
}

/** Runs `bench/<file>` in a child with `env`; returns its result (moved to results/province/). */
function child(file: string, result: string, n: number, env: Record<string, string>): BenchResult | null {
  const t0 = performance.now();
  console.log(`\n--- ${file} at ${n.toLocaleString('en-US')} buildings (${JSON.stringify(env)})`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  const s = round((performance.now() - t0) / 1000, 1);
  const from = join(RESULTS_DIR, `${result}.json`);
  if (r.status !== 0 || !existsSync(from)) {
    console.log(`--- ${file} failed (exit ${r.status}) after ${s} s`);
    return null;
  }
  mkdirSync(join(RESULTS_DIR, 'province'), { recursive: true });
  const to = join(RESULTS_DIR, 'province', `${result}-${n}.json`);
  renameSync(from, to);
  console.log(`--- ${file}: ${s} s, kept as ${to}`);
  return JSON.parse(readFileSync(to, 'utf8')) as BenchResult;
}

/** The seeded city of size `n`: the named one (migrated), or a new database seeded here (timed). */
async function city(base: string, n: number, rows: Row[]): Promise<string> {
  const named = process.env[`BENCH_PROVINCE_DB_${n}`];
  if (named) {
    const db = createPostgresDb({ connectionString: named });
    try {
      const ran = await migrate(db);
      if (ran.length) console.log(`${named}: migrated (${ran.join(', ')})`);
    } finally {
      await db.close();
    }
    return named;
  }
  const name = `wuyou_province_${n}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const t0 = performance.now();
  const r = spawnSync('npm', ['run', '--silent', 'seed', '--', '--buildings', String(n)], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, MIGRATION_DATABASE_URL: url },
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`npm run seed -- --buildings ${n} failed (${r.status})`);
  const s = (performance.now() - t0) / 1000;
  rows.push({
    figure: 'seed the city (npm run seed: buildings, compounds, areas, cameras, gates)',
    buildings: n,
    value: round(s, 1),
    unit: 's',
    reference: '',
    target: '',
    met: null,
  });
  return url;
}

const metric = (r: BenchResult | null, key: string): number | null => {
  const v = r?.metrics[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const comparison = (r: BenchResult | null, what: RegExp) => r?.comparisons.find((c) => what.test(c.what));
const atMost = (v: number | null, max: number) => (v === null ? false : v <= max);

export async function run(): Promise<void> {
  const named = process.argv.slice(2).includes('province') || process.argv[1]?.endsWith('province.bench.ts');
  if (!named && !process.env.BENCH_PROVINCE_SIZES) {
    console.log('province: skipped (about an hour): `npm run bench -- province` or set BENCH_PROVINCE_SIZES');
    return;
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('province: needs DATABASE_URL (a PostgreSQL + PostGIS server)');
  if (!hasCommand('ogr2ogr')) throw new Error('province: needs ogr2ogr (Debian: apt-get install gdal-bin)');
  const rows: Row[] = [];
  const started = new Date().toISOString();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const kept: Record<string, Record<string, BenchResult | null>> = {};
  for (const n of SIZES) {
    const url = await city(base, n, rows);
    const template = decodeURIComponent(new URL(url).pathname.slice(1));
    const areas = String(Math.max(100, Math.round(n / 100)));
    const res: Record<string, BenchResult | null> = {};
    kept[n] = res;

    res.import = child('import.bench.ts', 'import', n, {
      BENCH_IMPORT_BUILDINGS: String(n),
      BENCH_IMPORT_REPS: '1',
      BENCH_IMPORT_FORMATS: '0',
    });
    const ours = metric(res.import, 'import_s');
    rows.push({
      figure: 'import the buildings (npm run import, GeoJSON)',
      buildings: n,
      value: ours,
      unit: 's',
      reference: `ogr2ogr -f PostgreSQL ${metric(res.import, 'ogr2ogr_s') ?? '–'} s`,
      target: '≤ 120 s at 2M',
      met: atMost(ours, 120),
    });

    res.tiles = child('tiles.bench.ts', 'tiles', n, { BENCH_TILES_DB: url, BENCH_ZOOMS: '14,15,16,17' });
    for (const z of [14, 15, 16, 17]) {
      const p95 = metric(res.tiles, `z${z} uncached endpoint p95 ms`);
      rows.push({
        figure: `uncached building tile z${z}, p95`,
        buildings: n,
        value: p95,
        unit: 'ms',
        reference: `same ST_AsMVT via pg: p95 ${metric(res.tiles, `z${z} direct p95 ms`) ?? '–'} ms`,
        target: '≤ 50 ms',
        met: atMost(p95, 50),
      });
      const unc = comparison(res.tiles, new RegExp(`^z${z} uncached`));
      if (unc)
        rows.push({
          figure: `uncached building tiles z${z} / ST_AsMVT via pg (tiles/s)`,
          buildings: n,
          value: unc.ratio,
          unit: '×',
          reference: `${unc.reference} tiles/s`,
          target: unc.target,
          met: unc.pass,
        });
      const ceiling = comparison(res.tiles, new RegExp(`^z${z} uncached .*constant route's HTTP`));
      if (ceiling)
        rows.push({
          figure: `uncached building tiles z${z} / what HTTP alone would leave of ST_AsMVT via pg`,
          buildings: n,
          value: ceiling.ratio,
          unit: '×',
          reference: `${ceiling.reference} tiles/s (${ceiling.referenceName})`,
          target: ceiling.target,
          met: ceiling.pass,
        });
      const hit = comparison(res.tiles, new RegExp(`^z${z} cached`));
      if (hit)
        rows.push({
          figure: `cached building tiles z${z} / constant-buffer route`,
          buildings: n,
          value: hit.ratio,
          unit: '×',
          reference: `${hit.reference} req/s`,
          target: hit.target,
          met: hit.pass,
        });
    }

    res.dashboard = child('dashboard.bench.ts', 'dashboard-db', n, {
      BENCH_DASHBOARD_DB: url,
      BENCH_DASHBOARD_FORGET: '1',
      BENCH_RUNS: '3',
    });
    const fromScratch = metric(res.dashboard, 'postgres from-scratch street counts ms');
    for (const what of [
      'city coverage',
      'district coverage',
      'street coverage',
      'community coverage',
      'city worst compounds',
      'street worst compounds',
      'street scorecards summary',
      'street gaps',
      'street proposals',
    ]) {
      const ms = metric(res.dashboard, `postgres ${what} ms`);
      rows.push({
        figure: `dashboard: ${what} (median, after the first answer)`,
        buildings: n,
        value: ms,
        unit: 'ms',
        reference: `the street counts from scratch in SQL ${fromScratch ?? '–'} ms`,
        target: '≤ 300 ms',
        met: atMost(ms, 300),
      });
    }
    for (const what of ['street gaps', 'street proposals']) {
      const first = metric(res.dashboard, `postgres ${what} first answer ms`);
      rows.push({
        figure: `dashboard: ${what}, first answer (computed: kept answers dropped)`,
        buildings: n,
        value: first,
        unit: 'ms',
        reference: '',
        target: what === 'street proposals' ? '≤ 1000 ms' : '',
        met: what === 'street proposals' ? atMost(first, 1000) : null,
      });
    }

    res.save = child('save.bench.ts', 'save', n, {
      BENCH_SAVE_TEMPLATE: template,
      BENCH_SAVE_BUILDINGS: String(n),
      BENCH_SAVE_AREAS: areas,
      BENCH_SAVE_SETUP_TIMEOUT_MS: '0',
    });
    const save = metric(res.save, 'save_p95_ms');
    rows.push({
      figure: `save a service area through HTTP, p95 (${areas} areas)`,
      buildings: n,
      value: save,
      unit: 'ms',
      reference: `bare INSERT p95 ${metric(res.save, 'bare_insert_p95_ms') ?? '–'} ms`,
      target: '≤ 50 ms',
      met: atMost(save, 50),
    });

    res.coverage = child('coverage.bench.ts', 'coverage', n, {
      BENCH_BUILDINGS: String(n),
      BENCH_AREAS: areas,
    });
    const full = comparison(res.coverage, /^full recompute vs bbox/);
    rows.push({
      figure: `full coverage recompute (${areas} areas)`,
      buildings: n,
      value: full ? round(full.value / 1000, 2) : null,
      unit: 's',
      reference: full ? `bbox-only join ${round(full.reference / 1000, 2)} s` : '',
      target: '≤ 15 s',
      met: full ? full.value <= 15_000 : false,
    });
    const incr = metric(res.coverage, 'incremental_p95_ms');
    rows.push({
      figure: 'coverage update after one area save, p95',
      buildings: n,
      value: incr,
      unit: 'ms',
      reference: '',
      target: '≤ 10 ms',
      met: atMost(incr, 10),
    });

    const cameras = Math.round(n / 40);
    res.viewshed = child('viewshed.bench.ts', 'viewshed', n, {
      BENCH_VIEWSHED_BUILDINGS: String(n),
      BENCH_VIEWSHED_CAMERAS: String(cameras),
    });
    const vs = comparison(res.viewshed, /viewsheds among/);
    rows.push({
      figure: `viewsheds of ${cameras.toLocaleString('en-US')} cameras`,
      buildings: n,
      value: vs ? round(vs.value / 1000, 2) : null,
      unit: 's',
      reference: vs ? `360 rays per camera ${round(vs.reference / 1000, 2)} s` : '',
      target: '≤ 30 s',
      met: vs ? vs.value <= 30_000 : false,
    });
  }

  const out = {
    name: 'province',
    started,
    date: new Date().toISOString(),
    machine: machine(),
    load_average_at_start: loadAtStart,
    load_average_at_end: loadavg().map((x) => round(x, 2)),
    sizes: SIZES,
    rows,
    results: kept,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'province.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`\n== province (${out.machine}), ${started} → ${out.date}`);
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      buildings: r.buildings,
      value: r.value === null ? 'failed' : `${r.value} ${r.unit}`,
      reference: r.reference,
      target: r.target,
      met: r.met === null ? '' : r.met ? 'yes' : 'NO',
    })),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
