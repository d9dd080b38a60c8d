import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createEmbeddedDb, type EmbeddedOptions } from '../../server/src/db/embedded.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { migrate, type Db } from '../../server/src/db/index.ts';
import { MIGRATIONS_DIR } from '../../server/src/db/migrate.ts';

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
export async function createTestDb(kind: 'postgres' | 'embedded' = TEST_DB_KIND): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base || kind === 'embedded') {
    const db = await migratedEmbeddedDb();
    return { db, drop: () => db.close() };
  }
  const name = `wuyou_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
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
  const blob = await db.dumpDataDir!();
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, Buffer.from(await blob.arrayBuffer()));
  renameSync(part, file);
  return db;
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
