/**
 * Names for the synthetic city. The 街道 are the real subdistricts of 船山区; roads mix real 遂宁
 * street names with made-up ones; compounds, communities, people and companies are invented.
 */

/** Says, in the UI's about box and the README, that the demo data is made up. */
export const SYNTHETIC_NOTE = {
  zh: '演示数据为程序生成的虚构数据：道路、小区、建筑、摄像机、服务区域和社区边界均非真实，仅街道名称借用遂宁市船山区的真实街道，位置大致在船山区（东经105.59°、北纬30.53°）。请勿用于实际工作。',
  en: 'The demo data is synthetic: roads, compounds, buildings, cameras, service areas and community boundaries are invented. Only the subdistrict (街道) names are borrowed from the real 船山区, Suining, and the city is placed roughly there (105.59°E, 30.53°N). Do not use it for real work.',
} as const;

export const DISTRICT = { code: '510903', name: '船山区', nameEn: 'Chuanshan District' } as const;

/** 船山区's 街道, in the order the generator lays them out: the first is the old-town core. */
export const STREETS: readonly { name: string; nameEn: string }[] = [
  { name: '凯旋路街道', nameEn: 'Kaixuanlu Subdistrict' },
  { name: '南津路街道', nameEn: 'Nanjinlu Subdistrict' },
  { name: '镇江寺街道', nameEn: 'Zhenjiangsi Subdistrict' },
  { name: '介福路街道', nameEn: 'Jiefulu Subdistrict' },
  { name: '嘉禾街道', nameEn: 'Jiahe Subdistrict' },
  { name: '广德街道', nameEn: 'Guangde Subdistrict' },
  { name: '富源路街道', nameEn: 'Fuyuanlu Subdistrict' },
  { name: '育才路街道', nameEn: 'Yucailu Subdistrict' },
];

/** Made-up community (社区) names with their pinyin. */
export const COMMUNITY_NAMES: readonly [string, string][] = [
  ['锦华', 'Jinhua'],
  ['东禅', 'Dongchan'],
  ['西山', 'Xishan'],
  ['龙坪', 'Longping'],
  ['金鱼', 'Jinyu'],
  ['和平', 'Heping'],
  ['明星', 'Mingxing'],
  ['渠河', 'Quhe'],
  ['德胜', 'Desheng'],
  ['新桥', 'Xinqiao'],
  ['高升', 'Gaosheng'],
  ['南坝', 'Nanba'],
  ['玉峰', 'Yufeng'],
  ['金桥', 'Jinqiao'],
  ['紫东', 'Zidong'],
  ['灵泉', 'Lingquan'],
  ['卓筒', 'Zhuotong'],
  ['开善', 'Kaishan'],
  ['天宫', 'Tiangong'],
  ['北固', 'Beigu'],
  ['永兴', 'Yongxing'],
  ['河沙', 'Hesha'],
  ['仁里', 'Renli'],
  ['新民', 'Xinmin'],
  ['涌泉', 'Yongquan'],
  ['柏林', 'Bailin'],
  ['太和', 'Taihe'],
  ['玉龙', 'Yulong'],
  ['莲花', 'Lianhua'],
  ['清平', 'Qingping'],
  ['复兴', 'Fuxing'],
  ['三星', 'Sanxing'],
];

/** Real 遂宁 road names first, for the arterials nearest the centre. */
const NS_ARTERIALS = ['遂州中路', '凯旋路', '德胜路', '育才路', '银华路', '开善路', '船山大道', '遂宁大道'];
const EW_ARTERIALS = ['明月路', '南津路', '嘉禾路', '介福路', '渠河路', '和平路', '天宫路', '富源路'];
const ROAD_STEMS = [
  '文星',
  '紫竹',
  '桂花',
  '书院',
  '玉堂',
  '金桥',
  '西山',
  '东禅',
  '灵泉',
  '卓筒',
  '永兴',
  '南强',
  '北固',
  '华兴',
  '公园',
  '中山',
  '人民',
  '解放',
  '建设',
  '新华',
  '胜利',
  '锦华',
  '青石',
  '金鱼',
  '龙坪',
  '高升',
  '顺城',
  '小西',
  '白马',
  '翠屏',
  '观音',
  '梓潼',
  '蜀光',
  '船山',
  '涪滨',
  '玉龙',
];
const ORDINALS = ['', '二', '三', '四', '五', '六', '七', '八', '九'];

/**
 * A road's name from its axis, index from the centre and class. Arterials near the centre get real
 * names (遂州中路, 明月路 …); the rest are made up (文星路, 桂花街, 书院巷 …).
 */
export function roadName(axis: 'ns' | 'ew', index: number, kind: 'arterial' | 'secondary' | 'local'): string {
  const real = axis === 'ns' ? NS_ARTERIALS : EW_ARTERIALS;
  if (kind === 'arterial') {
    const k = Math.abs(index) / 4; // arterials sit on every fourth line
    const slot = index === 0 ? 0 : index > 0 ? 2 * k - 1 : 2 * k;
    if (slot < real.length) return real[slot];
  }
  const n = ((index % 997) + 997) % 997;
  const stem = ROAD_STEMS[(n * 7 + (axis === 'ns' ? 3 : 11)) % ROAD_STEMS.length];
  const ord = ORDINALS[Math.floor(n / ROAD_STEMS.length) % ORDINALS.length];
  const suffix = kind === 'local' ? (n % 3 === 0 ? '巷' : '街') : kind === 'arterial' ? '大道' : '路';
  return `${stem}${ord}${suffix}`;
}

export const RIVERSIDE_ROADS = { W: '滨江路', E: '东滨江路' } as const;
export const RIVER_NAME = '涪江';

const ESTATE_STEMS = [
  '锦绣',
  '阳光',
  '滨江',
  '翠湖',
  '御景',
  '书香',
  '天府',
  '南湖',
  '凯旋',
  '明月',
  '紫竹',
  '桂花',
  '银杏',
  '蓝湾',
  '东方',
  '世纪',
  '华府',
  '金域',
  '香榭',
  '丽景',
  '观澜',
  '锦城',
  '盛世',
  '碧水',
  '春江',
  '翡翠',
  '水岸',
  '龙城',
  '新城',
  '和府',
  '泰和',
  '美景',
  '鑫苑',
  '怡景',
  '嘉禾',
  '金色',
];
const PRO_SUFFIXES = ['花园', '华庭', '名苑', '国际', '府', '雅居', '公馆', '半岛', '家园', '尚城'];
const PHASES = ['', '', '', '一期', '二期', '三期'];
const SELF_SUFFIXES = ['小区', '苑', '公寓', '新村', '花园'];
const WORK_UNITS = [
  '市粮食局',
  '船山区供销社',
  '涪江航运公司',
  '遂宁纺织厂',
  '市第二人民医院',
  '遂宁棉纺厂',
  '市物资局',
  '川中油矿',
  '遂宁糖酒公司',
  '市建一公司',
  '船山区教育局',
  '市电业局',
  '遂宁食品厂',
  '市运输公司',
  '市邮电局',
  '遂宁针织厂',
  '市农机公司',
  '船山区人民武装部',
  '市水泥厂',
  '市百货公司',
];

export interface NameDraw {
  pick<T>(xs: readonly T[]): T;
  int(lo: number, hi: number): number;
  float(): number;
}

/** A compound's name by category: 'XX花园' (professional), 'XX小区' (self-managed), '某单位宿舍' or 'XX路12号院' (三无). */
export function compoundName(
  category: 'professional' | 'self_managed' | 'three_no',
  rng: NameDraw,
  road: string,
): string {
  if (category === 'professional') return rng.pick(ESTATE_STEMS) + rng.pick(PRO_SUFFIXES) + rng.pick(PHASES);
  if (category === 'self_managed') return rng.pick(ESTATE_STEMS) + rng.pick(SELF_SUFFIXES);
  const r = rng.float();
  if (r < 0.5) return `${rng.pick(WORK_UNITS)}宿舍`;
  if (r < 0.8) return `${road}${rng.int(1, 199)}号院`;
  return `${road}老旧小区${rng.int(1, 9)}号`;
}

const COMPANY_STEMS = [
  '安居',
  '天成',
  '锦程',
  '华信',
  '嘉诚',
  '恒泰',
  '蜀信',
  '宏达',
  '万家',
  '和美',
  '金盾',
  '康居',
];
/** A made-up property-management company (物业服务人). */
export function providerName(rng: NameDraw): string {
  return `遂宁${rng.pick(COMPANY_STEMS)}物业服务有限公司`;
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '何',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '霞',
  '平',
  '刚',
];
/** A made-up grid worker (网格员). */
export function personName(rng: NameDraw): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.float() < 0.5 ? rng.pick(GIVEN) : '');
}

/** Government units that help a community (帮扶单位), made up but typical. */
export const HELPER_UNITS = [
  '船山区住房和城乡建设局',
  '船山区民政局',
  '船山区城市管理局',
  '遂宁市住房和城乡建设局',
  '船山区财政局',
  '船山区卫生健康局',
  '船山区市场监督管理局',
  '船山区司法局',
];

/** Side names of a compound gate by the frame side it faces (v points roughly north). */
export const SIDE_NAMES = { w: '西门', e: '东门', s: '南门', n: '北门' } as const;
