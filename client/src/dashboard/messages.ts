import { useCallback } from 'react';
import type { PlanPhase } from '../../../core/coverage.ts';
import type { CompoundCategory } from '../../../core/vocabulary.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { format, type Language } from '../i18n/messages.ts';

/**
 * The dashboard's (看板) words in both languages; Chinese is the reference and English must have every
 * key (the type says so). The language is the app's (the shell's I18n context).
 */
const zhCN = {
  open: '看板',
  city: '全市',
  refresh: '刷新',
  close: '关闭看板',
  'kpi.uncoveredThreeNo': '未覆盖三无楼栋',
  'kpi.threeNoCoverage': '三无覆盖率',
  'kpi.allCoverage': '全部覆盖率',
  'kpi.straddling': '跨界楼栋',
  'kpi.fiveHave': '五有达标（{met}/{all}）',
  'children.title': '下级（楼栋数，按类别；右为三无覆盖率）',
  'children.unassigned': '未划入',
  'children.bar': '{category}：{buildings} 栋，已覆盖 {covered}',
  'category.three_no': '三无小区',
  'category.self_managed': '自管小区',
  'category.professional': '专业物业',
  'trend.title': '三无覆盖率趋势',
  'trend.tooFew': '快照不足两次（城市管理员登录后可记录快照）。',
  'trend.record': '记录快照',
  'targets.title': '五有各项达标',
  'targets.partly': '部分 {n}',
  'ledger.title': '问题台账：未销号 {open}，已销号 {closed}，逾期',
  'ledger.open': '未销号 {n}',
  'ledger.closed': '已销号 {n}',
  'ledger.overdue': '逾期 {n}',
  'phase.survey': '摸底',
  'phase.pilot': '试点',
  'phase.rollout': '全面推进',
  'phase.consolidate': '巩固',
  'worst.title': '未覆盖三无楼栋最多的小区',
  'worst.uncovered': '{uncovered}/{buildings} 栋未覆盖',
  'gaps.title': '区域间空隙 {gaps} 处 · 建议新划区域 {proposals} 个',
  'gaps.hole': '区域内空洞 {m2} m²',
  'gaps.sliver': '区域间缝隙 {m2} m²',
  'gaps.buildings': '{n} 栋楼',
  'gaps.legendGap': '地图上：空隙（橙色）',
  'draft.fill': '填补',
  'draft.fillTitle': '以此空隙为形状新建草稿区域，在编辑器中修改后保存',
  'draft.acceptDraft': '采纳为草稿',
  'draft.acceptDraftTitle': '以此建议区域新建草稿区域，在编辑器中修改后保存',
  'draft.draftName': '{street} 新服务区域',
  'gaps.legendProposal': '建议区域（紫色虚线）',
  'proposal.label': '建议区域 {m2} m²',
  'proposal.covers': '覆盖 {covers}/{total} 栋三无楼',
  'export.coverageXlsx': '覆盖统计 XLSX',
  'export.coverageCsv': 'CSV',
  'export.ledgerXlsx': '问题台账 XLSX',
  'export.uncoveredGeojson': '未覆盖三无楼栋 GeoJSON',
  'export.mapPng': '当前地图 PNG',
  'png.title': '五有地图 · {place} · 物业服务区域与三无楼栋',
  'png.file': '五有地图-{place}-{date}.png',
  'png.date': '制图日期 {date}',
  'png.legend': '{category} · {state}',
  'png.three_no': '三无',
  'png.self_managed': '自管',
  'png.professional': '专业物业',
  'png.covered': '已纳入',
  'png.uncovered': '未纳入',
  'png.failed': '无法生成地图图片',
};

export type DashboardMessageKey = keyof typeof zhCN;

const en: Record<DashboardMessageKey, string> = {
  open: 'Dashboard',
  city: 'Whole city',
  refresh: 'Refresh',
  close: 'Close the dashboard',
  'kpi.uncoveredThreeNo': 'Uncovered unmanaged (三无) buildings',
  'kpi.threeNoCoverage': 'Unmanaged (三无) coverage',
  'kpi.allCoverage': 'Coverage, all buildings',
  'kpi.straddling': 'Buildings on a boundary',
  'kpi.fiveHave': 'Five-haves met ({met}/{all})',
  'children.title': 'Below (buildings by category; right: unmanaged (三无) coverage)',
  'children.unassigned': 'Not assigned',
  'children.bar': '{category}: {buildings} buildings, {covered} covered',
  'category.three_no': 'Unmanaged (三无)',
  'category.self_managed': 'Self-managed',
  'category.professional': 'Professionally managed',
  'trend.title': 'Unmanaged (三无) coverage over time',
  'trend.tooFew': 'Fewer than two snapshots (a city administrator can record one after signing in).',
  'trend.record': 'Record a snapshot',
  'targets.title': 'Five-haves, target by target',
  'targets.partly': 'partly {n}',
  'ledger.title': 'Problem list: {open} open, {closed} signed off, overdue',
  'ledger.open': '{n} open',
  'ledger.closed': '{n} signed off',
  'ledger.overdue': '{n} overdue',
  'phase.survey': 'Survey',
  'phase.pilot': 'Pilot',
  'phase.rollout': 'Roll-out',
  'phase.consolidate': 'Consolidation',
  'worst.title': 'Compounds with the most uncovered unmanaged (三无) buildings',
  'worst.uncovered': '{uncovered}/{buildings} buildings uncovered',
  'gaps.title': '{gaps} gaps between areas · {proposals} proposed new areas',
  'gaps.hole': 'Hole inside an area, {m2} m²',
  'gaps.sliver': 'Gap between areas, {m2} m²',
  'gaps.buildings': '{n} buildings',
  'gaps.legendGap': 'On the map: gaps (orange)',
  'draft.fill': 'Fill',
  'draft.fillTitle': 'New draft area shaped like this gap, to edit and save in the editor',
  'draft.acceptDraft': 'Accept as draft',
  'draft.acceptDraftTitle': 'New draft area from this proposal, to edit and save in the editor',
  'draft.draftName': '{street} new service area',
  'gaps.legendProposal': 'proposed areas (dashed purple)',
  'proposal.label': 'Proposed area, {m2} m²',
  'proposal.covers': 'covers {covers}/{total} unmanaged (三无) buildings',
  'export.coverageXlsx': 'Coverage XLSX',
  'export.coverageCsv': 'CSV',
  'export.ledgerXlsx': 'Problem list XLSX',
  'export.uncoveredGeojson': 'Uncovered unmanaged (三无) buildings GeoJSON',
  'export.mapPng': 'Current map PNG',
  'png.title': 'Wuyou Map · {place} · service areas and unmanaged (三无) buildings',
  'png.file': 'wuyou-map-{place}-{date}.png',
  'png.date': 'Map date {date}',
  'png.legend': '{category} · {state}',
  'png.three_no': 'Unmanaged (三无)',
  'png.self_managed': 'Self-managed',
  'png.professional': 'Professionally managed',
  'png.covered': 'in an area',
  'png.uncovered': 'not in an area',
  'png.failed': 'The map image could not be made',
};

export const DASHBOARD_MESSAGES: Record<Language, Record<DashboardMessageKey, string>> = {
  'zh-CN': zhCN,
  en,
};

export type DashboardT = (key: DashboardMessageKey, vars?: Record<string, string | number>) => string;

/** `t` for the dashboard's keys, in the app's current language. */
export function useDashboardText(): { t: DashboardT; lang: Language } {
  const { lang } = useI18n();
  const t = useCallback<DashboardT>((key, vars) => format(DASHBOARD_MESSAGES[lang][key], vars), [lang]);
  return { t, lang };
}

/** Keys of values the dashboard shows by name. */
export const categoryKey = (c: CompoundCategory): DashboardMessageKey => `category.${c}`;
export const phaseKey = (p: PlanPhase): DashboardMessageKey => `phase.${p}`;
