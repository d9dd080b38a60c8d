/**
 * Import page memory (issue 11, scale and memory): the server's resident set while a ~250 MB GeoJSON
 * of buildings is uploaded through POST /api/imports, previewed and committed, on PostgreSQL. The
 * server runs as in production (`node --import tsx server/index.ts`) in a child process; its VmRSS is
 * sampled from /proc every 100 ms during each step. The reference is the same process after sign-in,
 * before the upload. BENCH_ROOT runs the server of another checkout (e.g. an older commit extracted
 * with `git archive`, node_modules linked), to compare before and after a change.
 *
 *   npx tsx bench/upload.bench.ts     (BENCH_UPLOAD_MB, default 250; DATABASE_URL as for the others)
 *
 * Measured 2026-12-02 (2 shared cores, PostgreSQL 15, 248 MB, 104,440 buildings): peak RSS 321 MB
 * (idle 160; upload 251, preview 314, commit 321) with the upload in pieces (8d3e77d); 2,615 MB before
 * it (aad21bf: upload 891, preview 2,615, commit 2,592). A 50 MB file: peak 349 MB.
 * Measured 2026-12-02 21:06 UTC, BENCH_UPLOAD_MB=2048 (issue 11's 2 GB), load 6: 2,033 MB, 855,572 buildings, all
 * committed; peak RSS 337 MB (idle 154; upload 232 in 92.5 s, preview 318 in 68.6 s, commit 337 in 89.9 s).
 */
import type { ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { demoCity } from '../data/demo-city/index.ts';
import { benchPostgres, report, round, startServer } from './lib.ts';

const ROOT = process.env.BENCH_ROOT || fileURLToPath(new URL('..', import.meta.url));
const TARGET_MB = Number(process.env.BENCH_UPLOAD_MB ?? 250);
const PASSWORD = 'bench-upload-2026';

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

/** Buildings of the demo city with a long remark each (real files carry many attributes), ~`mb` MB. */
async function writeGeoJson(file: string, mb: number): Promise<{ features: number; bytes: number }> {
  const note = '测绘备注 survey remark '.repeat(80); // ~2.3 KB of UTF-8
  const perFeature = 350 + Buffer.byteLength(note);
  const n = Math.ceil((mb * 2 ** 20) / perFeature);
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('{"type":"FeatureCollection","features":[\n');
  let i = 0;
  for (const chunk of demoCity({ buildings: n }).chunks()) {
    for (const b of chunk.buildings) {
      if (i === n) break;
      const coords: string[] = [];
      for (let k = 0; k < b.ring.length; k += 2) coords.push(`[${b.ring[k]},${b.ring[k + 1]}]`);
      const props = JSON.stringify({ name: b.name, address: b.address, floors: b.floors, note });
      await write(
        `${i ? ',\n' : ''}{"type":"Feature","properties":${props},"geometry":{"type":"Polygon","coordinates":[[${coords.join(',')}]]}}`,
      );
      i++;
    }
    if (i === n) break;
  }
  await write('\n]}\n');
  await new Promise<void>((r) => out.end(() => r()));
  return { features: i, bytes: statSync(file).size };
}

function start(databaseUrl: string, port: number): Promise<ChildProcess> {
  return startServer(
    port,
    {
      DATABASE_URL: databaseUrl,
      DEMO_BUILDINGS: '0',
      ADMIN_PASSWORD: PASSWORD,
      AUTH_SECRET: 'bench',
      LOG_LEVEL: 'warn',
      IMPORT_UPLOAD_MAX_MB: String(Math.max(1024, Math.ceil(TARGET_MB * 1.1))),
      HEAVY_RATE_PER_MIN: '100000',
      HEAVY_TIMEOUT_MS: '600000',
    },
    10 * 60_000,
    ROOT,
  );
}

/** Runs `step` while sampling the server's VmRSS; its highest sample (MB) and the step's seconds. */
async function sampled<T>(
  pid: number,
  step: () => Promise<T>,
): Promise<{ value: T; peakMb: number; s: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
  const t0 = performance.now();
  try {
    const value = await step();
    peak = Math.max(peak, rssMb(pid));
    return { value, peakMb: peak, s: round((performance.now() - t0) / 1000, 1) };
  } finally {
    clearInterval(timer);
  }
}

/** POSTs the file as the body, streamed from disk, with its length. */
function upload(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(statSync(file).size),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wuyou-bench-upload-'));
  const pg = await benchPostgres('upload');
  const port = Number(process.env.BENCH_PORT ?? 4150);
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  try {
    const file = join(dir, 'buildings.geojson');
    const made = await writeGeoJson(file, TARGET_MB);
    child = await start(pg.url, port);
    const pid = child.pid!;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(pid);

    const up = await sampled(pid, () => upload(`${base}/api/imports?name=buildings.geojson`, token, file));
    if (up.value.status !== 201) throw new Error(`upload answered ${up.value.status}: ${up.value.body}`);
    const { id } = JSON.parse(up.value.body) as { id: string };
    const preview = await sampled(pid, async () => {
      const r = await fetch(`${base}/api/imports/${id}/preview`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!r.ok) throw new Error(`preview answered ${r.status}: ${await r.text()}`);
      return ((await r.json()) as { total: number }).total;
    });
    const commit = await sampled(pid, async () => {
      // Progress lines as it goes: a commit of minutes would outlast fetch's 300 s wait for headers.
      const r = await fetch(`${base}/api/imports/${id}/commit?progress=ndjson`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          target: 'buildings',
          mapping: { name: 'name', address: 'address', floors: 'floors' },
        }),
      });
      const text = await r.text();
      const last = JSON.parse(text.trim().split('\n').pop() ?? '{}') as {
        result?: { inserted: number };
        error?: unknown;
      };
      if (!r.ok || !last.result) throw new Error(`commit answered ${r.status}: ${JSON.stringify(last)}`);
      return last.result.inserted;
    });
    const hwm = rssMb(pid, 'VmHWM');
    report(
      'upload',
      {
        server: ROOT,
        fileMb: round(made.bytes / 2 ** 20, 1),
        features: made.features,
        idleRssMb: idle,
        uploadPeakRssMb: up.peakMb,
        uploadS: up.s,
        previewPeakRssMb: preview.peakMb,
        previewS: preview.s,
        previewTotal: preview.value,
        commitPeakRssMb: commit.peakMb,
        commitS: commit.s,
        inserted: commit.value,
        peakRssMb: hwm,
        growthMb: round(hwm - idle, 1),
      },
      [],
    );
  } finally {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
