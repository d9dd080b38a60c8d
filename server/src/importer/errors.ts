/** One thing wrong with an import: the feature (0-based index in the file; null for the file itself) and why. */
export interface ImportProblem {
  index: number | null;
  reason: string;
  /** The spreadsheet/CSV row of that feature (1-based, header = row 1), when it came from one. */
  row?: number;
}

/** `feature 3 (row 5)` / `feature 3` / '' for a problem of the file itself. */
export function problemPlace(p: ImportProblem): string {
  if (p.index === null) return '';
  return p.row === undefined ? `feature ${p.index}` : `feature ${p.index} (row ${p.row})`;
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
        : `${n} problem${n === 1 ? '' : 's'}; first: ${first!.index === null ? '' : `${problemPlace(first!)}: `}${first!.reason}`,
    );
    this.name = 'ImportError';
  }
}

/** Problems in file order, file-level ones first. */
export function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  return [...problems].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}
