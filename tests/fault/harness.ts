/**
 * What the fault test and the soak need: a throwaway PostgreSQL 15 + PostGIS cluster of their own
 * (never the shared dev server: they restart it), and app processes running server/index.ts on it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const PGBIN = '/usr/lib/postgresql/15/bin';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as user postgres when we are root (initdb refuses root). */
function asPostgres(bin: string, args: string[]): void {
  const cmd = join(PGBIN, bin);
  if (process.getuid?.() === 0)
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  else execFileSync(cmd, args, { stdio: 'pipe' });
}

export interface Cluster {
  url: string;
  port: number;
  /** pg_ctl stop -m fast: every connection ends, new ones are refused. */
  stop(): void;
  start(): void;
  /** pg_ctl restart -m fast. */
  restart(): void;
  /** Stops the cluster and deletes its folder. */
  destroy(): void;
}

/** initdb + pg_ctl start in a temp folder on a free port, trust auth, PostGIS created. */
export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'wuyou-fault-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const data = join(dir, 'data');
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const ctl = (...args: string[]) =>
    asPostgres('pg_ctl', [
      '-D',
      data,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      join(dir, 'log'),
      '-w',
      ...args,
    ]);
  ctl('start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await c.end();
  return {
    url,
    port,
    stop: () => ctl('-m', 'fast', 'stop'),
    start: () => ctl('start'),
    restart: () => ctl('-m', 'fast', 'restart'),
    destroy() {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Exit code or signal once it ended; undefined while it runs. */
  exited(): string | undefined;
  /** Everything it wrote to stderr (and stdout), for the failure message. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** How long an app process may take to serve /api/health before it counts as hung. */
export const START_LIMIT_MS = 300_000;

/** `node --import tsx server/index.ts` on `databaseUrl`, resolved once /api/health answers 200. */
export async function startAppProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  root = ROOT,
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_SECRET: 'fault-test-secret',
      ADMIN_PASSWORD: 'Fault-Test-Pass-2026',
      DEMO_BUILDINGS: '0',
      LOG_LEVEL: 'warn',
      CLIENT_DIST: join(root, 'no-client-dist'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let ended: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = `${code ?? signal}`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (ended !== undefined) throw new Error(`app process exited (${ended}) before it served:\n${out}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    // A hung start, not a slow one: on a busy two-core CI machine (both databases' suites and their
    // browsers at once) a start once took over 120 s — tsx compiling, migrating a new database.
    if (Date.now() - t0 > START_LIMIT_MS) {
      child.kill('SIGKILL');
      throw new Error(
        `app process did not answer /api/health within ${START_LIMIT_MS / 1000} s:\n${out || '(no output)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    exited: () => ended,
    output: () => out,
    async stop() {
      if (ended === undefined && !child.killed) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** A bearer token from POST /api/auth/login. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login of ${username} answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
