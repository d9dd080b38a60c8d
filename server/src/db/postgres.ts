import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  Db,
  ListenHandlers,
  ListenOptions,
  Listening,
  Queryable,
  QueryOptions,
  QueryResult,
  TransactionOptions,
} from './db.ts';
import { isDbUnavailable } from './errors.ts';
import { ReadReplica, type ReadReplicaOptions } from './replica.ts';

// int8 and numeric as JS numbers: ids and counts here stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface PostgresOptions {
  connectionString: string;
  /** Per-statement time limit; a request's query never runs longer. */
  statementTimeoutMs?: number;
  /** Connections of the main pool (default 10). */
  max?: number;
  /** Connections of the small pool for health and tiles (default 2; 0 → they share the main pool). */
  lightMax?: number;
  /** How long a request waits for a free connection before it is answered 503 (default 10 s). */
  connectTimeoutMs?: number;
  /** Called with every connection error the pools absorb (for the log). */
  onError?: (err: Error) => void;
  /**
   * A streaming replica of this server for reads (DATABASE_READ_URL): opened with pools of the same
   * sizes, exposed as `replica`, closed with this Db. Commits that wrote then report their WAL
   * position to it (read-your-writes).
   */
  replica?: { connectionString: string } & ReadReplicaOptions;
}

/**
 * A `Db` over a PostgreSQL + PostGIS server through `pg` pools.
 *
 * Survives its server restarting: every connection, idle or checked out for a transaction, has an
 * error listener (an unhandled 'error' event would end the process); a broken connection is
 * destroyed instead of returned to the pool, and the next request opens a new one. Requests during
 * the outage fail with errors `isDbUnavailable` recognises (answered 503), and succeed again as
 * soon as the server is back.
 */
export function createPostgresDb(opts: PostgresOptions): Db {
  const onError = opts.onError ?? (() => undefined);
  const makePool = (max: number) => {
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      max,
      statement_timeout: opts.statementTimeoutMs ?? 30_000,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      // Tile and coverage statements are short: JIT compilation and parallel workers cost more than they save.
      options: '-c jit=off -c max_parallel_workers_per_gather=0',
    });
    // An idle client died (e.g. the server restarted); the pool drops it and opens a new one on demand.
    pool.on('error', (err) => onError(err));
    // Every client keeps a listener for its whole life: pg-pool's own query path listens only once and
    // only while the query runs, and a dying connection can emit a second 'error' after it was
    // released (57P01, then "Connection terminated") — with no listener that ends the process.
    pool.on('connect', (client) => {
      client.on('error', (err) => onError(err));
    });
    return pool;
  };
  const pool = makePool(opts.max ?? 10);
  const lightMax = opts.lightMax ?? 2;
  const lightPool = lightMax > 0 ? makePool(lightMax) : undefined;
  let replica: ReadReplica | undefined;

  /** A client of `p` for our own use, with an error listener for as long as we hold it. */
  const checkout = async (p: pg.Pool) => {
    const client = await p.connect();
    let broken: Error | undefined;
    const listener = (err: Error) => {
      broken = err;
      onError(err);
    };
    client.on('error', listener);
    return {
      client,
      /** Back to the pool, or destroyed when its connection broke. */
      release(err?: unknown) {
        client.removeListener('error', listener);
        const destroy = broken ?? (err !== undefined && isDbUnavailable(err) ? (err as Error) : undefined);
        client.release(destroy);
      },
    };
  };

  const localChange = new Set<() => void>();
  const changedHere = () => {
    for (const fn of localChange) fn();
  };

  /** `autocommit`: a statement on the pool commits by itself; one that may write tells changedHere. */
  const wrap = (c: pg.Pool | pg.PoolClient, autocommit = false): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
      try {
        const r = opts?.name
          ? await c.query({ name: opts.name, text: sql, values: params as unknown[] })
          : await c.query(sql, params as unknown[]);
        if (autocommit && replica && mayWrite(sql)) await reportLsn(c);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      } catch (e) {
        throw cancelInGeos(e);
      } finally {
        if (autocommit && mayWrite(sql)) changedHere();
      }
    },
    async exec(sql: string) {
      try {
        await c.query(sql);
      } catch (e) {
        throw cancelInGeos(e);
      } finally {
        if (autocommit) changedHere();
      }
    },
  });

  const transactionOn =
    (p: pg.Pool) =>
    async <T>(fn: (tx: Queryable) => Promise<T>, topts?: TransactionOptions): Promise<T> => {
      const held = await checkout(p);
      const { client } = held;
      const tx = Object.assign(wrap(client), { client });
      let failure: unknown;
      try {
        await client.query('BEGIN');
        if (topts?.timeoutMs !== undefined) {
          await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(topts.timeoutMs))}`);
        }
        const out = await fn(tx);
        // One round trip: did this transaction queue a change event (0016), then COMMIT (and, with a
        // replica, whether it wrote and the WAL position after it).
        let queued = false;
        try {
          const rs = (await client.query(
            replica ? COMMIT_NOTING_CHANGE_AND_LSN : COMMIT_NOTING_CHANGE,
          )) as unknown as pg.QueryResult[];
          const row = rs[0]?.rows[0] as { q?: string; w?: boolean } | undefined;
          queued = row?.q === 'on';
          if (replica && row?.w) replica.committed(String(rs[2]?.rows[0]?.lsn));
        } catch (e) {
          // An aborted transaction refuses the SELECT; COMMIT then rolls back as it always did.
          if ((e as { code?: string }).code !== '25P02') throw e;
          await client.query('COMMIT');
        }
        if (queued) changedHere();
        return out;
      } catch (e) {
        failure = e;
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        held.release(failure);
      }
    };

  /** After an autocommit write: the position after it, for the session's later reads. */
  const reportLsn = async (c: pg.Pool | pg.PoolClient) => {
    const r = await c.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    replica?.committed(r.rows[0]!.lsn);
  };

  const light: Db['light'] = lightPool
    ? { ...wrap(lightPool), transaction: transactionOn(lightPool) }
    : { ...wrap(pool), transaction: transactionOn(pool) };

  const listeners = new Set<Listening>();

  if (opts.replica) {
    const { connectionString, ...replicaOpts } = opts.replica;
    // A replica that is gone must not hold a read long: the primary answers instead.
    const connectTimeoutMs = Math.min(opts.connectTimeoutMs ?? 10_000, 3000);
    replica = new ReadReplica(
      createPostgresDb({
        connectionString,
        statementTimeoutMs: opts.statementTimeoutMs,
        max: opts.max,
        lightMax: opts.lightMax,
        connectTimeoutMs,
        onError,
      }),
      light,
      replicaOpts,
      createPostgresDb({
        connectionString,
        max: 1,
        lightMax: 0,
        statementTimeoutMs: 5000,
        connectTimeoutMs,
        onError,
      }),
    );
    replica.start();
  }

  return {
    kind: 'postgres',
    replica,
    ...wrap(pool, true),
    transaction: transactionOn(pool),
    light,
    async copyFrom(sql, rows, tx) {
      const own = tx && 'client' in tx ? undefined : await checkout(pool);
      const client = own?.client ?? (tx as unknown as { client: pg.PoolClient }).client;
      let failure: unknown;
      try {
        const stream = client.query(copyFrom(sql));
        await pipeline(Readable.from(rows), stream);
        if (own) {
          changedHere();
          if (replica) await reportLsn(client);
        }
        return true;
      } catch (e) {
        failure = e;
        throw e;
      } finally {
        own?.release(failure);
      }
    },
    async listen(channel: string, handlers: ListenHandlers, lopts?: ListenOptions): Promise<Listening> {
      const l = listenOn(opts.connectionString, channel, handlers, onError, lopts?.retryMs ?? 100);
      listeners.add(l);
      return {
        async close() {
          listeners.delete(l);
          await l.close();
        },
      };
    },
    onLocalChange(fn) {
      localChange.add(fn);
      return () => localChange.delete(fn);
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.close()));
      await Promise.all([pool.end(), lightPool?.end(), replica?.close()]);
    },
  };
}

/**
 * A cancel (statement_timeout, pg_cancel_backend) that lands inside a GEOS call ends the statement
 * with "GEOS Error: InterruptedException: Interrupted!" under SQLSTATE XX000, which reads as a bad
 * geometry (400 `invalid_geometry`). It is the cancel: given 57014, it answers 503 `timeout`, and a
 * kept answer is finished in the background. Found at 2,000,000 buildings, where a street's gaps
 * passed the heavy limit inside a union (issue 12). The database's message stays for the log.
 */
function cancelInGeos(e: unknown): unknown {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code === 'XX000' && typeof err.message === 'string' && /InterruptedException/.test(err.message))
    err.code = '57014';
  return e;
}

const COMMIT_NOTING_CHANGE = "SELECT current_setting('wuyou.flush_queued', true) AS q; COMMIT";
/**
 * The same, also asking whether the transaction wrote (it has a transaction id) and, after COMMIT,
 * the WAL insert position: at or past the end of the commit record, so a replica that has replayed
 * to it has replayed the commit.
 */
const COMMIT_NOTING_CHANGE_AND_LSN =
  "SELECT current_setting('wuyou.flush_queued', true) AS q, pg_current_xact_id_if_assigned() IS NOT NULL AS w; COMMIT; SELECT pg_current_wal_insert_lsn()::text AS lsn";

/**
 * Could this autocommit statement have written? Only a plain SELECT (after comments) is taken as a
 * read; a SELECT of a function that writes is the exception (the feed's notification still follows).
 */
function mayWrite(sql: string): boolean {
  return !/^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*select\b/i.test(sql);
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * LISTEN on a `pg.Client` of its own (a pooled connection would be handed to others). When it is
 * lost — the server restarted, or the backend was terminated — it reports `state(false)` and
 * connects again with a backoff (`retryMs` doubling to 5 s) until it is closed.
 */
function listenOn(
  connectionString: string,
  channel: string,
  handlers: ListenHandlers,
  onError: (err: Error) => void,
  retryMs: number,
): Listening {
  if (!CHANNEL.test(channel)) throw new Error(`Not a channel name: ${channel}`);
  let closed = false;
  let current: pg.Client | undefined;
  let delay = retryMs;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    timer = undefined;
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'wuyou-change-feed' });
    let gone = false;
    const lost = (err?: Error) => {
      if (gone) return;
      gone = true;
      if (err) onError(err);
      if (current === c) {
        current = undefined;
        handlers.state(false);
      }
      c.end().catch(() => undefined);
      if (!closed) {
        timer = setTimeout(() => void connect(), delay);
        delay = Math.min(delay * 2, Math.max(5000, retryMs));
      }
    };
    c.on('error', (err) => lost(err));
    c.on('end', () => lost());
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) handlers.notify(m.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      lost(err as Error);
      return;
    }
    if (gone) return;
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    current = c;
    delay = retryMs;
    handlers.state(true);
  };
  void connect();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = current;
      current = undefined;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
