import initSqlJs, { type Database } from 'sql.js';
import { because, fileProblem, type ProblemReason } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import type { CrsFound } from '../crs.ts';
import { readAll, type SourceInput } from './input.ts';
import type { FormatReader, SourceLayer } from './types.ts';
import { gpkgToGeoJson } from './wkb.ts';

let sqlJs: ReturnType<typeof initSqlJs> | undefined;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface FeatureTable {
  layer: SourceLayer;
  geomColumn: string;
  crs: CrsFound;
  fidColumn: string | null;
  /** Columns declared BOOLEAN (stored as 0/1). */
  booleans: Set<string>;
}

/**
 * GeoPackage: every feature table of gpkg_contents is a layer (the user chooses one); each table's
 * CRS from its srs_id in gpkg_spatial_ref_sys. Read with sql.js (SQLite compiled to WebAssembly, no
 * native module), which holds the file in memory; rows are stepped one at a time.
 */
export async function openGeoPackage(input: SourceInput): Promise<FormatReader> {
  const SQL = await (sqlJs ??= initSqlJs());
  let db: Database;
  try {
    db = new SQL.Database(readAll(input));
    db.exec('SELECT 1 FROM sqlite_master LIMIT 1');
  } catch (e) {
    throw fileProblem('not_geopackage', { detail: (e as Error).message });
  }
  const rows = (sql: string, params: (string | number)[] = []) => {
    const st = db.prepare(sql);
    st.bind(params);
    const out: Record<string, unknown>[] = [];
    while (st.step()) out.push(st.getAsObject());
    st.free();
    return out;
  };
  let contents: Record<string, unknown>[];
  try {
    contents = rows(
      `SELECT c.table_name AS t, c.srs_id AS srs, g.column_name AS col, g.geometry_type_name AS gtype,
              s.organization AS org, s.organization_coordsys_id AS code, s.definition AS def
       FROM gpkg_contents c
       JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
       LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
       WHERE c.data_type = 'features' ORDER BY c.table_name`,
    );
  } catch (e) {
    db.close();
    throw fileProblem('not_geopackage', {
      detail: `no gpkg_contents / gpkg_geometry_columns: ${(e as Error).message}`,
    });
  }
  const tables = new Map<string, FeatureTable>();
  for (const c of contents) {
    const name = String(c.t);
    const geomColumn = String(c.col);
    const info = rows(`PRAGMA table_info(${q(name)})`);
    const pk = info.find((r) => Number(r.pk) === 1 && String(r.type).toUpperCase() === 'INTEGER');
    const fields = info.map((r) => String(r.name)).filter((n) => n !== geomColumn && n !== pk?.name);
    // GeoPackage stores BOOLEAN columns as INTEGER 0/1 (spec §1.1.1.1.1); read them back as booleans.
    const booleans = new Set(
      info.filter((r) => String(r.type).toUpperCase() === 'BOOLEAN').map((r) => String(r.name)),
    );
    const count = Number(rows(`SELECT count(*) AS n FROM ${q(name)}`)[0]!.n);
    const org = typeof c.org === 'string' ? c.org.toUpperCase() : '';
    const def = typeof c.def === 'string' && c.def !== 'undefined' ? c.def : null;
    const crs: CrsFound =
      org === 'EPSG' && Number(c.code) > 0
        ? { source: 'gpkg', text: `EPSG:${Number(c.code)}` }
        : def
          ? { source: 'gpkg', text: def }
          : Number(c.srs) === 0 || Number(c.srs) === -1
            ? { source: 'none', text: null }
            : { source: 'gpkg', text: `srs_id ${String(c.srs)}` };
    tables.set(name, {
      layer: { name, count, fields, geometryType: String(c.gtype) },
      geomColumn,
      crs,
      fidColumn: pk ? String(pk.name) : null,
      booleans,
    });
  }
  if (tables.size === 0) {
    db.close();
    throw fileProblem('geopackage_empty');
  }

  async function* read(layer: string): AsyncGenerator<SourceFeature> {
    const t = tables.get(layer)!;
    const cols = [t.geomColumn, ...t.layer.fields];
    const st = db.prepare(
      `SELECT ${cols.map(q).join(', ')} FROM ${q(layer)}${t.fidColumn ? ` ORDER BY ${q(t.fidColumn)}` : ''}`,
    );
    let index = 0;
    try {
      while (st.step()) {
        const values = st.get();
        const properties: Record<string, unknown> = {};
        for (let k = 1; k < cols.length; k++) {
          const v = values[k];
          properties[cols[k]!] = t.booleans.has(cols[k]!) && (v === 0 || v === 1) ? v === 1 : v;
        }
        const blob = values[0];
        let geometry: unknown = null;
        const problems: ProblemReason[] = [];
        if (blob instanceof Uint8Array) {
          try {
            geometry = gpkgToGeoJson(blob);
          } catch (e) {
            problems.push(because('unreadable_geometry', { detail: (e as Error).message }));
          }
        }
        yield {
          feature: { type: 'Feature', properties, geometry },
          fromText: false,
          index: index++,
          problems,
        };
      }
    } finally {
      st.free();
    }
  }

  return {
    format: 'geopackage',
    layers: [...tables.values()].map((t) => t.layer),
    crsFound: (layer) => tables.get(layer)!.crs,
    defaultCrs: null,
    read,
    close: () => db.close(),
  };
}
