/**
 * How the import commands (import.ts, import-cameras.ts) print an import's problems: worded from
 * core/import-words.ts as `FILE: 要素 N（第 R 行）：原因 | feature N (row R): reason`, Chinese first
 * with English beside, or one language (`--lang zh-CN|en`, or WUYOU_LANG).
 */
import { statSync } from 'node:fs';
import {
  importProblemLine,
  inLanguages,
  moreProblemsText,
  nothingImportedText,
  problemKindPrefix,
  PROBLEM_LANGUAGES,
  type ProblemLanguage,
} from '../../core/import-words.ts';
import { isOneOf } from '../../core/vocabulary.ts';
import type { ImportProblem } from '../src/importer/index.ts';

/** Problems printed before `… and N more`. */
export const SHOWN = 50;

/** `--lang`, else WUYOU_LANG, else both; null when it names no language. */
export function problemLanguage(arg: string | undefined): ProblemLanguage | null {
  const lang = arg ?? (process.env.WUYOU_LANG || 'both');
  return isOneOf(PROBLEM_LANGUAGES, lang) ? lang : null;
}

/**
 * The first SHOWN problems, one a line (a warning the import went on despite, or a row it left out,
 * after `警告：` / `已拒收：` in each language), then how many more.
 */
export function printProblems(
  lang: ProblemLanguage,
  file: string,
  problems: readonly ImportProblem[],
  kind?: 'warning' | 'rejected',
): void {
  for (const p of problems.slice(0, SHOWN))
    console.error(
      `${file}: ${inLanguages(lang, (l) => `${kind ? problemKindPrefix(l, kind) : ''}${importProblemLine(l, p, { surface: 'cli' })}`)}`,
    );
  if (problems.length > SHOWN)
    console.error(
      `${file}: ${inLanguages(lang, (l) => moreProblemsText(l, problems.length - SHOWN, kind === 'warning'))}`,
    );
}

/** A refused import: its problems, then `未导入任何要素：N 个问题，涉及 M 个要素 | nothing imported: …`. */
export function printRefused(lang: ProblemLanguage, file: string, problems: readonly ImportProblem[]): void {
  printProblems(lang, file, problems);
  const features = new Set(problems.map((p) => p.index).filter((i) => i !== null));
  const about = features.size ? features.size : null;
  console.error(`${file}: ${inLanguages(lang, (l) => nothingImportedText(l, problems.length, about))}`);
}

/** Why `file` cannot be imported before it is even opened (it does not exist, or is a folder). */
function fileProblemOf(file: string): ImportProblem | null {
  let st;
  try {
    st = statSync(file);
  } catch {
    return { index: null, code: 'file_not_found', params: { file } };
  }
  return st.isFile() ? null : { index: null, code: 'not_a_file', params: { file } };
}

/** Refuses (exit 1, the glossary's words) a path that names nothing or is not a file. */
export function exitUnlessFile(lang: ProblemLanguage, file: string): void {
  const problem = fileProblemOf(file);
  if (!problem) return;
  printRefused(lang, file, [problem]);
  process.exit(1);
}
