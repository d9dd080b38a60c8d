import { useCallback } from 'react';
import { useI18n } from '../../i18n/I18n.tsx';
import { format, type Language } from '../../i18n/messages.ts';

/**
 * The words of the camera and gate forms, the distance bands and their legend, in both languages.
 * Chinese is the reference and English must have every key. Enum values (kind, system, status, type)
 * and the field labels already in the shell's dictionary (`attr.*`, `security.*`) are taken from there.
 */
const zhCN = {
  'gate.access_control': '门禁',
  'gate.access_control.hint': '出入口装有门禁（刷卡、人脸识别等）',
  'field.name': '名称',
  'field.kind': '类型',
  'field.system': '所属系统',
  'field.type': '机型',
  'field.height': '安装高度 m',
  'field.indoor': '室内',
  'field.compound': '所属小区',
  'field.compoundNone': '（不属于任何小区）',
  'field.compoundId': '小区 {id}',
  'form.delete': '删除',
  'form.deleteConfirm': '确认删除',
  'form.cancel': '取消',
  'form.history': '历史',
  'form.saving': '正在保存…',
  'form.saved': '已保存（版本 {v}）',
  'form.deleted': '已删除',
  'form.version': '版本 {v}',
  'form.signIn': '请先在“编辑服务区域”中登录后再修改',
  'suggest.signIn': '登录后可获得建议机位（在“编辑服务区域”中登录）',
  'error.generic': '操作失败（{status}）：{message}',
  'error.validation': '数据不符合要求：{message}',
  'problem.direction_deg': '朝向须在 0° 到 360° 之间（不含 360°）',
  'problem.fov_deg': '视角须大于 0°、不超过 360°',
  'problem.range_m': '射程须大于 0 米、不超过 {max} 米',
  'problem.height_m': '安装高度须在 0 到 500 米之间',
  'error.inside_building': '摄像机位于楼栋 {buildings} 内：请勾选“室内”或移到室外',
  'error.out_of_jurisdiction': '超出您的管辖范围（街道 {street}），不能修改',
  'error.forbidden': '您的账号只能查看，不能修改',
  'error.unauthorized': '登录已失效，请重新登录',
  'error.not_found': '该对象已被他人删除',
  'error.conflict': '他人已先保存了版本 {v}，您的修改尚未保存，仍保留在表单中。',
  'error.conflictFields': '对方改动了：{fields}',
  'error.reload': '载入最新版本（放弃我的修改）',
  'error.overwrite': '以我的修改覆盖',
  'error.deleteAnyway': '仍然删除（连同对方的修改）',
  'history.title': '修改历史',
  'history.loading': '正在载入…',
  'history.empty': '暂无记录',
  'history.entry': '版本 {v} · {op} · {when}',
  'history.entryBy': '版本 {v} · {op} · {who} · {when}',
  'history.changed': '改动：{fields}',
  'op.create': '新建',
  'op.update': '修改',
  'op.delete': '删除',
  'op.import': '导入',
  'field.geometry': '位置',
  'ghost.title': '采纳这个建议机位？',
  'ghost.detail':
    '{type}，朝向 {direction}，视角 {fov}°，射程 {range} m；新增可见 {m2} m²，可看到 {gates} 个出入口。采纳后存为“规划”状态的摄像机。',
  'ghost.anyDirection': '全向',
  'ghost.accept': '采纳为规划摄像机',
  'ghost.cancel': '取消',
  'legend.gateWatched': '{zoom} 级起：有摄像机看到',
  'legend.gateUnwatched': '{zoom} 级起：无摄像机看到',
  'legend.accessControl': '深色外圈：装有门禁',
  'bands.toggle': '距离分带（识别/辨认/观察）',
  'bands.identify': '识别（人脸可辨，≤{pct}% 距离）',
  'bands.recognise': '辨认（熟人可认，≤{pct}% 距离）',
  'bands.observe': '观察（看清发生了什么，全距离）',
  'bands.note': '缩放到 {zoom} 级及以上显示；视野内超过 {max} 台摄像机时只画所选摄像机的分带。',
  'bands.onlySelected': '摄像机过多，只显示所选摄像机的分带',
};

export type SecurityMessageKey = keyof typeof zhCN;

const en: Record<SecurityMessageKey, string> = {
  'gate.access_control': 'Access control',
  'gate.access_control.hint': 'The gate has access control (card, face recognition …)',
  'field.name': 'Name',
  'field.kind': 'Kind',
  'field.system': 'Programme',
  'field.type': 'Camera type',
  'field.height': 'Height m',
  'field.indoor': 'Indoor',
  'field.compound': 'Compound',
  'field.compoundNone': '(none)',
  'field.compoundId': 'Compound {id}',
  'form.delete': 'Delete',
  'form.deleteConfirm': 'Really delete',
  'form.cancel': 'Cancel',
  'form.history': 'History',
  'form.saving': 'Saving…',
  'form.saved': 'Saved (version {v})',
  'form.deleted': 'Deleted',
  'form.version': 'Version {v}',
  'form.signIn': 'Sign in (in “Edit service areas”) before changing anything',
  'suggest.signIn': 'Sign in (in “Edit service areas”) to get suggested cameras',
  'error.generic': 'Failed ({status}): {message}',
  'error.validation': 'Not accepted: {message}',
  'problem.direction_deg': 'Direction must be a bearing from 0° up to, not including, 360°',
  'problem.fov_deg': 'Field of view must be more than 0° and at most 360°',
  'problem.range_m': 'Range must be more than 0 m and at most {max} m',
  'problem.height_m': 'Height must be from 0 to 500 m',
  'error.inside_building': 'The camera stands inside building {buildings}: tick “Indoor” or move it outside',
  'error.out_of_jurisdiction': 'Outside your jurisdiction (street {street}): you cannot change it',
  'error.forbidden': 'Your account may only view, not change',
  'error.unauthorized': 'Your session has expired: sign in again',
  'error.not_found': 'Someone else has deleted it',
  'error.conflict':
    'Someone else saved version {v} first. Your changes are not saved yet and are still in the form.',
  'error.conflictFields': 'They changed: {fields}',
  'error.reload': 'Load the latest version (drop my changes)',
  'error.overwrite': 'Overwrite with my changes',
  'error.deleteAnyway': 'Delete anyway (with their changes)',
  'history.title': 'History',
  'history.loading': 'Loading…',
  'history.empty': 'No entries',
  'history.entry': 'Version {v} · {op} · {when}',
  'history.entryBy': 'Version {v} · {op} · {who} · {when}',
  'history.changed': 'Changed: {fields}',
  'op.create': 'created',
  'op.update': 'updated',
  'op.delete': 'deleted',
  'op.import': 'imported',
  'field.geometry': 'position',
  'ghost.title': 'Adopt this suggested camera?',
  'ghost.detail':
    '{type}, facing {direction}, field of view {fov}°, range {range} m; sees {m2} m² more and {gates} {gates|gate|gates}. It is stored as a planned camera.',
  'ghost.anyDirection': 'all round',
  'ghost.accept': 'Adopt as a planned camera',
  'ghost.cancel': 'Cancel',
  'legend.gateWatched': 'From zoom {zoom}: seen by a camera',
  'legend.gateUnwatched': 'From zoom {zoom}: seen by no camera',
  'legend.accessControl': 'Dark ring: access control',
  'bands.toggle': 'Distance bands (identify / recognise / observe)',
  'bands.identify': 'Identify (a face, ≤{pct}% of range)',
  'bands.recognise': 'Recognise (a known person, ≤{pct}% of range)',
  'bands.observe': 'Observe (what happens, full range)',
  'bands.note':
    'Shown from zoom {zoom}; with more than {max} {max|camera|cameras} in view only the selected camera’s bands.',
  'bands.onlySelected': 'Too many cameras: bands of the selected camera only',
};

export const SECURITY_MESSAGES: Record<Language, Record<SecurityMessageKey, string>> = { 'zh-CN': zhCN, en };

export type SecurityT = (key: SecurityMessageKey, vars?: Record<string, string | number>) => string;

/** `t` for the security tool's keys, in the app's current language. */
export function useSecurityText(): { t: SecurityT; lang: Language } {
  const { lang } = useI18n();
  const t = useCallback<SecurityT>((key, vars) => format(SECURITY_MESSAGES[lang][key], vars), [lang]);
  return { t, lang };
}
