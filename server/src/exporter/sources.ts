import wkx from 'wkx';
import type { ExportLayer } from '../../../core/exchange.ts';
import type { CompoundCategory } from '../../../core/vocabulary.ts';
import type { Queryable } from '../db/index.ts';
import { dataLayer } from '../layers.ts';
import { sqlFiles } from '../sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url));
const UNCOVERED_SQL = sql('uncovered-buildings.sql');
const LEDGER_SQL = sql('ledger.sql');
export const PLACE_SQL = sql('place.sql');

/** The type of an exported attribute; each writer maps it to its own (DBF N/C/L, SQLite INTEGER/REAL/TEXT …). */
export type FieldType = 'text' | 'int' | 'real' | 'bool';
export interface Field {
  name: string;
  type: FieldType;
  /**
   * A text field holding an ISO 8601 date or time (`deadline`, `…_at`): a GeoPackage declares it DATE or
   * DATETIME, so GIS software reads a date, not a string; the other formats keep it as text.
   */
  time?: 'date' | 'datetime';
}
/** What a layer's geometries are, for the formats that declare one type per file (Shapefile, GeoPackage). */
export type GeometryKind = 'point' | 'polygon';
/** The geometry type a GeoPackage declares (GEOMETRY where a layer mixes polygons and multipolygons). */
export type GpkgGeometryType = 'POINT' | 'POLYGON' | 'MULTIPOLYGON' | 'GEOMETRY';

export type Value = string | number | boolean | null;
export interface ExportRow {
  props: Record<string, Value>;
  geometry: wkx.Geometry | null;
}

/**
 * What an export is narrowed to: a 街道 (every layer), and for the uncovered buildings also a 社区, a
 * district and a category (the dashboard's download of a place's uncovered 三无 buildings).
 */
export interface ExportWhere {
  street?: string;
  community?: string;
  district?: string;
  category?: CompoundCategory;
}

export interface ExportSource {
  layer: ExportLayer;
  fields: Field[];
  geometry: GeometryKind;
  gpkgType: GpkgGeometryType;
  /** The attribute a KML placemark is named by. */
  label: string;
  /** The parts of ExportWhere this layer can be narrowed by. */
  narrows: readonly (keyof ExportWhere)[];
  /** Pages of rows in key order, narrowed by `where`. */
  pages(db: Queryable, where: ExportWhere, pageSize?: number): AsyncGenerator<ExportRow[]>;
}

const INT = new Set(['id', 'compound_id', 'households', 'year_built', 'floors', 'version']);
const REAL = new Set(['direction_deg', 'fov_deg', 'range_m', 'height_m']);
const BOOL = new Set(['covered', 'straddling', 'indoor', 'access_control', 'overdue']);
const typeOf = (c: string): FieldType =>
  INT.has(c) ? 'int' : REAL.has(c) ? 'real' : BOOL.has(c) ? 'bool' : 'text';
const timeOf = (c: string): Field['time'] =>
  c === 'deadline' ? 'date' : c.endsWith('_at') ? 'datetime' : undefined;
const fieldsOf = (cols: readonly string[]): Field[] =>
  cols.map((name) => {
    const time = timeOf(name);
    return time ? { name, type: typeOf(name), time } : { name, type: typeOf(name) };
  });

/** pg gives timestamps as Date, bigint ids as strings: every value leaves here as a plain JSON value. */
function plain(field: Field, v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (field.type === 'int' || field.type === 'real') return Number(v);
  if (field.type === 'bool') return Boolean(v);
  return String(v);
}

type PageQuery = (
  db: Queryable,
  where: ExportWhere,
  after: unknown,
  n: number,
) => Promise<Record<string, unknown>[]>;

function source(
  layer: ExportLayer,
  cols: readonly string[],
  gpkgType: GpkgGeometryType,
  key: string,
  query: PageQuery,
  narrows: readonly (keyof ExportWhere)[] = ['street'],
): ExportSource {
  const fields = fieldsOf(cols);
  return {
    layer,
    narrows,
    fields,
    geometry: gpkgType === 'POINT' ? 'point' : 'polygon',
    gpkgType,
    label: cols.includes('name') ? 'name' : key,
    async *pages(db, where, pageSize = 5000) {
      let after: unknown = null;
      for (;;) {
        const rows = await query(db, where, after, pageSize);
        if (!rows.length) return;
        after = rows[rows.length - 1]![key];
        yield rows.map((r) => ({
          props: Object.fromEntries(fields.map((f) => [f.name, plain(f, r[f.name])])),
          geometry: typeof r.wkb === 'string' ? wkx.Geometry.parse(Buffer.from(r.wkb, 'hex')) : null,
        }));
        if (rows.length < pageSize) return;
      }
    },
  };
}

/** How a data layer's rows are limited to one street (identifiers from the registry only). */
const STREET_FILTER: Record<string, string> = {
  compounds: 't.street_code = $1',
  'service-areas': 't.street_code = $1',
  jurisdictions: '(t.code = $1 OR t.parent_code = $1)',
  buildings: 'EXISTS (SELECT 1 FROM building_places p WHERE p.building_id = t.id AND p.street_code = $1)',
  cameras: 'ST_Intersects(t.geom, (SELECT j.geom FROM jurisdictions j WHERE j.code = $1))',
  gates: 'ST_Intersects(t.geom, (SELECT j.geom FROM jurisdictions j WHERE j.code = $1))',
};

const GPKG_TYPE = {
  'service-areas': 'POLYGON',
  compounds: 'MULTIPOLYGON',
  jurisdictions: 'MULTIPOLYGON',
  buildings: 'GEOMETRY',
  cameras: 'POINT',
  gates: 'POINT',
} as const;

function tableSource(
  layer: 'service-areas' | 'compounds' | 'cameras' | 'gates' | 'buildings' | 'jurisdictions',
) {
  const def = dataLayer(layer);
  const key = def.columns.includes('id') ? 'id' : 'code';
  const keyType = key === 'id' ? 'bigint' : 'text';
  const text = `
    SELECT ${def.columns.map((c) => `t.${c}`).join(', ')}, encode(ST_AsBinary(t.geom), 'hex') AS wkb
    FROM ${def.table} t
    WHERE ($1::text IS NULL OR ${STREET_FILTER[layer]})
      AND ($2::${keyType} IS NULL OR t.${key} > $2)
    ORDER BY t.${key}
    LIMIT $3`;
  return source(layer, def.columns, GPKG_TYPE[layer], key, async (db, where, after, n) => {
    if (where.street && layer === 'buildings') await db.query('SELECT ensure_building_places()');
    return (await db.query<Record<string, unknown>>(text, [where.street ?? null, after, n])).rows;
  });
}

/** $1 street, $2 the last key read, $3 the page size; then `more` of the ExportWhere from $4 on. */
const viaFile =
  (text: string, places = false, more: readonly (keyof ExportWhere)[] = []): PageQuery =>
  async (db, where, after, n) => {
    if (places) await db.query('SELECT ensure_building_places()');
    const params = [where.street ?? null, after, n, ...more.map((k) => where[k] ?? null)];
    return (await db.query<Record<string, unknown>>(text, params)).rows;
  };

const UNCOVERED_NARROWS = ['street', 'community', 'district', 'category'] as const;

export const EXPORT_SOURCES: Record<ExportLayer, ExportSource> = {
  'service-areas': tableSource('service-areas'),
  compounds: tableSource('compounds'),
  cameras: tableSource('cameras'),
  gates: tableSource('gates'),
  buildings: tableSource('buildings'),
  jurisdictions: tableSource('jurisdictions'),
  'uncovered-buildings': source(
    'uncovered-buildings',
    [
      'id',
      'category',
      'compound_id',
      'compound_name',
      'name',
      'households',
      'floors',
      'street_code',
      'community_code',
    ],
    'GEOMETRY',
    'id',
    viaFile(UNCOVERED_SQL, true, UNCOVERED_NARROWS.slice(1)),
    UNCOVERED_NARROWS,
  ),
  ledger: source(
    'ledger',
    [
      'id',
      'compound_id',
      'compound_name',
      'street_code',
      'description',
      'category',
      'responsible_unit',
      'deadline',
      'phase',
      'status',
      'overdue',
      'created_by',
      'created_at',
      'closed_by',
      'closed_at',
      'close_note',
    ],
    'POINT',
    'id',
    viaFile(LEDGER_SQL),
  ),
};
