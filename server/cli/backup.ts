/**
 * npm run backup -- FILE
 *
 * The whole database in one file: on a server `pg_dump --format=custom` of MIGRATION_DATABASE_URL
 * (the owner) or DATABASE_URL; embedded, PGlite's full data directory as a tarball (every table, history, ledger,
 * assessments, users, audit log). `npm run restore -- FILE` reads either back.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createEmbeddedDb } from '../src/db/embedded.ts';

const USAGE = 'usage: npm run backup -- FILE';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || process.argv.length !== 3) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const url = config.migrationDatabaseUrl ?? config.databaseUrl;
  if (url) {
    const r = spawnSync('pg_dump', ['--format=custom', '--no-owner', '--file', file, '--dbname', url], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.error) throw new Error(`pg_dump could not run (${r.error.message}); install postgresql-client`);
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else {
    const db = await createEmbeddedDb({ dataDir: config.pgliteDir });
    try {
      const blob = await db.dumpDataDir!();
      writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    } finally {
      await db.close();
    }
  }
  console.error(`${file}: backup of the ${url ? 'server' : 'embedded'} database written`);
}

main().catch((e: unknown) => {
  console.error(
    e instanceof ConfigError ? `Configuration error: ${e.message}` : `backup failed: ${(e as Error).message}`,
  );
  process.exit(1);
});
