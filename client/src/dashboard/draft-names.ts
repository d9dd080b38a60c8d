import type { CoverageProposal } from '../../../core/coverage.ts';
import type { ManagementMode } from '../../../core/vocabulary.ts';
import type { DashboardT } from './messages.ts';

/**
 * 管理模式 of an adopted 建议区域: it gathers 三无 buildings, which by definition have no property
 * company yet, so the community takes them in custody (社区托管型) until the street finds a provider.
 */
export const PROPOSAL_MANAGEMENT_MODE: ManagementMode = 'community_custodial';

export interface ProposalDraft {
  name: string;
  street_code: string;
  management_mode: ManagementMode;
}

/**
 * The attributes each of a street's proposals opens with when adopted (采纳为草稿), in list order: named
 * after the compounds it covers (「华兴街38号院 物业服务区域」, 「甲等 3 个小区 物业服务区域」), or the
 * street and its number in the list when its buildings belong to no compound; a name two proposals
 * would share gets （1）, （2）… Every one passes the attribute checks as it is, so the street's editor
 * can save it unchanged (issue 9 #3).
 */
export function proposalDrafts(
  proposals: readonly Partial<Pick<CoverageProposal, 'compounds'>>[],
  streetCode: string,
  streetName: string,
  t: DashboardT,
): ProposalDraft[] {
  const base = proposals.map((p, i) => {
    const [first, ...rest] = p.compounds ?? [];
    if (first === undefined) return t('draft.proposalLoose', { street: streetName, n: i + 1 });
    return rest.length
      ? t('draft.proposalMany', { compound: first, n: rest.length + 1 })
      : t('draft.proposalOne', { compound: first });
  });
  const total = new Map<string, number>();
  for (const name of base) total.set(name, (total.get(name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return base.map((name) => {
    let unique = name;
    if ((total.get(name) ?? 0) > 1) {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      unique = t('draft.nameRepeat', { name, n });
    }
    return { name: unique, street_code: streetCode, management_mode: PROPOSAL_MANAGEMENT_MODE };
  });
}
