import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, Queryable, QueryOptions, QueryResult, TransactionOptions } from './db.ts';
import { isDbUnavailable } from './errors.ts';

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

  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T>> {
      const r = opts?.name
        ? await c.query({ name: opts.name, text: sql, values: params as unknown[] })
        : await c.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await c.query(sql);
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
        await client.query('COMMIT');
        return out;
      } catch (e) {
        failure = e;
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        held.release(failure);
      }
    };

  const light: Db['light'] = lightPool
    ? { ...wrap(lightPool), transaction: transactionOn(lightPool) }
    : { ...wrap(pool), transaction: transactionOn(pool) };

  return {
    kind: 'postgres',
    ...wrap(pool),
    transaction: transactionOn(pool),
    light,
    async copyFrom(sql, rows, tx) {
      const own = tx && 'client' in tx ? undefined : await checkout(pool);
      const client = own?.client ?? (tx as unknown as { client: pg.PoolClient }).client;
      let failure: unknown;
      try {
        const stream = client.query(copyFrom(sql));
        await pipeline(Readable.from(rows), stream);
        return true;
      } catch (e) {
        failure = e;
        throw e;
      } finally {
        own?.release(failure);
      }
    },
    async close() {
      await Promise.all([pool.end(), lightPool?.end()]);
    },
  };
}
