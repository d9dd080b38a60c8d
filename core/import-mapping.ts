import { VALUE_WORDS, type ValueField } from './value-words.ts';

/**
 * Which column of a file fills which field of a layer, guessed from the columns' names: the field's
 * own name, or what Chinese offices call it (名称, 地址, 门禁 …). The import page starts its column
 * mapping from this guess (the user changes it there); the command line imports by it and says which
 * columns it used and which it left out.
 */

/** Column names taken for a field, the field's own name first. */
export const FIELD_SYNONYMS: Record<string, readonly string[]> = {
  name: ['name', '名称', '名字', '小区名称', '区域名称', '楼栋名称', '门名称', '设备名称', '点位名称'],
  code: ['code', '编码', '编号', '代码', '设备编码', '设备编号', '国标编码'],
  category: ['category', '类别', '小区类别'],
  households: ['households', '户数', '住户数'],
  address: ['address', '地址'],
  floors: ['floors', '层数', '楼层'],
  kind: ['kind', '类型', '种类', '出入口类型'],
  system: ['system', '系统', '所属系统'],
  type: ['type', '摄像机类型', '设备类型', '类型'],
  street_code: ['street_code', '街道编码'],
  community_code: ['community_code', '社区编码'],
  access_control: ['access_control', '门禁', '有无门禁'],
  direction_deg: ['direction_deg', '方向', '朝向', '方向角', '朝向（°）'],
  fov_deg: ['fov_deg', '视角', '视场角', '水平视场角', '水平视场角（°）'],
  range_m: ['range_m', '射程', '可视距离', '监控距离', '监控距离（米）'],
  height_m: ['height_m', '高度', '安装高度', '安装高度（米）'],
  indoor: ['indoor', '室内'],
  status: ['status', '状态'],
  year_built: ['year_built', '建成年份', '建成年代'],
  notes: ['notes', '备注'],
  provider: ['provider', '服务单位', '物业服务企业', '物业服务单位', '物业公司'],
  helper_unit: ['helper_unit', '帮扶单位'],
  grid_worker: ['grid_worker', '网格员'],
  management_mode: ['management_mode', '管理模式', '管理方式'],
  level: ['level', '级别', '层级'],
  parent_code: ['parent_code', '上级编码'],
  compound_id: ['compound_id', '所属小区编号', '小区编号'],
};

/**
 * The guessed column of each field (null: none), each column used for one field at most. Fields
 * that a user should not fill from a file (who made or changed a row) are left out by the caller.
 */
export function guessMapping(
  fields: readonly string[],
  columns: readonly string[],
): Record<string, string | null> {
  const used = new Set<string>();
  const out: Record<string, string | null> = {};
  // A field's own name first for every field, then the synonyms: 类型 is a camera's type only when
  // no field named it already.
  for (const f of fields) {
    // …or as a Shapefile cut it to 10 characters (management_mode → management, street_code → street_cod),
    // which the CLI's attribute reader took while the page offered no column (new-user try, 2026-12-05).
    const own = [f, f.slice(0, 10)].find((c) => columns.includes(c) && !used.has(c));
    out[f] = own ?? null;
    if (own) used.add(own);
  }
  for (const f of fields) {
    if (out[f]) continue;
    const c = (FIELD_SYNONYMS[f] ?? []).find((s) => columns.includes(s) && !used.has(s));
    out[f] = c ?? null;
    if (c) used.add(c);
  }
  return out;
}

/** Other words files use for a coded value, beside its own words (core/value-words.ts). */
const MORE_WORDS: Partial<Record<ValueField, Record<string, readonly string[]>>> = {
  kind: {
    vehicle: ['车行', '车行门', '机动车出入口'],
    pedestrian: ['人行', '人行门'],
    unit_door: ['单元门禁'],
  },
  system: { xueliang: ['雪亮'], tianwang: ['天网工程'], huiyan: ['慧眼'], other: ['其它'] },
  type: { fixed: ['固定', '固定枪机'], dome: ['球机'], ptz: ['遥控枪机'] },
  status: { active: ['正常', '在用'], offline: ['故障'], planned: ['规划', '拟建'], approved: ['审定'] },
  category: {
    professional: ['专业物业小区', '物业管理'],
    self_managed: ['自管小区'],
    three_no: ['三无小区'],
  },
  management_mode: {
    professional: ['专业物业管理', '专业物业', '物业管理'],
    resident_self: ['居民自管', '居民自治', '业主自管', '业主自治', '自管'],
    community_custodial: ['社区托管', '社区代管', '托管'],
  },
  level: { district: ['区'], street: ['镇'], community: ['村'] },
};

/**
 * The words a file may hold for each coded value of a field: its Chinese words first (what an export
 * in words writes, and what a refusal lists), then its English words and the synonyms above.
 */
export const VALUE_SYNONYMS: Record<string, Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(VALUE_WORDS).map(([field, codes]) => [
    field,
    Object.fromEntries(
      Object.entries(codes).map(([code, words]) => [
        code,
        [words['zh-CN'], words.en, ...(MORE_WORDS[field as ValueField]?.[code] ?? [])],
      ]),
    ),
  ]),
);

/** A field's code for a value a file holds (the code itself, or one of its words), or null. */
export function valueCode(field: string, value: string, codes: readonly string[]): string | null {
  if (codes.includes(value)) return value;
  const lower = value.toLowerCase();
  const byCase = codes.find((c) => c === lower);
  if (byCase) return byCase;
  const words = VALUE_SYNONYMS[field];
  if (!words) return null;
  for (const c of codes) if (words[c]?.includes(value)) return c;
  return null;
}

/** `vehicle（车行出入口）, pedestrian（人行出入口）…`: a field's codes (`a, b`) with their first Chinese word. */
export function codesWithWords(field: string, codes: string): string {
  return codes
    .split(', ')
    .map((c) => {
      const word = VALUE_SYNONYMS[field]?.[c]?.[0];
      return word ? `${c}（${word}）` : c;
    })
    .join('，');
}

/** Words for true and false in a file's text (是/否 as the page asks, 有/无 …), lower case. */
export const TRUE_WORDS: readonly string[] = ['true', 't', 'yes', 'y', '1', '是', '有', '对', '真'];
export const FALSE_WORDS: readonly string[] = ['false', 'f', 'no', 'n', '0', '否', '无', '没有', '错', '假'];
