/**
 * Types of the coverage, 五有 scorecard and 台账 ledger API, shared by the server and the dashboard.
 */
import { FIVE_TARGETS, type CompoundCategory, type FiveTarget, type TargetState } from './vocabulary.ts';

/** Levels the coverage is counted at: the whole city, 区县/园区, 街道, 社区; a 社区's children are compounds. */
export const COVERAGE_LEVELS = ['city', 'district', 'street', 'community'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** Counts of one group of buildings. `uncovered` = buildings − covered; straddling ⊆ covered. */
export interface CoverageCounts {
  buildings: number;
  households: number;
  covered: number;
  uncovered: number;
  straddling: number;
}

export interface CoverageByCategory {
  all: CoverageCounts;
  three_no: CoverageCounts;
  self_managed: CoverageCounts;
  professional: CoverageCounts;
}

export interface CoverageNode extends CoverageByCategory {
  level: CoverageLevel | 'compound';
  /** null for the city, and for the buildings no jurisdiction holds ("未划入"). */
  code: string | null;
  name: string;
  /** Compounds only: the compound's id. */
  id?: number;
  /** Children only: [w, s, e, n] of the jurisdiction or compound, to zoom the map there. */
  bbox?: [number, number, number, number] | null;
}

/**
 * GET /api/coverage. `children` is every child, or one page of them (`children_limit`,
 * `children_offset`: a 社区 of a province-scale city holds tens of thousands of compounds), in code
 * order with the buildings no child holds ("未划入") last; the node's own counts are always whole.
 */
export interface CoverageResponse extends CoverageNode {
  children: CoverageNode[];
  /** How many children there are in all. */
  children_total: number;
  /** The index of `children[0]` among them. */
  children_offset: number;
}

/** GET /api/coverage/compounds: one row per compound. */
export interface CompoundCoverage extends CoverageCounts {
  id: number;
  code: string | null;
  name: string;
  category: CompoundCategory;
  street_code: string | null;
  community_code: string | null;
  /** [w, s, e, n] of the compound's outline, null without one. */
  bbox: [number, number, number, number] | null;
}

/** GET /api/coverage/trend: one snapshot of one node. */
export interface CoverageSnapshot extends CoverageCounts {
  taken_at: string;
  category: 'all' | CompoundCategory;
}

/** A gap between adjacent areas inside a street (a sliver or a hole): GET /api/coverage/gaps. */
export interface CoverageGap {
  /** Stable within one answer: the order by size. */
  index: number;
  kind: 'sliver' | 'hole';
  area_m2: number;
  /** Ids of the service areas the gap touches (the ones "fill" would extend). */
  neighbours: number[];
  /** Buildings whose footprint meets the gap. */
  buildings: number;
  geometry: GeoJSON.Polygon;
}

/** A proposed draft area around a cluster of uncovered 三无 buildings: GET /api/coverage/proposals. */
export interface CoverageProposal {
  index: number;
  block_id: number | null;
  building_ids: number[];
  /** Of those, the ones the proposed polygon covers entirely. */
  covers: number;
  households: number;
  area_m2: number;
  /** Names of the compounds its buildings belong to, most buildings first (empty: loose buildings). */
  compounds: string[];
  geometry: GeoJSON.Polygon;
}

/** One uncovered 三无 building of a street, with its compound: GET /api/coverage/uncovered. */
export interface UncoveredBuilding {
  id: number;
  name: string | null;
  address: string | null;
  households: number | null;
  floors: number | null;
  compound_id: number | null;
  compound_name: string | null;
  compound_code: string | null;
  community_code: string | null;
  /** [w, s, e, n] of the footprint, for zoom-to. */
  bbox: [number, number, number, number];
}

/**
 * A page of a street's uncovered 三无 buildings (those no service area covers yet), matching `q` when
 * given; `total` and `compounds` count every match, not only this page.
 */
export interface UncoveredPage {
  street: string;
  q: string | null;
  total: number;
  /** Distinct compounds among the matches (buildings of no compound not counted). */
  compounds: number;
  limit: number;
  offset: number;
  items: UncoveredBuilding[];
}

/** 五有 scorecard: where each target's state comes from. */
export type ScoreSource = 'derived' | 'assessment' | 'survey';

/** The sentences a scorecard reason can be (the client words them in the user's language). */
export const SCORE_REASON_KEYS = [
  'basic_service.buildings',
  'basic_service.outline_served',
  'basic_service.outline_unserved',
  'security.gates',
  'assessment',
  'survey',
] as const;
export type ScoreReasonKey = (typeof SCORE_REASON_KEYS)[number];

export interface TargetScore {
  target: FiveTarget;
  state: TargetState;
  source: ScoreSource;
  /** Why, in words a street office reads (Chinese). */
  reason: string;
  /** The same reason for a dictionary: which sentence, and the values it names. */
  reason_key: ScoreReasonKey;
  reason_vars: Record<string, string | number>;
  /** The manual assessment on record (also when the state is derived). */
  assessment: {
    state: TargetState;
    assessed_on: string;
    note: string | null;
    assessed_by: string | null;
  } | null;
}

/** GET /api/compounds/:id/scorecard */
export interface Scorecard {
  compound: {
    id: number;
    code: string | null;
    name: string;
    category: CompoundCategory;
    street_code: string | null;
  };
  targets: TargetScore[];
  met: number;
  /** 五有: all five met. */
  five_have: boolean;
}

/** GET /api/compounds/scorecards: a street's (or the city's) compounds counted per target and state. */
export interface ScorecardSummary {
  compounds: number;
  five_have: number;
  by_target: Record<FiveTarget, Record<TargetState, number>>;
}

/** The summary of a list of scorecards (server and client count alike). */
export function summarizeScorecards(cards: readonly Scorecard[]): ScorecardSummary {
  const byTarget = Object.fromEntries(
    FIVE_TARGETS.map((t) => {
      const c: Record<TargetState, number> = { met: 0, partly: 0, not_met: 0 };
      for (const s of cards) c[s.targets.find((x) => x.target === t)!.state]++;
      return [t, c];
    }),
  ) as Record<FiveTarget, Record<TargetState, number>>;
  return { compounds: cards.length, five_have: cards.filter((c) => c.five_have).length, by_target: byTarget };
}

/** Phases of the plan: 摸底 → 试点 → 全面推进 → 巩固. */
export const PLAN_PHASES = ['survey', 'pilot', 'rollout', 'consolidate'] as const;
export type PlanPhase = (typeof PLAN_PHASES)[number];

/** A ledger problem's category: one of the five targets, or other. */
export const LEDGER_CATEGORIES = [
  'wy_self_governance',
  'wy_security',
  'wy_basic_service',
  'wy_clean_environment',
  'wy_long_term_mechanism',
  'other',
] as const;
export type LedgerCategory = (typeof LEDGER_CATEGORIES)[number];

export const LEDGER_STATUSES = ['open', 'closed'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** One problem of the 问题清单. */
export interface LedgerItem {
  id: number;
  compound_id: number;
  compound_name: string;
  street_code: string | null;
  description: string;
  category: LedgerCategory;
  responsible_unit: string | null;
  /** YYYY-MM-DD */
  deadline: string | null;
  phase: PlanPhase;
  status: LedgerStatus;
  overdue: boolean;
  version: number;
  created_by: string | null;
  created_at: string;
  updated_by: string | null;
  updated_at: string;
  closed_by: string | null;
  closed_at: string | null;
  close_note: string | null;
  reopened_by: string | null;
  reopened_at: string | null;
  reopen_note: string | null;
}

/** One entry of GET /api/ledger/:id/history (oldest first): the item as it was after each change. */
export interface LedgerHistoryEntry {
  version: number;
  operation: 'create' | 'update' | 'close' | 'reopen';
  /** The item's row as recorded; its created_by/updated_by/closed_by/reopened_by are null for an anonymous reader. */
  attributes: Record<string, unknown>;
  /** The 销号/reopen note. */
  note: string | null;
  /** Username of who made this version; null for an anonymous reader (core/api.ts isAuthorField). */
  changed_by: string | null;
  changed_at: string;
}

export interface LedgerCounts {
  open: number;
  closed: number;
  overdue: number;
}

/** GET /api/ledger/stats */
export interface LedgerStats {
  streets: (LedgerCounts & { street_code: string | null; name: string })[];
  phases: (LedgerCounts & { phase: PlanPhase })[];
  total: LedgerCounts;
}

export const CATEGORY_LABELS: Record<CompoundCategory, string> = {
  three_no: '三无小区',
  self_managed: '自管小区',
  professional: '专业物业',
};

export const TARGET_LABELS: Record<FiveTarget, string> = {
  wy_self_governance: '有业主自治组织',
  wy_security: '有安全防护设施',
  wy_basic_service: '有基本物业服务',
  wy_clean_environment: '有干净整洁环境',
  wy_long_term_mechanism: '有长效管理机制',
};

export const STATE_LABELS: Record<TargetState, string> = { met: '是', partly: '部分', not_met: '否' };

export const PHASE_LABELS: Record<PlanPhase, string> = {
  survey: '摸底',
  pilot: '试点',
  rollout: '全面推进',
  consolidate: '巩固',
};
