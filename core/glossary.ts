/**
 * The domain's terms, worded once: every dictionary of the client (shell, editor, card, dashboard,
 * security) builds its sentences from these, so 三无 or 帮扶单位 reads the same in every panel.
 * Chinese is the reference; the English beside it keeps the Chinese term where a reader from the
 * street office would look for it.
 */
export const GLOSSARY = {
  /** 三无: no property management, no supervising body, no security. */
  threeNo: { 'zh-CN': '三无', en: 'unmanaged (三无)' },
  threeNoCompound: { 'zh-CN': '三无小区', en: 'unmanaged (三无) compound' },
  /** 自管: run by its owners. */
  selfManaged: { 'zh-CN': '自管', en: 'self-managed' },
  selfManagedCompound: { 'zh-CN': '自管小区', en: 'self-managed compound' },
  professional: { 'zh-CN': '专业物业', en: 'professionally managed' },
  compound: { 'zh-CN': '小区', en: 'compound' },
  building: { 'zh-CN': '楼栋', en: 'building' },
  /** 物业服务区域: the area one provider serves; what the editor draws. */
  serviceArea: { 'zh-CN': '物业服务区域', en: 'property-service area' },
  /** 物业服务人: the provider named on a service area. */
  provider: { 'zh-CN': '物业服务人', en: 'service provider' },
  /** 帮扶单位: the public body paired with a compound to help it. */
  helperUnit: { 'zh-CN': '帮扶单位', en: 'partner unit' },
  gridWorker: { 'zh-CN': '网格员', en: 'grid worker' },
  street: { 'zh-CN': '街道', en: 'subdistrict' },
  community: { 'zh-CN': '社区', en: 'community' },
  district: { 'zh-CN': '区县', en: 'district' },
  /** 五有: the five targets every compound must meet. */
  fiveTargets: { 'zh-CN': '五有', en: 'five targets (五有)' },
  /** 销号: signing a problem off as fixed. */
  signOff: { 'zh-CN': '销号', en: 'sign off' },
  signedOff: { 'zh-CN': '已销号', en: 'signed off' },
  notSignedOff: { 'zh-CN': '未销号', en: 'open' },
  /** 问题清单: the compound's ledger of problems. */
  problemList: { 'zh-CN': '问题清单', en: 'problem list' },
  /** 摸排: the street office's door-to-door survey. */
  survey: { 'zh-CN': '摸排', en: 'survey' },
  managementMode: { 'zh-CN': '管理模式', en: 'management mode' },
  gate: { 'zh-CN': '出入口', en: 'gate' },
  camera: { 'zh-CN': '摄像机', en: 'camera' },
  accessControl: { 'zh-CN': '门禁', en: 'access control' },
} as const;

export type GlossaryTerm = keyof typeof GLOSSARY;
export type GlossaryLanguage = keyof (typeof GLOSSARY)['threeNo'];

/** The term in a language; `cap` capitalises the first letter (English starts of labels). */
export function term(t: GlossaryTerm, lang: GlossaryLanguage, cap = false): string {
  const s: string = GLOSSARY[t][lang];
  return cap ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
