import { GLOSSARY } from './glossary.ts';

/**
 * The words for the coded values of the data layers, once: the map's attribute panel and legend show
 * them, an import reads them (or their synonyms, core/import-mapping.ts) as the code, and an export
 * may write them instead of the code. Chinese is the reference; English beside it.
 */
type Words = { readonly 'zh-CN': string; readonly en: string };

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const g = (t: keyof typeof GLOSSARY): Words => ({ 'zh-CN': GLOSSARY[t]['zh-CN'], en: cap(GLOSSARY[t].en) });
const w = (zh: string, en: string): Words => ({ 'zh-CN': zh, en });

export const VALUE_WORDS = {
  category: { professional: g('professional'), self_managed: g('selfManaged'), three_no: g('threeNo') },
  management_mode: {
    professional: w('专业物业管理型', 'Professional property management'),
    resident_self: w('居民自管型', 'Resident self-managed'),
    community_custodial: w('社区托管型', 'Community custody'),
  },
  status: {
    draft: w('草稿', 'Draft'),
    approved: w('已审定', 'Approved'),
    active: w('在线', 'Active'),
    offline: w('离线', 'Offline'),
    planned: w('规划中', 'Planned'),
  },
  level: {
    district: w('区县', 'District'),
    street: w('街道', 'Subdistrict'),
    community: w('社区', 'Community'),
  },
  system: {
    xueliang: w('雪亮工程', 'Xueliang (雪亮)'),
    tianwang: w('天网', 'Tianwang (天网)'),
    huiyan: w('慧眼工程', 'Huiyan (慧眼)'),
    other: w('其他', 'Other'),
  },
  type: { fixed: w('枪机', 'Fixed'), dome: w('半球', 'Dome'), ptz: w('云台', 'PTZ') },
  kind: {
    vehicle: w('车行出入口', 'Vehicle gate'),
    pedestrian: w('人行出入口', 'Pedestrian gate'),
    unit_door: w('单元门', 'Unit door'),
  },
  /** A 五有 target (wy_* attributes). */
  target: { met: w('已达标', 'Met'), partly: w('部分达标', 'Partly met'), not_met: w('未达标', 'Not met') },
} as const satisfies Record<string, Record<string, Words>>;

export type ValueField = keyof typeof VALUE_WORDS;

/** The group of words a field's values take (a 五有 target's wy_* field: `target`), or null. */
export function valueField(field: string): ValueField | null {
  const f = field.startsWith('wy_') ? 'target' : field;
  return f in VALUE_WORDS ? (f as ValueField) : null;
}

/** A coded value in words, or null when the field has no words or the value is not one of its codes. */
export function valueWord(field: string, code: string, lang: 'zh-CN' | 'en'): string | null {
  const f = valueField(field);
  const words = f ? (VALUE_WORDS[f] as Record<string, Words>)[code] : undefined;
  return words ? words[lang] : null;
}
