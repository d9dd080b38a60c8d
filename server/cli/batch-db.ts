import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { creatingDatabaseText, inLanguages, type ProblemLanguage } from '../../core/import-words.ts';
import { loadBatchConfig } from '../src/config.ts';
import { asOwner, migrate, openDb, type Db } from '../src/db/index.ts';

/**
 * The owner's connection, migrated. Making a new embedded folder (initdb, then every migration) takes
 * tens of seconds before the import's own progress starts, so that wait is said first.
 */
export async function openBatchDb(lang: ProblemLanguage): Promise<Db> {
  const config = asOwner(loadBatchConfig());
  if (!config.databaseUrl && !existsSync(join(config.pgliteDir, 'PG_VERSION')))
    console.error(inLanguages(lang, (l) => creatingDatabaseText(l, config.pgliteDir)));
  const db = await openDb(config);
  await migrate(db);
  return db;
}
