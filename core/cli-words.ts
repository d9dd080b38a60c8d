import type { ImportLanguage } from './import-words.ts';

/**
 * The command-line tools' refusals of their arguments, Chinese first with English beside (like every
 * other line they print, core/import-words.ts). The usage line itself stays as typed: flags are
 * English.
 */
const WORDS = {
  'zh-CN': {
    layer_missing: '缺少 --layer；--layer 须为 {layers}',
    layer_unknown: '--layer “{layer}” 不是图层；--layer 须为 {layers}',
    one_file: '只能给一个文件',
    lang_unknown: '--lang 须为 {langs}',
    mode_unknown: '--mode 须为 {modes}',
    mode_needs_key: '--mode 需要 --key 列名（要素在文件中的编号）',
    bbox_bad: '--bbox 须为 最小经度,最小纬度,最大经度,最大纬度',
    scope_needs_replace:
      '--street 和 --bbox 指定 --mode replace 替换的范围：请同时给出 --key 列名 --mode replace',
    replace_needs_scope:
      '--mode replace 需要 --street 街道编码 或 --bbox 最小经度,最小纬度,最大经度,最大纬度',
    camera_crs: '摄像机文件的 --crs 须为 {crs}',
    set_bad: '--set “{set}” 须为 字段=值，字段为 {fields} 之一',
    set_tagged_cameras: 'OpenStreetMap 标签或 GB/T 28181 目录的摄像机文件不能用 --set：其中的标签决定各字段',
    source_layer_chosen: '有 {n} 个图层（{layers}）；导入“{layer}”（用 --layer-name 选择）',
    source_layer_mixes_folders:
      '图层“{layer}”混合了几个文件夹（{folders}）的要素：请用 --layer-name 选择其中一个文件夹，或用 --layer-name “{layer}” 全部导入',
  },
  en: {
    layer_missing: '--layer is missing; --layer must be one of {layers}',
    layer_unknown: '--layer "{layer}" is not a layer; --layer must be one of {layers}',
    one_file: 'give exactly one FILE',
    lang_unknown: '--lang must be one of {langs}',
    mode_unknown: '--mode must be one of {modes}',
    mode_needs_key: "--mode needs --key COLUMN (the features' id in the file)",
    bbox_bad: '--bbox must be minLon,minLat,maxLon,maxLat',
    scope_needs_replace:
      '--street and --bbox say where --mode replace replaces rows: give --key COLUMN --mode replace',
    replace_needs_scope: '--mode replace needs --street CODE or --bbox minLon,minLat,maxLon,maxLat',
    camera_crs: '--crs for a camera file must be one of {crs}',
    set_bad: '--set "{set}" must be FIELD=VALUE, FIELD one of {fields}',
    set_tagged_cameras:
      'A camera file of OpenStreetMap tags or a GB/T 28181 catalogue takes no --set: its tags fill the fields',
    source_layer_chosen: '{n} layers ({layers}); importing "{layer}" (choose with --layer-name)',
    source_layer_mixes_folders:
      'The layer "{layer}" mixes the features of several folders ({folders}): choose one folder with --layer-name, or all of them with --layer-name "{layer}"',
  },
} as const;

export type CliWordCode = keyof (typeof WORDS)['en'];

/** One refusal in a language; list params are joined the language's way. */
export function cliWords(
  lang: ImportLanguage,
  code: CliWordCode,
  params: Record<string, string | readonly string[]> = {},
): string {
  return WORDS[lang][code].replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    return Array.isArray(v) ? v.join(lang === 'en' ? ', ' : '、') : String(v ?? '');
  });
}
