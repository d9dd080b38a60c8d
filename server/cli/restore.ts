/**
 * npm run restore -- FILE
 *
 * Reads a file of `npm run backup` back: on a server with `pg_restore --clean --if-exists` into
 * MIGRATION_DATABASE_URL (the owner) or DATABASE_URL; embedded into PGLITE_DIR, which must be empty
 * or absent (move the old one away first: nothing is overwritten by accident).
 *
 * On a server the owner need not be a superuser (the README's production setup): PostGIS, which
 * only a superuser may create, must be in the database already (as for the first start), and the
 * file's entries for the extension, its table spatial_ref_sys and the public schema are left out,
 * since they belong to the extension or the database and are there already.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createEmbeddedDb } from '../src/db/embedded.ts';
import { lockFolder } from '../src/db/folder-lock.ts';

/** Entries of a dump's table of contents that the database has already (see above). */
const NOT_RESTORED = [
  / EXTENSION - /,
  / COMMENT - EXTENSION /,
  / SCHEMA - public /,
  / COMMENT - SCHEMA public /,
  / TABLE DATA public spatial_ref_sys /,
];

/** PostGIS in the database, created now when the role may; else why not, for the user to act on. */
async function ensurePostgis(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const has = await c.query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'");
    if (has.rowCount) return null;
    try {
      await c.query('CREATE EXTENSION postgis');
      return null;
    } catch (e) {
      const user = (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
      return (
        `the database has no PostGIS and ${user} may not create it (${(e as Error).message}): ` +
        'as a superuser, run CREATE EXTENSION postgis in it, then restore again'
      );
    }
  } finally {
    await c.end();
  }
}

/** pg_restore with `args`; that it could not run at all is an error naming the package to install. */
function pgRestore(args: string[], options: SpawnSyncOptions) {
  const r = spawnSync('pg_restore', args, options);
  if (r.error) throw new Error(`pg_restore could not run (${r.error.message}); install postgresql-client`);
  return r;
}

function restoreServer(url: string, file: string): number {
  const listed = pgRestore(['--list', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (listed.status !== 0) {
    process.stderr.write(listed.stderr);
    return listed.status ?? 1;
  }
  const keep = String(listed.stdout)
    .split('\n')
    .filter((line) => !NOT_RESTORED.some((re) => re.test(line)))
    .join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'wuyou-restore-'));
  try {
    const list = join(dir, 'toc.list');
    writeFileSync(list, keep);
    const r = pgRestore(
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--single-transaction',
        '--use-list',
        list,
        '--dbname',
        url,
        file,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return r.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = 'usage: npm run restore -- FILE';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || process.argv.length !== 3) {
    console.error(USAGE);
    process.exit(2);
  }
  if (!existsSync(file)) {
    console.error(`${file}: no such file`);
    process.exit(2);
  }
  const config = loadConfig();
  const url = config.migrationDatabaseUrl ?? config.databaseUrl;
  if (url) {
    const missing = await ensurePostgis(url);
    if (missing) {
      console.error(`restore refused: ${missing}; nothing was written`);
      process.exit(2);
    }
    const status = restoreServer(url, file);
    if (status !== 0) process.exit(status);
  } else {
    if (existsSync(config.pgliteDir) && readdirSync(config.pgliteDir).length > 0) {
      console.error(`PGLITE_DIR ${config.pgliteDir} is not empty: move it away first, then restore`);
      process.exit(2);
    }
    // Read into a folder beside it and moved into place at the end: a file that fails half way
    // leaves PGLITE_DIR as it was (empty or absent), not a half-written database no app can start on.
    const target = resolve(config.pgliteDir);
    const unlock = lockFolder(target); // no app may start on it meanwhile
    const staging = `${target}.restoring-${process.pid}`;
    try {
      const db = await createEmbeddedDb({ dataDir: staging, loadDataDir: new Blob([readFileSync(file)]) });
      await db.close();
      if (existsSync(target)) rmdirSync(target); // empty, checked above
      renameSync(staging, target);
    } finally {
      rmSync(staging, { recursive: true, force: true });
      unlock();
    }
  }
  console.error(`${file}: restored into the ${url ? 'server' : 'embedded'} database`);
}

main().catch((e: unknown) => {
  console.error(
    e instanceof ConfigError
      ? `Configuration error: ${e.message}`
      : `restore failed: ${(e as Error).message}`,
  );
  process.exit(1);
});
