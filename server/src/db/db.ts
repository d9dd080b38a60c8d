/**
 * One interface over the two databases the app runs on: a PostgreSQL + PostGIS server (`pg` pool,
 * production) and the embedded PGlite with its PostGIS extension (the default with no DATABASE_URL).
 * Repositories only see `Db` and `Queryable`; nothing else in the server imports pg or PGlite.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  name?: string;
}

export interface Queryable {
  /** `opts.name` makes it a named prepared statement on a server (planned once per connection); ignored embedded. */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    opts?: QueryOptions,
  ): Promise<QueryResult<T>>;
  /** Runs a script of several statements (no parameters), e.g. a migration file. */
  exec(sql: string): Promise<void>;
}

import type { ReadReplica } from './replica.ts';

export type DbKind = 'embedded' | 'postgres';

export interface TransactionOptions {
  /**
   * Time limit for heavy reads and saves; over it the caller gets an error with SQLSTATE 57014.
   *
   * - On a server: per statement inside this transaction (`SET LOCAL statement_timeout`); the
   *   statement is cancelled and the transaction rolled back.
   * - Embedded: a deadline for the whole transaction, counted from the call (waiting for the one
   *   connection included): when it passes before COMMIT was sent, the caller gets
   *   StatementDeadlineError (57014) at once. PGlite cannot interrupt a statement, so the one running
   *   then finishes in the database's worker thread (the server's thread stays free meanwhile) and
   *   the transaction is rolled back; one that had not begun never begins.
   */
  timeoutMs?: number;
  /**
   * Embedded only, with `timeoutMs`: a transaction that began before its deadline runs on to its end
   * and commits after the caller got 57014, instead of being rolled back. For reads that keep their
   * answer (street gaps and proposals): the seconds the worker spends are not thrown away, and the
   * next request finds the answer. Never for a write the caller must be able to trust as not done.
   * Ignored on a server (the statement is cancelled).
   */
  finishAfterDeadline?: boolean;
}

/** What a LISTEN connection reports: each payload on its channel, and whether it is listening. */
export interface ListenHandlers {
  notify(payload: string): void;
  /** true once LISTEN took effect (again), false when the connection is lost (it reconnects itself). */
  state(listening: boolean): void;
}

export interface ListenOptions {
  /** First wait before a lost connection is opened again; doubles up to max(5 s, retryMs). Default 100 ms. */
  retryMs?: number;
}

export interface Listening {
  close(): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * A small pool of its own for health checks and tiles, so they answer while heavy requests hold
   * every connection of the main pool. Embedded: the same single connection.
   */
  readonly light: Queryable & {
    transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  };
  /**
   * The streaming replica reads may go to (DATABASE_READ_URL, server only); see `routeReads`. Closed
   * with this Db.
   */
  readonly replica?: ReadReplica;
  /** Bulk-load rows with COPY where the database supports it (postgres); else returns false. */
  copyFrom?(sql: string, rows: AsyncIterable<string> | Iterable<string>, tx?: Queryable): Promise<boolean>;
  /**
   * LISTEN on `channel` over a connection of its own that reconnects after it is lost (server: a
   * dedicated `pg` client; embedded: PGlite's in-process listen). Closed with the Db.
   */
  listen(channel: string, handlers: ListenHandlers, opts?: ListenOptions): Promise<Listening>;
  /**
   * Calls `fn` after every commit made through this Db that queued a change event (migration 0016),
   * as soon as the COMMIT returns — before its NOTIFY may have reached this process's listener, so a
   * reader here can catch up on its own writes at once. Returns the unsubscribe function.
   */
  onLocalChange(fn: () => void): () => void;
  close(): Promise<void>;
  /** Embedded only: the whole data directory as a tarball (tests start from a migrated snapshot). */
  dumpDataDir?(): Promise<Blob>;
}

/**
 * The same database with another time limit for everything run through it: each `query` becomes a
 * transaction of its own with `timeoutMs`, and each `transaction` gets `timeoutMs` unless it names
 * one. For batch work a web request starts on the user's behalf (the import page's upload, check and
 * commit), which lasts as long as its file and must not fall under the per-statement limit of
 * ordinary requests (STATEMENT_TIMEOUT_MS), yet stays bounded.
 */
export function withTimeLimit(db: Db, timeoutMs: number): Db {
  const limited = Object.create(db) as Db;
  limited.transaction = (fn, opts) => db.transaction(fn, { timeoutMs, ...opts });
  limited.query = (sql, params, qopts) =>
    db.transaction((tx) => tx.query(sql, params, qopts), { timeoutMs }) as never;
  return limited;
}
