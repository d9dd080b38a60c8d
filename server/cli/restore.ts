/**
 * npm run restore -- FILE
 *
 * Reads a file of `npm run backup` back: on a server with `pg_restore --clean --if-exists` into
 * MIGRATION_DATABASE_URL (the owner) or DATABASE_URL; embedded into PGLITE_DIR, which must be empty
 * or absent (move the old one away first: nothing is overwritten by accident).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createEmbeddedDb } from '../src/db/embedded.ts';

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
    const r = spawnSync(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--dbname', url, file],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (r.error) throw new Error(`pg_restore could not run (${r.error.message}); install postgresql-client`);
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else {
    if (existsSync(config.pgliteDir) && readdirSync(config.pgliteDir).length > 0) {
      console.error(`PGLITE_DIR ${config.pgliteDir} is not empty: move it away first, then restore`);
      process.exit(2);
    }
    const db = await createEmbeddedDb({
      dataDir: config.pgliteDir,
      loadDataDir: new Blob([readFileSync(file)]),
    });
    await db.close();
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
