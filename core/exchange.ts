/**
 * Data exchange vocabulary (issue 11), shared by the server, the CLI and the client's export dialog.
 */

/** What can be exported: the data layers plus two derived tables (未覆盖楼栋, 台账). */
export const EXPORT_LAYERS = [
  'service-areas',
  'compounds',
  'uncovered-buildings',
  'cameras',
  'gates',
  'ledger',
  'buildings',
  'jurisdictions',
] as const;
export type ExportLayer = (typeof EXPORT_LAYERS)[number];

/** File formats: zipped Shapefile, GeoPackage, KML, GeoJSON, CSV and Excel. */
export const EXPORT_FORMATS = ['shp', 'gpkg', 'kml', 'geojson', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Text encodings of a Shapefile's .dbf or a CSV: UTF-8, or GBK for older Chinese Windows software. */
export const EXPORT_ENCODINGS = ['utf-8', 'gbk'] as const;
export type ExportEncoding = (typeof EXPORT_ENCODINGS)[number];

/**
 * Coordinate systems of a Shapefile or GeoPackage export: WGS84 or CGCS2000 lon/lat (the same numbers
 * here), or 遂宁's CGCS2000 3° Gauss-Krüger zone 35 (central meridian 105°E) in metres, without the
 * zone number in front of x (EPSG:4544) or with it (EPSG:4523), as surveyors' files come.
 */
export const EXPORT_SRS = [4326, 4490, 4544, 4523] as const;
export type ExportSrs = (typeof EXPORT_SRS)[number];

/**
 * How coded values go out: as the codes (`three_no`, `vehicle`: stable, the API's own) or as their
 * Chinese words (三无, 车行出入口: what a street office reads; core/value-words.ts). An import reads both.
 */
export const EXPORT_VALUES = ['codes', 'words'] as const;
export type ExportValues = (typeof EXPORT_VALUES)[number];

/** File extension of each format's download. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  shp: 'zip',
  gpkg: 'gpkg',
  kml: 'kml',
  geojson: 'geojson',
  csv: 'csv',
  xlsx: 'xlsx',
};

/**
 * The layers a role may import through the import page: a street editor writes service areas, cameras
 * and gates inside their 街道 (row-level security allows no more: compounds, buildings and jurisdictions
 * are the city's); a city admin imports every data layer.
 */
export const STREET_EDITOR_IMPORT_LAYERS = ['service-areas', 'cameras', 'gates'] as const;

export function mayImport(role: string, layer: string): boolean {
  if (role === 'city_admin') return true;
  return role === 'street_editor' && (STREET_EDITOR_IMPORT_LAYERS as readonly string[]).includes(layer);
}

/** A declared geometry type as a family: GeoPackage's MULTIPOLYGON, a Shapefile's PolygonZ, KML's Polygon … */
export function geometryFamily(type: string | undefined): 'point' | 'line' | 'polygon' | null {
  const t = (type ?? '').toUpperCase();
  if (t.includes('POLYGON')) return 'polygon';
  if (t.includes('POINT')) return 'point';
  if (t.includes('LINE')) return 'line';
  return null;
}

/** What a KML folder holding a layer's features tends to be called. */
const FOLDER_WORDS: Record<string, RegExp> = {
  cameras: /摄像|监控|探头|天网|雪亮|camera|cctv/i,
  gates: /出入口|门岗|大门|门$|gate|entrance/i,
  compounds: /小区|院落|compound/i,
  buildings: /楼|建筑|building/i,
  'service-areas': /服务区|物业服务|service/i,
  jurisdictions: /街道|社区|行政|区划|jurisdiction/i,
};

/** A source layer as the choice needs it: a KML's folder layers name their folder. */
interface PickableLayer {
  name: string;
  geometryType?: string;
  folder?: string;
}

/** A folder's own name (the last of its path: 监控/东门 is a gate folder). */
const ownName = (folder: string) => folder.slice(folder.lastIndexOf('/') + 1);

/**
 * Of a file's layers, the one to import into `target` (taking `accepts`) when the user names none:
 * the first whose declared geometry fits (an 奥维 KML's polygons for 小区), else the first layer.
 * When the fitting features lie in several KML folders, judged by each folder's own name:
 * - the one folder named for the target (摄像头 for cameras) is taken;
 * - when no folder is named for another layer (锦华苑, 开善苑: one folder a compound, as 奥维 files
 *   are kept), the whole file's layer; for points, whose folders may hold gates or cameras alike,
 *   only when every folder is named for the target;
 * - else the whole file's layer, with the folders it mixes in `mixedFolders` for the caller to say
 *   (helper 45: the gates and the cameras of one file went in as cameras, silently).
 */
export function pickLayer<T extends PickableLayer>(
  layers: readonly T[],
  accepts: readonly string[],
  target?: string,
): { layer: T | undefined; mixedFolders: string[] } {
  const families = new Set(accepts.map(geometryFamily));
  const fits = layers.filter((l) => families.has(geometryFamily(l.geometryType)));
  if (!fits.length) return { layer: layers[0], mixedFolders: [] };
  const folders = fits.filter((l) => l.folder !== undefined);
  if (folders.length < 2 || target === undefined) return { layer: fits[0], mixedFolders: [] };
  const namedFor = (l: T, t: string) => FOLDER_WORDS[t]?.test(ownName(l.folder!)) ?? false;
  const named = folders.filter((l) => namedFor(l, target));
  if (named.length === 1) return { layer: named[0], mixedFolders: [] };
  const others = folders.filter(
    (l) => !namedFor(l, target) && Object.keys(FOLDER_WORDS).some((t) => t !== target && namedFor(l, t)),
  );
  const points = families.has('point');
  if (others.length === 0 && (named.length === folders.length || !points))
    return { layer: fits[0], mixedFolders: [] };
  return { layer: fits[0], mixedFolders: folders.map((l) => l.folder!) };
}
