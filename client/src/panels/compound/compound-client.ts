import type {
  LedgerCategory,
  LedgerHistoryEntry,
  LedgerItem,
  PlanPhase,
  Scorecard,
} from '../../../../core/coverage.ts';
import type { SurveyPreview } from '../../../../core/survey.ts';
import type { FiveTarget, TargetState } from '../../../../core/vocabulary.ts';
import { call } from '../../api.ts';

/** The compound card's part of the API: 五有 scorecard, assessments and the 问题清单 (ledger). */

export async function fetchScorecard(compoundId: number): Promise<Scorecard> {
  return (await call<Scorecard>('GET', `/api/compounds/${compoundId}/scorecard`)).json;
}

export async function assess(
  compoundId: number,
  a: { target: FiveTarget; state: TargetState; assessed_on: string; note: string | null },
): Promise<Scorecard> {
  return (await call<Scorecard>('POST', `/api/compounds/${compoundId}/assessments`, a)).json;
}

export async function fetchLedger(compoundId: number): Promise<LedgerItem[]> {
  return (await call<{ items: LedgerItem[] }>('GET', `/api/ledger?compound=${compoundId}`)).json.items;
}

export interface NewLedgerItem {
  compound_id: number;
  description: string;
  category: LedgerCategory;
  responsible_unit: string | null;
  deadline: string | null;
  phase: PlanPhase;
}

export async function createLedgerItem(item: NewLedgerItem): Promise<LedgerItem> {
  return (await call<LedgerItem>('POST', '/api/ledger', item)).json;
}

/** 销号 or reopen, against the version the user saw (If-Match). */
export async function setLedgerStatus(
  item: Pick<LedgerItem, 'id' | 'version'>,
  action: 'close' | 'reopen',
  note: string | null,
): Promise<LedgerItem> {
  return (
    await call<LedgerItem>(
      'POST',
      `/api/ledger/${item.id}/${action}`,
      { note },
      { 'If-Match': `"${item.version}"` },
    )
  ).json;
}

export type { LedgerHistoryEntry };

/** The item's versions; who made each is told to a signed-in reader only (the call sends the session's token). */
export async function fetchLedgerHistory(id: number): Promise<LedgerHistoryEntry[]> {
  return (await call<{ history: LedgerHistoryEntry[] }>('GET', `/api/ledger/${id}/history`)).json.history;
}

/** Sends the spreadsheet as it is (XLSX or CSV); the server answers a preview, nothing changed yet. */
export async function uploadSurvey(file: File): Promise<SurveyPreview> {
  const url = `/api/compounds/survey?name=${encodeURIComponent(file.name)}`;
  return (await call<SurveyPreview>('POST', url, file)).json;
}

/** Applies the preview: matched rows, the fuzzy rows confirmed with a compound, minus skipped rows. */
export async function confirmSurvey(
  importId: number,
  confirm: { row: number; compound_id: number }[],
  skip: number[],
): Promise<{ import_id: number; applied: { row: number; compound_id: number }[] }> {
  return (
    await call<{ import_id: number; applied: { row: number; compound_id: number }[] }>(
      'POST',
      `/api/compounds/survey/${importId}/confirm`,
      { confirm, skip },
    )
  ).json;
}
