import { GLOSSARY } from '../../../core/glossary.ts';
import { VALUE_WORDS } from '../../../core/value-words.ts';

type EnumWordKey = {
  [F in keyof typeof VALUE_WORDS]: `enum.${F & string}.${keyof (typeof VALUE_WORDS)[F] & string}`;
}[keyof typeof VALUE_WORDS];

/** `enum.<field>.<code>` → the value's words (core/value-words.ts), in one language. */
function enumWords(lang: 'zh-CN' | 'en'): Record<EnumWordKey, string> {
  const out: Record<string, string> = {};
  for (const [field, codes] of Object.entries(VALUE_WORDS))
    for (const [code, words] of Object.entries(codes)) out[`enum.${field}.${code}`] = words[lang];
  return out as Record<EnumWordKey, string>;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The UI's words in both languages. Chinese is the default and the reference: English must have
 * every key (the type says so). `{name}` in a message is filled in by `t(key, { name })`. Domain
 * terms come from core/glossary.ts.
 */
const zhCN = {
  'app.title': '五有地图',
  'app.subtitle': '遂宁市船山区 · 物业服务区域与三无小区',
  'lang.switch': 'English',
  'lang.switchTitle': 'Switch to English',
  'about.button': '关于',
  'help.button': '帮助',
  'about.title': '关于五有地图',
  'about.body':
    '五有地图帮助街道办事处把三无小区和自管小区纳入物业服务区域：查看楼栋、小区、服务区域、行政区划和视频监控，找出尚未覆盖的三无建筑。',
  'about.offline':
    '地图完全离线运行：矢量瓦片、字体和数据均来自本服务器；只有配置了天地图密钥时才会请求外部底图。',
  'about.dataTitle': '关于演示数据',
  'about.close': '关闭',
  'search.placeholder': '搜索小区、地址、编码或街道…',
  'search.label': '搜索',
  'search.none': '没有找到“{q}”',
  'search.failed': '搜索失败：{message}',
  'search.compound': '小区',
  'search.serviceArea': '物业服务区域',
  'search.code': '编码',
  'layers.title': '图层',
  'legend.title': '图例',
  'layer.tianditu': '影像 / 底图',
  'basemap.choose': '选择底图',
  'basemap.tiandituVec': '天地图 矢量',
  'basemap.tiandituImg': '天地图 影像',
  'basemap.raster': '离线影像',
  'basemap.vector': '离线矢量',
  'basemap.add': '添加离线底图…',
  'basemap.remove': '移除此底图',
  'basemap.removeConfirm': '移除底图“{name}”并删除其文件？',
  'basemap.uploading': '正在上传 {name}…',
  'basemap.added': '已添加“{name}”',
  'basemap.removed': '已移除“{name}”',
  'basemap.failed': '未完成：{message}',
  'basemap.formats': 'MBTiles 或 PMTiles：PNG / JPEG / WebP 影像瓦片或矢量瓦片',
  'layer.basemap': '基础底图',
  'layer.jurisdictions': '行政区划',
  'layer.service-areas': '物业服务区域',
  'layer.compounds': '小区',
  'layer.buildings': GLOSSARY.building['zh-CN'],
  'layer.cameras': '摄像机',
  'layer.gates': '出入口',
  'legend.buildings': `${GLOSSARY.building['zh-CN']}（按小区类别）`,
  'legend.uncovered': '未纳入服务区域',
  'legend.covered': '已纳入服务区域',
  'legend.unknownCategory': '未分类',
  'legend.buildingsZoom': `${GLOSSARY.building['zh-CN']}在 14 级及以上显示，缩小时显示小区范围`,
  'legend.compounds': '小区（14 级以下）',
  'legend.serviceAreas': '物业服务区域',
  'legend.approved': '已审定（实线）',
  'legend.draft': '草稿（虚线）',
  'legend.jurisdictions': '行政区划',
  'legend.districtBoundary': '区界',
  'legend.streetBoundary': '街道界',
  'legend.communityBoundary': '社区界',
  'legend.basemap': '基础底图',
  'legend.water': '水系',
  'legend.arterial': '主干道',
  'legend.secondary': '次干道',
  'legend.local': '支路',
  'legend.cameras': '摄像机',
  'legend.gates': '出入口',
  'panel.title': '属性',
  'panel.close': '关闭',
  'dock.label': '右侧面板',
  'panel.loading': '正在读取详情…',
  'panel.detailFailed': '详情读取失败：{message}',
  'panel.alsoHere': '此处还有',
  'kind.buildings': GLOSSARY.building['zh-CN'],
  'kind.compounds': '小区',
  'kind.service-areas': '物业服务区域',
  'kind.jurisdictions': '行政区划',
  'kind.cameras': '摄像机',
  'kind.gates': '出入口',
  'map.failed': '地图加载失败：{message}',
  'map.zoomIn': '放大',
  'map.zoomOut': '缩小',
  'map.resetBearing': '指北（恢复正北朝上）',
  'map.attribution': '显示或隐藏数据来源',
  'map.meters': '米',
  'map.kilometers': '千米',
  'live.changed': '{street} · {user} {action}了 {what}',
  'live.someone': '有人',
  'live.cityLevel': '市级',
  'live.kind.create': '新增',
  'live.kind.update': '修改',
  'live.kind.delete': '删除',
  'live.kind.split': '拆分',
  'live.kind.merge': '合并',
  'live.kind.import': '导入',
  'live.layer.service-areas': GLOSSARY.serviceArea['zh-CN'],
  'live.layer.cameras': GLOSSARY.camera['zh-CN'],
  'live.layer.gates': GLOSSARY.gate['zh-CN'],
  'live.layer.compounds': GLOSSARY.compound['zh-CN'],
  'live.layer.ledger': GLOSSARY.problemList['zh-CN'],
  'live.layer.assessments': `${GLOSSARY.fiveTargets['zh-CN']}评估`,
  'live.layer.data': '数据',
  'value.yes': '是',
  'value.no': '否',
  'value.none': '—',
  'attr.id': '编号',
  'attr.code': '代码',
  'attr.name': '名称',
  'attr.name_en': '英文名称',
  'attr.address': '地址',
  'attr.category': '类别',
  'attr.compound_id': '所属小区',
  'attr.floors': '层数',
  'attr.households': '户数',
  'attr.covered': '已纳入服务区域',
  'attr.straddling': '跨服务区域边界',
  'attr.year_built': '建成年份',
  'attr.street_code': '街道',
  'attr.community_code': '社区',
  'attr.wy_self_governance': '有业主自治组织',
  'attr.wy_security': '有安全防护设施',
  'attr.wy_basic_service': '有基本物业服务',
  'attr.wy_clean_environment': '有干净整洁环境',
  'attr.wy_long_term_mechanism': '有长效管理机制',
  'attr.helper_unit': GLOSSARY.helperUnit['zh-CN'],
  'attr.grid_worker': '网格员',
  'attr.version': '版本',
  'attr.management_mode': '管理模式',
  'attr.provider': '服务单位',
  'attr.notes': '备注',
  'attr.status': '状态',
  'attr.created_by': '创建人',
  'attr.created_at': '创建时间',
  'attr.updated_by': '修改人',
  'attr.updated_at': '修改时间',
  'attr.level': '级别',
  'attr.parent_code': '上级',
  'attr.system': '所属系统',
  'attr.type': '类型',
  'attr.direction_deg': '朝向（°）',
  'attr.fov_deg': '水平视场角（°）',
  'attr.range_m': '监控距离（米）',
  'attr.height_m': '安装高度（米）',
  'attr.indoor': '室内',
  'attr.kind': '类型',
  'attr.access_control': '门禁',
  ...enumWords('zh-CN'),
  'security.coverage': '{name} · 技防覆盖 {pct}% · 大门 {watched}/{total}',
  'security.suggest': '建议机位',
  'security.suggestedName': '建议机位',
  'security.cameraTitle': '摄像机 {id}',
  'security.direction': '方向 °',
  'security.fov': '视场角 °',
  'security.range': '距离 m',
  'security.status': '状态',
  'security.save': '保存',
  'security.close': '关闭',
  'security.addGate': '添加出入口',
  'security.addGateHint': '在地图上点击放置出入口',
  'security.addCamera': '添加摄像机',
  'security.addCameraHint': '在地图上点击放置摄像机，再在表单中设置方向和距离',
  'security.addFailed': '未能添加：{message}',
  'security.cancel': '取消',
  'security.gateTitle': '出入口 {id}',
};

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  'app.title': 'Wuyou Map',
  'app.subtitle': `Chuanshan, Suining · service areas and ${GLOSSARY.threeNo.en} compounds`,
  'lang.switch': '中文',
  'lang.switchTitle': '切换到中文',
  'about.button': 'About',
  'help.button': 'Help',
  'about.title': 'About Wuyou Map',
  'about.body': `Wuyou Map helps street offices bring ${GLOSSARY.threeNoCompound.en}s and ${GLOSSARY.selfManagedCompound.en}s into property service areas: it shows buildings, compounds, service areas, jurisdictions and cameras, and finds the ${GLOSSARY.threeNo.en} buildings no area covers yet.`,
  'about.offline':
    'The map runs fully offline: vector tiles, fonts and data all come from this server; only a configured Tianditu key makes it ask for an outside basemap.',
  'about.dataTitle': 'About the demo data',
  'about.close': 'Close',
  'search.placeholder': 'Search a compound, address, code or subdistrict…',
  'search.label': 'Search',
  'search.none': 'Nothing found for “{q}”',
  'search.failed': 'Search failed: {message}',
  'search.compound': 'Compound',
  'search.serviceArea': 'Service area',
  'search.code': 'code',
  'layers.title': 'Layers',
  'legend.title': 'Legend',
  'layer.tianditu': 'Imagery / basemap',
  'basemap.choose': 'Choose a basemap',
  'basemap.tiandituVec': 'Tianditu vector',
  'basemap.tiandituImg': 'Tianditu imagery',
  'basemap.raster': 'offline imagery',
  'basemap.vector': 'offline vector',
  'basemap.add': 'Add an offline basemap…',
  'basemap.remove': 'Remove this basemap',
  'basemap.removeConfirm': 'Remove the basemap “{name}” and delete its file?',
  'basemap.uploading': 'Uploading {name}…',
  'basemap.added': 'Added “{name}”',
  'basemap.removed': 'Removed “{name}”',
  'basemap.failed': 'Not done: {message}',
  'basemap.formats': 'MBTiles or PMTiles: PNG / JPEG / WebP image tiles or vector tiles',
  'layer.basemap': 'Basemap',
  'layer.jurisdictions': 'Jurisdictions',
  'layer.service-areas': 'Service areas',
  'layer.compounds': 'Compounds',
  'layer.buildings': 'Buildings',
  'layer.cameras': 'Cameras',
  'layer.gates': 'Gates',
  'legend.buildings': 'Buildings (by compound category)',
  'legend.uncovered': 'not in a service area',
  'legend.covered': 'in a service area',
  'legend.unknownCategory': 'Uncategorised',
  'legend.buildingsZoom': 'Buildings show from zoom 14; below it, compound outlines',
  'legend.compounds': 'Compounds (below zoom 14)',
  'legend.serviceAreas': 'Service areas',
  'legend.approved': 'Approved (solid)',
  'legend.draft': 'Draft (dashed)',
  'legend.jurisdictions': 'Jurisdictions',
  'legend.districtBoundary': 'District boundary',
  'legend.streetBoundary': 'Subdistrict boundary',
  'legend.communityBoundary': 'Community boundary',
  'legend.basemap': 'Basemap',
  'legend.water': 'Water',
  'legend.arterial': 'Arterial road',
  'legend.secondary': 'Secondary road',
  'legend.local': 'Local road',
  'legend.cameras': 'Cameras',
  'legend.gates': 'Gates',
  'panel.title': 'Attributes',
  'panel.close': 'Close',
  'dock.label': 'Side panels',
  'panel.loading': 'Loading details…',
  'panel.detailFailed': 'Could not load details: {message}',
  'panel.alsoHere': 'Also here',
  'kind.buildings': 'Building',
  'kind.compounds': 'Compound',
  'kind.service-areas': 'Service area',
  'kind.jurisdictions': 'Jurisdiction',
  'kind.cameras': 'Camera',
  'kind.gates': 'Gate',
  'map.failed': 'The map failed to load: {message}',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.resetBearing': 'Reset bearing to north',
  'map.attribution': 'Toggle attribution',
  'map.meters': 'm',
  'map.kilometers': 'km',
  'live.changed': '{street} · {user} {action} {what}',
  'live.someone': 'someone',
  'live.cityLevel': 'city level',
  'live.kind.create': 'added',
  'live.kind.update': 'changed',
  'live.kind.delete': 'deleted',
  'live.kind.split': 'split',
  'live.kind.merge': 'merged',
  'live.kind.import': 'imported',
  'live.layer.service-areas': GLOSSARY.serviceArea.en,
  'live.layer.cameras': GLOSSARY.camera.en,
  'live.layer.gates': GLOSSARY.gate.en,
  'live.layer.compounds': GLOSSARY.compound.en,
  'live.layer.ledger': GLOSSARY.problemList.en,
  'live.layer.assessments': `${GLOSSARY.fiveTargets.en} assessments`,
  'live.layer.data': 'data',
  'value.yes': 'Yes',
  'value.no': 'No',
  'value.none': '—',
  'attr.id': 'ID',
  'attr.code': 'Code',
  'attr.name': 'Name',
  'attr.name_en': 'English name',
  'attr.address': 'Address',
  'attr.category': 'Category',
  'attr.compound_id': 'Compound',
  'attr.floors': 'Floors',
  'attr.households': 'Households',
  'attr.covered': 'In a service area',
  'attr.straddling': 'Across a service-area boundary',
  'attr.year_built': 'Year built',
  'attr.street_code': 'Subdistrict',
  'attr.community_code': 'Community',
  'attr.wy_self_governance': 'Owners’ self-governance body',
  'attr.wy_security': 'Security facilities',
  'attr.wy_basic_service': 'Basic property service',
  'attr.wy_clean_environment': 'Clean and tidy environment',
  'attr.wy_long_term_mechanism': 'Long-term management',
  'attr.helper_unit': cap(GLOSSARY.helperUnit.en),
  'attr.grid_worker': 'Grid worker',
  'attr.version': 'Version',
  'attr.management_mode': 'Management mode',
  'attr.provider': 'Provider',
  'attr.notes': 'Notes',
  'attr.status': 'Status',
  'attr.created_by': 'Created by',
  'attr.created_at': 'Created at',
  'attr.updated_by': 'Updated by',
  'attr.updated_at': 'Updated at',
  'attr.level': 'Level',
  'attr.parent_code': 'Parent',
  'attr.system': 'System',
  'attr.type': 'Type',
  'attr.direction_deg': 'Direction (°)',
  'attr.fov_deg': 'Horizontal field of view (°)',
  'attr.range_m': 'Range (m)',
  'attr.height_m': 'Mounting height (m)',
  'attr.indoor': 'Indoor',
  'attr.kind': 'Kind',
  'attr.access_control': 'Access control',
  ...enumWords('en'),
  'security.coverage': '{name} · camera coverage {pct}% · gates {watched}/{total}',
  'security.suggest': 'Suggest cameras',
  'security.suggestedName': 'Suggested camera',
  'security.cameraTitle': 'Camera {id}',
  'security.direction': 'Direction °',
  'security.fov': 'Field of view °',
  'security.range': 'Range m',
  'security.status': 'Status',
  'security.save': 'Save',
  'security.close': 'Close',
  'security.addGate': 'Add gate',
  'security.addGateHint': 'Click the map to place the gate',
  'security.addCamera': 'Add camera',
  'security.addCameraHint': 'Click the map to place the camera, then set its direction and range in the form',
  'security.addFailed': 'Not added: {message}',
  'security.cancel': 'Cancel',
  'security.gateTitle': 'Gate {id}',
};

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const MESSAGES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

const ENGLISH_PLURAL = new Intl.PluralRules('en');

/**
 * `template` with each `{name}` replaced by `vars.name`, and each `{name|one|other}` by the word for
 * that count (English: "1 building", "2 buildings"; a Chinese template has no need of it). A count
 * given as text may carry grouping ("1,234").
 */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (m, k: string, one: string, other: string) => {
      if (!(k in vars)) return m;
      const n = Number(String(vars[k]).replace(/[,\s]/g, ''));
      return Number.isFinite(n) && ENGLISH_PLURAL.select(n) === 'one' ? one : other;
    })
    .replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** The message key of an attribute's value, if the attribute is an enum of the vocabulary. */
export function enumKey(attribute: string, value: string): MessageKey | undefined {
  const group = attribute.startsWith('wy_') ? 'target' : attribute;
  const key = `enum.${group}.${value}`;
  return key in zhCN ? (key as MessageKey) : undefined;
}

/** Attributes that identify or date (ids, codes, years, versions): written as they are, never 1,980. */
const PLAIN_NUMBER = /^(id|code|version|year_built)$|_id$|_code$/;

/**
 * An attribute's value for display in `lang`: enums in words, booleans as yes/no, empty as a dash,
 * timestamps local, ids/codes/years without thousands separators, other numbers grouped.
 */
export function formatAttributeValue(lang: Language, attribute: string, v: unknown): string {
  const dict = MESSAGES[lang];
  if (v === null || v === undefined || v === '') return dict['value.none'];
  if (typeof v === 'boolean') return dict[v ? 'value.yes' : 'value.no'];
  if (typeof v === 'string') {
    const key = enumKey(attribute, v);
    if (key) return dict[key];
    if (/^\d{4}-\d\d-\d\dT/.test(v)) return new Date(v).toLocaleString(lang);
    return v;
  }
  if (typeof v === 'number') return PLAIN_NUMBER.test(attribute) ? String(v) : v.toLocaleString(lang);
  return JSON.stringify(v);
}

export function attributeKey(attribute: string): MessageKey | undefined {
  const key = `attr.${attribute}`;
  return key in zhCN ? (key as MessageKey) : undefined;
}
