import {
  closeSync,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import JSZip from 'jszip';
import * as shapefile from 'shapefile';
import { fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { DbfRecords } from './dbf.ts';
import { detectEncoding, normaliseEncoding } from './encoding.ts';
import { inputName, readAll, type SourceInput } from './input.ts';
import type { FormatReader, SourceLayer } from './types.ts';

/** One Shapefile of a set: where its parts are (paths on disk, or bytes from a zip or an upload). */
interface ShapeSet {
  name: string;
  shp: string | Uint8Array;
  dbf: string | Uint8Array | null;
  prj: string | null;
  cpg: string | null;
  /** Label for messages: `areas.shp`. */
  shpName: string;
  /** In a zip: the members, unpacked to a temp folder while they are read (see unpack). */
  zipped?: { shp: JSZip.JSZipObject; dbf: JSZip.JSZipObject | null };
}

/** Temp folders of unpacked zip members are named with this (and the process id) in the OS temp folder. */
export const UNPACK_PREFIX = `wuyou-shp-${process.pid}-`;

/**
 * A zipped set's .shp and .dbf streamed out of the zip (inflated piece by piece, never whole in
 * memory) into a new temp folder, for the `shapefile` package to read from disk in pieces. The
 * caller removes `dir` when done; on a failure here it is removed before the error goes on.
 */
async function unpack(
  z: NonNullable<ShapeSet['zipped']>,
): Promise<{ dir: string; shp: string; dbf: string | null }> {
  const dir = await mkdtemp(join(tmpdir(), UNPACK_PREFIX));
  try {
    const out = async (member: JSZip.JSZipObject, name: string) => {
      const path = join(dir, name);
      await pipeline(member.nodeStream('nodebuffer'), createWriteStream(path));
      return path;
    };
    return { dir, shp: await out(z.shp, 'layer.shp'), dbf: z.dbf ? await out(z.dbf, 'layer.dbf') : null };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw fileProblem('not_zip', { detail: (e as Error).message });
  }
}

const text = (b: Uint8Array) =>
  new TextDecoder('utf-8')
    .decode(b)
    .replace(/^\uFEFF/, '')
    .trim();

/** The first bytes of a part (header + a sample of records for the .dbf). */
function head(part: string | Uint8Array, n: number): Uint8Array {
  if (typeof part !== 'string') return part.subarray(0, n);
  const fd = openSync(part, 'r');
  try {
    const buf = Buffer.allocUnsafe(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** A sibling file of `path` with another extension, in either case (`.dbf` or `.DBF`). */
function sibling(path: string, ext: string): string | null {
  const stem = path.replace(/\.[^./\\]+$/, '');
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(stem + e)) return stem + e;
  return null;
}

async function setsFromZip(bytes: Uint8Array, zipName: string): Promise<ShapeSet[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (e) {
    throw fileProblem('not_zip', { detail: (e as Error).message });
  }
  const files = Object.values(zip.files).filter((f) => !f.dir && !/(^|\/)__MACOSX\//.test(f.name));
  const byLower = new Map(files.map((f) => [f.name.toLowerCase(), f]));
  const shps = files.filter((f) => /\.shp$/i.test(f.name));
  if (shps.length === 0) throw fileProblem('zip_no_shp', { file: zipName });
  const out: ShapeSet[] = [];
  for (const f of shps) {
    const stem = f.name.slice(0, -4).toLowerCase();
    const part = (ext: string) => byLower.get(stem + ext);
    const dbf = part('.dbf');
    const prj = part('.prj');
    const cpg = part('.cpg');
    out.push({
      name: basename(f.name).slice(0, -4),
      shpName: basename(f.name),
      shp: '',
      dbf: dbf ? '' : null,
      zipped: { shp: f, dbf: dbf ?? null },
      prj: prj ? text(await prj.async('uint8array')) : null,
      cpg: cpg ? text(await cpg.async('uint8array')) : null,
    });
  }
  return out;
}

async function shapeSets(input: SourceInput): Promise<ShapeSet[]> {
  const name = inputName(input);
  const magic = typeof input === 'string' ? head(input, 2) : input.bytes.subarray(0, 2);
  if (/\.zip$/i.test(name) || (magic[0] === 0x50 && magic[1] === 0x4b))
    return setsFromZip(readAll(input), name);
  if (typeof input === 'string') {
    const prj = sibling(input, '.prj');
    const cpg = sibling(input, '.cpg');
    return [
      {
        name: basename(input).replace(/\.[^.]+$/, ''),
        shpName: basename(input),
        shp: input,
        dbf: sibling(input, '.dbf'),
        prj: prj ? text(readFileSync(prj)) : null,
        cpg: cpg ? text(readFileSync(cpg)) : null,
      },
    ];
  }
  const stem = name.replace(/\.[^.]+$/, '').toLowerCase();
  const part = (ext: string) =>
    input.siblings?.find(
      (s) => s.name.toLowerCase() === stem + ext || basename(s.name).toLowerCase() === stem + ext,
    )?.bytes;
  const prj = part('.prj');
  const cpg = part('.cpg');
  return [
    {
      name: name.replace(/\.[^.]+$/, ''),
      shpName: name,
      shp: input.bytes,
      dbf: part('.dbf') ?? null,
      prj: prj ? text(prj) : null,
      cpg: cpg ? text(cpg) : null,
    },
  ];
}

interface DbfHeader {
  count: number;
  headerLength: number;
  recordLength: number;
  /** Language driver id (byte 29): 0x4d is code page 936 (GBK). */
  ldid: number;
  /** Raw bytes of the field names (decoded once the encoding is known). */
  fieldNames: Uint8Array[];
}

function dbfHeader(bytes: Uint8Array, dbfName: string): DbfHeader {
  if (bytes.length < 32) throw fileProblem('dbf_too_short', { file: dbfName });
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLength = v.getUint16(8, true);
  const fieldNames: Uint8Array[] = [];
  for (let at = 32; at + 32 <= Math.min(headerLength, bytes.length) && bytes[at] !== 0x0d; at += 32) {
    let end = at;
    while (end < at + 11 && bytes[end] !== 0) end++;
    fieldNames.push(bytes.subarray(at, end));
  }
  return {
    count: v.getUint32(4, true),
    headerLength,
    recordLength: v.getUint16(10, true),
    ldid: bytes[29]!,
    fieldNames,
  };
}

/**
 * The attribute encoding: the .cpg when it names one (UTF-8, GBK, 936 …), else the .dbf's language
 * driver when it says GBK, else detected from the field names and the first records (valid UTF-8 →
 * UTF-8, else GB18030), so Chinese attributes never turn into mojibake.
 */
function dbfEncoding(set: ShapeSet, header: DbfHeader, sample: Uint8Array, given?: string): string {
  if (given) {
    const e = normaliseEncoding(given);
    if (!e) throw fileProblem('unknown_encoding', { encoding: given });
    return e;
  }
  if (set.cpg) {
    const e = normaliseEncoding(set.cpg);
    if (e && e !== 'windows-1252') return e;
  }
  if (header.ldid === 0x4d) return 'gb18030';
  const names = Buffer.concat(header.fieldNames.map((n) => Buffer.from(n)));
  const records = sample.subarray(header.headerLength);
  return detectEncoding(Buffer.concat([names, Buffer.from([0x20]), records]));
}

/** A .shp's header says how many bytes the file should have. */
function shpDeclaredBytes(h: Uint8Array): number {
  return new DataView(h.buffer, h.byteOffset, h.length).getInt32(24, false) * 2;
}

/**
 * Shapefiles: a .shp with its .dbf, .prj and .cpg beside it, or a .zip holding one or more (each a
 * layer). Read through the `shapefile` package from disk in pieces; a .zip's members are streamed
 * out into a temp folder (jszip holds the compressed zip, never an unpacked member) and read from there.
 */
export async function openShapefile(input: SourceInput, opts: { encoding?: string }): Promise<FormatReader> {
  const sets = await shapeSets(input);
  const layers: SourceLayer[] = [];
  const info = new Map<string, { set: ShapeSet; encoding: string; count: number }>();
  for (const set of sets) {
    if (set.dbf === null) {
      throw fileProblem('dbf_missing', { file: set.shpName });
    }
    const parts = set.zipped ? await unpack(set.zipped) : null;
    try {
      const shp = parts?.shp ?? set.shp;
      const dbf = (parts?.dbf ?? set.dbf)!;
      const shpHead = head(shp, 100);
      if (
        shpHead.length < 100 ||
        new DataView(shpHead.buffer, shpHead.byteOffset, 100).getInt32(0, false) !== 9994
      )
        throw fileProblem('shp_bad_header', { file: set.shpName });
      const dbfName = set.shpName.replace(/\.shp$/i, '.dbf');
      const sample = head(dbf, 1 << 16);
      const header = dbfHeader(sample, dbfName);
      const encoding = dbfEncoding(set, header, sample, opts.encoding);
      const dec = new TextDecoder(encoding);
      const shpSize = typeof shp === 'string' ? statSync(shp).size : shp.length;
      const declared = shpDeclaredBytes(shpHead);
      if (shpSize < declared) {
        throw fileProblem('shp_truncated', { file: set.shpName, declared, size: shpSize });
      }
      const typeCode = new DataView(shpHead.buffer, shpHead.byteOffset, 100).getInt32(32, true);
      layers.push({
        name: set.name,
        count: header.count,
        fields: header.fieldNames.map((n) => dec.decode(n)),
        geometryType: SHAPE_TYPES[typeCode % 10] ?? `shape type ${typeCode}`,
      });
      info.set(set.name, { set, encoding, count: header.count });
    } finally {
      if (parts) rmSync(parts.dir, { recursive: true, force: true });
    }
  }

  async function* read(layer: string): AsyncGenerator<SourceFeature> {
    const { set, encoding, count } = info.get(layer)!;
    // Paths (a zip's members unpacked to a temp folder) are read in pieces from disk; an upload's
    // bytes from memory. The temp folder goes when the reading ends, fails or is stopped.
    const parts = set.zipped ? await unpack(set.zipped) : null;
    let dbf: DbfRecords | null = null;
    let index = 0;
    const damaged = (e: unknown) =>
      fileProblem('shp_damaged', { file: set.shpName, shape: index, detail: (e as Error).message });
    try {
      // The .shp through the `shapefile` package, the .dbf through our own reader (dbf.ts).
      const shp = await shapefile.openShp((parts?.shp ?? set.shp) as string);
      try {
        dbf = new DbfRecords((parts?.dbf ?? set.dbf)!, encoding);
      } catch (e) {
        throw damaged(e);
      }
      for (;;) {
        let r;
        let properties;
        try {
          r = await shp.read();
          properties = dbf.next();
        } catch (e) {
          throw damaged(e);
        }
        if (r.done) break;
        yield {
          feature: { type: 'Feature', properties, geometry: r.value },
          fromText: false,
          index: index++,
        };
      }
      if (index < count) {
        throw fileProblem('shp_short', { file: set.shpName, shapes: index, records: count });
      }
    } finally {
      dbf?.close();
      if (parts) rmSync(parts.dir, { recursive: true, force: true });
    }
  }

  return {
    format: 'shapefile',
    layers,
    crsFound: (layer) => {
      const prj = info.get(layer)?.set.prj;
      return prj ? { source: 'prj', text: prj } : { source: 'none', text: null };
    },
    defaultCrs: null,
    read,
  };
}

const SHAPE_TYPES: Record<number, string> = {
  0: 'Null',
  1: 'Point',
  3: 'PolyLine',
  5: 'Polygon',
  8: 'MultiPoint',
};
