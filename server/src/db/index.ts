import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { createEmbeddedDb } from './embedded.ts';
import { createPostgresDb } from './postgres.ts';

export type {
  Db,
  Queryable,
  QueryOptions,
  QueryResult,
  DbKind,
  TransactionOptions,
  Listening,
  ListenHandlers,
  ListenOptions,
} from './db.ts';
export { isDbUnavailable, RETRY_AFTER_S } from './errors.ts';
export { migrate } from './migrate.ts';

/** The database the config names: the server at DATABASE_URL, else the embedded PGlite folder. */
export async function openDb(
  config: Pick<Config, 'databaseUrl' | 'pgliteDir' | 'statementTimeoutMs'> & {
    limits?: { lightPool: number };
  },
  onError?: (err: Error) => void,
): Promise<Db> {
  if (config.databaseUrl) {
    return createPostgresDb({
      connectionString: config.databaseUrl,
      statementTimeoutMs: config.statementTimeoutMs,
      lightMax: config.limits?.lightPool,
      onError,
    });
  }
  return createEmbeddedDb({ dataDir: config.pgliteDir });
}
