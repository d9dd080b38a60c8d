import type { Db } from '../../server/src/db/index.ts';
import {
  ImportError,
  importLayer,
  type ImportOptions,
  type ImportProblem,
} from '../../server/src/importer/index.ts';

/** A square ring of side `d` degrees with its south-west corner at (x, y), as Polygon coordinates. */
export const square = (x: number, y: number, d = 0.0002): number[][][] => [
  [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ],
];

/** The problems an import is refused with (fails the test if it is not). */
export async function refusedWith(db: Db, opts: ImportOptions): Promise<ImportProblem[]> {
  try {
    await importLayer(db, opts);
  } catch (e) {
    if (e instanceof ImportError) return e.problems;
    throw e;
  }
  throw new Error('import was not rejected');
}
