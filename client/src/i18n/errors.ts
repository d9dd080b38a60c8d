/**
 * Errors and check results worded for the user. The server answers `{code, message, details}`:
 * `code` (core/errors.ts), an optional `details.reason` and the params beside it; `message` is an
 * English fallback for API users and is never shown here. A check issue (core/checks/codes.ts) is
 * worded from its code and its figures the same way, live in the editor and from a server's 422.
 */
import type { CheckCode } from '../../../core/checks/codes.ts';
import type { ErrorCode, ErrorReason, SurveyProblem } from '../../../core/errors.ts';
import type { InputProblemCode } from '../../../core/checks/input.ts';
import { term } from '../../../core/glossary.ts';
import type { ImportProblem } from '../../../core/import-problems.ts';
import { importProblemLine } from '../../../core/import-words.ts';
import { attributeKey, format, MESSAGES, type Language } from './messages.ts';
import { placeName } from './places.ts';

type Words = Record<
  | `code.${ErrorCode}`
  | `reason.${ErrorReason}`
  | `check.${CheckCode}`
  | `input.${InputProblemCode}`
  | `survey.${SurveyProblem}`
  | 'code.invalid_attribute.field'
  | 'network'
  | 'unknown',
  string
>;

const zhCN: Words = {
  'code.bad_request': '请求有误，未被接受',
  'code.invalid_bbox': '地图范围有误',
  'code.invalid_tile': '瓦片编号有误',
  'code.invalid_geojson': '边界数据格式有误',
  'code.invalid_geometry': '边界坐标有误',
  'code.invalid_attribute': '填写的内容不符合要求',
  'code.invalid_attribute.field': '“{field}”的值不符合要求',
  'code.unknown_layer': '没有这个图层',
  'code.not_found': '对象不存在或已被删除',
  'code.unauthorized': '请先登录',
  'code.forbidden': '您的账号没有这项操作的权限',
  'code.out_of_jurisdiction': '超出您所在街道（{street}）的辖区',
  'code.payload_too_large': '上传的内容过大',
  'code.version_conflict': '其他人刚刚修改了这条记录，请重新读取后再操作',
  'code.precondition_required': '缺少版本号，请重新读取后再操作',
  'code.validation_failed': '未通过检查',
  'code.timeout': '服务器处理超时，请稍后再试',
  'code.rate_limited': '请求过于频繁，请稍后再试',
  'code.unavailable': '数据库暂时不可用，请稍后再试',
  'code.internal': '服务器内部错误，请稍后再试',
  'reason.password_too_short': '密码至少需要 {min} 个字符',
  'reason.password_too_long': '密码过长',
  'reason.password_common': '这是最常见的密码之一，请换一个',
  'reason.password_same_as_username': '密码不能包含用户名',
  'reason.password_one_character': '密码不能由同一个字符重复组成',
  'reason.password_unchanged': '新密码不能与当前密码相同',
  'reason.wrong_current_password': '当前密码不正确',
  'reason.own_account': '不能降级或停用自己的账号',
  'reason.admin_only': '只有市级管理员可以进行此操作',
  'reason.locked_out': '登录失败次数过多，请在 {retryAfterS} 秒后再试',
  'reason.too_many_streams': '实时更新连接过多（最多 {max} 个），请关闭其他窗口',
  'reason.still_computing': '仍在计算，请稍后再试',
  'code.password_change_required': '请先设置新密码',
  'code.weak_password': '密码不符合要求',
  'code.username_taken': '该用户名已被使用',
  'reason.required': '“{field}”为必填项',
  'reason.wrong_credentials': '用户名或密码错误',
  'reason.sign_in_first': '请先登录',
  'reason.session_expired': '登录已失效，请重新登录',
  'reason.read_only': '只读账号不能修改数据',
  'reason.compound_other_street': `该${term('compound', 'zh-CN')}属于{compound_street}，您只能修改{street}的${term('compound', 'zh-CN')}`,
  'reason.outside_street': '超出您所在街道（{street}）的辖区',
  'reason.survey_applied_already': '这份摸排表已经导入过了',
  'reason.survey_row_invalid': '第 {row} 行有错误，不能导入',
  'reason.survey_row_unknown_compound': `第 {row} 行：没有编号为 {compound_id} 的${term('compound', 'zh-CN')}`,
  'reason.survey_unreadable': '无法读取这个文件，请上传 XLSX 或 CSV 格式的摸排表',
  'reason.survey_no_header': '第一行应为表头，并包含“小区名称”或“小区编码”',
  'reason.unknown_street': '没有编码为 {street} 的街道',
  'reason.unknown_community': '没有编码为 {community} 的社区',
  'reason.unknown_district': '没有编码为 {district} 的区县',
  'reason.filter_not_supported': '这一图层不能按 {filter} 筛选导出',
  'reason.import_too_large': '文件太大，导入文件最大 {maxMb} MB',
  'reason.import_empty': '这个文件是空的（0 字节），请选择有内容的文件',
  'reason.import_layer_not_allowed': '街道编辑员只能导入物业服务区域、摄像机和出入口',
  'reason.import_unreadable': '无法读取这个文件',
  'reason.import_refused': '有要素未通过检查，没有写入任何数据',
  'reason.import_fixed_value': '固定值不能用于这个字段',
  'reason.unknown_encoding': '不支持的字符编码 {encoding}，请选 UTF-8 或 GBK',
  'reason.unknown_srs': '不支持的坐标系 {srs}，请选 4326 或 4490',
  'reason.cell_too_long': '{feature}的边界太长，超出表格单元格上限，请改用 CSV、GPKG 或 SHP 格式',
  'reason.not_in_encoding': '{feature}的“{column}”含有 GBK 无法存放的字符“{char}”，请改用 UTF-8 编码导出',
  'check.self_intersection': '边界自相交（{n} 处交叉点，已在地图上标出）',
  'check.overlap': '与“{name}”重叠 {m2} 平方米',
  'check.cut_building': '边界穿过 {n} 栋楼（橙色标出）',
  'check.empty': '区域内没有楼栋',
  'check.too_small': '面积 {m2} 平方米，小于最小面积 {min} 平方米',
  'check.out_of_jurisdiction': '超出本街道辖区',
  'input.not_a_feature': '边界数据不是一个要素',
  'input.not_a_polygon': '边界必须是一个多边形',
  'input.bad_coordinate': '边界中有无效的坐标',
  'input.coordinate_out_of_range': '边界坐标超出经纬度范围',
  'input.too_few_positions': '边界顶点太少',
  'input.unclosed_ring': '边界没有闭合',
  'input.too_many_vertices': '边界顶点太多',
  'input.crosses_antimeridian': '区域不能跨越 180° 经线',
  'input.missing_attribute': '“{field}”为必填项',
  'input.unknown_attribute': '不认识的字段“{field}”',
  'input.bad_attribute_value': '“{field}”的值不符合要求',
  'survey.bad_category': `“{value}”应为 ${term('threeNoCompound', 'zh-CN')} / ${term('selfManagedCompound', 'zh-CN')} / ${term('professional', 'zh-CN')}`,
  'survey.bad_households': '“{value}”应为非负整数',
  'survey.bad_target_state': '“{value}”应为 是 / 部分 / 否',
  'survey.too_long': '超过 {max} 字',
  'survey.missing_name_or_code': '缺少小区名称或编码',
  'reason.basemap_unknown_format': '不是可识别的离线底图文件（应为瓦片数据库或 PMTILES 瓦片包）',
  'reason.basemap_no_tiles': '文件中没有瓦片（缺少瓦片表）',
  'reason.basemap_corrupt': '文件已损坏或无法读取',
  'reason.basemap_unsupported_tiles':
    '不支持该瓦片格式（{format}），仅支持 PNG、JPEG、WEBP 影像瓦片和矢量瓦片',
  'reason.basemap_too_large': '文件过大，上限 {maxMb} MB',
  'reason.basemap_upload_broken': '上传中断，请重新上传',
  'reason.basemap_unreadable': '底图文件无法读取',
  network: '无法连接服务器，请检查网络后再试',
  unknown: '操作未完成，请稍后再试',
};

const en: Words = {
  'code.bad_request': 'The request was not accepted',
  'code.invalid_bbox': 'The map extent is not valid',
  'code.invalid_tile': 'The tile address is not valid',
  'code.invalid_geojson': 'The boundary data is not valid GeoJSON',
  'code.invalid_geometry': 'The boundary has invalid coordinates',
  'code.invalid_attribute': 'A value is not accepted',
  'code.invalid_attribute.field': 'The value of “{field}” is not accepted',
  'code.unknown_layer': 'No such layer',
  'code.not_found': 'It does not exist or was deleted',
  'code.unauthorized': 'Sign in first',
  'code.forbidden': 'Your account may not do this',
  'code.out_of_jurisdiction': 'Outside your subdistrict ({street})',
  'code.payload_too_large': 'The upload is too large',
  'code.version_conflict': 'Someone has just changed this; read it again and retry',
  'code.precondition_required': 'The version is missing; read it again and retry',
  'code.validation_failed': 'The checks failed',
  'code.timeout': 'The server took too long; try again later',
  'code.rate_limited': 'Too many requests; wait a moment and try again',
  'code.unavailable': 'The database is briefly unavailable; try again shortly',
  'code.internal': 'Something went wrong on the server; try again later',
  'reason.password_too_short': 'A password needs at least {min} characters',
  'reason.password_too_long': 'The password is too long',
  'reason.password_common': 'This is one of the most common passwords; choose another',
  'reason.password_same_as_username': 'The password must not contain the username',
  'reason.password_one_character': 'The password must not be one character repeated',
  'reason.password_unchanged': 'The new password must differ from the current one',
  'reason.wrong_current_password': 'The current password is wrong',
  'reason.own_account': 'You cannot demote or disable your own account',
  'reason.admin_only': 'Only a city admin may do this',
  'reason.locked_out': 'Too many failed sign-ins; try again in {retryAfterS} s',
  'reason.too_many_streams': 'Too many live-update connections (at most {max}); close other windows',
  'reason.still_computing': 'Still computing; try again shortly',
  'code.password_change_required': 'Set a new password first',
  'code.weak_password': 'The password does not meet the rules',
  'code.username_taken': 'This username is taken',
  'reason.required': '“{field}” is required',
  'reason.wrong_credentials': 'Wrong username or password',
  'reason.sign_in_first': 'Sign in first',
  'reason.session_expired': 'Your session has expired: sign in again',
  'reason.read_only': 'A read-only account cannot change data',
  'reason.compound_other_street': `This ${term('compound', 'en')} belongs to {compound_street}; you can change the ${term('compound', 'en')}s of {street} only`,
  'reason.outside_street': 'Outside your subdistrict ({street})',
  'reason.survey_applied_already': 'This survey sheet was imported already',
  'reason.survey_row_invalid': 'Row {row} has errors and cannot be imported',
  'reason.survey_row_unknown_compound': `Row {row}: no ${term('compound', 'en')} with id {compound_id}`,
  'reason.survey_unreadable': 'The file cannot be read: upload the survey sheet as XLSX or CSV',
  'reason.survey_no_header': 'The first row must be the header, with 小区名称 (name) or 小区编码 (code)',
  'reason.unknown_street': 'No subdistrict with code {street}',
  'reason.unknown_community': 'No community with code {community}',
  'reason.unknown_district': 'No district with code {district}',
  'reason.filter_not_supported': 'This layer cannot be exported narrowed by {filter}',
  'reason.import_too_large': 'The file is too large: an import file may be at most {maxMb} MB',
  'reason.import_empty': 'The file is empty (0 bytes): choose one with something in it',
  'reason.import_layer_not_allowed': 'A street editor may import only service areas, cameras and gates',
  'reason.import_unreadable': 'The file cannot be read',
  'reason.import_refused': 'Some features failed the check; nothing was written',
  'reason.import_fixed_value': 'The fixed value does not fit the field',
  'reason.unknown_encoding': 'Encoding {encoding} is not offered: choose UTF-8 or GBK',
  'reason.unknown_srs': 'Coordinate system {srs} is not offered: choose 4326 or 4490',
  'reason.cell_too_long':
    'The outline of feature {feature} is longer than a spreadsheet cell holds: export as CSV, GeoPackage or Shapefile',
  'reason.not_in_encoding':
    '“{column}” of feature {feature} holds “{char}”, which GBK cannot store: export in UTF-8 instead',
  'check.self_intersection':
    'The boundary crosses itself ({n} {n|crossing point|crossing points}, marked on the map)',
  'check.overlap': 'Overlaps “{name}” by {m2} m²',
  'check.cut_building': 'The boundary cuts through {n} {n|building|buildings} (in orange)',
  'check.empty': 'No building inside the area',
  'check.too_small': 'Area {m2} m² is below the minimum of {min} m²',
  'check.out_of_jurisdiction': 'Outside your subdistrict',
  'input.not_a_feature': 'The boundary data is not a feature',
  'input.not_a_polygon': 'The boundary must be a polygon',
  'input.bad_coordinate': 'The boundary has an invalid coordinate',
  'input.coordinate_out_of_range': 'A boundary coordinate is outside longitude/latitude range',
  'input.too_few_positions': 'The boundary has too few vertices',
  'input.unclosed_ring': 'The boundary is not closed',
  'input.too_many_vertices': 'The boundary has too many vertices',
  'input.crosses_antimeridian': 'The area may not cross the 180° meridian',
  'input.missing_attribute': '“{field}” is required',
  'input.unknown_attribute': 'Unknown field “{field}”',
  'input.bad_attribute_value': 'The value of “{field}” is not accepted',
  'survey.bad_category': `“{value}” must be ${term('threeNoCompound', 'zh-CN')} (${term('threeNo', 'en')}), ${term('selfManagedCompound', 'zh-CN')} (${term('selfManaged', 'en')}) or ${term('professional', 'zh-CN')} (${term('professional', 'en')})`,
  'survey.bad_households': '“{value}” must be a whole number, 0 or more',
  'survey.bad_target_state': '“{value}” must be 是 (yes), 部分 (partly) or 否 (no)',
  'survey.too_long': 'Longer than {max} characters',
  'survey.missing_name_or_code': 'The compound name or code is missing',
  'reason.basemap_unknown_format': 'Not an MBTiles or PMTiles file',
  'reason.basemap_no_tiles': 'The file holds no tiles (an MBTiles needs a tiles table)',
  'reason.basemap_corrupt': 'The file is damaged or cannot be read',
  'reason.basemap_unsupported_tiles':
    'Tiles of format {format} are not supported; PNG, JPEG, WebP and vector tiles are',
  'reason.basemap_too_large': 'The file is too large; the limit is {maxMb} MB',
  'reason.basemap_upload_broken': 'The upload broke off; upload it again',
  'reason.basemap_unreadable': 'The basemap file cannot be read',
  network: 'The server cannot be reached; check the network and try again',
  unknown: 'It did not complete; try again later',
};

export const ERROR_WORDS: Record<Language, Words> = { 'zh-CN': zhCN, en };
export type ErrorWordKey = keyof Words;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields of writes that are no map attribute (the 问题清单's, the login's). */
const FIELD_WORDS: Record<Language, Record<string, string>> = {
  'zh-CN': {
    note: '说明',
    description: '问题描述',
    responsible_unit: '责任单位',
    deadline: '整改期限',
    phase: '阶段',
    username: '用户名',
    password: '密码',
  },
  en: {
    note: 'Note',
    description: 'Description',
    responsible_unit: 'Responsible unit',
    deadline: 'Deadline',
    phase: 'Phase',
    username: 'Username',
    password: 'Password',
  },
};

/** A field's label in the UI's words (attr.*), else the field as sent. */
export function fieldLabel(lang: Language, field: string): string {
  const key = attributeKey(field);
  return key ? MESSAGES[lang][key] : (FIELD_WORDS[lang][field] ?? field);
}

/** m² for a sentence: whole numbers from 10 up, two decimals below. */
export function formatM2(v: number, lang: Language): string {
  return v.toLocaleString(lang, { maximumFractionDigits: v < 10 ? 2 : 0 });
}

/** The params of `details`, readied for a sentence: fields as labels, 街道 codes as names. */
function paramsOf(lang: Language, details: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  if (typeof details.field === 'string') out.field = fieldLabel(lang, details.field);
  if (typeof details.column === 'string') out.column = fieldLabel(lang, details.column);
  // An export's refused feature: by its name too when it has one (its id alone is the database's).
  // In Chinese the words around it are 要素 7 的… / 要素 7（名称）的….
  if (out.feature !== undefined) {
    const name =
      typeof details.feature_name === 'string' && details.feature_name ? details.feature_name : null;
    if (lang === 'en') out.feature = name ? `${out.feature} (${name})` : out.feature;
    else out.feature = name ? `要素 ${out.feature}（${name}）` : `要素 ${out.feature} `;
  }
  const street = typeof details.street_code === 'string' ? details.street_code : null;
  out.street = street ? placeName(street, lang) : term('street', lang);
  const theirs = typeof details.compound_street_code === 'string' ? details.compound_street_code : null;
  out.compound_street = theirs ? placeName(theirs, lang) : lang === 'en' ? 'another subdistrict' : '其他街道';
  return out;
}

/** One check issue (live or from the server) in the user's words. */
export function checkText(lang: Language, issue: { code: string } & Record<string, unknown>): string {
  const w = ERROR_WORDS[lang];
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  switch (issue.code as CheckCode) {
    case 'self_intersection':
      return format(w['check.self_intersection'], { n: len(issue.points) });
    case 'overlap': {
      const parts = Array.isArray(issue.parts) ? (issue.parts as Record<string, unknown>[]) : [];
      if (parts.length)
        return parts
          .map((p) =>
            format(w['check.overlap'], {
              name: typeof p.name === 'string' && p.name ? p.name : `#${String(p.id)}`,
              m2: formatM2(num(p.area_m2), lang),
            }),
          )
          .join(lang === 'en' ? '; ' : '；');
      const ids = Array.isArray(issue.with) ? issue.with.map((id) => `#${String(id)}`).join(', ') : '';
      return format(w['check.overlap'], { name: ids, m2: formatM2(num(issue.area_m2), lang) });
    }
    case 'cut_building':
      return format(w['check.cut_building'], { n: len(issue.buildings) });
    case 'empty':
      return w['check.empty'];
    case 'too_small':
      return format(w['check.too_small'], { m2: formatM2(num(issue.area_m2), lang), min: num(issue.min_m2) });
    case 'out_of_jurisdiction':
      return w['check.out_of_jurisdiction'];
    default:
      return w['code.validation_failed'];
  }
}

/** One problem of a survey row in the user's words. */
export function surveyProblemText(
  lang: Language,
  p: { field: string; problem?: string; value?: unknown; max?: number; message?: string },
): string {
  const w = ERROR_WORDS[lang];
  const key = `survey.${p.problem ?? ''}`;
  if (key in w)
    return format(w[key as ErrorWordKey], {
      value: p.value === undefined ? '' : String(p.value),
      max: p.max ?? 500,
    });
  return w['code.invalid_attribute.field'].replace('{field}', fieldLabel(lang, p.field));
}

/**
 * An error in the user's words: an API error by its reason or code and params, a failed fetch as a
 * network error. The server's `message` is not shown.
 */
export function errorText(lang: Language, err: unknown): string {
  const w = ERROR_WORDS[lang];
  const e = (isObject(err) || err instanceof Error ? err : {}) as {
    status?: unknown;
    code?: unknown;
    details?: unknown;
  };
  if (typeof e.status !== 'number' || typeof e.code !== 'string') {
    return err instanceof TypeError ? w.network : w.unknown;
  }
  const details = isObject(e.details) ? e.details : {};
  const params = paramsOf(lang, details);
  const reason = `reason.${String(details.reason)}`;
  if (reason in w) {
    const text = format(w[reason as ErrorWordKey], params);
    // An import's problems are codes too (core/import-problems.ts): the first few, in words.
    if (Array.isArray(details.problems) && String(details.reason).startsWith('import_')) {
      const problems = (details.problems as unknown[]).filter(
        (p): p is ImportProblem => isObject(p) && typeof p.code === 'string',
      );
      if (problems.length) {
        const shown = problems
          .slice(0, 3)
          .map((p) => importProblemLine(lang, p, { field: (f) => fieldLabel(lang, f), surface: 'page' }));
        const more =
          problems.length > 3
            ? lang === 'en'
              ? ` (+${problems.length - 3})`
              : `（另 ${problems.length - 3} 条）`
            : '';
        return `${text}${lang === 'en' ? ': ' : '：'}${shown.join(lang === 'en' ? '; ' : '；')}${more}`;
      }
    }
    return text;
  }
  if (Array.isArray(details.issues) && details.issues.length) {
    const issues = details.issues.filter(isObject) as ({ code: string } & Record<string, unknown>)[];
    return issues.map((i) => checkText(lang, i)).join(lang === 'en' ? '; ' : '；');
  }
  const input = `input.${String(details.problem)}`;
  if (input in w) {
    const first = Array.isArray(details.problems) && isObject(details.problems[0]) ? details.problems[0] : {};
    const field = typeof first.field === 'string' ? first.field : params.field;
    return format(w[input as ErrorWordKey], {
      ...params,
      field: typeof field === 'string' ? fieldLabel(lang, field) : '',
    });
  }
  if (e.code === 'invalid_attribute' && typeof details.field === 'string')
    return format(w['code.invalid_attribute.field'], params);
  const code = `code.${e.code}`;
  return code in w ? format(w[code as ErrorWordKey], params) : w['code.internal'];
}
