import type { Queryable } from '../db/index.ts';
import { sqlFiles } from '../sql-files.ts';
import { ensurePlaces } from './repository.ts';

const sql = sqlFiles(new URL('.', import.meta.url));

/** The street answers kept between requests (migration 0017). */
export type StreetResultKind = 'gaps' | 'proposals' | 'scorecards';

/** The global change keys each kind also depends on, besides its street's own. */
const GLOBAL_KEYS: Record<StreetResultKind, string[]> = {
  gaps: ['*'],
  proposals: ['*'],
  scorecards: ['*', '*cam'],
};

/**
 * The shape of each kind's answer, kept with its options: raised whenever the answer's fields or
 * filters change, so answers a database kept in an older shape are computed anew, not served.
 */
const SHAPES: Record<StreetResultKind, number> = {
  gaps: 1,
  proposals: 2, // + compounds (issue 9 #3)
  scorecards: 1,
};

const READ_SQL = sql('street-result-read.sql');

const WRITE_SQL = sql('street-result-write.sql');

/**
 * One street's answer of a slow read (gaps, proposals, scorecards), kept in coverage_street_results
 * and reused while nothing it reads has changed (the street's change count of migration 0017 is the
 * same). The count is read before `compute` runs, so on READ COMMITTED the computation sees at least
 * what the count saw: a stored answer is never labelled newer than it is.
 *
 * `compute`'s answer is kept as JSON text and read back with JSON.parse, so a hit answers exactly
 * what the computation answered (same keys in the same order, same numbers).
 */
export async function streetResult<T>(
  db: Queryable,
  street: string,
  kind: StreetResultKind,
  options: Record<string, number | string | null | undefined>,
  compute: () => Promise<T>,
): Promise<T> {
  const k = await keptAnswer(db, street, kind, options);
  if (k.result !== null) return JSON.parse(k.result) as T;
  const value = await compute();
  await k.keep(JSON.stringify(value));
  return value;
}

/**
 * `streetResult` as the JSON text itself, for a route that sends the answer as it is: a kept one
 * goes out as it was stored, never parsed and written again (the largest street's proposals at
 * 2,000,000 buildings are 11 MB, and parsing and writing them again cost about 0.7 s of the answer).
 */
export async function streetResultJson(
  db: Queryable,
  street: string,
  kind: StreetResultKind,
  options: Record<string, number | string | null | undefined>,
  compute: () => Promise<unknown>,
): Promise<string> {
  const k = await keptAnswer(db, street, kind, options);
  if (k.result !== null) return k.result;
  const text = JSON.stringify(await compute());
  await k.keep(text);
  return text;
}

/** The kept answer (null when there is none for the street's current change count) and how to keep one. */
async function keptAnswer(
  db: Queryable,
  street: string,
  kind: StreetResultKind,
  options: Record<string, number | string | null | undefined>,
): Promise<{ result: string | null; keep(text: string): Promise<unknown> }> {
  const shape = SHAPES[kind];
  const opts = JSON.stringify(shape > 1 ? { ...options, shape } : options);
  // Placing the buildings a bulk load left unplaced changes building_places, an input: first.
  await ensurePlaces(db);
  const r = await db.query<{ version: string; result: string | null }>(READ_SQL, [
    street,
    kind,
    opts,
    [street, ...GLOBAL_KEYS[kind]],
  ]);
  const { version, result } = r.rows[0]!;
  return { result, keep: (text) => db.query(WRITE_SQL, [street, kind, opts, version, text]) };
}

const STALE_SQL = sql('street-results-stale.sql');

/** How each kind is computed from its street and its kept options. */
export type StreetResultComputers = Record<
  StreetResultKind,
  (db: Queryable, street: string, options: Record<string, number>) => Promise<unknown>
>;

/**
 * Recomputes up to `limit` kept answers that an edit made stale, oldest first, so the dashboard's next
 * read of them is a hit again (server/index.ts runs this every few seconds). Returns how many it
 * recomputed; an answer that fails (a timeout) is logged by the caller and tried again next time.
 * Run it inside a transaction: the stale rows it picks stay locked until that transaction ends, so
 * another process's round skips them instead of computing them a second time.
 */
export async function refreshStaleStreetResults(
  db: Queryable,
  computers: StreetResultComputers,
  limit = 4,
): Promise<number> {
  const stale = await db.query<{ street_code: string; kind: StreetResultKind; options: string }>(STALE_SQL, [
    limit,
    JSON.stringify(GLOBAL_KEYS),
  ]);
  for (const r of stale.rows) {
    const options = JSON.parse(r.options) as Record<string, number>;
    await streetResult(db, r.street_code, r.kind, options, () =>
      computers[r.kind](db, r.street_code, options),
    );
  }
  return stale.rowCount;
}
