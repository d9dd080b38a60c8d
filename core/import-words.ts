/**
 * The import's problems in words (数据导入的问题说明): one glossary for the import page, its CSV
 * report and the CLI, Chinese first with English beside. The server sends codes and params
 * (core/import-problems.ts); whoever shows them words them here, in the user's language.
 */
import { term, type GlossaryLanguage } from './glossary.ts';
import { codesWithWords } from './import-mapping.ts';
import type { ImportProblem, ImportProblemCode, ProblemReason } from './import-problems.ts';

export type ImportLanguage = GlossaryLanguage;

const CRS_HELP_ZH =
  '请指定坐标系，例如 EPSG:4544（CGCS2000 3 度带，中央经线 105°E）、EPSG:4523（同一带，x 前带带号 35）、EPSG:4490（CGCS2000 经纬度）、gcj02（高德、腾讯）或 bd09（百度）';
const CRS_HELP_EN =
  'name the coordinate system, e.g. EPSG:4544 (CGCS2000 3° Gauss-Krüger CM 105°E), EPSG:4523 (the same with zone 35 in front of x), EPSG:4490 (CGCS2000 lon/lat), gcj02 (Amap, Tencent) or bd09 (Baidu)';

/** Templates: `{name}` is replaced by the param of that name. */
export const IMPORT_PROBLEM_WORDS: Record<ImportLanguage, Record<ImportProblemCode, string>> = {
  'zh-CN': {
    unknown_layer: '没有图层“{layer}”',
    mode_needs_key: '--mode {mode} 需要 --key 列名（文件中要素编号所在的列）',
    replace_needs_scope:
      '--mode replace 需要指定替换范围：--street 街道编码，或 --bbox 最小经度,最小纬度,最大经度,最大纬度',
    replace_jurisdictions: '行政区划不能用 replace 整体替换（其他数据引用它们），请用 upsert',
    replace_unknown_street: `没有编码为 {street} 的${term('street', 'zh-CN')}，无法在其中替换`,
    points_only: '{format} 文件只含点，{layer}需要面（请用 Shapefile、GeoPackage 或 GeoJSON）',
    file_not_found: '找不到文件“{file}”',
    not_a_file: '“{file}”不是文件（是文件夹？）',
    no_features_in_file: '文件中没有要素，未导入任何内容',
    not_json: '不是有效的 JSON：{detail}',
    json_truncated: '不是有效的 JSON：文件在一个值的中途结束（文件不完整？）',
    no_geojson: '文件中没有 GeoJSON',
    not_geojson: '不是 GeoJSON（{found}）：应为 FeatureCollection、Feature 或几何对象',
    no_features_array: 'FeatureCollection 缺少 "features" 数组',
    bad_bbox: 'FeatureCollection 的 bbox 有误：{detail}',
    not_csv: '无法按 CSV 读取：{detail}',
    no_position_columns: '表格需要经度列（{lon}）和纬度列（{lat}），或 WKT 列（{wkt}）；文件中的列为 {found}',
    unknown_encoding: '不认识的字符编码“{encoding}”（请用 utf-8 或 gbk）',
    not_dxf: '无法按 DXF 读取：{detail}',
    dxf_empty: 'DXF 中没有 LWPOLYLINE、POLYLINE、HATCH 或 POINT 图元',
    not_geopackage: '不是可读取的 GeoPackage：{detail}',
    geopackage_empty: 'GeoPackage 中没有要素表',
    not_kmz: '不是可读取的 KMZ（压缩包）：{detail}',
    kmz_no_kml: 'KMZ 中没有 .kml 文件',
    not_kml: '无法按 KML 读取：{detail}',
    kml_no_placemark: 'KML 中没有地标（Placemark）',
    kml_no_geometry: 'KML 的 {n} 个地标都没有几何（点、面或 MultiGeometry）',
    not_zip: '不是可读取的 zip 压缩包（文件已损坏，或并非 zip 文件）',
    zip_no_shp: '{file} 中没有 .shp 文件',
    dbf_missing:
      '{file} 缺少 .dbf 文件（Shapefile 至少需要 .shp 和 .dbf，坐标系在 .prj 中；请一起上传或打包为 zip）',
    dbf_too_short: '{file} 不是 dBASE 文件（太短）',
    dbf_damaged: '{file} 无法读取（dBASE 文件损坏）：{detail}',
    shp_bad_header: '{file} 不是 Shapefile（文件头有误）',
    shp_truncated: '{file} 不完整：文件头说有 {declared} 字节，实际只有 {size} 字节',
    shp_damaged: '{file} 在第 {shape} 个图形处损坏：{detail}',
    shp_short: '{file} 只有 {shapes} 个图形，而 .dbf 有 {records} 条记录（文件不完整？）',
    not_xlsx: '不是可读取的 Excel（XLSX）工作簿：{detail}',
    xlsx_no_sheet: '工作簿中没有带表头的工作表',
    no_source_layer: '文件中没有图层“{layer}”；文件中的图层：{layers}',
    crs_not_supported: `不支持坐标系 EPSG:{code}；${CRS_HELP_ZH}`,
    crs_unknown: `不认识的坐标系 {name}；${CRS_HELP_ZH}`,
    crs_unreadable: `“{text}”不是坐标系；${CRS_HELP_ZH}`,
    crs_file_unknown: `文件（{source}）中的坐标系 {name} 无法识别；${CRS_HELP_ZH}`,
    crs_missing: `文件没有注明坐标系；${CRS_HELP_ZH}`,
    not_lon_lat: `位置 [{x}, {y}] 不是经纬度：文件没有注明坐标系，${CRS_HELP_ZH}`,
    not_a_feature: '不是 GeoJSON 要素（Feature）对象',
    wrong_feature_type: '类型为 {type}，应为 "Feature"',
    feature_structure: '要素结构有误：{detail}',
    properties_not_object: '属性（properties）必须是对象或 null',
    no_geometry: '没有几何；{layer}需要{accepts}',
    wrong_geometry_type: '几何类型为{type}；{layer}需要{accepts}',
    bad_geometry: '{type}几何有误：{detail}',
    ring_too_short: '{path}：环至少需要 4 个点，只有 {n} 个',
    ring_not_closed: '{path}：环没有闭合（首尾点不同）',
    coordinate_not_number: '{path}：坐标 {position} 不是数字',
    coordinate_out_of_range:
      '{path}：坐标 [{x}, {y}] 超出经度 −180..180 / 纬度 −90..90（不是 WGS84 经纬度？）',
    no_rings: '{path}：多边形没有环',
    no_polygons: '多面（MultiPolygon）中没有多边形',
    unreadable_geometry: '几何无法读取：{detail}',
    cell_empty: '“{field}”为空',
    cell_not_number: '“{field}”的值“{value}”不是数字',
    not_wkt: '“{field}”不是 WKT：{detail}',
    dxf_open_polyline:
      '图层“{layer}”上的 {entity}（句柄 {handle}）没有闭合，不是封闭的轮廓：请在图纸中闭合它',
    dxf_hatch_spline: '图层“{layer}”上的 HATCH（句柄 {handle}）边界含样条曲线：请在图纸中将边界转为多段线',
    dxf_hatch_unreadable: '图层“{layer}”上的 HATCH（句柄 {handle}）的边界无法读取',
    required: '“{field}”为必填项',
    not_text: '“{field}”应为文字，实为 {value}',
    text_has_nul: '“{field}”含有空字符（U+0000），数据库中的文字不能存放它',
    value_not_allowed: '“{field}”的值 {value} 不在可选值中（{allowed}）',
    not_number: '“{field}”应为数字，实为 {value}',
    not_whole_number: '“{field}”应为整数，实为 {value}',
    number_too_large: '“{field}”的值 {value} 太大',
    out_of_range: '“{field}”的值 {value} 超出范围 {range}',
    not_boolean: '“{field}”应为 是/否（true/false），实为 {value}',
    parent_required: '{level}必须填写上级编码（parent_code）',
    key_empty: '编号列“{key}”为空',
    invalid_geometry: '几何无效：{detail}（{repair}可自动修复）',
    repair_empty: '{detail}：修复（ST_MakeValid）后不再有面',
    repair_still_invalid: '{detail}：修复（ST_MakeValid）后仍然无效',
    repair_multipart: '{detail}：修复后成为 {parts} 个多边形，而{layer}必须是一个多边形——请在源数据中拆分',
    reference_missing: '没有 {ref} 为 {value} 的{table}（“{column}”）',
    duplicate_in_file: '“{column}”的值 {value} 在文件中出现了 {n} 次',
    already_exists: '“{column}”的值 {value} 在{table}中已存在',
    source_id_stored:
      '编号“{key}”为 {value} 的要素已导入过（{table}第 {id} 条）：upsert 模式会更新它，append 模式会跳过它',
    source_id_outside_scope: '编号 {value} 已存在于替换范围之外（{table}第 {id} 条）',
    not_positive_integer: '“{field}”应为正整数，实为 {value}',
    camera_not_camera: '“{field}”为 {value}，不是摄像机（应为 camera、ALPR 或 webcam）',
    direction_unreadable:
      '“{field}”的值 {value} 不是方向：应为度数（90、-8）、方位（N、NNE … NW、north、south-west）、列表（90;160;270）或范围（190-100）',
    direction_empty_entry: '“{field}”的值 {value} 中有空的列表项',
    gbt_device_id: '“{field}”的值 {value} 应为 20 位数字（GB/T 28181 编码）',
    gbt_ptz_type: '“{field}”的值 {value} 应为 1（球机）、2（半球）、3（固定枪机）或 4（遥控枪机）',
    gbt_room_type: '“{field}”的值 {value} 应为 1（室外）或 2（室内）',
    gbt_direction_type: '“{field}”的值 {value} 应为 1–8（东 西 南 北 东南 东北 西南 西北）',
    outside_street: `不在本${term('street', 'zh-CN')}（{street}）范围内`,
    street_not_yours: `${term('street', 'zh-CN')}编码 {given} 不是本${term('street', 'zh-CN')}（{street}）：只能导入本${term('street', 'zh-CN')}的要素`,
    outside_china: '转换为 WGS84 后，位置 [{lon}, {lat}] 在中国境外（坐标系是否有误？）',
    overlaps_stored: '与已有的物业服务区域“{name}”（编号 {id}）重叠 {area} 平方米（同一文件导入了两次？）',
    overlaps_in_file: '与文件中第 {other} 个要素重叠 {area} 平方米',
    text_too_long: '“{field}”有 {length} 个字，最多 {max} 个',
    outside_crs: '坐标 [{x}, {y}] 不在 {crs} 的范围内，无法换算为经纬度（坐标系是否有误？）',
    outside_crs_zone:
      '坐标 [{x}, {y}] 不在 {crs} 的范围内，无法换算为经纬度；按 x 的带号，坐标系应为 {suggest}？',
    outside_city: '位置 [{lon}, {lat}] 远在本市各行政区划之外（文件或坐标系是否有误？）',
    all_outside_city:
      '全部 {n} 个要素都远在本市各行政区划之外（第一个在 [{lon}, {lat}]）：文件或坐标系是否有误？未导入任何内容',
    all_outside_city_zone:
      '全部 {n} 个要素都远在本市之外（第一个在 [{lon}, {lat}]），东移或西移 {deg}°（3° 投影带的整数倍）就在本市：高斯-克吕格投影带（EPSG 代码）是否选错了？未导入任何内容',
    same_as_stored: '与已存储的一个{layer}形状和位置完全相同（同一文件导入了两次？）',
    camera_type_unknown: '“{field}”的值 {value} 不是 fixed、dome 或 panning，按固定枪机（fixed）导入',
    camera_type_list: '“{field}”的值 {value} 有多个，取第一个（{first}）',
    directions_split: '“{field}”有 {n} 个方向：导入为 {n} 个摄像机 {codes}',
    height_ignored: '“{field}”的值 {value} 不是以米计的高度，留空',
    tilt_ignored: '“{field}”的值 {value} 不是 0–90° 的俯角，已忽略',
    gbt_civil_code: '“{field}”的值 {value} 不是 2–8 位行政区划代码',
    gbt_ptz_type_empty: '“{field}”为空，按 3（固定枪机）导入',
    gbt_use_type: '“{field}”的值 {value} 不是 1（治安）、2（交通）或 3（重点），已忽略',
    gbt_no_direction: '固定枪机没有“{field}”，朝向未知，不生成视域',
  },
  en: {
    unknown_layer: 'No layer "{layer}"',
    mode_needs_key: "--mode {mode} needs --key COLUMN (the features' id in the file)",
    replace_needs_scope:
      '--mode replace needs the part to replace: --street CODE or --bbox minLon,minLat,maxLon,maxLat',
    replace_jurisdictions:
      '--mode replace does not apply to jurisdictions (other rows refer to them): use upsert',
    replace_unknown_street: `No ${term('street', 'en')} with code {street} to replace within`,
    points_only: '{format} files hold points; {layer} need polygons (use Shapefile, GeoPackage or GeoJSON)',
    file_not_found: 'No file "{file}"',
    not_a_file: '"{file}" is not a file (a folder?)',
    no_features_in_file: 'The file holds no features: nothing was imported',
    not_json: 'Not valid JSON: {detail}',
    json_truncated: 'Not valid JSON: the file ends inside a value (truncated?)',
    no_geojson: 'No GeoJSON in the file',
    not_geojson: 'Not GeoJSON ({found}): expected a FeatureCollection, a Feature or a geometry',
    no_features_array: 'A FeatureCollection without a "features" array',
    bad_bbox: 'FeatureCollection bbox: {detail}',
    not_csv: 'Not readable as CSV: {detail}',
    no_position_columns:
      'The table needs a longitude column ({lon}) and a latitude column ({lat}), or a WKT column ({wkt}); found {found}',
    unknown_encoding: 'Unknown encoding "{encoding}" (say utf-8 or gbk)',
    not_dxf: 'Not readable as DXF: {detail}',
    dxf_empty: 'The DXF has no LWPOLYLINE, POLYLINE, HATCH or POINT entity',
    not_geopackage: 'Not a readable GeoPackage: {detail}',
    geopackage_empty: 'The GeoPackage has no feature table',
    not_kmz: 'Not a readable KMZ (zip): {detail}',
    kmz_no_kml: 'The KMZ holds no .kml file',
    not_kml: 'Not readable as KML: {detail}',
    kml_no_placemark: 'The KML has no Placemark',
    kml_no_geometry: "None of the KML's {n} placemarks has a geometry (Point, Polygon or MultiGeometry)",
    not_zip: 'Not a readable zip (the file is damaged, or not a zip at all)',
    zip_no_shp: '{file} holds no .shp file',
    dbf_missing:
      '{file}: its .dbf is missing (a Shapefile is at least .shp + .dbf, with .prj for the coordinate system; give them together or zipped)',
    dbf_too_short: '{file} is not a dBASE file (too short)',
    dbf_damaged: '{file} cannot be read (damaged dBASE file): {detail}',
    shp_bad_header: '{file} is not a Shapefile (bad header)',
    shp_truncated: '{file} is truncated: its header says {declared} bytes, the file has {size}',
    shp_damaged: '{file}: damaged at shape {shape}: {detail}',
    shp_short: '{file} ends after {shapes} shapes but its .dbf has {records} records (truncated?)',
    not_xlsx: 'Not a readable XLSX workbook: {detail}',
    xlsx_no_sheet: 'The workbook has no sheet with a header row',
    no_source_layer: 'No layer "{layer}" in the file; it has {layers}',
    crs_not_supported: `EPSG:{code} is not a coordinate system this importer converts; ${CRS_HELP_EN}`,
    crs_unknown: `Unknown coordinate system {name}; ${CRS_HELP_EN}`,
    crs_unreadable: `"{text}" is not a coordinate system; ${CRS_HELP_EN}`,
    crs_file_unknown: `The {source} says {name}, a coordinate system this importer does not know; ${CRS_HELP_EN}`,
    crs_missing: `The file does not say its coordinate system; ${CRS_HELP_EN}`,
    not_lon_lat: `Position [{x}, {y}] is not lon/lat: the file does not say its coordinate system, so ${CRS_HELP_EN}`,
    not_a_feature: 'Not a GeoJSON Feature object',
    wrong_feature_type: 'Has type {type}, expected "Feature"',
    feature_structure: 'Feature structure: {detail}',
    properties_not_object: 'properties must be an object or null',
    no_geometry: 'Has no geometry; {layer} need {accepts}',
    wrong_geometry_type: 'Geometry is {type}; {layer} take {accepts}',
    bad_geometry: 'Invalid {type}: {detail}',
    ring_too_short: '{path}: a ring needs at least 4 positions, has {n}',
    ring_not_closed: '{path}: ring is not closed (first and last positions differ)',
    coordinate_not_number: '{path}: coordinate {position} is not a number',
    coordinate_out_of_range:
      '{path}: coordinate [{x}, {y}] is outside lon −180..180 / lat −90..90 (not WGS84 lon/lat?)',
    no_rings: '{path}: polygon has no rings',
    no_polygons: 'Multipolygon has no polygons',
    unreadable_geometry: 'Unreadable geometry: {detail}',
    cell_empty: '“{field}” is empty',
    cell_not_number: '“{field}” "{value}" is not a number',
    not_wkt: '“{field}” is not WKT: {detail}',
    dxf_open_polyline:
      '{entity} on layer "{layer}" (handle {handle}) is open, not a closed outline: close it in the drawing',
    dxf_hatch_spline:
      'HATCH on layer "{layer}" (handle {handle}) has a spline edge in its boundary: convert the boundary to a polyline in the drawing',
    dxf_hatch_unreadable: 'The boundary of the HATCH on layer "{layer}" (handle {handle}) cannot be read',
    required: '“{field}” is required',
    not_text: '“{field}” must be text, got {value}',
    text_has_nul: '“{field}” contains a NUL character (U+0000), which database text cannot hold',
    value_not_allowed: '“{field}” {value} is not one of {allowed}',
    not_number: '“{field}” must be a number, got {value}',
    not_whole_number: '“{field}” must be a whole number, got {value}',
    number_too_large: '“{field}” {value} is too large',
    out_of_range: '“{field}” {value} is out of range {range}',
    not_boolean: '“{field}” must be true or false, got {value}',
    parent_required: 'parent_code is required for a {level}',
    key_empty: 'Key column "{key}" is empty',
    invalid_geometry: 'Invalid geometry: {detail} ({repair} repairs it)',
    repair_empty: '{detail}: nothing polygonal is left after ST_MakeValid',
    repair_still_invalid: '{detail}: still invalid after ST_MakeValid',
    repair_multipart:
      '{detail}: the repair gives {parts} polygons; a {layer} must be one polygon — split it in the source',
    reference_missing: 'No {table} has {ref} {value} (“{column}”)',
    duplicate_in_file: '“{column}” {value} appears {n} times in the file',
    already_exists: '“{column}” {value} already exists in {table}',
    source_id_stored:
      '{key} {value} is already stored ({table} id {id}): --mode upsert updates it, --mode append skips it',
    source_id_outside_scope: 'Source id {value} is stored outside the part being replaced ({table} id {id})',
    not_positive_integer: '“{field}” must be a whole number above 0, got {value}',
    camera_not_camera: '“{field}” {value} is not a camera (camera, ALPR or webcam)',
    direction_unreadable:
      '“{field}” {value} is not a bearing in degrees (90, -8), a compass point (N, NNE … NW, north, south-west), a list (90;160;270) or a range (190-100)',
    direction_empty_entry: '“{field}” {value} has an empty list entry',
    gbt_device_id: '“{field}” {value} must be 20 digits (a GB/T 28181 code)',
    gbt_ptz_type:
      '“{field}” {value} must be 1 (球机, dome), 2 (半球, half dome), 3 (固定枪机, fixed) or 4 (遥控枪机, PTZ)',
    gbt_room_type: '“{field}” {value} must be 1 (室外, outdoor) or 2 (室内, indoor)',
    gbt_direction_type:
      '“{field}” {value} must be 1–8 (东 E, 西 W, 南 S, 北 N, 东南 SE, 东北 NE, 西南 SW, 西北 NW)',
    outside_street: `Outside your ${term('street', 'en')} ({street})`,
    street_not_yours: `${term('street', 'en')} code {given} is not your ${term('street', 'en')} ({street}): you may import only your own ${term('street', 'en')}'s features`,
    outside_china:
      'Position [{lon}, {lat}] lies outside China after conversion to WGS84 (wrong coordinate system?)',
    overlaps_stored:
      'Overlaps the stored service area “{name}” (id {id}) by {area} m² (the file imported twice?)',
    overlaps_in_file: 'Overlaps feature #{other} of the file by {area} m²',
    text_too_long: '“{field}” has {length} characters, at most {max}',
    outside_crs: 'Position [{x}, {y}] lies outside {crs}: it has no lon/lat there (wrong coordinate system?)',
    outside_crs_zone:
      'Position [{x}, {y}] lies outside {crs}: it has no lon/lat there; by its zone, the coordinate system is {suggest}?',
    outside_city:
      'At [{lon}, {lat}], far outside every subdistrict of the city (wrong file or coordinate system?)',
    all_outside_city:
      'All {n} features lie far outside every subdistrict of the city (the first at [{lon}, {lat}]): wrong file or coordinate system? Nothing was imported',
    all_outside_city_zone:
      'All {n} features lie far outside the city (the first at [{lon}, {lat}]), and {deg}° of longitude east or west (whole 3° zones) would put them in it: was the wrong Gauss-Krüger zone (EPSG code) chosen? Nothing was imported',
    same_as_stored: 'Same shape and place as a stored {layer} (the file imported twice?)',
    camera_type_unknown: '“{field}” {value} is not fixed, dome or panning; taken as fixed',
    camera_type_list: '“{field}” {value}: the first value ({first}) is used',
    directions_split: '{n} directions in “{field}”: imported as {n} cameras {codes}',
    height_ignored: '“{field}” {value} is not a height in metres; left empty',
    tilt_ignored: '“{field}” {value} is not a tilt of 0–90°; ignored',
    gbt_civil_code: '“{field}” {value} is not a 2–8 digit region code',
    gbt_ptz_type_empty: '“{field}” is empty; taken as 3 (固定枪机, fixed)',
    gbt_use_type:
      '“{field}” {value} is not 1 (治安, public order), 2 (交通, traffic) or 3 (重点, key site); ignored',
    gbt_no_direction: 'A fixed camera without “{field}” has no known view; it gets no viewshed',
  },
};

/** More problems like the first in the same feature (one line per feature): appended when `more` > 0. */
const MORE: Record<ImportLanguage, string> = {
  'zh-CN': '（另有 {more} 处类似）',
  en: ' (and {more} more like it)',
};

const LAYERS: Record<string, Record<ImportLanguage, string>> = {
  buildings: { 'zh-CN': term('building', 'zh-CN'), en: `${term('building', 'en')}s` },
  compounds: { 'zh-CN': term('compound', 'zh-CN'), en: `${term('compound', 'en')}s` },
  'service-areas': { 'zh-CN': term('serviceArea', 'zh-CN'), en: `${term('serviceArea', 'en')}s` },
  jurisdictions: { 'zh-CN': '行政区划', en: 'jurisdictions' },
  cameras: { 'zh-CN': term('camera', 'zh-CN'), en: `${term('camera', 'en')}s` },
  gates: { 'zh-CN': term('gate', 'zh-CN'), en: `${term('gate', 'en')}s` },
};
/** A layer's name for `n` of its features: singular for one in English. */
function layerOf(layer: string, lang: ImportLanguage, n: number): string {
  const name = LAYERS[layer]?.[lang] ?? layer;
  return lang === 'en' && n === 1 && name.endsWith('s') ? name.slice(0, -1) : name;
}
/** One feature of a layer, for `a {layer} must be one polygon`. */
const ONE_OF_LAYER: Record<string, Record<ImportLanguage, string>> = {
  'service-areas': { 'zh-CN': term('serviceArea', 'zh-CN'), en: term('serviceArea', 'en') },
  compounds: { 'zh-CN': term('compound', 'zh-CN'), en: term('compound', 'en') },
  buildings: { 'zh-CN': term('building', 'zh-CN'), en: term('building', 'en') },
  cameras: { 'zh-CN': term('camera', 'zh-CN'), en: term('camera', 'en') },
  gates: { 'zh-CN': term('gate', 'zh-CN'), en: term('gate', 'en') },
  jurisdictions: { 'zh-CN': '行政区划', en: 'jurisdiction' },
};
const GEOMETRIES: Record<string, Record<ImportLanguage, string>> = {
  Point: { 'zh-CN': '点（Point）', en: 'Point' },
  MultiPoint: { 'zh-CN': '多点（MultiPoint）', en: 'MultiPoint' },
  LineString: { 'zh-CN': '线（LineString）', en: 'LineString' },
  MultiLineString: { 'zh-CN': '多线（MultiLineString）', en: 'MultiLineString' },
  Polygon: { 'zh-CN': '面（Polygon）', en: 'Polygon' },
  MultiPolygon: { 'zh-CN': '多面（MultiPolygon）', en: 'MultiPolygon' },
  GeometryCollection: { 'zh-CN': '几何集合（GeometryCollection）', en: 'GeometryCollection' },
};
const LEVELS: Record<string, Record<ImportLanguage, string>> = {
  street: { 'zh-CN': term('street', 'zh-CN'), en: term('street', 'en') },
  community: { 'zh-CN': term('community', 'zh-CN'), en: term('community', 'en') },
};

export function fillTemplate(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/**
 * What GEOS says of an invalid geometry (PostGIS's ST_IsValidReason: the reason, then where, as
 * `Self-intersection[105.6 30.5]`), in the user's words. GEOS's reasons are a fixed list (its
 * TopologyValidationError; 3.10 added "distinct" to the too-few-points one).
 */
const GEOMETRY_REASONS: Record<string, Record<ImportLanguage, string>> = {
  'Self-intersection': { 'zh-CN': '边界自相交', en: 'the boundary crosses itself' },
  'Ring Self-intersection': {
    'zh-CN': '边界在一点上与自身相接（环自相交）',
    en: 'a ring touches itself at a point',
  },
  'Hole lies outside shell': { 'zh-CN': '内环（洞）在外环之外', en: 'a hole lies outside its outer ring' },
  'Holes are nested': { 'zh-CN': '内环（洞）相互嵌套', en: 'one hole lies inside another' },
  'Interior is disconnected': {
    'zh-CN': '内环把面分成了不相连的几块',
    en: 'holes split the interior into separate pieces',
  },
  'Nested shells': {
    'zh-CN': '多面中一个面在另一个面之内',
    en: 'one polygon of the multipolygon lies inside another',
  },
  'Duplicate Rings': { 'zh-CN': '有重复的环', en: 'a ring is repeated' },
  'Too few points in geometry component': {
    'zh-CN': '有的环不同的点少于 3 个',
    en: 'a ring has fewer than 3 distinct points',
  },
  'Too few distinct points in geometry component': {
    'zh-CN': '有的环不同的点少于 3 个',
    en: 'a ring has fewer than 3 distinct points',
  },
  'Invalid Coordinate': { 'zh-CN': '坐标不是有效的数', en: 'a coordinate is not a valid number' },
  'Ring is not closed': { 'zh-CN': '环未闭合', en: 'a ring is not closed' },
  'Repeated Point': { 'zh-CN': '有重复的点', en: 'a point is repeated' },
};

/**
 * `Self-intersection[105.6 30.5]` → `边界自相交（位置 105.600000, 30.500000）` / `the boundary crosses
 * itself at 105.600000, 30.500000`; a reason GEOS may word otherwise stays as it is.
 */
export function geometryReasonText(lang: ImportLanguage, detail: string): string {
  const m = /^([A-Za-z][A-Za-z -]*?)\s*(?:\[\s*(\S+)\s+(\S+)\s*\])?$/.exec(detail.trim());
  const words = m ? GEOMETRY_REASONS[m[1]!] : undefined;
  if (!m || !words) return detail;
  const x = Number(m[2]);
  const y = Number(m[3]);
  if (m[2] === undefined || !Number.isFinite(x) || !Number.isFinite(y)) return words[lang];
  const at = `${x.toFixed(6)}, ${y.toFixed(6)}`;
  return lang === 'en' ? `${words.en} at ${at}` : `${words['zh-CN']}（位置 ${at}）`;
}

/** How to ask for a repair where the words are read. */
const REPAIR_HINT: Record<'page' | 'cli' | 'both', Record<ImportLanguage, string>> = {
  page: { 'zh-CN': '勾选“修复几何”', en: '“Repair geometry”' },
  cli: { 'zh-CN': '加上 --make-valid ', en: '--make-valid' },
  both: { 'zh-CN': '勾选“修复几何”或加上 --make-valid ', en: '“Repair geometry” or --make-valid' },
};

/**
 * What the zip library (jszip) says of a file that is no zip, in the user's words: a file named .xlsx
 * that is not one showed "Can't find end of central directory : is this a zip file ? If it is, see
 * https://…" (helper 45). Other details are kept, without a web address.
 */
function zipReasonText(lang: ImportLanguage, detail: string): string {
  if (/end of central directory|is this a zip file|corrupted zip|invalid signature/i.test(detail))
    return lang === 'en' ? 'it is no zip archive, or it is cut short' : '它不是 zip 压缩包，或文件不完整';
  return detail
    .replace(/\s*If it is, see \S+/i, '')
    .replace(/https?:\/\/\S+/g, '')
    .trim();
}
const ZIP_DETAIL_CODES: readonly string[] = ['not_xlsx', 'not_kmz'];

const GEOMETRY_DETAIL_CODES: readonly string[] = [
  'invalid_geometry',
  'repair_empty',
  'repair_still_invalid',
  'repair_multipart',
];

export interface WordingOptions {
  /** Where the words are read, for how to ask for a repair: the import page, the command line, or either (logs). */
  surface?: 'page' | 'cli';
  /** A target field's label in the user's words (the client's attribute dictionary); the name as found otherwise. */
  field?: (name: string) => string;
  /** A 街道's name for its code (the client's place names); the code otherwise. */
  street?: (code: string) => string;
}

/** A problem's reason in the user's language (no place: see importProblemLine). */
export function importProblemText(lang: ImportLanguage, p: ProblemReason, opts: WordingOptions = {}): string {
  const words = IMPORT_PROBLEM_WORDS[lang];
  const template = (words as Record<string, string | undefined>)[p.code];
  const params = { ...(p.params ?? {}) };
  if (template === undefined) return `${p.code} ${JSON.stringify(params)}`;
  const list = lang === 'en' ? ' or ' : '或';
  if (typeof params.layer === 'string') {
    const one =
      p.code === 'repair_multipart' || p.code === 'same_as_stored' ? ONE_OF_LAYER[params.layer] : undefined;
    params.layer = (one ?? LAYERS[params.layer])?.[lang] ?? params.layer;
  }
  if (typeof params.type === 'string') params.type = GEOMETRIES[params.type]?.[lang] ?? params.type;
  // The server names its table (service_areas); the user knows the layer (物业服务区域).
  if (typeof params.table === 'string') {
    const layer = params.table.replace(/_/g, '-');
    params.table =
      ((p.code === 'already_exists' ? LAYERS : ONE_OF_LAYER)[layer] ?? LAYERS[layer])?.[lang] ?? params.table;
  }
  if (typeof params.accepts === 'string')
    params.accepts = params.accepts
      .split(',')
      .map((g) => GEOMETRIES[g]?.[lang] ?? g)
      .join(list);
  if (typeof params.level === 'string') params.level = LEVELS[params.level]?.[lang] ?? params.level;
  if (typeof params.field === 'string' && opts.field) params.field = opts.field(params.field);
  if (typeof params.column === 'string' && opts.field) params.column = opts.field(params.column);
  if (typeof params.street === 'string' && opts.street) params.street = opts.street(params.street);
  if (ZIP_DETAIL_CODES.includes(p.code) && typeof params.detail === 'string')
    params.detail = zipReasonText(lang, params.detail);
  if (GEOMETRY_DETAIL_CODES.includes(p.code) && typeof params.detail === 'string')
    params.detail = geometryReasonText(lang, params.detail);
  if (p.code === 'invalid_geometry') params.repair = REPAIR_HINT[opts.surface ?? 'both'][lang];
  // The codes a field takes, with the words a Chinese file may hold for them instead.
  if (p.code === 'value_not_allowed' && lang === 'zh-CN' && typeof p.params?.field === 'string')
    params.allowed = codesWithWords(p.params.field, String(params.allowed ?? ''));
  if (p.code === 'not_geojson' && params.found === '')
    params.found = lang === 'en' ? 'an object without a "type"' : '对象没有 "type"';
  for (const k of ['declared', 'size', 'shapes', 'records'])
    if (typeof params[k] === 'number') params[k] = params[k].toLocaleString(lang);
  const text = fillTemplate(template, params);
  return typeof params.more === 'number' && params.more > 0 ? text + fillTemplate(MORE[lang], params) : text;
}

/**
 * Where a problem is: `第 3 个要素“锦华苑”（第 5 行）` / `feature #3 “锦华苑” (row 5)`, '' for the file
 * itself. Words count features from 1, as people do (the API's `index` counts from 0: a new user read
 * "要素 6" of a seven-feature file as the sixth). The name, when the feature has one, is how a user
 * finds it in the source.
 */
export function importProblemPlace(
  lang: ImportLanguage,
  p: Pick<ImportProblem, 'index' | 'row' | 'name'>,
): string {
  if (p.index === null) return '';
  const n = p.index + 1;
  const name = p.name === undefined ? '' : `“${p.name}”`;
  if (lang === 'en')
    return `feature #${n}${name && ` ${name}`}${p.row === undefined ? '' : ` (row ${p.row})`}`;
  return `第 ${n} 个要素${name}${p.row === undefined ? '' : `（第 ${p.row} 行）`}`;
}

/** `第 3 个要素（第 5 行）：原因` / `feature #3 (row 5): reason`, or the reason alone for the file. */
export function importProblemLine(lang: ImportLanguage, p: ImportProblem, opts: WordingOptions = {}): string {
  const place = importProblemPlace(lang, p);
  const text = importProblemText(lang, p, opts);
  return place ? `${place}${lang === 'en' ? ': ' : '：'}${text}` : text;
}

/** The CLI's choice: one language, or Chinese first with English beside (the default). */
export type ProblemLanguage = ImportLanguage | 'both';
export const PROBLEM_LANGUAGES: readonly ProblemLanguage[] = ['both', 'zh-CN', 'en'];

/**
 * A problem for a terminal or a log: `第 3 个要素（第 5 行）：原因 | feature #3 (row 5): reason` with
 * `both`, one of them otherwise.
 */
export function importProblemLines(lang: ProblemLanguage, p: ImportProblem): string {
  if (lang !== 'both') return importProblemLine(lang, p);
  return `${importProblemLine('zh-CN', p)} | ${importProblemLine('en', p)}`;
}

/**
 * Which of a file's columns the command line imports into which field, and which it leaves out:
 * `按列名导入：名称 → name，地址 → address；未导入的列：备注` / `columns imported: 名称 → name,
 * 地址 → address; not imported: 备注`.
 */
export function columnMappingText(
  lang: ImportLanguage,
  used: readonly (readonly [column: string, field: string])[],
  unused: readonly string[],
): string {
  const en = lang === 'en';
  const parts: string[] = [];
  if (used.length)
    parts.push(
      (en ? 'columns imported: ' : '按列名导入：') +
        used.map(([c, f]) => `${c} → ${f}`).join(en ? ', ' : '，'),
    );
  if (unused.length) parts.push((en ? 'not imported: ' : '未导入的列：') + unused.join(en ? ', ' : '、'));
  return parts.join(en ? '; ' : '；');
}

/** Both languages (`中文 | English`) or one, for a terminal or a log. */
export function inLanguages(lang: ProblemLanguage, words: (l: ImportLanguage) => string): string {
  return lang === 'both' ? `${words('zh-CN')} | ${words('en')}` : words(lang);
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string) => `${count(n)} ${one}${n === 1 ? '' : 's'}`;

/**
 * The summary of a refused import: `未导入任何要素：3 个问题，涉及 2 个要素` / `nothing imported: 3
 * problems in 2 features` (`features` null when the problems are all about the file itself).
 */
export function nothingImportedText(lang: ImportLanguage, problems: number, features: number | null): string {
  if (lang === 'en')
    return `nothing imported: ${plural(problems, 'problem')}${features === null ? '' : ` in ${plural(features, 'feature')}`}`;
  return `未导入任何要素：${count(problems)} 个问题${features === null ? '' : `，涉及 ${count(features)} 个要素`}`;
}

/** Said while a new embedded database folder is made (initdb and migrations take tens of seconds). */
export function creatingDatabaseText(lang: ImportLanguage, folder: string): string {
  if (lang === 'en')
    return `creating the embedded database in ${folder} (the first time takes about half a minute)…`;
  return `正在 ${folder} 中创建嵌入式数据库（首次约需半分钟）……`;
}

/** The embedded folder is held by another process (the app, or another command). */
export function databaseInUseText(lang: ImportLanguage, folder: string, pid: number): string {
  if (lang === 'en')
    return `the embedded database ${folder} is in use by process ${pid} (a running app or command): stop it first, or import through the app's import page (if no such process is ours, delete ${folder}.lock)`;
  return `嵌入式数据库 ${folder} 正被进程 ${pid}（运行中的应用或命令）使用：请先停止它，或在应用的导入页面导入（若该进程不是本应用的，请删除 ${folder}.lock）`;
}

/** `…… 另有 10 个问题` / `… and 10 more problems` after the first problems shown. */
export function moreProblemsText(lang: ImportLanguage, more: number, warnings = false): string {
  if (lang === 'en') return `… and ${count(more)} more ${warnings ? 'warnings' : 'problems'}`;
  return `…… 另有 ${count(more)} 个${warnings ? '警告' : '问题'}`;
}

/** What --make-valid (ST_MakeValid) did to one feature; `reason` is PostGIS's ST_IsValidReason. */
export interface RepairFacts {
  index: number;
  reason: string;
  partsBefore: number;
  partsAfter: number;
  areaBefore: number;
  areaAfter: number;
}

/**
 * `第 3 个要素：边界自相交（位置 …），已修复：1 个多边形 → 2 个部分，面积 123.4 m² → 120.1 m²` /
 * `feature #3: the boundary crosses itself at …, repaired: 1 polygon → 2 parts, area 123.4 m² → 120.1 m²`.
 */
export function repairLine(lang: ImportLanguage, r: RepairFacts): string {
  const m2 = (a: number) => `${a.toLocaleString('en-US', { maximumFractionDigits: 1 })} m²`;
  const place = importProblemPlace(lang, { index: r.index });
  const reason = geometryReasonText(lang, r.reason);
  if (lang === 'en')
    return (
      `${place}: ${reason}, repaired: ${plural(r.partsBefore, 'polygon')} → ${plural(r.partsAfter, 'part')}, ` +
      `area ${m2(r.areaBefore)} → ${m2(r.areaAfter)}`
    );
  return (
    `${place}：${reason}，已修复：${count(r.partsBefore)} 个多边形 → ${count(r.partsAfter)} 个部分，` +
    `面积 ${m2(r.areaBefore)} → ${m2(r.areaAfter)}`
  );
}

/** What an import did, for its summary line. */
export interface ImportSummaryFacts {
  layer: string;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Already stored under their key and skipped (the default mode). */
  skipped: number;
  /** Replaced by --mode replace. */
  deleted: number;
  repaired: number;
  seconds: number;
}

const seconds = (lang: ImportLanguage, s: number) =>
  lang === 'en' ? `${s.toFixed(1)} s` : `${s.toFixed(1)} 秒`;

/** The steps of an import, as the page's progress bar and the CLI's progress lines name them. */
export type ImportPhaseWord = 'checking' | 'loading' | 'validating' | 'writing';
export const IMPORT_PHASE_WORDS: Record<ImportLanguage, Record<ImportPhaseWord, string>> = {
  'zh-CN': { checking: '检查', loading: '读取', validating: '校验', writing: '写入' },
  en: { checking: 'checking', loading: 'reading', validating: 'validating', writing: 'writing' },
};

/**
 * The CLI's progress line: `读取 114,688 / 200,000，每秒 114,231 个（1.0 秒）` /
 * `reading 114,688 / 200,000, 114,231 features/s (1.0 s)`; the rate only while reading.
 */
export function importProgressText(
  lang: ImportLanguage,
  p: { phase: ImportPhaseWord; done: number; total: number; seconds: number },
): string {
  const rate = p.phase === 'loading' && p.seconds > 0 ? Math.round(p.done / p.seconds) : null;
  const step = `${IMPORT_PHASE_WORDS[lang][p.phase]} ${count(p.done)} / ${count(p.total)}`;
  if (lang === 'en')
    return `${step}${rate === null ? '' : `, ${count(rate)} features/s`} (${seconds(lang, p.seconds)})`;
  return `${step}${rate === null ? '' : `，每秒 ${count(rate)} 个`}（${seconds(lang, p.seconds)}）`;
}

/**
 * `已导入 4 个楼栋（修复 1 个），用时 2.1 秒` / `imported 4 buildings (1 repaired) in 2.1 s`; when a keyed
 * import wrote nothing, `无变化：2 个楼栋已存储且内容相同（用时 0.4 秒）` / `nothing changed: 2 buildings
 * already stored as they are (in 0.4 s)`.
 */
export function importSummaryText(lang: ImportLanguage, f: ImportSummaryFacts): string {
  const keyed = f.updated + f.unchanged + f.skipped + f.deleted > 0;
  if (keyed && !f.inserted && !f.updated && !f.deleted) {
    const stored = f.unchanged + f.skipped;
    const layer = layerOf(f.layer, lang, stored);
    if (lang === 'en')
      return `nothing changed: ${count(stored)} ${layer} already stored${f.unchanged ? ' as they are' : ''} (in ${seconds(lang, f.seconds)})`;
    return `无变化：${count(stored)} 个${layer}已存储${f.unchanged ? '且内容相同' : ''}（用时 ${seconds(lang, f.seconds)}）`;
  }
  const parts: [number, string, string][] = [
    [f.updated, '更新', 'updated'],
    [f.unchanged, '未变', 'unchanged'],
    [f.skipped, '已存储而跳过', 'already stored, skipped'],
    [f.deleted, '替换', 'replaced'],
    [f.repaired, '修复', 'repaired'],
  ];
  const more = parts
    .filter(([n]) => n > 0)
    .map(([n, zh, en]) => (lang === 'en' ? `${count(n)} ${en}` : `${zh} ${count(n)} 个`));
  const layer = layerOf(f.layer, lang, f.inserted);
  if (lang === 'en')
    return `imported ${count(f.inserted)} ${layer}${more.length ? ` (${more.join(', ')})` : ''} in ${seconds(lang, f.seconds)}`;
  return `已导入 ${count(f.inserted)} 个${layer}${more.length ? `（${more.join('，')}）` : ''}，用时 ${seconds(lang, f.seconds)}`;
}

/** What a camera import did: how many cameras from how many rows of which kind of source. */
export interface CameraImportFacts {
  inserted: number;
  rows: number;
  source: 'osm' | 'gbt28181';
  /** Rows left out by --skip-invalid. */
  rejectedRows: number;
  seconds?: number;
}

/**
 * `已导入 1 个摄像机，来自 2 行 GB/T 28181 目录数据，1 行被拒收，用时 0.3 秒` /
 * `imported 1 camera from 2 GB/T 28181 catalogue rows, 1 row rejected in 0.3 s`.
 */
export function cameraImportSummaryText(lang: ImportLanguage, f: CameraImportFacts): string {
  const time = f.seconds === undefined ? '' : f.seconds;
  if (lang === 'en')
    return (
      `imported ${plural(f.inserted, 'camera')} from ${count(f.rows)} ${f.source === 'gbt28181' ? 'GB/T 28181 catalogue' : 'OSM'} row${f.rows === 1 ? '' : 's'}` +
      (f.rejectedRows ? `, ${plural(f.rejectedRows, 'row')} rejected` : '') +
      (time === '' ? '' : ` in ${seconds(lang, time)}`)
    );
  return (
    `已导入 ${count(f.inserted)} 个${term('camera', 'zh-CN')}，来自 ${count(f.rows)} 行${f.source === 'gbt28181' ? ' GB/T 28181 目录' : ' OSM '}数据` +
    (f.rejectedRows ? `，${count(f.rejectedRows)} 行被拒收` : '') +
    (time === '' ? '' : `，用时 ${seconds(lang, time)}`)
  );
}

/** Before a problem the import went on despite: `警告：` / `warning: `; before a row left out: `已拒收：` / `rejected: `. */
export function problemKindPrefix(lang: ImportLanguage, kind: 'warning' | 'rejected'): string {
  if (kind === 'warning') return lang === 'en' ? 'warning: ' : '警告：';
  return lang === 'en' ? 'rejected: ' : '已拒收：';
}
