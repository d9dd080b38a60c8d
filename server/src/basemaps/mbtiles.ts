import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  BasemapFileError,
  cleanBounds,
  sniffImage,
  tileTypeOf,
  type ArchiveSummary,
  type TileArchive,
  type TileType,
} from './archive.ts';

// sql.js is SQLite compiled to WebAssembly: no native module to build (better-sqlite3 cannot be
// installed here). It ships no types; the little of it used here is typed below.
interface SqlStatement {
  bind(values: unknown[]): boolean;
  step(): boolean;
  get(): unknown[];
  free(): void;
}
interface SqlDatabase {
  exec(sql: string): { columns: string[]; values: unknown[][] }[];
  prepare(sql: string): SqlStatement;
  close(): void;
}
type SqlJs = { Database: new (data?: Uint8Array) => SqlDatabase };

const require = createRequire(import.meta.url);
let sqlJs: Promise<SqlJs> | undefined;
const loadSqlJs = () => (sqlJs ??= (require('sql.js') as () => Promise<SqlJs>)());

/**
 * Opens an MBTiles file (https://github.com/mapbox/mbtiles-spec). sql.js keeps the whole database in
 * memory — it has no file access — so files over `maxBytes` are refused (basemap_too_large) rather
 * than read: PMTiles has no such limit, being read by byte range.
 */
export async function openMbtiles(path: string, maxBytes: number): Promise<TileArchive> {
  const { size } = await stat(path);
  if (size > maxBytes)
    throw new BasemapFileError(
      'basemap_too_large',
      `MBTiles over ${Math.floor(maxBytes / 2 ** 20)} MB are not served (they are read into memory); convert it to PMTiles`,
      { maxMb: Math.floor(maxBytes / 2 ** 20), container: 'mbtiles' },
    );
  const SQL = await loadSqlJs();
  let db: SqlDatabase;
  try {
    db = new SQL.Database(await readFile(path));
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (e) {
    throw new BasemapFileError('basemap_corrupt', `Not a readable SQLite database: ${(e as Error).message}`, {
      container: 'mbtiles',
    });
  }
  try {
    return await mbtilesArchive(db);
  } catch (e) {
    db.close();
    throw e;
  }
}

async function mbtilesArchive(db: SqlDatabase): Promise<TileArchive> {
  const rows = (sql: string) => db.exec(sql)[0]?.values ?? [];
  const columns = (name: string) => rows(`PRAGMA table_info(${name})`).map((r) => String(r[1]));
  const need = ['zoom_level', 'tile_column', 'tile_row', 'tile_data'];
  const tileColumns = columns('tiles');
  if (!need.every((c) => tileColumns.includes(c)))
    throw new BasemapFileError(
      'basemap_no_tiles',
      'An MBTiles file needs a tiles table (or view) of z/x/y and tile_data',
      {
        container: 'mbtiles',
      },
    );
  const meta = new Map<string, string>();
  if (columns('metadata').includes('name'))
    for (const [k, v] of rows('SELECT name, value FROM metadata')) meta.set(String(k), String(v));
  let extent: unknown[];
  try {
    extent = rows('SELECT min(zoom_level), max(zoom_level), count(*) FROM tiles')[0] ?? [];
  } catch (e) {
    throw new BasemapFileError('basemap_corrupt', `The tiles cannot be read: ${(e as Error).message}`, {
      container: 'mbtiles',
    });
  }
  if (!extent[2])
    throw new BasemapFileError('basemap_no_tiles', 'The tiles table is empty', { container: 'mbtiles' });

  const tile = (z: number, x: number, y: number): Uint8Array | null => {
    const st = db.prepare(
      'SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?',
    );
    try {
      // MBTiles rows count from the south (TMS); the URL's y from the north (XYZ).
      st.bind([z, x, 2 ** z - 1 - y]);
      return st.step() ? (st.get()[0] as Uint8Array) : null;
    } finally {
      st.free();
    }
  };

  let tileType: TileType | null = tileTypeOf(meta.get('format'));
  if (!tileType) {
    const sample = rows('SELECT tile_data FROM tiles LIMIT 1')[0]?.[0] as Uint8Array | undefined;
    tileType = sample ? sniffImage(sample) : null;
  }
  if (!tileType)
    throw new BasemapFileError(
      'basemap_unsupported_tiles',
      `Tiles of format "${meta.get('format') ?? '?'}" are not served`,
      {
        format: meta.get('format') ?? null,
        container: 'mbtiles',
      },
    );

  let minZoom = Number(meta.get('minzoom') ?? extent[0]);
  let maxZoom = Number(meta.get('maxzoom') ?? extent[1]);
  if (!Number.isInteger(minZoom) || !Number.isInteger(maxZoom) || minZoom > maxZoom) {
    minZoom = Number(extent[0]);
    maxZoom = Number(extent[1]);
  }
  const bounds = meta.has('bounds')
    ? cleanBounds(meta.get('bounds')!.split(',').map(Number))
    : tileExtent(
        rows(
          `SELECT min(tile_column), max(tile_column), min(tile_row), max(tile_row) FROM tiles WHERE zoom_level = ${maxZoom}`,
        )[0],
        maxZoom,
      );
  let vectorLayers: string[] = [];
  if (tileType === 'mvt' && meta.has('json')) {
    try {
      const j = JSON.parse(meta.get('json')!) as { vector_layers?: { id?: unknown }[] };
      vectorLayers = (j.vector_layers ?? []).map((l) => String(l.id ?? '')).filter(Boolean);
    } catch {
      // a broken json entry only loses the layer names; the client then styles what it finds
    }
  }
  const summary: ArchiveSummary = {
    container: 'mbtiles',
    tileType,
    minZoom,
    maxZoom,
    bounds,
    attribution: meta.get('attribution') ?? '',
    name: meta.get('name') ?? null,
    vectorLayers,
  };
  return {
    summary: () => Promise.resolve(summary),
    tile: (z, x, y) => Promise.resolve(tile(z, x, y)),
    close: () => db.close(),
  };
}

/** WGS84 box of the tiles [minCol, maxCol, minRow (TMS), maxRow] at zoom z. */
function tileExtent(r: unknown[] | undefined, z: number): [number, number, number, number] {
  if (!r || r.some((v) => v === null)) return cleanBounds(undefined);
  const [x0, x1, r0, r1] = r.map(Number) as [number, number, number, number];
  const n = 2 ** z;
  const lon = (x: number) => (x / n) * 360 - 180;
  const lat = (yXyz: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * yXyz) / n))) * 180) / Math.PI;
  // TMS row r is XYZ row n-1-r; the northern edge of the top row, the southern edge of the bottom.
  return cleanBounds([lon(x0), lat(n - r0), lon(x1 + 1), lat(n - 1 - r1)]);
}
