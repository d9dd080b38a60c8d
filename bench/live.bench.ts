/**
 * Live map latency (issue 12: "open maps redraw … within 1 s of a commit made through any process"):
 * how long after a save through one app process a map listening on `GET /api/events` of another
 * process hears it. On PostgreSQL two processes share the database (the commit's NOTIFY reaches the
 * other's listener, which streams it); on the embedded database one process serves both, as it does
 * in production. Each save is a camera POST through process A, one at a time; the time is taken from
 * A's answer to the `change` frame naming the new id on B's stream (and from the request sent).
 * Target: p95 ≤ 1,000 ms. The reference, in the same run, is the save's own round trip.
 *
 *   npx tsx bench/live.bench.ts      (BENCH_LIVE_SAVES, default 100; BENCH_DB=postgres|embedded|both)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { ChangeEvent } from '../core/change-event.ts';
import { openSse } from '../tests/helpers/sse.ts';
import { benchPostgres, freePort, percentile, report, round, startServer, type Comparison } from './lib.ts';

const SAVES = Number(process.env.BENCH_LIVE_SAVES ?? 100);
const WHICH = process.env.BENCH_DB ?? 'both';
const PASSWORD = 'Bench-Live-Pass-2026';
const TARGET_MS = 1000;

async function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = await startServer(
    port,
    {
      AUTH_SECRET: 'bench-live',
      ADMIN_PASSWORD: PASSWORD,
      DEMO_BUILDINGS: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    180_000,
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Saves through `a`, heard on `b`'s event stream: ms from A's answer, from the request, and the round trip. */
async function measure(a: string, b: string): Promise<{ heard: number[]; sent: number[]; save: number[] }> {
  const login = await fetch(`${a}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const t = await fetch(`${b}/api/events/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const { ticket } = (await t.json()) as { ticket: string };
  const stream = await openSse(`${b}/api/events?ticket=${ticket}`);
  if (stream.status !== 200) throw new Error(`GET /api/events: ${stream.status}`);
  await stream.next((f) => f.event === 'ready', 30_000);
  const heard: number[] = [];
  const sent: number[] = [];
  const save: number[] = [];
  try {
    for (let i = -5; i < SAVES; i++) {
      const t0 = performance.now();
      const r = await fetch(`${a}/api/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [105.5912 + (i + 5) * 2e-5, 30.5262] },
          properties: {
            name: `live-${i}`,
            system: 'xueliang',
            type: 'fixed',
            direction_deg: 90,
            fov_deg: 85,
            range_m: 40,
          },
        }),
      });
      const answered = performance.now();
      if (r.status !== 201) throw new Error(`save ${i}: ${r.status} ${await r.text()}`);
      const { id } = (await r.json()) as { id: number };
      await stream.next((f) => {
        if (f.event !== 'change') return false;
        const ev = JSON.parse(f.data!) as ChangeEvent;
        return Object.values(ev.changes.cameras ?? {}).some((ids) => ids?.includes(id));
      }, 30_000);
      const at = performance.now();
      // The first five warm connections and plans up; not counted.
      if (i < 0) continue;
      heard.push(at - answered);
      sent.push(at - t0);
      save.push(answered - t0);
    }
  } finally {
    stream.close();
  }
  for (const xs of [heard, sent, save]) xs.sort((x, y) => x - y);
  return { heard, sent, save };
}

function figures(
  kind: string,
  r: { heard: number[]; sent: number[]; save: number[] },
  metrics: Record<string, number | string>,
  comparisons: Comparison[],
): void {
  const p = (xs: number[], q: number) => round(percentile(xs, q), 1);
  metrics[`${kind} heard after the save answered p50 / p95 / max ms`] =
    `${p(r.heard, 50)} / ${p(r.heard, 95)} / ${p(r.heard, 100)}`;
  metrics[`${kind} heard after the save was sent p50 / p95 / max ms`] =
    `${p(r.sent, 50)} / ${p(r.sent, 95)} / ${p(r.sent, 100)}`;
  metrics[`${kind} save round trip p50 / p95 ms`] = `${p(r.save, 50)} / ${p(r.save, 95)}`;
  const heard95 = percentile(r.heard, 95);
  comparisons.push({
    what: `${kind}: a save heard on another map's event stream, p95 after the save answered`,
    unit: 'ms',
    value: round(heard95, 1),
    reference: round(percentile(r.save, 95), 1),
    referenceName: 'the save round trip, p95',
    ratio: round(heard95 / percentile(r.save, 95)),
    target: `≤ ${TARGET_MS} ms`,
    pass: heard95 <= TARGET_MS,
  });
}

export async function run(): Promise<void> {
  const metrics: Record<string, number | string> = { saves: SAVES };
  const comparisons: Comparison[] = [];
  if (WHICH !== 'embedded') {
    const db = await benchPostgres('live');
    const procs: ChildProcess[] = [];
    try {
      const a = await start({ DATABASE_URL: db.url });
      procs.push(a.child);
      const b = await start({ DATABASE_URL: db.url });
      procs.push(b.child);
      figures('postgres, two processes', await measure(a.url, b.url), metrics, comparisons);
    } finally {
      await Promise.all(procs.map(stop));
      await db.stop();
    }
  }
  if (WHICH !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'wuyou-bench-live-'));
    let child: ChildProcess | undefined;
    try {
      const a = await start({ DATABASE_URL: '', PGLITE_DIR: join(dir, 'pglite') });
      child = a.child;
      figures('embedded, one process', await measure(a.url, a.url), metrics, comparisons);
    } finally {
      if (child) await stop(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  report('live', metrics, comparisons);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
