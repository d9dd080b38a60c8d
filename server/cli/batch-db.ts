import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  creatingDatabaseText,
  databaseInUseText,
  inLanguages,
  type ProblemLanguage,
} from '../../core/import-words.ts';
import { loadBatchConfig } from '../src/config.ts';
import { FolderInUseError } from '../src/db/folder-lock.ts';
import { asOwner, migrate, openDb, type Db } from '../src/db/index.ts';

/** Whether a batch command works on the embedded database (no DATABASE_URL), before opening it. */
export function batchIsEmbedded(): boolean {
  return !loadBatchConfig().databaseUrl;
}

/**
 * The owner's connection, migrated; an embedded folder another process holds ends the command (exit
 * 1) with why and what to do. Making a new embedded folder (initdb, then every migration) takes
 * tens of seconds before the import's own progress starts, so that wait is said first.
 */
export async function openBatchDb(lang: ProblemLanguage): Promise<Db> {
  const config = asOwner(loadBatchConfig());
  if (!config.databaseUrl && !existsSync(join(config.pgliteDir, 'PG_VERSION')))
    console.error(inLanguages(lang, (l) => creatingDatabaseText(l, config.pgliteDir)));
  let db: Db;
  try {
    db = await openDb(config);
  } catch (e) {
    // The app (or another command) holds the embedded folder: said in the glossary's words, exit 1.
    if (!(e instanceof FolderInUseError)) throw e;
    console.error(inLanguages(lang, (l) => databaseInUseText(l, e.folder, e.pid)));
    process.exit(1);
  }
  await migrate(db);
  return db;
}
