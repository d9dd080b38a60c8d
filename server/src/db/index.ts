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
export { withTimeLimit } from './db.ts';
export { isDbUnavailable, RETRY_AFTER_S } from './errors.ts';
export { migrate } from './migrate.ts';
export { ReadReplica, routeReads, withReadScope, parseLsn, formatLsn } from './replica.ts';
export type { ReplicaState, ReadScope } from './replica.ts';

/**
 * The database the config names: the server at DATABASE_URL, else the embedded PGlite folder. With
 * `readReplica` (the server, not the commands) also the replica at DATABASE_READ_URL; the embedded
 * database has none and ignores it.
 */
export async function openDb(
  config: Pick<Config, 'databaseUrl' | 'pgliteDir' | 'statementTimeoutMs'> & {
    limits?: { lightPool: number };
    readReplica?: Config['readReplica'];
  },
  onError?: (err: Error) => void,
  opts: { readReplica?: boolean } = {},
): Promise<Db> {
  if (config.databaseUrl) {
    const r = opts.readReplica ? config.readReplica : undefined;
    return createPostgresDb({
      connectionString: config.databaseUrl,
      statementTimeoutMs: config.statementTimeoutMs,
      lightMax: config.limits?.lightPool,
      onError,
      replica: r && { connectionString: r.url, maxLagMs: r.maxLagMs },
    });
  }
  return createEmbeddedDb({ dataDir: config.pgliteDir });
}

/**
 * The connection for the command line's writes (import, import:cameras, seed, and export, which
 * migrates first): the owner at MIGRATION_DATABASE_URL when set — DATABASE_URL is then the app's
 * login, which may not change the schema and whose writes row-level security binds — else
 * DATABASE_URL (or the embedded database).
 */
export function asOwner<C extends { databaseUrl?: string; migrationDatabaseUrl?: string }>(config: C): C {
  return { ...config, databaseUrl: config.migrationDatabaseUrl ?? config.databaseUrl };
}
