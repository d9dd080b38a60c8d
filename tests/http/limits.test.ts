/**
 * issue 10 #5: one request must not stall everyone. A city-sized polygon is refused at once; heavy
 * reads need a login (validate), are rate-limited (429 + Retry-After), a few at a time (503 +
 * Retry-After) and time-limited (503 timeout); health and tiles answer while heavy requests hold the
 * main pool.
 */
import type { Polygon } from 'geojson';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getJsonSignedIn } from '../../client/src/api.ts';
import { fetchScorecardSummary } from '../../client/src/dashboard/dashboard-api.ts';
import { summarizeScorecards } from '../../core/coverage.ts';
import { scorecards } from '../../server/src/coverage/scorecard.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { routeReads, withReadScope, type Db } from '../../server/src/db/index.ts';
import { TIMEOUT_RETRY_AFTER_S } from '../../server/src/errors.ts';
import { RateLimits } from '../../server/src/rate-limits/rate-limits.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { BUSY_SQL, TEST_DB_KIND, until } from '../helpers/db.ts';
import { LAT0, LON0, STREET_B, area, rect, useServiceAreaWorld } from '../helpers/service-area-world.ts';

const w = useServiceAreaWorld();
const extra: RunningApp[] = [];
afterAll(async () => {
  await Promise.all(extra.map((a) => a.close()));
});
const appWith = async (env: Record<string, string>) => {
  const a = await startApp(w.t.db, env);
  extra.push(a);
  return a;
};

/** A circle of `n` vertices and `radiusM` metres around the world's origin. */
const circle = (n: number, radiusM: number): Polygon => {
  const ring = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return [
      LON0 + (radiusM * Math.cos(a)) / (111_320 * Math.cos((LAT0 * Math.PI) / 180)),
      LAT0 + (radiusM * Math.sin(a)) / 110_574,
    ];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
};

const post = (url: string, path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('issue 10 #5: work limits', () => {
  it('validate needs a login', async () => {
    const r = await w.call('POST', '/validate', { feature: area(rect(25, 0, 125, 100)) }, { as: '' });
    expect(r.status).toBe(401);
  });

  it('a city-sized 9,999-vertex polygon is refused at once, by validate and by a save', async () => {
    const city = area(circle(9_999, 25_000));
    const t0 = Date.now();
    const v = await w.call('POST', '/validate', { feature: city });
    expect(v.status).toBe(400);
    expect(v.body.error.details).toMatchObject({ problem: 'too_many_vertices', limit: 5000 });
    const big = await w.call('POST', '', area(circle(200, 25_000)));
    expect(big.status).toBe(400);
    expect(big.body.error.details).toMatchObject({ problem: 'too_large', limit_m: 5000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    // Across the antimeridian: a 360°-wide strip.
    const strip = area({
      type: 'Polygon',
      coordinates: [
        [
          [-179.9, 10],
          [179.9, 10],
          [179.9, 10.1],
          [-179.9, 10.1],
          [-179.9, 10],
        ],
      ],
    });
    const across = await w.call('POST', '/validate', { feature: strip });
    expect(across.status).toBe(400);
    expect(across.body.error.code).toBe('invalid_geometry');
  });

  it('the limits are configurable', async () => {
    const app = await appWith({ AREA_MAX_VERTICES: '10000', AREA_MAX_SPAN_M: '60000' });
    const r = await post(
      app.url,
      '/api/service-areas/validate',
      { feature: area(circle(600, 20_000)) },
      w.tokens.admin,
    );
    expect(r.status).toBe(200);
  });

  /** The limits live in the database (every app process counts the same requests): start afresh. */
  const forgetRateLimits = () => w.t.db.query('DELETE FROM rate_limits');
  // Every test starts with full buckets: an earlier test's app may have used up a user's allowance.
  beforeEach(async () => {
    await forgetRateLimits();
  });

  it('heavy reads are rate-limited per user: 429 with Retry-After', async () => {
    await forgetRateLimits();
    const app = await appWith({ HEAVY_RATE_PER_MIN: '3' });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await post(
        app.url,
        '/api/service-areas/validate',
        { feature: area(rect(25, 0, 125, 100)) },
        w.tokens.viewer,
      );
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another user is not held back by the first.
    const other = await post(
      app.url,
      '/api/service-areas/validate',
      { feature: area(rect(25, 0, 125, 100)) },
      w.tokens.admin,
    );
    expect(other.status).toBe(200);
  });

  it('issue 10: the heavy rate limit holds across app processes: spread over two, 429 at the limit, not twice it', async () => {
    await forgetRateLimits();
    const apps = [await appWith({ HEAVY_RATE_PER_MIN: '3' }), await appWith({ HEAVY_RATE_PER_MIN: '3' })];
    const answers: { status: number; retryAfter: string | null; code?: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await post(
        apps[i % 2]!.url,
        '/api/service-areas/validate',
        { feature: area(rect(25, 0, 125, 100)) },
        w.tokens[`editor-${STREET_B}`],
      );
      const body = (await r.json()) as { error?: { code: string } };
      answers.push({ status: r.status, retryAfter: r.headers.get('retry-after'), code: body.error?.code });
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
    for (const a of answers.slice(3)) {
      expect(a.code).toBe('rate_limited');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // A refused request takes nothing from the other limit: twenty refusals of one user do not use up
    // the address's 4 × 3 a minute, so another user from the same address still gets through.
    for (let i = 0; i < 20; i++) {
      const r = await post(
        apps[i % 2]!.url,
        '/api/service-areas/validate',
        { feature: area(rect(25, 0, 125, 100)) },
        w.tokens[`editor-${STREET_B}`],
      );
      expect(r.status).toBe(429);
    }
    const other = await post(
      apps[1]!.url,
      '/api/service-areas/validate',
      { feature: area(rect(25, 0, 125, 100)) },
      w.tokens.viewer,
    );
    expect(other.status).toBe(200);
    // At once: each take sees the others' (one statement on the locked row), so still three.
    await forgetRateLimits();
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(
          apps[i % 2]!.url,
          '/api/service-areas/validate',
          { feature: area(rect(25, 0, 125, 100)) },
          w.tokens.admin,
        ).then((r) => r.status),
      ),
    );
    expect(burst.sort()).toEqual([200, 200, 200, 429, 429, 429]);
  });

  // With a read replica (DATABASE_READ_URL) a heavy GET reads the replica; its rate limit is a write.
  const READ_URL = process.env.TEST_DATABASE_READ_URL;
  describe.skipIf(TEST_DB_KIND !== 'postgres' || !READ_URL)('with a read replica', () => {
    it("issue 10/12: a heavy read's rate limit is taken on the primary, and the read stays on the replica", async () => {
      // The replica must have this test's database (it may be paused by another test: wait, do not resume).
      const lsn = (await w.t.db.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l'))
        .rows[0]!.l;
      const replicaAdmin = new pg.Client({ connectionString: READ_URL });
      await replicaAdmin.connect();
      await expect
        .poll(
          async () =>
            (
              await replicaAdmin.query<{ ok: boolean }>(
                'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
                [lsn],
              )
            ).rows[0]!.ok,
          { timeout: 60_000, interval: 50 },
        )
        .toBe(true);
      await replicaAdmin.end();
      const replicaUrl = new URL(READ_URL!);
      replicaUrl.pathname = new URL(w.t.url!).pathname;
      const raw = createPostgresDb({
        connectionString: w.t.url!,
        replica: { connectionString: replicaUrl.toString(), maxLagMs: 600_000, pollMs: 100 },
      });
      const db: Db = routeReads(raw, raw.replica!);
      try {
        await forgetRateLimits();
        const rates = new RateLimits(db, 'heavy');
        const request = { onReplica: true };
        const wait = await withReadScope(request, () =>
          rates.take([{ key: 'user:replica-reader', perMin: 3 }]),
        );
        expect(wait).toBe(0);
        // Before: the take went to the replica first, was refused there (read-only), and moved the
        // rest of the request — the heavy read itself — to the primary.
        expect(request.onReplica).toBe(true);
        const taken = await w.t.db.query("SELECT 1 FROM rate_limits WHERE key = 'user:replica-reader'");
        expect(taken.rowCount).toBe(1);
      } finally {
        await raw.close();
      }
    });
  });

  describe.skipIf(TEST_DB_KIND !== 'postgres')('on a server', () => {
    /** Holds buildings locked, so every validate waits on it: a stand-in for a slow statement. */
    const lockBuildings = () => lockTable('buildings');
    /** The same on compounds, which a street's 五有 scorecards read. */
    const lockCompounds = () => lockTable('compounds');
    const lockTable = async (table: 'buildings' | 'compounds') => {
      const c = new pg.Client({ connectionString: w.t.url });
      await c.connect();
      await c.query('BEGIN');
      await c.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return {
        async release() {
          await c.query('ROLLBACK');
          await c.end();
        },
      };
    };

    /** How many answers of `kind` street B has kept. */
    const keptAnswers = async (kind: 'gaps' | 'scorecards') =>
      (
        await w.t.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM coverage_street_results WHERE kind = $1 AND street_code = $2',
          [kind, STREET_B],
        )
      ).rows[0]!.n;
    /**
     * Stubs fetch for the client's own code: its relative URLs go to `base`, each answer's status is
     * recorded, and `answered` resolves at the first answer.
     */
    const recordClientFetches = (base: string) => {
      const statuses: number[] = [];
      let firstAnswer!: () => void;
      const answered = new Promise<void>((res) => (firstAnswer = res));
      const realFetch = globalThis.fetch;
      vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
        const res = await realFetch(new URL(url, base), init);
        statuses.push(res.status);
        firstAnswer();
        return res;
      });
      return { statuses, answered };
    };

    it("a street's gaps over the time limit: 503 still_computing + Retry-After, finished anyway, and the editor's client asks again until it has them", async () => {
      // Before: the statement was cancelled and nothing kept it, so a street whose gaps take longer
      // than the limit answered 503 on every try and the dashboard could never show them.
      const app = await appWith({ HEAVY_TIMEOUT_MS: '1000', HEAVY_RATE_PER_MIN: '1000' });
      const gapsUrl = `/api/coverage/gaps?street=${STREET_B}`;
      const kept = () => keptAnswers('gaps');
      await w.t.db.query('DELETE FROM coverage_street_results');
      let lock = await lockBuildings();
      let r: Response;
      try {
        r = await fetch(app.url + gapsUrl, { headers: { authorization: `Bearer ${w.tokens.admin}` } });
      } finally {
        await lock.release();
      }
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(((await r.json()) as { error: unknown }).error).toMatchObject({
        code: 'timeout',
        details: { reason: 'still_computing' },
      });
      await expect.poll(kept, { timeout: 60_000, interval: 100 }).toBe(1);

      // The client (client/src/api.ts) keeps asking while the server says still_computing.
      await w.t.db.query('DELETE FROM coverage_street_results');
      lock = await lockBuildings();
      const store = new Map<string, string>([['wuyou.token', w.tokens.admin!]]);
      vi.stubGlobal('sessionStorage', {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
        removeItem: (k: string) => void store.delete(k),
      });
      const { statuses, answered } = recordClientFetches(app.url);
      try {
        const got = getJsonSignedIn<{ gaps: unknown[] }>(gapsUrl);
        await answered;
        await lock.release();
        expect(Array.isArray((await got).gaps)).toBe(true);
      } finally {
        vi.unstubAllGlobals();
      }
      expect(statuses[0]).toBe(503);
      expect(statuses.at(-1)).toBe(200);
    });

    it("issue 12: a street's 五有 summary over the time limit: 503 still_computing, finished anyway, and the dashboard's client asks again until it has it", async () => {
      // Before: the summary ran under the pool's 30 s statement limit and was not finished past it;
      // at 2,000,000 buildings the largest street's summary took longer, so the dashboard's 五有 figures
      // answered 503 on every request until the background refresh (which only recomputes answers
      // kept before) — never, once they were dropped (the province bench polled for 15 minutes).
      const app = await appWith({ HEAVY_TIMEOUT_MS: '1000' });
      const summaryUrl = `/api/compounds/scorecards?street=${STREET_B}&limit=0`;
      const kept = () => keptAnswers('scorecards');
      const expected = summarizeScorecards(await scorecards(w.t.db, { street: STREET_B }));
      await w.t.db.query('DELETE FROM coverage_street_results');
      let lock = await lockCompounds();
      let r: Response;
      const t0 = Date.now();
      try {
        r = await fetch(app.url + summaryUrl);
      } finally {
        await lock.release();
      }
      expect(Date.now() - t0, 'answered at the heavy time limit, not the pool statement limit').toBeLessThan(
        20_000,
      );
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(((await r.json()) as { error: unknown }).error).toMatchObject({
        code: 'timeout',
        details: { reason: 'still_computing' },
      });
      await expect.poll(kept, { timeout: 60_000, interval: 100 }).toBe(1);
      const again = await fetch(app.url + summaryUrl);
      expect(again.status).toBe(200);
      expect(((await again.json()) as { summary: unknown }).summary).toEqual(expected);

      // The dashboard's client (no sign-in: the summary is public) keeps asking while still computing.
      await w.t.db.query('DELETE FROM coverage_street_results');
      lock = await lockCompounds();
      const { statuses, answered } = recordClientFetches(app.url);
      try {
        const got = fetchScorecardSummary(STREET_B);
        await answered;
        await lock.release();
        expect(await got).toEqual(expected);
      } finally {
        vi.unstubAllGlobals();
        await lock.release().catch(() => undefined);
      }
      expect(statuses[0]).toBe(503);
      expect(statuses.at(-1)).toBe(200);
    });

    it("issue 12: a kept answer finished in the background is not held to the request's limit", async () => {
      // Before: the background run got four times HEAVY_TIMEOUT_MS (16 s by default), less than a
      // street's gaps take at 2,000,000 buildings (over a minute), so they were never kept and the
      // dashboard asked for ever. Here the statement waits on a lock for longer than four times the
      // request limit, then runs: it must still be kept.
      const heavyMs = 200;
      const app = await appWith({ HEAVY_TIMEOUT_MS: String(heavyMs), HEAVY_RATE_PER_MIN: '1000' });
      const kept = () => keptAnswers('gaps');
      await w.t.db.query('DELETE FROM coverage_street_results');
      const lock = await lockBuildings();
      try {
        const r = await fetch(`${app.url}/api/coverage/gaps?street=${STREET_B}`, {
          headers: { authorization: `Bearer ${w.tokens.admin}` },
        });
        expect(r.status).toBe(503);
        // The background run waits on the lock past four times the request's limit.
        await expect
          .poll(
            async () =>
              (
                await w.t.db.query<{ n: number }>(
                  `SELECT count(*)::int AS n FROM pg_stat_activity
                   WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'
                     AND query ILIKE '%slivers%' AND now() - query_start > $1::float8 * interval '1 ms'`,
                  [heavyMs * 4 * 2],
                )
              ).rows[0]!.n,
            { timeout: 60_000, interval: 100 },
          )
          .toBe(1);
        // Asked again meanwhile: still computing, answered without running the statement a second time
        // (before, each poll ran it for the request's limit beside the background run).
        let most = 0;
        let asking = true;
        const again = fetch(`${app.url}/api/coverage/gaps?street=${STREET_B}`, {
          headers: { authorization: `Bearer ${w.tokens.admin}` },
        }).finally(() => (asking = false));
        while (asking) {
          const n = (
            await w.t.db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND state = 'active' AND query ILIKE '%slivers%'
                 AND pid <> pg_backend_pid()`,
            )
          ).rows[0]!.n;
          most = Math.max(most, n);
        }
        const r2 = await again;
        expect(r2.status).toBe(503);
        expect(((await r2.json()) as { error: unknown }).error).toMatchObject({
          details: { reason: 'still_computing' },
        });
        expect(most, 'gaps statements running while the request was answered').toBe(1);
      } finally {
        await lock.release();
      }
      await expect.poll(kept, { timeout: 60_000, interval: 100 }).toBe(1);
    });

    it('a heavy statement over the time limit is cancelled: 503 timeout, not a long wait', async () => {
      const app = await appWith({ HEAVY_TIMEOUT_MS: '300' });
      const lock = await lockBuildings();
      try {
        const t0 = Date.now();
        const r = await post(
          app.url,
          '/api/service-areas/validate',
          { feature: area(rect(25, 0, 125, 100)) },
          w.tokens.admin,
        );
        expect(r.status).toBe(503);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('timeout');
        expect(Date.now() - t0).toBeLessThan(5000);
        // A try-out (2026-12-04) found it without Retry-After, unlike 503 unavailable.
        expect(r.headers.get('retry-after')).toBe(String(TIMEOUT_RETRY_AFTER_S));
      } finally {
        await lock.release();
      }
    });

    it('health and tiles answer while heavy requests hold every connection of the main pool', async () => {
      const app = await appWith({
        HEAVY_CONCURRENCY: '20',
        HEAVY_RATE_PER_MIN: '1000',
        HEAVY_TIMEOUT_MS: '60000',
      });
      const lock = await lockBuildings();
      const heavyOnes: Promise<number>[] = [];
      try {
        for (let i = 0; i < 10; i++)
          heavyOnes.push(
            post(
              app.url,
              '/api/service-areas/validate',
              { feature: area(rect(25, 0, 125, 100)) },
              w.tokens.admin,
            ).then((r) => r.status),
          );
        // All ten are waiting inside the database (the test database has a pool of 10).
        await expect
          .poll(async () =>
            Number(
              (
                await w.t.db.light.query<{ n: number }>(
                  `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
                )
              ).rows[0]!.n,
            ),
          )
          .toBeGreaterThanOrEqual(10);
        const t0 = Date.now();
        const h = await fetch(`${app.url}/api/health`);
        expect(h.status).toBe(200);
        const tile = await fetch(`${app.url}/tiles/service-areas/14/13190/6753.mvt`);
        expect(tile.status).toBe(200);
        expect(Date.now() - t0).toBeLessThan(3000);
      } finally {
        await lock.release();
      }
      expect(await Promise.all(heavyOnes)).toEqual(Array(10).fill(200));
    });

    it('beyond the heavy requests allowed at once, the next waits briefly, then 503 + Retry-After', async () => {
      const app = await appWith({ HEAVY_CONCURRENCY: '1', HEAVY_TIMEOUT_MS: '60000' });
      const lock = await lockBuildings();
      try {
        const first = post(
          app.url,
          '/api/service-areas/validate',
          { feature: area(rect(25, 0, 125, 100)) },
          w.tokens.admin,
        );
        await expect
          .poll(async () =>
            Number(
              (
                await w.t.db.light.query<{ n: number }>(
                  `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
                )
              ).rows[0]!.n,
            ),
          )
          .toBeGreaterThanOrEqual(1);
        const second = await post(
          app.url,
          '/api/service-areas/validate',
          { feature: area(rect(25, 0, 125, 100)) },
          w.tokens.admin,
        );
        expect(second.status).toBe(503);
        expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
        await lock.release();
        expect((await first).status).toBe(200);
      } catch (e) {
        await lock.release().catch(() => undefined);
        throw e;
      }
    });
  });

  describe.skipIf(TEST_DB_KIND !== 'embedded')('embedded: the database works in a thread of its own', () => {
    it('issue 10 #5 (embedded): a heavy statement no longer freezes the server, and a heavy request past its deadline gets 503 timeout', async () => {
      const app = await appWith({ HEAVY_TIMEOUT_MS: '500' });
      const timed = async (path: string, init?: RequestInit) => {
        const t0 = Date.now();
        const r = await fetch(`${app.url}${path}`, init);
        const body = Buffer.from(await r.arrayBuffer());
        return { status: r.status, ms: Date.now() - t0, body };
      };
      const tile = '/tiles/service-areas/14/13190/6753.mvt';
      // The tile cached, with its version from the live change feed (no database round trip).
      expect((await timed(tile)).status).toBe(200);
      await expect
        .poll(async () => JSON.parse((await timed('/api/health')).body.toString()).feed.live)
        .toBe(true);

      // A street's gaps computation stand-in: 6 s of real work in the database.
      let busyFor = 0;
      const t0 = Date.now();
      const busy = w.t.db.query(BUSY_SQL, [until(6000)]).then(() => (busyFor = Date.now() - t0));

      // Each answered while the statement still ran (a frozen server answers only after it): a
      // condition, not a time bound, so a busy machine's slower answers do not fail it (a 1 s bound
      // on the font failed at 1,076 ms beside two browser walks).
      const whileBusy = (what: string) =>
        expect(busyFor, `${what} answered while the database was busy`).toBe(0);
      const health = await timed('/api/health');
      expect(health.status).toBe(200);
      whileBusy('health');
      expect(JSON.parse(health.body.toString())).toMatchObject({ status: 'ok', db: 'embedded', busy: true });
      const cached = await timed(tile);
      expect(cached.status).toBe(200);
      whileBusy('a cached tile');
      const font = await timed('/fonts/NotoSansSC-Regular.ttf');
      expect(font.status).toBe(200);
      whileBusy('a font');
      // A heavy read waits for the database no longer than its deadline: 503 timeout, as on a server.
      const heavyOne = await timed('/api/service-areas/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${w.tokens.admin}` },
        body: JSON.stringify({ feature: area(rect(25, 0, 125, 100)) }),
      });
      expect(heavyOne.status).toBe(503);
      expect(JSON.parse(heavyOne.body.toString()).error.code).toBe('timeout');
      whileBusy('a heavy read past its deadline');
      // All of it while the statement still ran.
      expect(busyFor).toBe(0);
      await busy;
      expect(busyFor).toBeGreaterThanOrEqual(5500);
      const after = await timed('/api/health');
      expect(JSON.parse(after.body.toString())).toMatchObject({ status: 'ok', busy: false });
    });
  });
});
