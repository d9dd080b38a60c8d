import { readFileSync } from 'node:fs';
import type { Scorecard, TargetScore } from '../../../core/coverage.ts';
import {
  FIVE_TARGETS,
  type CompoundCategory,
  type FiveTarget,
  type TargetState,
} from '../../../core/vocabulary.ts';
import type { User } from '../auth.ts';
import type { Queryable } from '../db/index.ts';
import { watchedGates } from './watched-gates.ts';

const SCORECARD_SQL = readFileSync(new URL('./scorecard.sql', import.meta.url), 'utf8');

interface FactsRow extends Record<FiveTarget, TargetState> {
  id: number;
  code: string | null;
  name: string;
  category: CompoundCategory;
  street_code: string | null;
  buildings: number;
  served: number;
  covered_unserved: number;
  outline_served: boolean | null;
  providers: string[];
  gates: number;
  gates_with_access: number;
  /** The compound's entrance gates (bigint ids come as text from pg). */
  gate_ids: (number | string)[];
  cameras: number;
  assessments: Partial<Record<FiveTarget, NonNullable<TargetScore['assessment']>>>;
}

const ratio = (part: number, all: number): TargetState =>
  part === all ? 'met' : part > 0 ? 'partly' : 'not_met';

type Derived = Pick<TargetScore, 'state' | 'reason' | 'reason_key' | 'reason_vars'>;

/** 有基本物业服务, from the approved service areas with a provider; undefined when nothing can tell. */
function basicService(f: FactsRow): Derived | undefined {
  const by = f.providers.length ? `（${f.providers.join('、')}）` : '';
  const providers = f.providers.join('、');
  if (f.buildings > 0) {
    const extra = f.covered_unserved
      ? `；另有 ${f.covered_unserved} 栋在服务区域内，但区域未批准或未明确物业服务人`
      : '';
    return {
      state: ratio(f.served, f.buildings),
      reason: `${f.buildings} 栋楼中 ${f.served} 栋在已批准且有物业服务人的服务区域内${by}${extra}`,
      reason_key: 'basic_service.buildings',
      reason_vars: {
        buildings: f.buildings,
        served: f.served,
        covered_unserved: f.covered_unserved,
        providers,
      },
    };
  }
  if (f.outline_served !== null) {
    return {
      state: f.outline_served ? 'met' : 'not_met',
      reason: f.outline_served
        ? `小区范围在已批准且有物业服务人的服务区域内${by}`
        : '小区范围不在已批准且有物业服务人的服务区域内',
      reason_key: f.outline_served ? 'basic_service.outline_served' : 'basic_service.outline_unserved',
      reason_vars: { providers },
    };
  }
  return undefined;
}

/**
 * 有安全防护设施 (物防技防), from the entrance gates: met when every gate has access control (门禁) and
 * is seen by a camera (its viewshed clipped by buildings), partly when some gate has either, not met
 * when none has; undefined when no gate is recorded.
 */
function security(f: FactsRow, watched: number): Derived | undefined {
  if (f.gates === 0) return undefined;
  const access = ratio(f.gates_with_access, f.gates);
  const seen = ratio(watched, f.gates);
  return {
    state:
      access === 'met' && seen === 'met' ? 'met' : f.gates_with_access + watched > 0 ? 'partly' : 'not_met',
    reason: `${f.gates} 个出入口中 ${f.gates_with_access} 个有门禁、${watched} 个在摄像头实际可视范围内；在线摄像头 ${f.cameras} 个`,
    reason_key: 'security.gates',
    reason_vars: { gates: f.gates, access: f.gates_with_access, watched, cameras: f.cameras },
  };
}

function toScorecard(f: FactsRow, watched: Set<number>): Scorecard {
  const derived: Partial<Record<FiveTarget, Derived>> = {
    wy_basic_service: basicService(f),
    wy_security: security(f, f.gate_ids.filter((g) => watched.has(Number(g))).length),
  };
  const targets = FIVE_TARGETS.map((target): TargetScore => {
    const assessment = f.assessments[target] ?? null;
    const d = derived[target];
    if (d) return { target, ...d, source: 'derived', assessment };
    if (assessment) return { target, state: assessment.state, ...assessmentReason(assessment), assessment };
    return {
      target,
      state: f[target],
      source: 'survey',
      reason: '摸排登记',
      reason_key: 'survey',
      reason_vars: {},
      assessment: null,
    };
  });
  const met = targets.filter((t) => t.state === 'met').length;
  return {
    compound: { id: f.id, code: f.code, name: f.name, category: f.category, street_code: f.street_code },
    targets,
    met,
    five_have: met === FIVE_TARGETS.length,
  };
}

/** The 五有 scorecards of the compounds matching the filter (all compounds when it is empty). */
export async function scorecards(
  db: Queryable,
  f: { id?: number; street?: string; category?: CompoundCategory } = {},
): Promise<Scorecard[]> {
  const r = await db.query<FactsRow>(SCORECARD_SQL, [f.id ?? null, f.street ?? null, f.category ?? null]);
  const watched = await watchedGates(
    db,
    r.rows.flatMap((row) => row.gate_ids.map(Number)),
  );
  return r.rows.map((row) => toScorecard(row, watched));
}

export async function scorecard(db: Queryable, id: number): Promise<Scorecard | undefined> {
  return (await scorecards(db, { id }))[0];
}

/**
 * Records a staff assessment of one target (with date, note and who) and keeps the compound's own
 * column at the latest assessed state.
 */
export async function recordAssessment(
  tx: Queryable,
  a: {
    compoundId: number;
    target: FiveTarget;
    state: TargetState;
    assessedOn: string;
    note: string | null;
    by: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO five_target_assessments (compound_id, target, state, assessed_on, note, assessed_by)
     VALUES ($1, $2, $3, $4::date, $5, $6)`,
    [a.compoundId, a.target, a.state, a.assessedOn, a.note, a.by],
  );
  // FIVE_TARGETS is the allow-list of column names.
  const column = FIVE_TARGETS.find((t) => t === a.target)!;
  await tx.query(
    `UPDATE compounds c SET ${column} = x.state, version = c.version + 1, updated_at = now()
     FROM (SELECT DISTINCT ON (compound_id) state FROM five_target_assessments
           WHERE compound_id = $1 AND target = $2 ORDER BY compound_id, assessed_on DESC, id DESC) x
     WHERE c.id = $1 AND c.${column} IS DISTINCT FROM x.state`,
    [a.compoundId, a.target],
  );
}

export async function assessmentHistory(db: Queryable, compoundId: number) {
  const r = await db.query(
    `SELECT id, target, state, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, note, assessed_by, created_at
     FROM five_target_assessments WHERE compound_id = $1 ORDER BY assessed_on DESC, id DESC`,
    [compoundId],
  );
  return r.rows;
}

/** The reason of a target scored by a staff assessment; `by` empty when the assessor is not told. */
function assessmentReason(
  a: NonNullable<TargetScore['assessment']>,
): Pick<TargetScore, 'source' | 'reason' | 'reason_key' | 'reason_vars'> {
  const note = a.note ? `：${a.note}` : '';
  return {
    source: 'assessment',
    reason: `${a.assessed_by ?? '工作人员'} 于 ${a.assessed_on} 评定${note}`,
    reason_key: 'assessment',
    reason_vars: { by: a.assessed_by ?? '', on: a.assessed_on, note: a.note ?? '' },
  };
}

/**
 * A scorecard for its reader (issue 10, as core/api.ts isAuthorField): who assessed a target is told
 * to signed-in readers only; an anonymous one gets assessed_by null and the reason without the name
 * (工作人员, reason_vars.by empty). The cards are computed (and cached per street) as one.
 */
export function scorecardFor(card: Scorecard, reader: User | undefined): Scorecard {
  if (reader) return card;
  return {
    ...card,
    targets: card.targets.map((t) => {
      if (!t.assessment) return t;
      const assessment = { ...t.assessment, assessed_by: null };
      return t.source === 'assessment'
        ? { ...t, ...assessmentReason(assessment), assessment }
        : { ...t, assessment };
    }),
  };
}
