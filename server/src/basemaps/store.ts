import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Basemap } from '../../../core/basemaps.ts';
import type { Queryable } from '../db/index.ts';
import { sqlFiles } from '../sql-files.ts';
import { BasemapFileError, sniffContainer, type Container, type TileArchive } from './archive.ts';
import { openMbtiles } from './mbtiles.ts';
import { openPmtiles } from './pmtiles.ts';

const sql = sqlFiles(new URL('.', import.meta.url));
const LIST = sql('basemap-list.sql');
const INSERT = sql('basemap-insert.sql');
const DELETE = sql('basemap-delete.sql');

interface BasemapRow {
  id: string | number;
  name: string;
  file_name: string;
  container: Basemap['container'];
  tile_type: Basemap['tileType'];
  bytes: string | number;
  min_zoom: number;
  max_zoom: number;
  bounds: number[];
  attribution: string;
  vector_layers: string[];
  created_at: Date | string;
}

export interface StoredBasemap extends Basemap {
  fileName: string;
}

function basemap(r: BasemapRow): StoredBasemap {
  const id = Number(r.id);
  return {
    id,
    name: r.name,
    container: r.container,
    tileType: r.tile_type,
    minZoom: r.min_zoom,
    maxZoom: r.max_zoom,
    bounds: r.bounds.map(Number) as Basemap['bounds'],
    attribution: r.attribution,
    vectorLayers: r.vector_layers,
    bytes: Number(r.bytes),
    tiles: `/api/basemaps/${id}/{z}/{x}/{y}`,
    createdAt: new Date(r.created_at).toISOString(),
    fileName: r.file_name,
  };
}

export interface BasemapStoreOptions {
  /** BASEMAP_DIR: where the files live. */
  dir: string;
  /** MBTiles over this are refused (sql.js reads them into memory). */
  mbtilesMaxBytes: number;
}

/** Reads a file's container from its first bytes, or refuses it. */
async function containerOf(path: string): Promise<Container> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    await fh.read(head, 0, 16, 0);
    const c = sniffContainer(head);
    if (!c)
      throw new BasemapFileError(
        'basemap_unknown_format',
        'Neither an MBTiles (SQLite) nor a PMTiles file',
        {},
      );
    return c;
  } finally {
    await fh.close();
  }
}

/**
 * The offline basemaps: files in BASEMAP_DIR, registered in the `basemaps` table so every app
 * process serves the same list. Open archives are kept (a few), keyed by file name.
 */
export class BasemapStore {
  private readonly open = new Map<string, { archive: Promise<TileArchive>; memory: number }>();
  private readonly rows = new Map<number, { at: number; row: StoredBasemap | null }>();

  constructor(private readonly opts: BasemapStoreOptions) {}

  async list(q: Queryable): Promise<StoredBasemap[]> {
    const r = await q.query<BasemapRow>(LIST, [null]);
    return r.rows.map(basemap);
  }

  async get(q: Queryable, id: number): Promise<StoredBasemap | null> {
    const r = await q.query<BasemapRow>(LIST, [id]);
    return r.rows[0] ? basemap(r.rows[0]) : null;
  }

  /** `get`, remembered for a few seconds: tiles come by the hundred and the row rarely changes. */
  async cached(q: Queryable, id: number): Promise<StoredBasemap | null> {
    const hit = this.rows.get(id);
    if (hit && Date.now() - hit.at < 5000) return hit.row;
    const row = await this.get(q, id);
    this.rows.set(id, { at: Date.now(), row });
    return row;
  }

  /** Opens the file `path` as an archive, whatever its name; refuses what is not a basemap. */
  async inspect(path: string): Promise<TileArchive> {
    const container = await containerOf(path);
    return container === 'mbtiles' ? openMbtiles(path, this.opts.mbtilesMaxBytes) : openPmtiles(path);
  }

  /**
   * Checks `source`, copies (or with `move`, renames) it into BASEMAP_DIR and registers it. A file
   * that is not a basemap throws BasemapFileError, and nothing is copied or registered.
   */
  async add(
    q: Queryable,
    source: string,
    { name, createdBy, move = false }: { name?: string; createdBy?: string | null; move?: boolean },
  ): Promise<StoredBasemap> {
    const archive = await this.inspect(source);
    let summary;
    try {
      summary = await archive.summary();
    } finally {
      archive.close();
    }
    await mkdir(this.opts.dir, { recursive: true });
    const fileName = `${randomUUID()}.${summary.container}`;
    const target = join(this.opts.dir, fileName);
    if (move) await rename(source, target);
    else await copyFile(source, target);
    try {
      const { size } = await stat(target);
      const r = await q.query<BasemapRow>(INSERT, [
        (name ?? summary.name ?? fileName).slice(0, 200) || fileName,
        fileName,
        summary.container,
        summary.tileType,
        size,
        summary.minZoom,
        summary.maxZoom,
        summary.bounds,
        summary.attribution.slice(0, 2000),
        summary.vectorLayers,
        createdBy ?? null,
      ]);
      return basemap(r.rows[0]!);
    } catch (e) {
      await rm(target, { force: true });
      throw e;
    }
  }

  /** Unregisters a basemap and deletes its file; false when there was none. */
  async remove(q: Queryable, id: number): Promise<boolean> {
    const r = await q.query<{ file_name: string }>(DELETE, [id]);
    const fileName = r.rows[0]?.file_name;
    this.rows.delete(id);
    if (!fileName) return false;
    const a = this.open.get(fileName);
    this.open.delete(fileName);
    if (a) (await a.archive.catch(() => null))?.close();
    await rm(join(this.opts.dir, fileName), { force: true });
    return true;
  }

  /**
   * The open archive of a registered basemap, kept open for the next tiles: at most four, and open
   * MBTiles (each held whole in memory by sql.js) together within BASEMAP_MBTILES_MAX_MB — the
   * least recently used are closed first.
   */
  archive(b: StoredBasemap): Promise<TileArchive> {
    const hit = this.open.get(b.fileName);
    if (hit) {
      // Most recently used last.
      this.open.delete(b.fileName);
      this.open.set(b.fileName, hit);
      return hit.archive;
    }
    const path = join(this.opts.dir, b.fileName);
    const memory = b.container === 'mbtiles' ? b.bytes : 0;
    const inMemory = () => [...this.open.values()].reduce((n, e) => n + e.memory, 0);
    for (const [name, e] of this.open) {
      if (this.open.size < 4 && inMemory() + memory <= this.opts.mbtilesMaxBytes) break;
      this.open.delete(name);
      e.archive.then((x) => x.close()).catch(() => {});
    }
    const archive =
      b.container === 'mbtiles' ? openMbtiles(path, this.opts.mbtilesMaxBytes) : openPmtiles(path);
    archive.catch(() => this.open.delete(b.fileName));
    this.open.set(b.fileName, { archive, memory });
    return archive;
  }

  /** Closes every open archive (tests, shutdown). */
  close(): void {
    for (const e of this.open.values()) e.archive.then((x) => x.close()).catch(() => {});
    this.open.clear();
  }
}

/** Strips the row down to what the API shows. */
export function publicBasemap({ fileName: _f, ...b }: StoredBasemap): Basemap {
  return b;
}
