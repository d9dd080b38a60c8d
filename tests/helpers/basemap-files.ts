/**
 * Small offline basemap files written in the test: PNG tiles of one colour each, an MBTiles (SQLite
 * through sql.js) and a PMTiles v3 (written here by the spec; the `pmtiles` package only reads).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

/** A size×size PNG filled with one RGB colour. */
export function solidPng([r, g, b]: [number, number, number], size = 256): Buffer {
  const row = Buffer.alloc(1 + size * 3);
  for (let i = 0; i < size; i++) row.set([r, g, b], 1 + i * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface FixtureTile {
  z: number;
  x: number;
  /** XYZ row (from the north). */
  y: number;
  data: Buffer;
}

/** The XYZ tile holding lon/lat at zoom z. */
export function tileAt(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}

interface SqlDb {
  run(sql: string, params?: unknown[]): void;
  export(): Uint8Array;
  close(): void;
}
const require = createRequire(import.meta.url);
const sqlJs = () => (require('sql.js') as () => Promise<{ Database: new () => SqlDb }>)();

/** Writes an MBTiles file: `metadata` as given, tiles stored with TMS rows as the spec says. */
export async function writeMbtiles(
  file: string,
  tiles: FixtureTile[],
  metadata: Record<string, string>,
  { tilesTable = true } = {},
): Promise<void> {
  const SQL = await sqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE metadata (name text, value text)');
  for (const [k, v] of Object.entries(metadata)) db.run('INSERT INTO metadata VALUES (?, ?)', [k, v]);
  if (tilesTable) {
    db.run('CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)');
    for (const t of tiles)
      db.run('INSERT INTO tiles VALUES (?, ?, ?, ?)', [t.z, t.x, 2 ** t.z - 1 - t.y, new Uint8Array(t.data)]);
  }
  writeFileSync(file, db.export());
  db.close();
}

function varint(n: number, out: number[]) {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

export interface PmtilesOptions {
  /** 1 MVT, 2 PNG, 3 JPEG, 4 WebP. */
  tileType: number;
  /** 1 none, 2 gzip (tiles are gzipped here when 2). */
  tileCompression?: number;
  bounds: [number, number, number, number];
  metadata: Record<string, unknown>;
}

/** Writes a PMTiles v3 file: header, one root directory, JSON metadata, tile data (no leaves). */
export function writePmtiles(file: string, tiles: FixtureTile[], o: PmtilesOptions): void {
  const compression = o.tileCompression ?? 1;
  const entries = tiles
    .map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: compression === 2 ? gzipSync(t.data) : t.data }))
    .sort((a, b) => a.id - b.id);
  const dir: number[] = [];
  varint(entries.length, dir);
  let last = 0;
  for (const e of entries) {
    varint(e.id - last, dir);
    last = e.id;
  }
  for (const _ of entries) varint(1, dir);
  for (const e of entries) varint(e.data.length, dir);
  let offset = 0;
  for (const e of entries) {
    varint(offset + 1, dir);
    offset += e.data.length;
  }
  const root = Buffer.from(dir);
  const meta = Buffer.from(JSON.stringify(o.metadata));
  const data = Buffer.concat(entries.map((e) => e.data));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'latin1');
  h.writeUInt8(3, 7);
  const u64 = (pos: number, v: number) => h.writeBigUInt64LE(BigInt(v), pos);
  u64(8, 127);
  u64(16, root.length);
  u64(24, 127 + root.length);
  u64(32, meta.length);
  u64(40, 127 + root.length + meta.length);
  u64(48, 0);
  u64(56, 127 + root.length + meta.length);
  u64(64, data.length);
  u64(72, entries.length);
  u64(80, entries.length);
  u64(88, entries.length);
  h.writeUInt8(1, 96); // clustered
  h.writeUInt8(1, 97); // directories not compressed
  h.writeUInt8(compression, 98);
  h.writeUInt8(o.tileType, 99);
  const zs = tiles.map((t) => t.z);
  h.writeUInt8(Math.min(...zs), 100);
  h.writeUInt8(Math.max(...zs), 101);
  const e7 = (pos: number, v: number) => h.writeInt32LE(Math.round(v * 1e7), pos);
  const [w, s, e, n] = o.bounds;
  e7(102, w);
  e7(106, s);
  e7(110, e);
  e7(114, n);
  h.writeUInt8(Math.max(...zs), 118);
  e7(119, (w + e) / 2);
  e7(123, (s + n) / 2);
  writeFileSync(file, Buffer.concat([h, root, meta, data]));
}
