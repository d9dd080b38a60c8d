/**
 * issue 12 (one change feed): two app processes (server/index.ts) on one PostgreSQL database keep the
 * tile layer versions in memory from LISTEN/NOTIFY. An edit through one is on the other's next tile
 * once the other has heard it; with the other's listening connection killed (pg_terminate_backend)
 * its tiles stay correct (it reads versions per request), and it listens again.
 *
 * Runs with the server tests (DATABASE_URL set), on a database of its own made on that server.
 */
import { randomBytes } from 'node:crypto';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../helpers/sse.ts';
import { startAppProcess, login, type AppProcess, START_LIMIT_MS } from './harness.ts';

const base = process.env.DATABASE_URL;
// Camera tile z16 holding 105.5912 E, 30.5262 N.
const TILE = '/tiles/cameras/16/51990/26927.mvt';

interface Health {
  feed: { live: boolean; lastEventId: number | null; losses: number };
}

describe.skipIf(!base)('issue 12: one change feed across two app processes', () => {
  let name: string;
  let url: string;
  let a: AppProcess;
  let b: AppProcess;
  let token: string;

  const health = async (p: AppProcess) => (await (await fetch(`${p.url}/api/health`)).json()) as Health;
  const waitFor = async (what: string, p: AppProcess, ok: (h: Health) => boolean) => {
    const until = Date.now() + 60_000;
    for (;;) {
      const h = await health(p);
      if (ok(h)) return h;
      if (Date.now() > until) throw new Error(`${what}: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const cameraNames = async (p: AppProcess) => {
    const r = await fetch(p.url + TILE);
    expect(r.status).toBe(200);
    const layer = new VectorTile(new PbfReader(new Uint8Array(await r.arrayBuffer()))).layers.cameras;
    return Array.from({ length: layer?.length ?? 0 }, (_, i) => layer!.feature(i).properties.id);
  };
  const addCamera = async (via: AppProcess, i: number): Promise<number> => {
    const r = await fetch(`${via.url}/api/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [105.5912 + i * 1e-5, 30.5262] },
        properties: {
          name: `feed-${i}`,
          system: 'xueliang',
          type: 'fixed',
          direction_deg: 90,
          fov_deg: 85,
          range_m: 40,
        },
      }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: number }).id;
  };
  const sql = async (text: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(text)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(
    async () => {
      name = `wuyou_feed_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const u = new URL(base!);
      u.pathname = `/${name}`;
      url = u.toString();
      a = await startAppProcess(url);
      // B waits 3 s before it listens again, so the test sees it serve tiles with the feed down.
      b = await startAppProcess(url, { FEED_RETRY_MS: '3000' });
      token = await login(a.url, 'admin', 'Fault-Test-Pass-2026');
      await waitFor('B never listened', b, (h) => h.feed.live);
    },
    // two starts, each allowed the harness's limit
    2 * START_LIMIT_MS + 60_000,
  );
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it("an edit through A is on B's next tile once B heard it; killed listener: still correct, and back", async () => {
    expect(await cameraNames(b)).toEqual([]); // B caches the empty tile
    const before = (await health(b)).feed.lastEventId ?? 0;
    const t0 = performance.now();
    const first = await addCamera(a, 0);
    await waitFor('B never heard the edit', b, (h) => (h.feed.lastEventId ?? 0) > before);
    const heardMs = performance.now() - t0;
    expect(await cameraNames(b)).toEqual([first]);
    console.log(`issue 12 feed: B heard A's save ${heardMs.toFixed(1)} ms after the POST was sent`);

    // Kill every listening connection of this database; B notices and reads versions per request.
    const { losses } = (await health(b)).feed;
    const killed = await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'wuyou-change-feed' AND datname = current_database()`,
    );
    expect(killed.length).toBeGreaterThanOrEqual(2);
    await waitFor('B never noticed its listener died', b, (h) => h.feed.losses > losses && !h.feed.live);
    const second = await addCamera(a, 1);
    expect((await cameraNames(b)).sort()).toEqual([first, second].sort()); // no waiting: read per request

    // B listens again, catches up, and serves from memory once more.
    await waitFor('B never listened again', b, (h) => h.feed.live);
    const third = await addCamera(a, 2);
    const idNow = (await sql('SELECT max(id) AS id FROM change_events'))[0].id as number;
    await waitFor('B never heard the edit after reconnecting', b, (h) => (h.feed.lastEventId ?? 0) >= idNow);
    expect((await cameraNames(b)).sort()).toEqual([first, second, third].sort());
    expect(b.exited()).toBeUndefined();
  });

  it('SIGTERM ends open event streams and the process exits cleanly (0), not by its 10 s fallback', async () => {
    const r = await fetch(`${b.url}/api/events/ticket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const { ticket } = (await r.json()) as { ticket: string };
    const s = await openSse(`${b.url}/api/events?ticket=${ticket}`);
    await s.next((f) => f.event === 'ready');
    await b.stop();
    await s.ended;
    // 0: it closed by itself; the 10 s fallback of server/index.ts would have exited 1.
    expect(b.exited()).toBe('0');
  });
});
