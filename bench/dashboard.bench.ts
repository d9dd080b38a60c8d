/**
 * Dashboard speed (issue 12): every request the dashboard makes, on the demo city, on both
 * databases, through the whole app over HTTP, target ≤ 300 ms each (median of RUNS after one warm-up).
 * The reference is the same figures counted from scratch by one plain SQL statement over the
 * buildings (what the dashboard did before migration 0017's aggregates), in the same run.
 *
 * `npx tsx bench/dashboard.bench.ts` or `npm run bench -- dashboard`. BENCH_BUILDINGS (default 20,000:
 * the demo city), BENCH_DB=postgres|embedded|both (default both; postgres needs DATABASE_URL or
 * initdb on PATH). BENCH_DASHBOARD_DB=<url> measures a PostgreSQL database seeded beforehand
 * (`npm run seed -- --buildings 2000000`: province scale) instead of loading one; it adds a city
 * admin `bench-admin` there (or sets its password) and writes bench/results/dashboard-db.json.
 * BENCH_DASHBOARD_ONLY=<regex> measures only the requests whose name matches. Each request's first
 * answer is reported too (a 503 while it is computed is asked again after its Retry-After, as the
 * dashboard does); BENCH_DASHBOARD_FORGET=1 drops a seeded database's kept answers first, so a street's
 * gaps and proposals are computed as after an edit (issue 12: proposals for a street ≤ 1 s).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { createApp } from '../server/src/app.ts';
import { ensureDemoAccounts } from '../server/src/auth.ts';
import { loadConfig } from '../server/src/config.ts';
import { migrate, type Db } from '../server/src/db/index.ts';
import { createEmbeddedDb } from '../server/src/db/embedded.ts';
import { createPostgresDb } from '../server/src/db/postgres.ts';
import { seedDemoCity } from '../server/src/seed.ts';
import { benchAdmin, benchPostgres, report, round, type Comparison } from './lib.ts';

const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 300;
const WHICH = process.env.BENCH_DB ?? 'both';
const PASSWORD = 'Wuyou-bench-dashboard-2026';
/** BENCH_DASHBOARD_ONLY=<regex>: only the requests whose name matches (e.g. "coverage|compounds"). */
const ONLY = process.env.BENCH_DASHBOARD_ONLY ? new RegExp(process.env.BENCH_DASHBOARD_ONLY) : undefined;

const FROM_SCRATCH = `SELECT p.street_code, COALESCE(b.category, c.category) AS category, count(*)::int,
  sum(b.households)::int, count(*) FILTER (WHERE b.covered)::int, count(*) FILTER (WHERE b.straddling)::int
  FROM buildings b LEFT JOIN building_places p ON p.building_id = b.id LEFT JOIN compounds c ON c.id = b.compound_id
  GROUP BY 1, 2`;

let token = '';

function get(port: number, path: string): Promise<number> {
  return request(port, path).then(({ status }) => {
    if (status !== 200) throw new Error(`${path}: ${status}`);
    return status;
  });
}

function request(port: number, path: string): Promise<{ status: number; retryAfterS: number }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfterS: Number(res.headers['retry-after'] ?? 2) }),
        );
      })
      .on('error', reject);
  });
}

/**
 * Milliseconds until the first 200, as the dashboard waits for it: a 503 (still computing in the
 * background, or past the request's time limit) is asked again after its Retry-After, up to
 * BENCH_DASHBOARD_FIRST_MAX_S (default 900 s).
 */
async function firstAnswer(port: number, path: string): Promise<number> {
  const t0 = performance.now();
  const maxMs = Number(process.env.BENCH_DASHBOARD_FIRST_MAX_S ?? 900) * 1000;
  for (;;) {
    const { status, retryAfterS } = await request(port, path);
    if (status === 200) return performance.now() - t0;
    if (status !== 503 || performance.now() - t0 > maxMs) throw new Error(`${path}: ${status}`);
    await new Promise((r) => setTimeout(r, Math.max(1, retryAfterS) * 1000));
  }
}

async function median(f: () => Promise<unknown>, warm = true): Promise<number> {
  if (warm) await f();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** The dashboard's requests at city, district, street and community level (client/src/dashboard). */
async function requests(db: Db): Promise<Array<[string, string]>> {
  const one = async (level: string) =>
    (
      await db.query<{ code: string }>(
        `SELECT j.code FROM jurisdictions j WHERE level = $1
         ORDER BY (SELECT count(*) FROM building_places p WHERE p.street_code = j.code OR p.community_code = j.code OR p.district_code = j.code) DESC, code LIMIT 1`,
        [level],
      )
    ).rows[0]!.code;
  const district = await one('district');
  const street = await one('street');
  const community = await one('community');
  const out: Array<[string, string]> = [];
  for (const [name, q, s] of [
    ['city', 'level=city', undefined],
    ['district', `level=district&code=${district}`, undefined],
    ['street', `level=street&code=${street}`, street],
    ['community', `level=community&code=${community}`, undefined],
  ] as const) {
    // The dashboard reads a node's children 50 at a time (client/src/dashboard/Dashboard.tsx).
    out.push([`${name} coverage`, `/api/coverage?${q}&children_limit=50&children_offset=0`]);
    out.push([`${name} trend`, `/api/coverage/trend?${q}`]);
    if (name !== 'community') {
      out.push([
        `${name} worst compounds`,
        `/api/coverage/compounds?category=three_no&limit=10${s ? `&street=${s}` : ''}`,
      ]);
      out.push([`${name} ledger stats`, `/api/ledger/stats${s ? `?street=${s}` : ''}`]);
    }
  }
  out.push(['street scorecards summary', `/api/compounds/scorecards?street=${street}&limit=0`]);
  out.push(['street gaps', `/api/coverage/gaps?street=${street}`]);
  out.push(['street proposals', `/api/coverage/proposals?street=${street}`]);
  return out;
}

async function measure(
  kind: string,
  db: Db,
  url: string | undefined,
  metrics: Record<string, number | string>,
  comparisons: Comparison[],
  seeded = false,
) {
  if (seeded) {
    const n = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM buildings')).rows[0]!.n;
    metrics.buildings = n;
    console.log(`seeded beforehand (${n} buildings)`);
    // BENCH_DASHBOARD_FORGET=1: the kept answers (gaps, proposals, scorecards) are dropped, so their
    // first answer is computed as after an edit.
    if (process.env.BENCH_DASHBOARD_FORGET === '1') await db.query('DELETE FROM coverage_street_results');
  } else {
    await migrate(db);
    const t0 = performance.now();
    await seedDemoCity(db, { buildings: BUILDINGS });
    metrics[`${kind} seed s`] = round((performance.now() - t0) / 1000, 1);
    if (kind === 'postgres') await db.query('ANALYZE');
  }
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    AUTH_SECRET: 'bench',
    HEAVY_RATE_PER_MIN: '100000',
    HEAVY_TIMEOUT_MS: '60000',
    ...(url ? { DATABASE_URL: url } : {}),
  });
  const app = createApp({ db, config, logger: pino({ level: 'silent' }) });
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const port = (server.address() as AddressInfo).port;
  // Gaps and proposals are for signed-in users: the dashboard sends its admin's token. A database
  // seeded beforehand has its own admin password: a bench admin is made (or given this one) there.
  let username = 'admin';
  if (seeded) username = await benchAdmin(db, PASSWORD);
  else await ensureDemoAccounts(db, PASSWORD, { mustChangePassword: false });
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (login.status !== 200)
    throw new Error(`bench sign-in as ${username}: ${login.status} ${await login.text()}`);
  token = ((await login.json()) as { token: string }).token;
  try {
    const ref = await median(() => db.query(FROM_SCRATCH));
    metrics[`${kind} from-scratch street counts ms`] = round(ref, 1);
    for (const [what, path] of (await requests(db)).filter(([w]) => !ONLY || ONLY.test(w))) {
      // A request that fails (503 past the time limit at province scale) is reported, not fatal: its
      // figure is NaN and it does not pass.
      const t0 = performance.now();
      let ms = Number.NaN;
      try {
        // The first answer (computed, or read from what is kept) is the warm-up; then the median.
        const first = await firstAnswer(port, path);
        metrics[`${kind} ${what} first answer ms`] = round(first, 1);
        if (what === 'street proposals')
          comparisons.push({
            what: `${kind} street proposals, first answer (computed unless kept)`,
            unit: 'ms',
            value: round(first, 1),
            reference: round(ref, 1),
            referenceName: 'street counts from scratch (plain SQL)',
            ratio: round(first / ref),
            target: '≤ 1000 ms',
            pass: first <= 1000,
          });
        ms = await median(() => get(port, path), false);
        metrics[`${kind} ${what} ms`] = round(ms, 1);
        console.log(`${kind} ${what}: ${round(ms, 1)} ms  (${path})`);
      } catch (e) {
        const s = round((performance.now() - t0) / 1000, 1);
        metrics[`${kind} ${what}`] = `failed after ${s} s: ${(e as Error).message}`;
        console.log(`${kind} ${what}: failed after ${s} s (${(e as Error).message})`);
      }
      comparisons.push({
        what: `${kind} ${what}`,
        unit: 'ms',
        value: round(ms, 1),
        reference: round(ref, 1),
        referenceName: 'street counts from scratch (plain SQL)',
        ratio: round(ms / ref),
        target: `≤ ${TARGET_MS} ms`,
        pass: ms <= TARGET_MS,
      });
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
}

export async function run(): Promise<void> {
  const metrics: Record<string, number | string> = { buildings: BUILDINGS, runs: RUNS };
  const comparisons: Comparison[] = [];
  const given = process.env.BENCH_DASHBOARD_DB;
  if (given) {
    const db = createPostgresDb({ connectionString: given });
    try {
      await measure('postgres', db, given, metrics, comparisons, true);
    } finally {
      await db.close();
    }
    report('dashboard-db', metrics, comparisons);
    return;
  }
  if (WHICH !== 'embedded') {
    const pgb = await benchPostgres('dashboard');
    const db = createPostgresDb({ connectionString: pgb.url });
    try {
      await measure('postgres', db, pgb.url, metrics, comparisons);
    } finally {
      await db.close();
      await pgb.stop();
    }
  }
  if (WHICH !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'wuyou-bench-pglite-'));
    const db = await createEmbeddedDb({ dataDir: dir });
    try {
      await measure('embedded', db, undefined, metrics, comparisons);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  report('dashboard', metrics, comparisons);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
