import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Listening, Queryable, QueryResult } from './db.ts';

/**
 * A statement that must answer with columns came back with none, and no error. PGlite (PostGIS 3.6,
 * GEOS 3.14 in WebAssembly) ends a statement that way when a GEOS call fails inside, e.g. an overlay
 * whose floating-point noding hits a topology error (PostgreSQL's GEOS retries and answers). It is a
 * fault of the engine, not an empty answer and not the caller's input (the same geometry is fine on
 * PostgreSQL), so it is answered 500 internal, logged with the statement's opening (its file comment).
 */
export class GeometryEngineError extends Error {
  readonly code = 'geometry_engine_failed';
  constructor(readonly statement: string) {
    super(`The embedded database returned no result and no error for: ${statement}`);
    this.name = 'GeometryEngineError';
  }
}

/**
 * Does `sql` answer with columns whatever happens (a SELECT, a WITH whose main statement is a SELECT,
 * a DML with RETURNING)? Only the top level counts: a RETURNING inside a CTE feeds the statement and
 * does not make it answer with columns.
 */
export function answersWithColumns(sql: string): boolean {
  let s = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim();
  // Leading parentheses belong to the statement ("(SELECT 1) UNION …"); every other group is nested.
  s = s.replace(/^\(+/, ' ').trim();
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, '[]'); // a collapsed group has no parentheses left to match
  }
  // The main statement of a WITH follows its CTE list: name [(cols)] AS [[NOT] MATERIALIZED] (…), …
  s = s.replace(
    /^with\s+(recursive\s+)?(\w+\s*(\[\])?\s*as\s+((not\s+)?materialized\s+)?\[\]\s*,?\s*)+/i,
    '',
  );
  const first = /^(\w+)/.exec(s)?.[1]?.toLowerCase();
  if (first === 'select' || first === 'values' || first === 'table') return true;
  if (first === 'insert' || first === 'update' || first === 'delete' || first === 'merge')
    return /\breturning\b/i.test(s);
  return false;
}

export interface EmbeddedOptions {
  /** Folder the database persists in; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** A data directory dumped earlier (PGlite dumpDataDir) to start from instead of a new cluster. */
  loadDataDir?: Blob;
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) with its PostGIS extension.
 * One connection, serialised by PGlite itself; one app process owns the folder.
 */
export async function createEmbeddedDb(opts: EmbeddedOptions = {}): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis },
    // Issue 12 (memory): PGlite's 128 MB of shared buffers live in its WebAssembly heap, which never
    // shrinks; with 32 MB the server holds about 180 MB less (bench/memory.bench.ts), and the pages
    // beyond them are one read of the data folder away (the operating system caches it).
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
  });

  const fix = <T>(rows: T[]): T[] => {
    // PGlite returns int8 as bigint; the app uses numbers (ids and counts stay far below 2^53).
    for (const row of rows as Record<string, unknown>[]) {
      for (const k in row) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
    }
    return rows;
  };
  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await c.query<T>(sql, params as unknown[]);
      if (r.fields.length === 0 && answersWithColumns(sql))
        throw new GeometryEngineError(sql.trim().slice(0, 300));
      return { rows: fix(r.rows), rowCount: r.rows.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });

  // PGlite runs in this process: no connection can break, and one connection serves everything
  // (light is the same database). Statement timeouts are not enforced here (see TransactionOptions).
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
    pg.transaction((tx) => fn(wrap(tx)));
  return {
    kind: 'embedded',
    ...wrap(pg),
    transaction,
    light: { ...wrap(pg), transaction },
    // In-process: a notification reaches its callback before the committing statement's promise
    // resolves, so there is nothing to catch up on and the connection is never lost.
    async listen(channel, handlers): Promise<Listening> {
      const unlisten = await pg.listen(channel, (payload) => handlers.notify(payload));
      handlers.state(true);
      return {
        async close() {
          if (!pg.closed) await unlisten();
        },
      };
    },
    onLocalChange() {
      return () => undefined;
    },
    async close() {
      await pg.close();
    },
    async dumpDataDir() {
      return (await pg.dumpDataDir('none')) as Blob;
    },
  };
}
