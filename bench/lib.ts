import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { hashPassword } from '../server/src/auth.ts';
import type { Queryable } from '../server/src/db/index.ts';

/** One compared figure: ours against a reference measured in the same run. */
export interface Comparison {
  what: string;
  unit: string;
  value: number;
  reference: number;
  referenceName: string;
  /** value / reference, or reference / value for "higher is better" figures: always ≥ 1 is good when `higherIsBetter`. */
  ratio: number;
  target: string;
  pass: boolean;
}

export interface BenchResult {
  name: string;
  date: string;
  machine: string;
  metrics: Record<string, number | string>;
  comparisons: Comparison[];
}

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes bench/results/<name>.json and prints a table. */
export function report(
  name: string,
  metrics: BenchResult['metrics'],
  comparisons: Comparison[],
): BenchResult {
  const r: BenchResult = { name, date: new Date().toISOString(), machine: machine(), metrics, comparisons };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(r, null, 2) + '\n');
  console.log(`\n== ${name} (${r.machine})`);
  for (const [k, v] of Object.entries(metrics)) console.log(`  ${k}: ${v}`);
  if (comparisons.length) {
    console.table(
      comparisons.map((c) => ({
        what: c.what,
        value: `${round(c.value)} ${c.unit}`,
        reference: `${round(c.reference)} ${c.unit} (${c.referenceName})`,
        ratio: round(c.ratio),
        target: c.target,
        pass: c.pass ? 'yes' : 'NO',
      })),
    );
  }
  return r;
}

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface BenchPostgres {
  /** Connection string of a database with PostGIS, empty. */
  url: string;
  /** Connection parts for tools like ogr2ogr / pgbench. */
  host: string;
  port: number;
  user: string;
  database: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL + PostGIS database for a benchmark: a new database on the server at DATABASE_URL, or,
 * without it, a throwaway cluster started here with initdb/pg_ctl (Debian's postgresql-15-postgis-3).
 */
/**
 * A new database for one bench on DATABASE_URL's server (else a throwaway cluster started here), with
 * PostGIS; a copy of `template` (a database of that server nobody is connected to) when given.
 */
export async function benchPostgres(label: string, template?: string): Promise<BenchPostgres> {
  const name = `wuyou_bench_${label}_${process.pid}`;
  let base = process.env.DATABASE_URL;
  let stopCluster = async () => {};
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'wuyou-bench-pg-'));
    chmodSync(dir, 0o777);
    const port = 56000 + (process.pid % 1000);
    const asPg = (cmd: string[]) => {
      const root = process.getuid?.() === 0;
      const r = root
        ? spawnSync('su', ['postgres', '-c', cmd.map((a) => `'${a}'`).join(' ')], { encoding: 'utf8' })
        : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr || r.stdout}`);
    };
    asPg(['initdb', '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
    asPg([
      'pg_ctl',
      '-D',
      join(dir, 'data'),
      '-o',
      `-p ${port} -k ${dir} -c fsync=off`,
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
    ]);
    base = `postgres://postgres@127.0.0.1:${port}/postgres`;
    stopCluster = async () => {
      asPg(['pg_ctl', '-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await c.end();
  return {
    url: u.toString(),
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    database: name,
    async stop() {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      await stopCluster();
    },
  };
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A keep-alive HTTP GET against 127.0.0.1:`port` with at most `sockets` connections: resolves to the
 * body's length in bytes, rejects on any status but 200 (the benches' tile and API clients).
 */
export function keepAliveGet(port: number, sockets: number): (path: string) => Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return (path) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(n) : reject(new Error(`${path}: ${res.statusCode}`)),
          );
        })
        .on('error', reject);
    });
}

/**
 * `server/index.ts` spawned with `env` on top of this process's (HOST 127.0.0.1, PORT `port`),
 * returned once /api/health answers ok; an exit or `timeoutMs` without an answer fails. `root`:
 * the checkout whose server runs (this one by default).
 */
export async function startServer(
  port: number,
  env: Record<string, string>,
  timeoutMs: number,
  root = fileURLToPath(new URL('../', import.meta.url)),
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
}

// A free TCP port on 127.0.0.1: the fault harness's, which the soak bench uses too.
export { freePort } from '../tests/fault/harness.ts';

/**
 * The city admin `bench-admin` with `password`, made (or given that password, enabled, no change
 * asked) in a city seeded or copied beforehand, whose own admin password the bench does not know.
 * @returns the user name to sign in with
 */
export async function benchAdmin(db: Queryable, password: string): Promise<string> {
  await db.query(
    `INSERT INTO users (username, password_hash, role) VALUES ('bench-admin', $1, 'city_admin')
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'city_admin',
       must_change_password = false, disabled = false`,
    [await hashPassword(password)],
  );
  return 'bench-admin';
}
