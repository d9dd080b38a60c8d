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
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import * as shapefile from 'shapefile';
import { fileProblem, ImportError } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { dbfBatches, openDbf, type DbfBatch } from './dbf.ts';
import { detectEncoding, utf8Chinese, normaliseEncoding } from './encoding.ts';
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
  /**
   * The memo file of the .dbf's memo (M) fields, when there is one: `.dbt` (dBase) or `.fpt`
   * (FoxPro), as bytes from an upload or a member of a zip. A set on disk needs none: `dbffile`
   * finds the memo file beside the .dbf itself.
   */
  memo?: { ext: MemoExt; bytes?: Uint8Array; zipped?: JSZip.JSZipObject } | null;
  /** In a zip: the members, unpacked to a temp folder while they are read (see unpack). */
  zipped?: { shp: JSZip.JSZipObject; dbf: JSZip.JSZipObject | null };
}

/** Memo files `dbffile` reads beside a .dbf named layer.dbf: dBase III/IV and FoxPro. */
type MemoExt = '.dbt' | '.fpt';
const MEMO_EXTS: readonly MemoExt[] = ['.dbt', '.fpt'];

/** Temp folders of unpacked zip members are named with this (and the process id) in the OS temp folder. */
export const UNPACK_PREFIX = `wuyou-shp-${process.pid}-`;

/**
 * Where the set's parts are read from: paths on disk. `dbffile` reads a .dbf by path only, so a
 * zipped set's .shp and .dbf are streamed out of the zip (inflated piece by piece, never whole in
 * memory) into a new temp folder, and an uploaded .dbf's bytes are written there; an uploaded
 * .shp's bytes are read from memory by the `shapefile` package. The caller removes `dir` (when
 * not null) when done; on a failure here it is removed before the error goes on.
 */
async function onDisk(set: ShapeSet): Promise<{ dir: string | null; shp: string | Uint8Array; dbf: string }> {
  if (!set.zipped && typeof set.dbf === 'string') return { dir: null, shp: set.shp, dbf: set.dbf };
  const dir = await mkdtemp(join(tmpdir(), UNPACK_PREFIX));
  try {
    // The memo file goes beside the .dbf under the same stem, where `dbffile` looks for it.
    const memo = set.memo;
    if (!set.zipped) {
      const dbf = join(dir, 'layer.dbf');
      await writeFile(dbf, set.dbf!);
      if (memo?.bytes) await writeFile(join(dir, `layer${memo.ext}`), memo.bytes);
      return { dir, shp: set.shp, dbf };
    }
    const z = set.zipped;
    const out = async (member: JSZip.JSZipObject, name: string) => {
      const path = join(dir, name);
      await pipeline(member.nodeStream('nodebuffer'), createWriteStream(path));
      return path;
    };
    try {
      const shp = await out(z.shp, 'layer.shp');
      const dbf = await out(z.dbf!, 'layer.dbf');
      if (memo?.zipped) await out(memo.zipped, `layer${memo.ext}`);
      return { dir, shp, dbf };
    } catch (e) {
      throw fileProblem('not_zip', { detail: (e as Error).message });
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
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
    const memoExt = MEMO_EXTS.find((e) => part(e));
    out.push({
      memo: memoExt ? { ext: memoExt, zipped: part(memoExt)! } : null,
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
  const memoExt = MEMO_EXTS.find((e) => part(e));
  return [
    {
      memo: memoExt ? { ext: memoExt, bytes: part(memoExt)! } : null,
      name: name.replace(/\.[^.]+$/, ''),
      shpName: name,
      shp: input.bytes,
      dbf: part('.dbf') ?? null,
      prj: prj ? text(prj) : null,
      cpg: cpg ? text(cpg) : null,
    },
  ];
}

/**
 * The attribute encoding: the .cpg when it names one (GBK, 936 …; either only when the bytes may be), else the .dbf's language
 * driver (byte 29) when it says GBK (0x4d, code page 936), else detected from the field names and
 * the first records (valid UTF-8 → UTF-8, else GB18030), so Chinese attributes never turn into mojibake.
 */
function dbfEncoding(set: ShapeSet, sample: Uint8Array, fieldNames: Uint8Array, given?: string): string {
  if (given) {
    const e = normaliseEncoding(given);
    if (!e || !iconv.encodingExists(e)) throw fileProblem('unknown_encoding', { encoding: given });
    return e;
  }
  const records = sample.subarray(new DataView(sample.buffer, sample.byteOffset, 32).getUint16(8, true));
  const bytes = Buffer.concat([fieldNames, Buffer.from([0x20]), records]);
  const detected = () => detectEncoding(bytes);
  if (set.cpg) {
    const e = normaliseEncoding(set.cpg);
    // A .cpg saying UTF-8 over bytes that are not (GBK from a tool that writes UTF-8 .cpg files
    // whatever it wrote): the bytes win, as without a .cpg; every column read as mojibake otherwise.
    if (e === 'utf-8') return detected();
    // And one saying GBK over UTF-8 bytes (a .cpg copied from another set): see utf8Chinese.
    if (e === 'gb18030' && detected() === 'utf-8' && utf8Chinese(bytes)) return 'utf-8';
    if (e && e !== 'windows-1252' && iconv.encodingExists(e)) return e;
  }
  if (sample[29] === 0x4d) return 'gb18030';
  return detected();
}

/** A .shp up to this size is read into memory whole; a larger one in pieces (see read). */
const SHP_WHOLE_MAX = 64 * 2 ** 20;

/** A .shp's header says how many bytes the file should have. */
function shpDeclaredBytes(h: Uint8Array): number {
  return new DataView(h.buffer, h.byteOffset, h.length).getInt32(24, false) * 2;
}

/**
 * Shapefiles: a .shp with its .dbf, .prj and .cpg beside it, or a .zip holding one or more (each a
 * layer). The .shp read through the `shapefile` package, the .dbf through `dbffile`, both from disk in pieces; a .zip's members are streamed
 * out into a temp folder (jszip holds the compressed zip, never an unpacked member) and read from there.
 */
export async function openShapefile(
  input: SourceInput,
  /**
   * `dbfWorker`: the .dbf on a worker thread (true), on this one (false), or on a worker when large
   * (default, see dbf.ts). For tests, `shpWholeMax`: the size up to which a .shp is read whole
   * (default SHP_WHOLE_MAX).
   */
  opts: { encoding?: string; dbfWorker?: boolean; shpWholeMax?: number },
): Promise<FormatReader> {
  const sets = await shapeSets(input);
  const layers: SourceLayer[] = [];
  const info = new Map<string, { set: ShapeSet; encoding: string; count: number }>();
  for (const set of sets) {
    if (set.dbf === null) {
      throw fileProblem('dbf_missing', { file: set.shpName });
    }
    const parts = await onDisk(set);
    try {
      const { shp, dbf } = parts;
      const shpHead = head(shp, 100);
      if (
        shpHead.length < 100 ||
        new DataView(shpHead.buffer, shpHead.byteOffset, 100).getInt32(0, false) !== 9994
      )
        throw fileProblem('shp_bad_header', { file: set.shpName });
      const dbfName = set.shpName.replace(/\.shp$/i, '.dbf');
      const sample = head(dbf, 1 << 16);
      if (sample.length < 32) throw fileProblem('dbf_too_short', { file: dbfName });
      // Opened once as Latin-1 for the field names' bytes (Latin-1 keeps every byte as it is), which
      // go into the encoding detection, then in the encoding found.
      const raw = await openDbf(dbf, 'latin1', dbfName);
      const names = Buffer.from(raw.fields.map((f) => f.name).join(''), 'latin1');
      const encoding = dbfEncoding(set, sample, names, opts.encoding);
      const table = await openDbf(dbf, encoding, dbfName);
      // `dbffile` reads as many records as the header says; a .dbf cut short would repeat earlier ones.
      const v = new DataView(sample.buffer, sample.byteOffset, 32);
      const holds = Math.floor((statSync(dbf).size - v.getUint16(8, true)) / v.getUint16(10, true));
      if (holds < table.recordCount) {
        throw fileProblem('dbf_damaged', {
          file: dbfName,
          detail: `its header says ${table.recordCount} records, it holds ${Math.max(0, holds)}`,
        });
      }
      const shpSize = typeof shp === 'string' ? statSync(shp).size : shp.length;
      const declared = shpDeclaredBytes(shpHead);
      if (shpSize < declared) {
        throw fileProblem('shp_truncated', { file: set.shpName, declared, size: shpSize });
      }
      const typeCode = new DataView(shpHead.buffer, shpHead.byteOffset, 100).getInt32(32, true);
      layers.push({
        name: set.name,
        count: table.recordCount,
        fields: table.fields.map((f) => f.name),
        geometryType: SHAPE_TYPES[typeCode % 10] ?? `shape type ${typeCode}`,
      });
      info.set(set.name, { set, encoding, count: table.recordCount });
    } finally {
      if (parts.dir) rmSync(parts.dir, { recursive: true, force: true });
    }
  }

  async function* read(layer: string): AsyncGenerator<SourceFeature> {
    const { set, encoding, count } = info.get(layer)!;
    // Paths (a zip's members unpacked to a temp folder) are read in pieces from disk; an upload's
    // .shp bytes from memory. The temp folder goes when the reading ends, fails or is stopped.
    const parts = await onDisk(set);
    const dbfName = set.shpName.replace(/\.shp$/i, '.dbf');
    let index = 0;
    const damaged = (e: unknown) =>
      fileProblem('shp_damaged', { file: set.shpName, shape: index, detail: (e as Error).message });
    let records: AsyncGenerator<DbfBatch> | null = null;
    try {
      // The .shp through the `shapefile` package, the .dbf through `dbffile` (on a worker thread when
      // large), a batch of records at a time. A .shp of up to SHP_WHOLE_MAX bytes is read whole: its
      // records are then views of one buffer, where reading in pieces copies each one out (200,000
      // buildings, 30 MB: 0.45 s -> 0.32 s).
      const shpPart =
        typeof parts.shp === 'string' && statSync(parts.shp).size <= (opts.shpWholeMax ?? SHP_WHOLE_MAX)
          ? readFileSync(parts.shp)
          : parts.shp;
      const shp = await shapefile.openShp(shpPart as string);
      records = dbfBatches(parts.dbf, encoding, dbfName, { records: count, worker: opts.dbfWorker });
      let batch: DbfBatch = [];
      let at = 0;
      for (;;) {
        let r;
        let record;
        try {
          r = await shp.read();
          if (r.done) break;
          if (at === batch.length) {
            const next = await records.next();
            batch = next.done ? [] : next.value;
            at = 0;
          }
          // Past the .dbf's last record (fewer records than shapes): a feature without properties.
          record = batch[at++];
        } catch (e) {
          if (e instanceof ImportError) throw e;
          throw damaged(e);
        }
        // A deleted record (and so its shape) is not a feature, as in GDAL; it keeps its index.
        if (record === null) {
          index++;
          continue;
        }
        yield {
          feature: { type: 'Feature', properties: record, geometry: r.value },
          fromText: false,
          index: index++,
        };
      }
      if (index < count) {
        throw fileProblem('shp_short', { file: set.shpName, shapes: index, records: count });
      }
    } finally {
      await records?.return(undefined);
      if (parts.dir) rmSync(parts.dir, { recursive: true, force: true });
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
