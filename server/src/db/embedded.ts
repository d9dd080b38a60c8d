import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Queryable, QueryResult } from './db.ts';

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
    async close() {
      await pg.close();
    },
    async dumpDataDir() {
      return (await pg.dumpDataDir('none')) as Blob;
    },
  };
}
