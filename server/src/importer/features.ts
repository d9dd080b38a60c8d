import { parse as parseCsvText } from 'csv-parse/sync';
import gcoord from 'gcoord';
import gjv from 'geojson-validation';
import { readAttributes, type ColumnValue } from './attributes.ts';
import { because, fileProblem, type ImportProblem, type ProblemReason } from './errors.ts';
import { geometryStructureProblems, toHexEwkb, type StoredGeometry } from './geometry.ts';
import { noPositionProblem, pointColumns } from './readers/csv.ts';
import type { ImportSpec } from './spec.ts';

/** Coordinate systems an import reads; everything is stored as WGS84. */
export const IMPORT_CRS = ['wgs84', 'gcj02'] as const;
export type ImportCrs = (typeof IMPORT_CRS)[number];

/** A record to import: a GeoJSON Feature as found in the file, or one built from a CSV row. */
export interface SourceFeature {
  feature: unknown;
  /** Values came from text (CSV): numbers and booleans are read from strings. */
  fromText: boolean;
  /** Problems already found while building it (e.g. a CSV row's unreadable lon). */
  problems?: ProblemReason[];
  /** 0-based position in the file (what problems are reported by); its place in the stream when absent. */
  index?: number;
  /** 1-based row of a spreadsheet or CSV (header = row 1), for messages. */
  row?: number;
  /** Things worth telling that do not stop the import (a position outside China). */
  warnings?: ProblemReason[];
}

/** A feature that passed every check done in JS, ready for the staging table. */
export interface PreparedFeature {
  index: number;
  ewkb: string;
  values: ColumnValue[];
  /** The feature's id in its file (the --key column), stored to make re-imports idempotent. */
  sourceId?: string | null;
}

const GEOMETRY_TYPES: readonly string[] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
];

/**
 * The features of a GeoJSON text: a FeatureCollection's features, a single Feature, or a bare
 * geometry as one feature. Anything else (not JSON, no features array, an unknown type) is a problem
 * with the file itself.
 */
export function featuresFromGeoJson(text: string): SourceFeature[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw fileProblem('not_json', { detail: (e as Error).message });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw fileProblem('not_geojson', { found: Array.isArray(doc) ? 'array' : typeof doc });
  }
  const o = doc as { type?: unknown; features?: unknown; bbox?: unknown };
  if (o.type === 'Feature') return [{ feature: doc, fromText: false }];
  // A bare geometry is one feature without properties (what many tools write for a single shape).
  if (typeof o.type === 'string' && GEOMETRY_TYPES.includes(o.type)) {
    return [{ feature: { type: 'Feature', properties: {}, geometry: doc }, fromText: false }];
  }
  if (o.type !== 'FeatureCollection') {
    throw fileProblem('not_geojson', { found: typeof o.type === 'string' ? o.type : '' });
  }
  if (!Array.isArray(o.features)) throw fileProblem('no_features_array');
  if (o.bbox !== undefined) {
    const bad = gjv.isBbox(o.bbox, true);
    if (bad.length) throw fileProblem('bad_bbox', { detail: bad.join('; ') });
  }
  return o.features.map((feature) => ({ feature, fromText: false }));
}

/**
 * Point features from CSV text with a header row: the lon/lat columns (lon, lng, longitude, 经度, x …;
 * lat, latitude, 纬度, y …; any case: readers/csv.ts pointColumns) make the point, the other columns are
 * its properties.
 */
export function featuresFromCsv(text: string): SourceFeature[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsvText(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      string
    >[];
  } catch (e) {
    throw fileProblem('not_csv', { detail: (e as Error).message });
  }
  return featuresFromRows(rows);
}

/** Point features from CSV records (see featuresFromCsv). */
export function featuresFromRows(rows: Record<string, string>[]): SourceFeature[] {
  if (rows.length === 0) return [];
  const header = Object.keys(rows[0]!);
  // The same position columns as the CSV reader's (经度/纬度, x/y …): a camera list from Excel has them.
  const { lon: lonCol, lat: latCol } = pointColumns(header);
  if (!lonCol || !latCol) throw noPositionProblem(header);
  return rows.map((row) => {
    const problems: ProblemReason[] = [];
    const num = (col: string) => {
      const raw = (row[col] ?? '').trim();
      const n = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(n))
        problems.push(
          raw === ''
            ? because('cell_empty', { field: col })
            : because('cell_not_number', { field: col, value: raw }),
        );
      return n;
    };
    const lon = num(lonCol);
    const lat = num(latCol);
    const properties: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (k !== lonCol && k !== latCol) properties[k] = v;
    return {
      feature: { type: 'Feature', properties, geometry: { type: 'Point', coordinates: [lon, lat] } },
      fromText: true,
      problems,
    };
  });
}

function atIndex(index: number, reasons: ProblemReason[]): ImportProblem[] {
  return reasons.map((r) => ({ index, ...r }));
}

/**
 * Checks one source feature against the layer in JS: GeoJSON structure (geojson-validation), the
 * geometry type, coordinates (after converting GCJ-02 to WGS84 when asked) and attributes. Returns
 * the feature ready for staging, or its problems. Geometry validity is PostGIS's job afterwards.
 */
export function prepareFeature(
  spec: ImportSpec,
  source: SourceFeature,
  index: number,
  crs: ImportCrs = 'wgs84',
): PreparedFeature | ImportProblem[] {
  if (source.problems?.length) return atIndex(index, source.problems);
  const f = source.feature as { type?: unknown; geometry?: unknown; properties?: unknown } | null;
  if (f === null || typeof f !== 'object' || Array.isArray(f))
    return atIndex(index, [because('not_a_feature')]);
  if (f.type !== 'Feature') {
    return atIndex(index, [because('wrong_feature_type', { type: JSON.stringify(f.type ?? null) })]);
  }
  const problems: ProblemReason[] = [];
  // Structure of the Feature itself (properties member, bbox, id); the geometry is checked below.
  // (geojson-validation finds nothing in a Feature with properties and no bbox: it is asked only then.)
  if ('bbox' in f || !('properties' in f)) {
    const structure = gjv.isFeature({ ...f, geometry: null }, true);
    for (const detail of structure) problems.push(because('feature_structure', { detail }));
  }
  const geometryProblems = geometryStructureProblems(spec, f.geometry);
  problems.push(...geometryProblems);
  const props = f.properties;
  if (props !== null && props !== undefined && (typeof props !== 'object' || Array.isArray(props))) {
    problems.push(because('properties_not_object'));
  }
  const attrs = readAttributes(
    spec,
    (typeof props === 'object' ? props : null) as Record<string, unknown> | null,
    source.fromText,
  );
  problems.push(...attrs.problems);
  if (problems.length) return atIndex(index, problems);

  let geometry = f.geometry as StoredGeometry;
  if (crs === 'gcj02') {
    // A copy: the caller's objects stay as they were.
    geometry = gcoord.transform(
      structuredClone(geometry) as never,
      gcoord.GCJ02,
      gcoord.WGS84,
    ) as StoredGeometry;
  }
  return { index, ewkb: toHexEwkb(geometry), values: attrs.values };
}
