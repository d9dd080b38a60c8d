import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError, importLayer } from '../../server/src/importer/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { square } from '../helpers/import.ts';

/**
 * Whatever text a file's attributes hold — control characters, NUL, tabs and newlines (COPY's own
 * delimiters), backslashes, astral characters, lone surrogates — an import either stores it exactly
 * or refuses that feature by index with a problem code; it never fails with a database error. The
 * staged import and the command line's direct load alike.
 */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('\\', '\t', '\n', '\r', '\u0000', '\\N', '楼', '𠀀', '\uD800', ' '),
    maxLength: 6,
  }),
);
/** What PostgreSQL can store of a JS string: its UTF-8 (lone surrogates become U+FFFD, as `pg` sends them). */
const stored = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('import of arbitrary attribute text (both paths)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('stores it byte for byte or refuses the feature with a code, never a database error', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (rows, direct) => {
          run++;
          await t.db.query('DELETE FROM buildings');
          const features = rows.map(([name, address], i) => ({
            type: 'Feature',
            properties: { name, address },
            geometry: { type: 'Polygon', coordinates: square(105.6 + run * 0.01 + i * 0.001, 30.5) },
          }));
          const nul = rows.flatMap(([n, a], i) => (n.includes('\u0000') || a.includes('\u0000') ? [i] : []));
          try {
            const r = await importLayer(t.db, { layer: 'buildings', features, direct });
            expect(nul).toEqual([]);
            expect(r.inserted).toBe(rows.length);
          } catch (e) {
            if (!(e instanceof ImportError)) throw e;
            expect(e.problems.every((p) => p.code === 'text_has_nul')).toBe(true);
            expect([...new Set(e.problems.map((p) => p.index))]).toEqual(nul);
            return;
          }
          const back = await t.db.query<{ name: string | null; address: string | null }>(
            'SELECT name, address FROM buildings ORDER BY id',
          );
          expect(back.rows).toEqual(rows.map(([n, a]) => ({ name: stored(n), address: stored(a) })));
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });
});
