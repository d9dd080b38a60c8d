import { resolve } from 'node:path';
import { describePasswordProblem, passwordProblem } from './accounts/passwords.ts';

/**
 * Every setting of the server, read and checked once at start. A wrong value stops the start with a
 * message naming the variable. See README.md for the table.
 */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL + PostGIS server; absent → embedded PGlite in `pgliteDir`. */
  databaseUrl?: string;
  /**
   * A streaming replica for tiles and read-only requests (DATABASE_READ_URL; server only, the
   * embedded database ignores it): reads fall back to the primary while it lags more than
   * `maxLagMs` (DATABASE_READ_MAX_LAG_MS, default 5000) or is down.
   */
  readReplica?: { url: string; maxLagMs: number };
  /** The owner's connection for migrations and the demo city; absent → DATABASE_URL does both. */
  migrationDatabaseUrl?: string;
  pgliteDir: string;
  /** Password of the demo accounts; absent → generated once and printed at first start. */
  adminPassword?: string;
  /** Token signing key; absent → a random key kept in the database's settings table. */
  authSecret?: string;
  /** 天地图 key; absent → the offline basemap only. */
  tiandituKey?: string;
  statementTimeoutMs: number;
  bodyLimit: string;
  logLevel: string;
  /** Buildings in the demo city loaded into an empty database at start; 0 → none. */
  demoBuildings: number;
  /** Folder of the built client (vite build). */
  clientDist: string;
  /** Work limits of heavy requests (issue 10 #5); see server/src/limits.ts. */
  limits: WorkLimits;
  /** Origins (scheme://host[:port]) another site may call the API from; empty → CORS closed. */
  corsOrigins: string[];
  /** Offline basemaps (MBTiles, PMTiles): where their files live and how big they may be. */
  basemaps: BasemapLimits;
  /** The change feed (issue 12); see server/src/feed/. */
  feed: FeedConfig;
  /** Largest file the import page takes (IMPORT_UPLOAD_MAX_MB, default 100), bytes; it is kept in the database until committed. */
  importUploadMaxBytes: number;
  /**
   * Time limit of the import page's upload, check and commit (IMPORT_TIMEOUT_MS, default 30 min): they
   * last as long as their file, so STATEMENT_TIMEOUT_MS (made for ordinary requests) does not apply.
   */
  importTimeoutMs: number;
}

export interface BasemapLimits {
  /** BASEMAP_DIR, default data/basemaps (git-ignored). */
  dir: string;
  /** Largest upload through the app, bytes. BASEMAP_UPLOAD_MAX_MB, default 4096. */
  uploadMaxBytes: number;
  /** Largest MBTiles served (sql.js holds it in memory), bytes. BASEMAP_MBTILES_MAX_MB, default 512. */
  mbtilesMaxBytes: number;
}

export interface FeedConfig {
  /** First wait before the lost LISTEN connection is opened again (doubling, at least up to 5 s). FEED_RETRY_MS, default 100. */
  retryMs: number;
  /** Open /api/events streams per user. EVENTS_PER_USER, default 4. */
  streamsPerUser: number;
  /** Open /api/events streams per client address. EVENTS_PER_ADDRESS, default 16. */
  streamsPerAddress: number;
  /** Seconds between heartbeat comments on a stream. EVENTS_HEARTBEAT_S, default 15. */
  heartbeatS: number;
}

export interface WorkLimits {
  /** Most vertices of one service-area polygon (all rings). AREA_MAX_VERTICES, default 5000. */
  areaMaxVertices: number;
  /** Widest side of a service area's bbox in metres. AREA_MAX_SPAN_M, default 5000. */
  areaMaxSpanM: number;
  /** Per-statement time limit of heavy reads (validate, gaps, proposals, suggestions). HEAVY_TIMEOUT_MS, default 4000. */
  heavyTimeoutMs: number;
  /**
   * Time limit of a kept answer (a street's gaps, proposals, scorecards) computed in the background:
   * after an edit made it stale, or after a request for it passed HEAVY_TIMEOUT_MS. A batch job, not
   * a request: at 200,000 buildings a street's gaps take 6–9 s and its proposals 7 s, at 2,000,000 a
   * minute or more, and under a limit of a few seconds they would never be kept (issue 12).
   * BACKGROUND_TIMEOUT_MS, default 600000.
   */
  backgroundTimeoutMs: number;
  /** Heavy requests running at once per process; the rest wait briefly, then 503. HEAVY_CONCURRENCY, default 3. */
  heavyConcurrency: number;
  /** Heavy requests per minute per user (4× that per address), across all app processes. HEAVY_RATE_PER_MIN, default 30. */
  heavyRatePerMin: number;
  /** Connections of the pool of its own for health and tiles. DB_LIGHT_POOL, default 4. */
  lightPool: number;
}

export class ConfigError extends Error {}

/** CORS_ORIGINS: comma-separated origins such as https://map.example.gov.cn; no wildcard. */
function origins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').map((o) => {
    const t = o.trim();
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(t))
      throw new ConfigError(`CORS_ORIGINS must list origins like https://map.example.gov.cn, got "${t}"`);
    return t;
  });
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * The configuration of a batch command (import, camera import, seed, export, basemap): no
 * per-statement time limit. STATEMENT_TIMEOUT_MS bounds what a web request may hold; a batch reads a
 * whole file into one COPY and checks it in one statement, and a 200,000-row XLSX of gates and a
 * 200,000-building Shapefile both ran past 30 s on a busy two-core machine and were refused after
 * minutes of work.
 */
export function loadBatchConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return { ...loadConfig(env), statementTimeoutMs: 0 };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${databaseUrl}"`);
  }
  const migrationDatabaseUrl = env.MIGRATION_DATABASE_URL || undefined;
  if (migrationDatabaseUrl && !/^postgres(ql)?:\/\//.test(migrationDatabaseUrl))
    throw new ConfigError('MIGRATION_DATABASE_URL must start with postgres:// or postgresql://');
  if (migrationDatabaseUrl && !databaseUrl)
    throw new ConfigError(
      'MIGRATION_DATABASE_URL needs DATABASE_URL (the app’s own, unprivileged connection)',
    );
  const readUrl = env.DATABASE_READ_URL || undefined;
  if (readUrl && !/^postgres(ql)?:\/\//.test(readUrl))
    throw new ConfigError('DATABASE_READ_URL must start with postgres:// or postgresql://');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`,
    );
  }
  const bodyLimit = env.BODY_LIMIT || '5mb';
  if (!/^\d+(kb|mb)$/i.test(bodyLimit))
    throw new ConfigError(`BODY_LIMIT must look like 500kb or 5mb, got "${bodyLimit}"`);
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  const weak = adminPassword && passwordProblem(adminPassword);
  if (weak)
    throw new ConfigError(
      `ADMIN_PASSWORD is refused by the password policy: ${describePasswordProblem(weak)}`,
    );
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    readReplica: readUrl
      ? { url: readUrl, maxLagMs: int(env, 'DATABASE_READ_MAX_LAG_MS', 5000, 10, 3_600_000) }
      : undefined,
    migrationDatabaseUrl,
    pgliteDir: resolve(env.PGLITE_DIR || 'data/.pglite'),
    adminPassword,
    authSecret: env.AUTH_SECRET || undefined,
    tiandituKey: env.TIANDITU_TK || undefined,
    statementTimeoutMs: int(env, 'STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    bodyLimit,
    logLevel,
    demoBuildings: int(env, 'DEMO_BUILDINGS', 20_000, 0, 500_000),
    clientDist: resolve(env.CLIENT_DIST || 'client/dist'),
    limits: {
      areaMaxVertices: int(env, 'AREA_MAX_VERTICES', 5000, 4, 10_000),
      areaMaxSpanM: int(env, 'AREA_MAX_SPAN_M', 5000, 10, 1_000_000),
      heavyTimeoutMs: int(env, 'HEAVY_TIMEOUT_MS', 4000, 100, 600_000),
      backgroundTimeoutMs: int(env, 'BACKGROUND_TIMEOUT_MS', 600_000, 1000, 3_600_000),
      heavyConcurrency: int(env, 'HEAVY_CONCURRENCY', 3, 1, 100),
      heavyRatePerMin: int(env, 'HEAVY_RATE_PER_MIN', 30, 1, 100_000),
      lightPool: int(env, 'DB_LIGHT_POOL', 4, 0, 50),
    },
    corsOrigins: origins(env.CORS_ORIGINS),
    basemaps: {
      dir: resolve(env.BASEMAP_DIR || 'data/basemaps'),
      uploadMaxBytes: int(env, 'BASEMAP_UPLOAD_MAX_MB', 4096, 1, 1_048_576) * 2 ** 20,
      mbtilesMaxBytes: int(env, 'BASEMAP_MBTILES_MAX_MB', 512, 1, 4096) * 2 ** 20,
    },
    feed: {
      retryMs: int(env, 'FEED_RETRY_MS', 100, 10, 60_000),
      streamsPerUser: int(env, 'EVENTS_PER_USER', 4, 1, 1000),
      streamsPerAddress: int(env, 'EVENTS_PER_ADDRESS', 16, 1, 10_000),
      heartbeatS: int(env, 'EVENTS_HEARTBEAT_S', 15, 1, 3600),
    },
    importUploadMaxBytes: int(env, 'IMPORT_UPLOAD_MAX_MB', 100, 1, 16_384) * 2 ** 20,
    importTimeoutMs: int(env, 'IMPORT_TIMEOUT_MS', 1_800_000, 1000, 86_400_000),
  };
}
