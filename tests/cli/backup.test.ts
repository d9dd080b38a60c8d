import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { createEmbeddedDb } from '../../server/src/db/embedded.ts';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { migrate, type Db } from '../../server/src/db/index.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// issue 10 #7: npm run backup / npm run restore, round trip compared row by row for every table.

const dir = mkdtempSync(join(tmpdir(), 'wuyou-backup-'));
const dbs: TestDb[] = [];
afterAll(async () => {
  for (const t of dbs) await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

function run(script: 'backup' | 'restore', file: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, file], {
    env: { ...process.env, LOG_LEVEL: 'silent', ADMIN_PASSWORD: '', ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** Every table of the public schema with a digest of all its rows. */
async function digest(db: Db): Promise<Record<string, string>> {
  const tables = await db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables.rows) {
    const r = await db.query<{ n: number; h: string }>(
      `SELECT count(*)::integer AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM public."${t}" x`,
    );
    out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
  }
  return out;
}

async function fill(db: Db): Promise<void> {
  await db.exec(`
    INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326)));
    INSERT INTO compounds (name, category, street_code) VALUES ('小区 一', 'three_no', '510903001');
    INSERT INTO service_areas (name, street_code, management_mode, geom)
      VALUES ('区域', '510903001', 'professional', ST_MakeEnvelope(105.55, 30.5, 105.551, 30.501, 4326));
    INSERT INTO cameras (name, geom) VALUES ('cam', ST_SetSRID(ST_MakePoint(105.55, 30.52), 4326));
    INSERT INTO ledger_items (compound_id, description, category) SELECT id, '问题', 'other' FROM compounds;`);
  await ensureDemoAccounts(db, 'backup-test-pass-1');
}

describe(`npm run backup / restore (${TEST_DB_KIND})`, { timeout: 600_000 }, () => {
  it('restores every row of every table', async () => {
    const file = join(dir, 'wuyou.backup');
    let before: Record<string, string>;
    let after: Record<string, string>;
    if (TEST_DB_KIND === 'embedded') {
      const a = join(dir, 'a');
      const db = await createEmbeddedDb({ dataDir: a });
      await migrate(db);
      await fill(db);
      before = await digest(db);
      await db.close();
      const b1 = run('backup', file, { DATABASE_URL: '', PGLITE_DIR: a });
      expect(b1.status, b1.stderr).toBe(0);
      const b = join(dir, 'b');
      const r1 = run('restore', file, { DATABASE_URL: '', PGLITE_DIR: b });
      expect(r1.status, r1.stderr).toBe(0);
      // a second restore over it is refused: nothing is overwritten by accident
      const again = run('restore', file, { DATABASE_URL: '', PGLITE_DIR: b });
      expect(again.status).toBe(2);
      expect(again.stderr).toContain('not empty');
      const restored = await createEmbeddedDb({ dataDir: b });
      after = await digest(restored);
      await restored.close();
    } else {
      const src = await createTestDb();
      const dst = await createTestDb();
      dbs.push(src, dst);
      await fill(src.db);
      before = await digest(src.db);
      const b1 = run('backup', file, { DATABASE_URL: src.url! });
      expect(b1.status, b1.stderr).toBe(0);
      const r1 = run('restore', file, { DATABASE_URL: dst.url! });
      expect(r1.status, r1.stderr).toBe(0);
      const check = createPostgresDb({ connectionString: dst.url! });
      after = await digest(check);
      await check.close();
    }
    expect(Object.keys(before)).toContain('audit_log');
    expect(Object.keys(before)).toContain('users');
    expect(before.users!.startsWith('0:')).toBe(false);
    expect(after).toEqual(before);
  });
});

/**
 * The server set up as the README says for production: the tables' owner (MIGRATION_DATABASE_URL) is
 * no superuser, the app logs in as a member of wuyou_app (DATABASE_URL), PostGIS was created by a
 * superuser. Found by a try-out (2026-12-04): restore ran `pg_restore --clean` over everything in the
 * file, so it failed on "must be owner of extension postgis" into a prepared database and on "must be
 * superuser to create this extension" into an empty one, and restored nothing.
 */
describe.skipIf(TEST_DB_KIND !== 'postgres')(
  'npm run restore as a non-superuser owner (a server)',
  { timeout: 600_000 },
  () => {
    const owner = `wuyou_t_own_${process.pid}`;
    const app = `wuyou_t_app_${process.pid}`;
    const made: string[] = [];
    const base = () => process.env.DATABASE_URL!;
    const urlOf = (db: string, user: string) => {
      const u = new URL(base());
      u.pathname = `/${db}`;
      u.username = user;
      return u.toString();
    };
    async function asSuperuser(sql: string, db = new URL(base()).pathname.slice(1)): Promise<void> {
      const c = new pg.Client({ connectionString: urlOf(db, new URL(base()).username || 'postgres') });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    }
    /** A database owned by the owner role; with PostGIS created in it by a superuser when asked. */
    async function database(postgis: boolean): Promise<string> {
      const name = `wuyou_t_rs_${made.length}_${process.pid}`;
      await asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await asSuperuser(`CREATE DATABASE ${name} OWNER ${owner}`);
      made.push(name);
      if (postgis) await asSuperuser('CREATE EXTENSION postgis', name);
      return name;
    }
    const envOf = (db: string) => ({
      MIGRATION_DATABASE_URL: urlOf(db, owner),
      DATABASE_URL: urlOf(db, app),
    });

    afterAll(async () => {
      for (const name of made) await asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await asSuperuser(`DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${owner}`);
    });

    it('restores every row into a prepared database and again over it, owned by the owner, read by the app', async () => {
      // wuyou_app is made by the migrations (as a superuser here, so that it exists in a fresh cluster).
      const seedRole = await createTestDb();
      dbs.push(seedRole);
      await asSuperuser(
        `DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${owner};
       CREATE ROLE ${owner} LOGIN NOSUPERUSER; CREATE ROLE ${app} LOGIN IN ROLE wuyou_app`,
      );
      const src = await database(true);
      const srcDb = createPostgresDb({ connectionString: urlOf(src, owner) });
      let before: Record<string, string>;
      try {
        await migrate(srcDb);
        await fill(srcDb);
        before = await digest(srcDb);
      } finally {
        await srcDb.close();
      }
      const file = join(dir, 'least-privilege.backup');
      const b = run('backup', file, envOf(src));
      expect(b.status, b.stderr).toBe(0);

      const dst = await database(true);
      for (const attempt of ['into the prepared database', 'over it again']) {
        const r = run('restore', file, envOf(dst));
        expect(r.status, `${attempt}: ${r.stderr}`).toBe(0);
        const check = createPostgresDb({ connectionString: urlOf(dst, owner) });
        try {
          expect(await digest(check)).toEqual(before);
          const owners = await check.query<{ o: string; n: number }>(
            `SELECT tableowner AS o, count(*)::integer AS n FROM pg_tables
            WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys' GROUP BY 1`,
          );
          expect(owners.rows.map((x) => x.o)).toEqual([owner]);
        } finally {
          await check.close();
        }
      }
      // The app's own login reads what it may, as it did before the backup.
      const asApp = new pg.Client({ connectionString: urlOf(dst, app) });
      await asApp.connect();
      try {
        const j = await asApp.query<{ n: number }>('SELECT count(*)::integer AS n FROM jurisdictions');
        expect(j.rows[0]!.n).toBe(2);
      } finally {
        await asApp.end();
      }

      // Into a database without PostGIS, which the owner may not create: a clear refusal, nothing written.
      const bare = await database(false);
      const r = run('restore', file, envOf(bare));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('CREATE EXTENSION postgis');
      const c = new pg.Client({ connectionString: urlOf(bare, owner) });
      await c.connect();
      try {
        const t = await c.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
        expect(t.rowCount).toBe(0);
      } finally {
        await c.end();
      }
    });
  },
);
