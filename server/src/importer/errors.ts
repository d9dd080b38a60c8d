import {
  because,
  type ImportProblem,
  type ImportProblemCode,
  type ImportProblemParams,
} from '../../../core/import-problems.ts';
import { importProblemLine, importProblemPlace } from '../../../core/import-words.ts';

export type { ImportProblem, ProblemReason } from '../../../core/import-problems.ts';
export { because };

/** `feature #3 (row 5)` / `feature #3` / '' for a problem of the file itself (English, for logs). */
export function problemPlace(p: ImportProblem): string {
  return importProblemPlace('en', p);
}

/**
 * An import that wrote nothing because of bad input. Lists every problem found, not only the first,
 * so one run tells the user everything to fix. Problems are codes with params (the client words
 * them, core/import-words.ts); `message` is an English line for logs and API users.
 */
export class ImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    const n = problems.length;
    const first = problems[0];
    super(
      n === 0
        ? 'import failed'
        : `${n} problem${n === 1 ? '' : 's'}; first: ${importProblemLine('en', first!)}`,
    );
    this.name = 'ImportError';
  }
}

/** An ImportError about the file itself (index null). */
export function fileProblem(code: ImportProblemCode, params?: ImportProblemParams): ImportError {
  return new ImportError([{ index: null, ...because(code, params) }]);
}

/** Problems in file order, file-level ones first. */
export function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  return [...problems].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
