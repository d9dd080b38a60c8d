import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createEmbeddedDb } from '../../server/src/db/embedded.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { migrate, type Db } from '../../server/src/db/index.ts';

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
 * dropped after; embedded, an in-memory PGlite.
 */
export async function createTestDb(): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const db = await createEmbeddedDb();
    await migrate(db);
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
