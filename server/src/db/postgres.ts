import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.ts';

// int8 and numeric as JS numbers: ids and counts here stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface PostgresOptions {
  connectionString: string;
  /** Per-statement time limit; a request's query never runs longer. */
  statementTimeoutMs?: number;
  max?: number;
}

/** A `Db` over a PostgreSQL + PostGIS server through a `pg` pool. */
export function createPostgresDb(opts: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    // Tile and coverage statements are short: JIT compilation and parallel workers cost more than they save.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  });
  pool.on('error', () => {
    /* an idle client died; the pool replaces it */
  });

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

  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const tx = Object.assign(wrap(client), { client });
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async copyFrom(sql, rows, tx) {
      const own = tx && 'client' in tx ? undefined : await pool.connect();
      const client = own ?? (tx as unknown as { client: pg.PoolClient }).client;
      try {
        const stream = client.query(copyFrom(sql));
        await pipeline(Readable.from(rows), stream);
        return true;
      } finally {
        own?.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
