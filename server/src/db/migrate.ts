import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/**
 * Applies `migrations/NNNN_name.sql` in order, each in its own transaction, and records them in
 * `schema_migrations`. Safe to run again and from several processes at once: an advisory lock makes
 * the second process wait and then find nothing left to do.
 * @returns the names applied by this call
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  // Every start asks once which are done; only the missing ones take the lock and look again (another
  // process may be applying them), instead of a transaction per migration on every start (issue 9 #14).
  const done = new Set(
    (await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
  );
  const applied: string[] = [];
  for (const file of files) {
    const name = file.replace(/\.sql$/, '');
    if (done.has(name)) continue;
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7301)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (done.rowCount > 0) return;
      const sql = readFileSync(join(dir, file), 'utf8');
      // A migration is a batch job: one that rebuilds a table from 2,000,000 buildings runs past the
      // requests' statement limit, and cancelled it would stop every start (issue 12).
      if (db.kind === 'postgres') await tx.query('SET LOCAL statement_timeout = 0');
      try {
        await tx.exec(sql);
      } catch (e) {
        throw new Error(`migration ${file} failed: ${(e as Error).message}`, { cause: e });
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    });
  }
  return applied;
}
