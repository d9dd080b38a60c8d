/**
 * Read-replica benchmark (issue 12): the same tile and read requests through an app without a replica
 * and through one with DATABASE_READ_URL, in turns, on one machine.
 *  - uncached building tiles (TILE_CACHE_MB=0) at z15/z16: with the replica the statement runs there;
 *  - cached tiles: the replica is only consulted on a miss, so these should not move;
 *  - what a session whose own write the known replay position does not cover pays: one read of
 *    `pg_last_wal_replay_lsn()` on the replica.
 * Both servers share this machine's cores, so a replica cannot add throughput here; what this measures
 * is what the routing costs. On separate machines the replica's share is the database's whole cost.
 *
 * Needs DATABASE_URL and DATABASE_READ_URL (a streaming replica of that server); otherwise skipped.
 * `npx tsx bench/replica.bench.ts`; BENCH_BUILDINGS (default 20,000), BENCH_SECONDS per figure (6).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { migrate, type Db } from '../server/src/db/index.ts';
import { createPostgresDb } from '../server/src/db/postgres.ts';
import { LAYERS } from '../server/src/layers.ts';
import { versionedTileStatement } from '../server/src/tiles/postgis-encoder.ts';
import { TILE_BUFFER, TILE_EXTENT, partsAt } from '../server/src/tiles/tile.ts';
import { benchPostgres, keepAliveGet, percentile, report, round, type Comparison } from './lib.ts';

const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = 3;
const CONCURRENCY = 2;

type Loop = (path: string) => Promise<number>;

function client(port: number): Loop {
  return keepAliveGet(port, CONCURRENCY);
}

/** Each loop over `paths` in turns (A B A B …), `CONCURRENCY` workers, about `SECONDS` each in all. */
async function inTurns(paths: string[], loops: Loop[]): Promise<Array<{ rate: number; p95: number }>> {
  const acc = loops.map(() => ({ times: [] as number[], seconds: 0 }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, get] of loops.entries()) {
      const a = acc[k]!;
      const t0 = performance.now();
      do {
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let i = next++; i < paths.length; i = next++) {
              const s = performance.now();
              await get(paths[i]!);
              a.times.push(performance.now() - s);
            }
          }),
        );
      } while (performance.now() - t0 < (SECONDS * 1000) / ROUNDS);
      a.seconds += (performance.now() - t0) / 1000;
    }
  }
  return acc.map((a) => ({
    rate: a.times.length / a.seconds,
    p95: percentile(
      a.times.sort((p, q) => p - q),
      95,
    ),
  }));
}

function tilesOver([w, s, e, n]: number[], z: number, max: number): string[] {
  const m = 2 ** z;
  const tx = (lon: number) => Math.floor(((lon + 180) / 360) * m);
  const ty = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * m);
  };
  const out: string[] = [];
  for (let x = tx(w!); x <= tx(e!); x++)
    for (let y = ty(n!); y <= ty(s!); y++) out.push(`/tiles/buildings/${z}/${x}/${y}.mvt`);
  // Spread over the city rather than its first rows.
  const step = Math.max(1, Math.floor(out.length / max));
  return out.filter((_, i) => i % step === 0).slice(0, max);
}

export async function run(): Promise<void> {
  const readBase = process.env.DATABASE_READ_URL;
  if (!process.env.DATABASE_URL || !readBase) {
    console.warn(
      'replica bench skipped: it needs DATABASE_URL and DATABASE_READ_URL (a streaming replica of it)',
    );
    return;
  }
  const pgb = await benchPostgres('replica');
  const readUrl = new URL(readBase);
  readUrl.pathname = `/${pgb.database}`;
  const dbs: Db[] = [];
  const servers: http.Server[] = [];
  const pools: pg.Pool[] = [];
  const replicaAdmin = new pg.Client({ connectionString: readBase });
  try {
    const db = createPostgresDb({ connectionString: pgb.url });
    dbs.push(db);
    await migrate(db);
    const { seedDemoCity } = await import('../server/src/seed.ts');
    await seedDemoCity(db, { buildings: BUILDINGS });
    await db.query('ANALYZE');
    const lsn = (await db.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
    await replicaAdmin.connect();
    while (
      !(
        await replicaAdmin.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
          lsn,
        ])
      ).rows[0]!.ok
    )
      await new Promise((r) => setTimeout(r, 100));
    const e = (
      await db.query<{ w: number; s: number; e: number; n: number }>(
        'SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(geom) AS x FROM buildings) q',
      )
    ).rows[0]!;

    const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_SECRET: 'bench', DATABASE_URL: pgb.url });
    const logger = pino({ level: 'silent' });
    const start = async (withReplica: boolean, cacheMb: number) => {
      const d = createPostgresDb({
        connectionString: pgb.url,
        max: CONCURRENCY,
        lightMax: CONCURRENCY,
        replica: withReplica ? { connectionString: readUrl.toString() } : undefined,
      });
      dbs.push(d);
      const saved = process.env.TILE_CACHE_MB;
      process.env.TILE_CACHE_MB = String(cacheMb);
      const app = createApp({ db: d, config, logger });
      if (saved === undefined) delete process.env.TILE_CACHE_MB;
      else process.env.TILE_CACHE_MB = saved;
      const server = await new Promise<http.Server>((r) => {
        const s = app.listen(0, '127.0.0.1', () => r(s));
      });
      servers.push(server);
      if (withReplica) while (d.replica!.state !== 'up') await new Promise((r) => setTimeout(r, 50));
      return client((server.address() as AddressInfo).port);
    };
    const primaryOnly = await start(false, 0);
    const viaReplica = await start(true, 0);
    const primaryCached = await start(false, 256);
    const replicaCached = await start(true, 256);

    const metrics: Record<string, number | string> = {
      city: `demo city (${BUILDINGS} buildings)`,
      concurrency: CONCURRENCY,
      secondsPerFigure: SECONDS,
      note: 'primary and replica on the same machine: they share its cores',
    };
    const comparisons: Comparison[] = [];
    const cmp = (what: string, value: number, reference: number, target: number): Comparison => ({
      what,
      unit: 'req/s',
      value,
      reference,
      referenceName: 'same app, no replica',
      ratio: value / reference,
      target: `≥ ${target}`,
      pass: value / reference >= target,
    });
    // The tile statement straight on each server through `pg`, to tell the standby's own speed from
    // what the app's routing adds.
    const straight = (url: string): Loop => {
      const pool = new pg.Pool({
        connectionString: url,
        max: CONCURRENCY,
        options: '-c jit=off -c max_parallel_workers_per_gather=0',
      });
      pools.push(pool);
      return async (path) => {
        const [z, x, y] = path.match(/\d+/g)!.map(Number) as [number, number, number];
        const r = await pool.query<{ mvt: Buffer | null }>({
          name: `bench_tile_${z}`,
          text: versionedTileStatement(partsAt(LAYERS.buildings, z)),
          values: [z, x, y, TILE_BUFFER / TILE_EXTENT, 'buildings'],
        });
        return r.rows[0]?.mvt?.length ?? 0;
      };
    };
    const onPrimary = straight(pgb.url);
    const onStandby = straight(readUrl.toString());
    for (const z of [15, 16]) {
      const paths = tilesOver([e.w, e.s, e.e, e.n], z, 300);
      const loops = [primaryOnly, viaReplica, primaryCached, replicaCached, onPrimary, onStandby];
      for (const p of paths) for (const get of loops) await get(p);
      const [a, b, c, d, f, g] = await inTurns(paths, loops);
      metrics[`z${z} statement via pg, primary: tiles/s`] = round(f!.rate, 1);
      metrics[`z${z} statement via pg, replica: tiles/s`] = round(g!.rate, 1);
      metrics[`z${z} tiles`] = paths.length;
      metrics[`z${z} uncached, primary only: tiles/s`] = round(a!.rate, 1);
      metrics[`z${z} uncached, replica: tiles/s`] = round(b!.rate, 1);
      metrics[`z${z} uncached p95 ms (primary / replica)`] = `${round(a!.p95, 2)} / ${round(b!.p95, 2)}`;
      metrics[`z${z} cached, primary only: tiles/s`] = round(c!.rate, 1);
      metrics[`z${z} cached, replica configured: tiles/s`] = round(d!.rate, 1);
      comparisons.push(
        cmp(`z${z} uncached tiles read on the replica`, b!.rate, a!.rate, 0.9),
        cmp(`z${z} cached tiles with a replica configured`, d!.rate, c!.rate, 0.95),
      );
    }

    // What a session ahead of the known replay position pays before its read: one position read.
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      await replicaAdmin.query(
        'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed',
      );
      times.push(performance.now() - s);
    }
    times.sort((p, q) => p - q);
    metrics['replay position read on the replica: median ms'] = round(percentile(times, 50), 3);
    metrics['replay position read on the replica: p95 ms'] = round(percentile(times, 95), 3);
    report('replica', metrics, comparisons);
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await replicaAdmin.end().catch(() => undefined);
    for (const p of pools) await p.end();
    for (const d of dbs) await d.close();
    await pgb.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await run();
