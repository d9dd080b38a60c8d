/**
 * Why an import refuses a file or a feature (issue 11), as stable codes with parameters: the server,
 * the readers and the CLI send `{ index, row?, code, params }`; the words are the client's
 * (core/import-words.ts, one glossary for the import page, its CSV report and the CLI).
 *
 * Params are plain values: names of columns, fields, layers and files as found; numbers; and
 * `detail`, the text a library or PostGIS gave (a JSON parser's message, ST_IsValidReason), which
 * is shown as it is.
 */
export const IMPORT_PROBLEM_CODES = [
  // ── the import as asked ─────────────────────────────────────────────────────
  /** { layer } */
  'unknown_layer',
  /** A mode without a key column: { mode } */
  'mode_needs_key',
  /** --mode replace without --street or --bbox. */
  'replace_needs_scope',
  'replace_jurisdictions',
  /** { street } */
  'replace_unknown_street',
  /** A point-only format (CSV, XLSX) into a polygon layer: { format, layer } */
  'points_only',
  // ── the file ────────────────────────────────────────────────────────────────
  /** The path names nothing: { file } */
  'file_not_found',
  /** The path names a folder or something else that is not a file: { file } */
  'not_a_file',
  /** A warning: the file was read and holds no feature. */
  'no_features_in_file',
  /** { detail } */
  'not_json',
  'json_truncated',
  'no_geojson',
  /** Some JSON, not GeoJSON: { found } (its type, or '') */
  'not_geojson',
  'no_features_array',
  /** { detail } */
  'bad_bbox',
  /** { detail } */
  'not_csv',
  /** No lon/lat or WKT column: { found, lon, lat, wkt } (column lists) */
  'no_position_columns',
  /** { encoding } */
  'unknown_encoding',
  /** { detail } */
  'not_dxf',
  'dxf_empty',
  /** { detail } */
  'not_geopackage',
  'geopackage_empty',
  /** { detail } */
  'not_kmz',
  'kmz_no_kml',
  /** { detail } */
  'not_kml',
  'kml_no_placemark',
  /** Placemarks, none with a geometry: { n } */
  'kml_no_geometry',
  /** { detail } */
  'not_zip',
  /** { file } */
  'zip_no_shp',
  /** A .shp without its .dbf: { file } */
  'dbf_missing',
  /** { file } */
  'dbf_too_short',
  /** A .dbf dbffile cannot read, or shorter than its header says: { file, detail } */
  'dbf_damaged',
  /** { file } */
  'shp_bad_header',
  /** Shorter than its header says: { file, declared, size } (bytes) */
  'shp_truncated',
  /** { file, shape, detail } */
  'shp_damaged',
  /** Fewer shapes than .dbf records: { file, shapes, records } */
  'shp_short',
  /** { detail } */
  'not_xlsx',
  'xlsx_no_sheet',
  /** { layer, layers } */
  'no_source_layer',
  // ── the coordinate system (each worded with how to name one) ─────────────────
  /** An EPSG code the importer does not convert: { code } */
  'crs_not_supported',
  /** WKT naming an unknown CRS: { name } */
  'crs_unknown',
  /** Text that is no CRS at all: { text } */
  'crs_unreadable',
  /** The file names a CRS the importer does not know: { source, name } */
  'crs_file_unknown',
  /** The file says nothing and the format has no default (Shapefile without .prj, DXF). */
  'crs_missing',
  /** Positions in metres where lon/lat was assumed: { x, y } */
  'not_lon_lat',
  // ── one feature ─────────────────────────────────────────────────────────────
  'not_a_feature',
  /** { type } */
  'wrong_feature_type',
  /** The Feature's own structure (geojson-validation): { detail } */
  'feature_structure',
  'properties_not_object',
  /** { layer, accepts } */
  'no_geometry',
  /** { type, layer, accepts } */
  'wrong_geometry_type',
  /** { type, detail } */
  'bad_geometry',
  /** { path, n, more? } */
  'ring_too_short',
  /** { path, more? } */
  'ring_not_closed',
  /** { path, position, more? } */
  'coordinate_not_number',
  /** { path, x, y, more? } */
  'coordinate_out_of_range',
  /** { path, more? } */
  'no_rings',
  /** { more? } */
  'no_polygons',
  /** { detail } */
  'unreadable_geometry',
  /** { field } */
  'cell_empty',
  /** { field, value } */
  'cell_not_number',
  /** { field, detail } */
  'not_wkt',
  /** A DXF polyline that encloses nothing: { entity, layer, handle } */
  'dxf_open_polyline',
  /** A DXF HATCH whose boundary has a spline edge (not approximated): { layer, handle } */
  'dxf_hatch_spline',
  /** A DXF HATCH whose boundary paths cannot be read: { layer, handle } */
  'dxf_hatch_unreadable',
  /** { field } */
  'required',
  /** { field, value } */
  'not_text',
  /** { field, value, allowed } */
  'value_not_allowed',
  /** Text with U+0000, which PostgreSQL text cannot hold: { field } */
  'text_has_nul',
  /** A position its CRS cannot take back to lon/lat: { x, y, crs } */
  'outside_crs',
  /** The same, with the zone its x names: { x, y, crs, suggest } */
  'outside_crs_zone',
  /** More characters than the field holds: { field, max, length } */
  'text_too_long',
  /** { field, value } */
  'not_number',
  /** { field, value } */
  'not_whole_number',
  /** { field, value } */
  'number_too_large',
  /** { field, value, range } (an interval such as `[0, 360)`) */
  'out_of_range',
  /** { field, value } */
  'not_boolean',
  /** A 街道 or 社区 without its parent: { level } */
  'parent_required',
  /** A service area over a stored one (shared area over 0.01 m²): { id, name, area } (m²) */
  'overlaps_stored',
  /** A service area over an earlier feature of the file: { other } (counted from 1), { area } */
  'overlaps_in_file',
  /** { key } */
  'key_empty',
  /** PostGIS's reason: { detail } */
  'invalid_geometry',
  /** { detail } */
  'repair_empty',
  /** { detail } */
  'repair_still_invalid',
  /** { detail, parts, layer } */
  'repair_multipart',
  /** { column, value, table, ref } */
  'reference_missing',
  /** { column, value, n } */
  'duplicate_in_file',
  /** { column, value, table } */
  'already_exists',
  /** A source id stored before (default mode): { key, value, table, id } */
  'source_id_stored',
  /** replace: the source id is stored outside the part replaced: { value, table, id } */
  'source_id_outside_scope',
  /** A street editor's feature outside their 街道: { street } */
  'outside_street',
  /** A street editor's feature filed under another street: { street (theirs), given } */
  'street_not_yours',
  /** An id that must be a whole number > 0: { field, value } */
  'not_positive_integer',
  // ── cameras (the camera importer: OSM surveillance tags, GB/T 28181 catalogues) ─
  /** surveillance:type other than camera/ALPR/webcam: { field, value } */
  'camera_not_camera',
  /** A direction that is no bearing, compass point, list or range: { field, value } */
  'direction_unreadable',
  /** { field, value } */
  'direction_empty_entry',
  /** DeviceID not a 20-digit GB/T 28181 code: { field, value } */
  'gbt_device_id',
  /** { field, value } */
  'gbt_ptz_type',
  /** { field, value } */
  'gbt_room_type',
  /** { field, value } */
  'gbt_direction_type',
  /** Every feature far outside the city (a refusal): { n, lon, lat } of the first */
  'all_outside_city',
  /** …whole 3° steps of longitude off, as a wrong Gauss-Krüger zone puts them: { n, lon, lat, deg } */
  'all_outside_city_zone',
  // ── warnings (the import goes on) ───────────────────────────────────────────
  /** A position outside China after conversion: { lon, lat } */
  'outside_china',
  /** Far (over 0.05°) outside the box of every stored jurisdiction: { lon, lat } of its box's corner */
  'outside_city',
  /** A stored feature of the layer has this geometry, vertex for vertex (the file imported twice?): { layer } */
  'same_as_stored',
  /** camera:type not fixed/dome/panning, taken as fixed: { field, value } */
  'camera_type_unknown',
  /** A list of types, the first used: { field, value, first } */
  'camera_type_list',
  /** A list of directions, one camera each: { field, n, codes } */
  'directions_split',
  /** A height tag that is no height in metres, left empty: { field, value } */
  'height_ignored',
  /** camera:angle outside 0–90°, ignored: { field, value } */
  'tilt_ignored',
  /** { field, value } */
  'gbt_civil_code',
  /** PTZType empty, taken as 3 (fixed): { field } */
  'gbt_ptz_type_empty',
  /** UseType not 1–3, ignored: { field, value } */
  'gbt_use_type',
  /** A fixed camera without DirectionType (no viewshed): { field } */
  'gbt_no_direction',
] as const;
export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

export type ImportProblemParams = Record<string, string | number>;

/** Why, without where: what a reader or a check finds about one feature or the file. */
export interface ProblemReason {
  code: ImportProblemCode;
  params?: ImportProblemParams;
}

/** One thing wrong with an import: the feature (0-based index in the file; null for the file itself) and why. */
export interface ImportProblem extends ProblemReason {
  index: number | null;
  /** The spreadsheet/CSV row of that feature (1-based, header = row 1), when it came from one. */
  row?: number;
  /** The feature's name (its `name` field, cut to 60 characters), to find it in the source. */
  name?: string;
}

/** A reason, for a reader to push onto a feature's problems or a file's error. */
export function because(code: ImportProblemCode, params?: ImportProblemParams): ProblemReason {
  return params ? { code, params } : { code };
}
