/**
 * `npm run soak [-- --seconds 60 --clients 20]`: two app processes (server/index.ts) on a throwaway
 * PostgreSQL cluster of their own, `clients` clients shared between them, for `seconds` of service-area
 * creates, edits and deletes with deliberate conflicts (stale If-Match → 409) and overlaps (→ 422).
 * Prints throughput, latency p50/p95/p99, the answers by status, 5xx, acknowledged writes lost and
 * overlapping areas left; exits 1 when any 5xx, lost write or overlap. tests/fault/soak.test.ts runs
 * a 10 s variant in CI.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { login, startAppProcess, startCluster } from '../tests/fault/harness.ts';

export interface SoakOptions {
  seconds: number;
  clients: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  serverErrors: number;
  lostWrites: number;
  overlaps: number;
  conflicts: number;
  overlapsRefused: number;
}

const LON0 = 105.59;
const LAT0 = 30.53;
const M_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
const M_LAT = 110_574;
const pt = (x: number, y: number) => [LON0 + x / M_LON, LAT0 + y / M_LAT];
const square = (x: number, y: number, s: number) => ({
  type: 'Polygon',
  coordinates: [[pt(x, y), pt(x + s, y), pt(x + s, y + s), pt(x, y + s), pt(x, y)]],
});
const wkt = (x: number, y: number, s: number) =>
  `POLYGON((${square(x, y, s)
    .coordinates[0]!.map((c) => c.join(' '))
    .join(',')}))`;

/** Slots on a 40 × 40 grid, 60 m apart (2.4 km square): an area is 40 m, a building 10 m inside. */
const GRID = 40;
const SPACING = 60;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? console.log;
  const cluster = await startCluster();
  const apps: Awaited<ReturnType<typeof startAppProcess>>[] = [];
  try {
    const boot = new pg.Client({ connectionString: cluster.url });
    apps.push(await startAppProcess(cluster.url));
    apps.push(await startAppProcess(cluster.url));
    await boot.connect();
    const values: string[] = [];
    for (let i = 0; i < GRID; i++)
      for (let j = 0; j < GRID; j++)
        values.push(
          `(${1 + i * GRID + j}, ST_GeomFromText('${wkt(i * SPACING + 15, j * SPACING + 15, 10)}', 4326))`,
        );
    await boot.query(`INSERT INTO buildings (id, geom) VALUES ${values.join(',')}`);
    await boot.end();
    const token = await login(apps[0]!.url, 'admin', 'Fault-Test-Pass-2026');
    log(`soak: ${opts.clients} clients on 2 processes for ${opts.seconds} s`);

    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const created = new Map<number, number>(); // id → version, acknowledged and not deleted
    const deleted = new Set<number>();
    let conflicts = 0;
    let overlapsRefused = 0;
    const deadline = Date.now() + opts.seconds * 1000;

    const request = async (base: string, method: string, path: string, body?: unknown, ifMatch?: string) => {
      const t0 = performance.now();
      let status: number;
      let json: Record<string, unknown> = {};
      try {
        const r = await fetch(`${base}/api/service-areas${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...(ifMatch ? { 'if-match': ifMatch } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        status = r.status;
        const text = await r.text();
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        status = 599; // no answer: counted as a server error
      }
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      return { status, json };
    };

    const client = async (k: number) => {
      const base = apps[k % 2]!.url;
      let n = 0;
      while (Date.now() < deadline) {
        n++;
        const op = Math.random();
        const mine = [...created.keys()];
        if (op < 0.45 || mine.length < 5) {
          // Create in a random slot; a slot already taken answers 422 overlap. One in five is shifted
          // half a slot: it overlaps its neighbours on purpose.
          const i = Math.floor(Math.random() * GRID);
          const j = Math.floor(Math.random() * GRID);
          const shift = Math.random() < 0.2 ? SPACING / 2 : 0;
          const r = await request(base, 'POST', '', {
            type: 'Feature',
            geometry: square(i * SPACING + shift, j * SPACING, 40),
            properties: { name: `soak ${k}-${n}`, management_mode: 'professional' },
          });
          if (r.status === 201) created.set(r.json.id as number, r.json.version as number);
          else if (r.status === 422) overlapsRefused++;
        } else if (op < 0.8) {
          // Edit a name; one in four with a stale If-Match on purpose (409).
          const id = mine[Math.floor(Math.random() * mine.length)]!;
          const v = created.get(id)!;
          const stale = Math.random() < 0.25;
          const cur = await request(base, 'GET', `/${id}`);
          if (cur.status !== 200) continue;
          const r = await request(
            base,
            'PUT',
            `/${id}`,
            { ...cur.json, properties: { ...(cur.json.properties as object), name: `edit ${k}-${n}` } },
            `"${stale ? Math.max(1, v - 1) : (cur.json.properties as { version: number }).version}"`,
          );
          if (r.status === 200 && created.has(id)) created.set(id, r.json.version as number);
          if (r.status === 409) conflicts++;
        } else {
          const id = mine[Math.floor(Math.random() * mine.length)]!;
          const cur = await request(base, 'GET', `/${id}`);
          if (cur.status !== 200) continue;
          const r = await request(
            base,
            'DELETE',
            `/${id}`,
            undefined,
            `"${(cur.json.properties as { version: number }).version}"`,
          );
          if (r.status === 204) {
            created.delete(id);
            deleted.add(id);
          } else if (r.status === 409) conflicts++;
        }
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: opts.clients }, (_, k) => client(k)));
    const elapsed = (Date.now() - t0) / 1000;

    const check = new pg.Client({ connectionString: cluster.url });
    await check.connect();
    const ids = [...created.keys()];
    const present = await check.query<{ id: string }>(
      'SELECT id FROM service_areas WHERE id = ANY($1::bigint[])',
      [ids],
    );
    const back = await check.query<{ id: string }>(
      'SELECT id FROM service_areas WHERE id = ANY($1::bigint[])',
      [[...deleted]],
    );
    const overlaps = await check.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM service_areas a JOIN service_areas b
         ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, 'T********')
            AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 0.01`,
    );
    await check.end();
    const sorted = [...latencies].sort((a, b) => a - b);
    const q = (p: number) =>
      Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10;
    const serverErrors = Object.entries(statuses)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    const result: SoakResult = {
      requests: latencies.length,
      perSecond: Math.round((latencies.length / elapsed) * 10) / 10,
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      statuses,
      serverErrors,
      lostWrites: ids.length - present.rowCount! + back.rowCount!,
      overlaps: overlaps.rows[0]!.n,
      conflicts,
      overlapsRefused,
    };
    for (const a of apps)
      if (a.exited() !== undefined) throw new Error(`an app process died:\n${a.output()}`);
    return result;
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    cluster.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const r = await runSoak({ seconds: arg('seconds', 60), clients: arg('clients', 20) });
  console.log(
    [
      `requests      ${r.requests} (${r.perSecond}/s)`,
      `latency ms    p50 ${r.p50}  p95 ${r.p95}  p99 ${r.p99}`,
      `answers       ${JSON.stringify(r.statuses)}`,
      `conflicts     ${r.conflicts} × 409 (stale If-Match), ${r.overlapsRefused} × 422 (overlap refused)`,
      `5xx           ${r.serverErrors}`,
      `lost writes   ${r.lostWrites}`,
      `overlaps left ${r.overlaps}`,
    ].join('\n'),
  );
  process.exit(r.serverErrors || r.lostWrites || r.overlaps ? 1 : 0);
}
