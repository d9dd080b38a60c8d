import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createEmbeddedDb, type EmbeddedOptions } from '../../server/src/db/embedded.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { migrate, type Db } from '../../server/src/db/index.ts';
import { MIGRATIONS_DIR } from '../../server/src/db/migrate.ts';
import { seedDemoCity, type SeedOptions } from '../../server/src/seed.ts';

export interface TestDb {
  db: Db;
  /** The connection string of the throwaway database (postgres mode only). */
  url?: string;
  drop(): Promise<void>;
}

/** Which database the db tests run on: the server at DATABASE_URL, else embedded PGlite. */
export const TEST_DB_KIND = process.env.DATABASE_URL ? 'postgres' : 'embedded';

/**
 * A fresh, migrated, empty database for one test file: on a server, a new database made for it and
 * dropped after; embedded, an in-memory PGlite. `kind` 'embedded' asks for PGlite even when
 * DATABASE_URL is set (the parity suite compares both).
 */
export async function createTestDb(
  kind: 'postgres' | 'embedded' = TEST_DB_KIND,
  /** On a server: a database to copy (CREATE DATABASE … TEMPLATE), already migrated. */
  template?: string,
): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base || kind === 'embedded') {
    const db = await migratedEmbeddedDb();
    return { db, drop: () => db.close() };
  }
  const name = `wuyou_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createPostgresDb({ connectionString: url });
  await migrate(db);
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A new in-memory PGlite, migrated. Starting PGlite with PostGIS from nothing takes ~10 s; from a
 * dumped, already-migrated data directory ~3 s, so the first test file makes that snapshot (keyed by
 * the migrations' content) in the temp folder and the others start from it.
 */
export async function migratedEmbeddedDb(opts: Pick<EmbeddedOptions, 'onFatal'> = {}): Promise<Db> {
  const h = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort())
    h.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)));
  h.update(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  const file = join(tmpdir(), `wuyou-pglite-${h.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(file)) {
    const db = await createEmbeddedDb({ ...opts, loadDataDir: new Blob([readFileSync(file)]) });
    await migrate(db);
    return db;
  }
  const db = await createEmbeddedDb(opts);
  await migrate(db);
  writeAtomically(file, Buffer.from(await (await db.dumpDataDir!()).arrayBuffer()));
  return db;
}

/** Writes a file whole or not at all (test files in parallel processes may race to make the same one). */
function writeAtomically(file: string, data: string | Buffer): void {
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, data);
  renameSync(part, file);
}

/** What the seeded city is made from: the code and data that write it, and the database's own version. */
const SEED_SOURCES = ['migrations', 'server/src', 'core', 'data/demo-city'];
let seedSourcesHash: string | undefined;
function seedSourcesDigest(): string {
  if (seedSourcesHash) return seedSourcesHash;
  const root = new URL('../../', import.meta.url);
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(p);
      else if (!e.name.includes('.test.')) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of SEED_SOURCES) walk(fileURLToPath(new URL(d, root)));
  for (const pkg of ['@electric-sql/pglite', '@electric-sql/pglite-postgis'])
    h.update(readFileSync(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url)));
  return (seedSourcesHash = h.digest('hex').slice(0, 12));
}

/** Where seeded embedded snapshots are kept: inside node_modules, so a fresh clone starts without them. */
const SNAPSHOT_DIR = fileURLToPath(new URL('../../node_modules/.cache/wuyou-tests', import.meta.url));

/**
 * A fresh database holding the demo city of `opts` (as `seedDemoCity` loads it), for one test file.
 * Many files ask for the same city, so the first file to ask seeds it once and keeps it — embedded,
 * as a dumped data directory; on a server, as a template database — and the others copy it
 * (2,000 buildings, measured here: PGlite 11.5 s seeded vs 4.7 s copied; PostgreSQL 3.4 s vs 0.25 s). The
 * copy is keyed by the content of everything that writes the city (migrations, server, core, data),
 * so a change to any of them seeds again.
 * @returns the database and the rows loaded per table
 */
export async function createSeededTestDb(
  opts: Pick<SeedOptions, 'buildings' | 'seed'>,
  kind: 'postgres' | 'embedded' = TEST_DB_KIND,
): Promise<TestDb & { counts: Record<string, number> }> {
  const key = `${seedSourcesDigest()}_${opts.buildings}_${opts.seed ?? 'd'}`;
  const base = process.env.DATABASE_URL;
  if (!base || kind === 'embedded') {
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    const file = join(SNAPSHOT_DIR, `city-${key}.tar`);
    const countsFile = `${file}.json`;
    if (existsSync(file) && existsSync(countsFile) && statSync(file).size > 0) {
      const db = await createEmbeddedDb({ loadDataDir: new Blob([readFileSync(file)]) });
      return { db, drop: () => db.close(), counts: JSON.parse(readFileSync(countsFile, 'utf8')) };
    }
    const t = await createTestDb('embedded');
    const counts = await seedDemoCity(t.db, { buildings: opts.buildings, seed: opts.seed });
    // The counts first: a snapshot is used only when both are there.
    writeAtomically(countsFile, JSON.stringify(counts));
    writeAtomically(file, Buffer.from(await (await t.db.dumpDataDir!()).arrayBuffer()));
    return { ...t, counts };
  }

  // On a server: a template database per key, made once under an advisory lock (test files run in
  // parallel processes), then CREATE DATABASE … TEMPLATE for each file. Its comment holds the counts
  // and marks it complete.
  const template = `wuyou_tpl_${key}`.toLowerCase();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  let counts: Record<string, number>;
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const done = await admin.query<{ c: string | null }>(
        'SELECT shobj_description(oid, $2) AS c FROM pg_database WHERE datname = $1',
        [template, 'pg_database'],
      );
      if (done.rows[0]?.c) counts = JSON.parse(done.rows[0].c);
      else {
        await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${template}`);
        const u = new URL(base);
        u.pathname = `/${template}`;
        const db = createPostgresDb({ connectionString: u.toString() });
        try {
          await migrate(db);
          counts = await seedDemoCity(db, { buildings: opts.buildings, seed: opts.seed });
        } finally {
          await db.close();
        }
        await admin.query(`COMMENT ON DATABASE ${template} IS ${pg.escapeLiteral(JSON.stringify(counts))}`);
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  } finally {
    await admin.end();
  }
  return { ...(await createTestDb('postgres', template)), counts };
}

/**
 * A statement that keeps the database busy with real work (buffering points with GEOS, one per
 * step) until the time `until(ms)` names, then answers `{ n, area }`: a stand-in for a street's gaps
 * computation that takes as long on a loaded machine as on an idle one. Parameter $1: `until(ms)`.
 */
export const BUSY_SQL = `WITH RECURSIVE r(i, a) AS (
    SELECT 1, 0::float8
    UNION ALL
    SELECT i + 1, ST_Area(ST_Buffer(ST_MakePoint(i % 1000, 0), 10, 16))
    FROM r WHERE clock_timestamp() < $1::timestamptz
  ) SELECT count(*)::integer AS n, sum(a) AS area FROM r`;
export const until = (ms: number) => new Date(Date.now() + ms).toISOString();
