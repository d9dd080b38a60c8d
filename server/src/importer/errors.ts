/** One thing wrong with an import: the feature (0-based index in the file; null for the file itself) and why. */
export interface ImportProblem {
  index: number | null;
  reason: string;
}

/**
 * An import that wrote nothing because of bad input. Lists every problem found, not only the first,
 * so one run tells the user everything to fix.
 */
export class ImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    const n = problems.length;
    const first = problems[0];
    super(
      n === 0
        ? 'import failed'
        : `${n} problem${n === 1 ? '' : 's'}; first: ${first!.index === null ? '' : `feature ${first!.index}: `}${first!.reason}`,
    );
    this.name = 'ImportError';
  }
}

/** Problems in file order, file-level ones first. */
export function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  return [...problems].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
