import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type wkx from 'wkx';
import type { ExportSrs } from '../../../core/exchange.ts';
import type { ExportRow, Field, GpkgGeometryType } from './sources.ts';
import { exportCrs } from './srs.ts';

/**
 * OGC GeoPackage 1.3 (an SQLite file) with one feature table, written with sql.js (SQLite compiled to
 * WebAssembly, no native module): the required gpkg_spatial_ref_sys, gpkg_contents and
 * gpkg_geometry_columns, and each geometry as a GeoPackage binary header followed by its WKB.
 */

const SQL_TYPE = { text: 'TEXT', int: 'INTEGER', real: 'REAL', bool: 'BOOLEAN' } as const;

let sqlJs: Promise<SqlJsStatic> | undefined;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** GeoPackage binary: 'GP', version 0, flags (little-endian, xy envelope), srs_id, envelope, WKB. */
export function gpkgGeometry(g: wkx.Geometry, srsId: number): Uint8Array {
  const wkb = g.toWkb();
  const gj = g.toGeoJSON() as { coordinates: unknown };
  const xs: number[] = [];
  const ys: number[] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      xs.push(c[0]);
      ys.push(c[1] as number);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(gj.coordinates);
  const h = Buffer.alloc(40);
  h.write('GP', 0, 'ascii');
  h.writeUInt8(0, 2);
  h.writeUInt8(0b0000_0011, 3);
  h.writeInt32LE(srsId, 4);
  [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)].forEach((v, i) =>
    h.writeDoubleLE(v, 8 + 8 * i),
  );
  return Buffer.concat([h, wkb]);
}

export class GeoPackageWriter {
  private db!: Database;
  private insert!: ReturnType<Database['prepare']>;
  private box = [Infinity, Infinity, -Infinity, -Infinity];

  private constructor(
    private readonly table: string,
    private readonly fields: Field[],
    private readonly srs: ExportSrs,
  ) {}

  static async open(table: string, fields: Field[], type: GpkgGeometryType, srs: ExportSrs) {
    const w = new GeoPackageWriter(table, fields, srs);
    const SQL = await (sqlJs ??= initSqlJs());
    const db = (w.db = new SQL.Database());
    db.run(`PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;`);
    db.run(`
      CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
        description TEXT);
      CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
      CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));`);
    const srsRow = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
    const wgs84 = exportCrs(4326);
    srsRow.run([
      'Undefined cartesian SRS',
      -1,
      'NONE',
      -1,
      'undefined',
      'undefined cartesian coordinate reference system',
    ]);
    srsRow.run([
      'Undefined geographic SRS',
      0,
      'NONE',
      0,
      'undefined',
      'undefined geographic coordinate reference system',
    ]);
    srsRow.run([
      wgs84.gpkgName,
      4326,
      'EPSG',
      4326,
      wgs84.gpkgWkt,
      'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
    ]);
    if (srs !== 4326) {
      const crs = exportCrs(srs);
      srsRow.run([crs.gpkgName, srs, 'EPSG', srs, crs.gpkgWkt, null]);
    }
    srsRow.free();
    const cols = fields
      .map((f) => `${quote(f.name)} ${f.time ? f.time.toUpperCase() : SQL_TYPE[f.type]}`)
      .join(', ');
    db.run(`CREATE TABLE ${quote(table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom ${type}, ${cols})`);
    db.run(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, [table, type, srs]);
    w.insert = db.prepare(
      `INSERT INTO ${quote(table)} (geom, ${fields.map((f) => quote(f.name)).join(', ')}) VALUES (?${', ?'.repeat(fields.length)})`,
    );
    db.run('BEGIN');
    return w;
  }

  write(rows: ExportRow[]): void {
    for (const row of rows) {
      const g = row.geometry;
      if (g) this.grow(g);
      this.insert.run([
        g ? gpkgGeometry(g, this.srs) : null,
        ...this.fields.map((f) => {
          const v = row.props[f.name] ?? null;
          return typeof v === 'boolean' ? (v ? 1 : 0) : v;
        }),
      ]);
    }
  }

  private grow(g: wkx.Geometry) {
    const gj = g.toGeoJSON() as { coordinates: unknown };
    const b = this.box;
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        const [x, y] = c as number[];
        [b[0], b[1], b[2], b[3]] = [
          Math.min(b[0]!, x!),
          Math.min(b[1]!, y!),
          Math.max(b[2]!, x!),
          Math.max(b[3]!, y!),
        ];
      } else if (Array.isArray(c)) c.forEach(walk);
    };
    walk(gj.coordinates);
  }

  /** The file's bytes; the writer is closed afterwards. */
  finish(): Uint8Array {
    this.insert.free();
    this.db.run('COMMIT');
    const box = Number.isFinite(this.box[0]) ? this.box : [null, null, null, null];
    this.db.run(
      `INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
       VALUES (?, 'features', ?, ?, ?, ?, ?, ?)`,
      [this.table, this.table, ...(box as (number | null)[]), this.srs],
    );
    const bytes = this.db.export();
    this.db.close();
    return bytes;
  }
}
