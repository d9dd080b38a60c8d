/**
 * The 摸排 survey spreadsheet's words, shared by the server (server/src/coverage/survey.ts reads and
 * matches the sheet) and the client (the import dialog shows the preview).
 */
import type { SurveyProblem } from './errors.ts';
import type { CompoundCategory, FiveTarget, TargetState } from './vocabulary.ts';

export type SurveyField =
  | 'code'
  | 'name'
  | 'street_code'
  | 'address'
  | 'category'
  | 'households'
  | FiveTarget
  | 'helper_unit'
  | 'grid_worker';

export type SurveyValues = Partial<{
  code: string;
  name: string;
  street_code: string;
  address: string;
  category: CompoundCategory;
  households: number;
  helper_unit: string;
  grid_worker: string;
}> &
  Partial<Record<FiveTarget, TargetState>>;

export interface SurveyMatch {
  compound_id: number;
  code: string | null;
  name: string;
  score: number;
}

export interface SurveyRow {
  /** The row number in the sheet (the header is row 1). */
  row: number;
  values: SurveyValues;
  /** Values that cannot be read: the client words `problem` with `value` / `max`; `message` is English. */
  problems: { field: string; problem: SurveyProblem; message: string; value?: string; max?: number }[];
  /** matched: by code or exact name; fuzzy: a likely compound to confirm; unmatched; invalid: bad values. */
  status: 'matched' | 'fuzzy' | 'unmatched' | 'invalid';
  how: 'code' | 'name' | 'fuzzy' | null;
  match: SurveyMatch | null;
  /** Other likely compounds, best first (fuzzy rows). */
  candidates: SurveyMatch[];
  /** What confirming would change on the matched compound. */
  changes: Record<string, { from: unknown; to: unknown }>;
}

/** The answer of POST /api/compounds/survey and GET /api/compounds/survey/:id: a preview. */
export interface SurveyPreview {
  import_id: number;
  file_name: string | null;
  status: 'pending' | 'applied';
  summary: { rows: number; matched: number; fuzzy: number; unmatched: number; invalid: number };
  rows: SurveyRow[];
}
