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

/**
 * Of a file's layers, the one to import into a target taking `accepts` when the user names none: the
 * first whose declared geometry fits (an 奥维 KML's polygons for 小区, its points for 出入口), else
 * the first layer.
 */
export function layerFor<T extends { name: string; geometryType?: string }>(
  layers: readonly T[],
  accepts: readonly string[],
): T | undefined {
  const families = new Set(accepts.map(geometryFamily));
  return layers.find((l) => families.has(geometryFamily(l.geometryType))) ?? layers[0];
}
