import iconv from 'iconv-lite';
import JSZip from 'jszip';
import wkx from 'wkx';
import type { ExportEncoding, ExportSrs } from '../../../core/exchange.ts';
import type { ExportRow, Field, GeometryKind, Value } from './sources.ts';
import { exportCrs } from './srs.ts';
import { NotInEncoding, notInGbk } from './text-formats.ts';

/**
 * ESRI Shapefile (.shp/.shx/.dbf/.prj/.cpg), zipped, written on the format's specification (ESRI
 * Shapefile Technical Description, 1998; dBASE III table). Written here rather than with an npm
 * writer because none that is maintained writes a .cpg or a GBK-encoded .dbf (see README).
 */

/** dBASE language driver ids: 0x4D is code page 936 (GBK); UTF-8 has none and relies on the .cpg. */
const LDID: Record<ExportEncoding, number> = { 'utf-8': 0, gbk: 0x4d };
const SHAPE_TYPE: Record<GeometryKind, number> = { point: 1, polygon: 5 };
const TEXT_MAX = 254;

/** DBF field names: ASCII, at most 10 characters, unique (the way GDAL shortens them). */
export function dbfNames(fields: Field[]): string[] {
  const used = new Set<string>();
  return fields.map((f) => {
    let n = f.name.slice(0, 10);
    for (let i = 1; used.has(n.toLowerCase()); i++) n = f.name.slice(0, 10 - String(i).length) + i;
    used.add(n.toLowerCase());
    return n;
  });
}

type Ring = number[][];
/** Shapefile rings: outer rings clockwise, holes counter-clockwise. */
function oriented(ring: Ring, clockwise: boolean): Ring {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return a < 0 === clockwise ? ring : [...ring].reverse();
}

function polygonRings(g: wkx.Geometry): Ring[] {
  const gj = g.toGeoJSON() as { type: string; coordinates: unknown };
  const polys = (
    gj.type === 'Polygon' ? [gj.coordinates] : gj.type === 'MultiPolygon' ? gj.coordinates : []
  ) as Ring[][];
  return polys.flatMap((p) => p.map((r, i) => oriented(r, i === 0)));
}

/** Collects records, then writes the five files (the headers need the totals and the widths). */
export class ShapefileWriter {
  private shp: Buffer[] = [];
  private shx: Buffer[] = [];
  private records: Value[][] = [];
  private offset = 50; // in 16-bit words, after the 100-byte header
  private box = [Infinity, Infinity, -Infinity, -Infinity];
  private readonly enc: (s: string) => Buffer;
  private readonly widths: number[];

  constructor(
    private readonly fields: Field[],
    private readonly kind: GeometryKind,
    private readonly encoding: ExportEncoding,
    private readonly srs: ExportSrs,
  ) {
    this.enc = (s) => (encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8'));
    this.widths = fields.map(() => 1);
  }

  write(rows: ExportRow[]): void {
    for (const row of rows) {
      const content = this.shape(row.geometry);
      const head = Buffer.alloc(8);
      head.writeInt32BE(this.records.length + 1, 0);
      head.writeInt32BE(content.length / 2, 4);
      const idx = Buffer.alloc(8);
      idx.writeInt32BE(this.offset, 0);
      idx.writeInt32BE(content.length / 2, 4);
      this.shp.push(head, content);
      this.shx.push(idx);
      this.offset += 4 + content.length / 2;
      this.records.push(
        this.fields.map((f, i) => {
          const v = row.props[f.name] ?? null;
          if (f.type === 'text' && v !== null) {
            const ch = this.encoding === 'gbk' ? notInGbk(String(v)) : null;
            if (ch !== null) throw new NotInEncoding(f.name, row.props, ch);
            this.widths[i] = Math.max(this.widths[i]!, Math.min(TEXT_MAX, this.enc(String(v)).length));
          }
          return v;
        }),
      );
    }
  }

  private shape(g: wkx.Geometry | null): Buffer {
    if (!g) return Buffer.alloc(4); // null shape
    if (this.kind === 'point') {
      const p = g as wkx.Point;
      const b = Buffer.alloc(20);
      b.writeInt32LE(1, 0);
      b.writeDoubleLE(p.x, 4);
      b.writeDoubleLE(p.y, 12);
      this.grow(p.x, p.y, p.x, p.y);
      return b;
    }
    const rings = polygonRings(g);
    const points = rings.reduce((n, r) => n + r.length, 0);
    const b = Buffer.alloc(44 + 4 * rings.length + 16 * points);
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const r of rings)
      for (const [x, y] of r)
        [x0, y0, x1, y1] = [Math.min(x0, x!), Math.min(y0, y!), Math.max(x1, x!), Math.max(y1, y!)];
    b.writeInt32LE(5, 0);
    [x0, y0, x1, y1].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
    b.writeInt32LE(rings.length, 36);
    b.writeInt32LE(points, 40);
    let o = 44;
    let start = 0;
    for (const r of rings) {
      b.writeInt32LE(start, o);
      o += 4;
      start += r.length;
    }
    for (const r of rings)
      for (const [x, y] of r) {
        b.writeDoubleLE(x!, o);
        b.writeDoubleLE(y!, o + 8);
        o += 16;
      }
    this.grow(x0, y0, x1, y1);
    return b;
  }

  private grow(x0: number, y0: number, x1: number, y1: number) {
    const b = this.box;
    [b[0], b[1], b[2], b[3]] = [
      Math.min(b[0]!, x0),
      Math.min(b[1]!, y0),
      Math.max(b[2]!, x1),
      Math.max(b[3]!, y1),
    ];
  }

  private header(lengthWords: number): Buffer {
    const h = Buffer.alloc(100);
    h.writeInt32BE(9994, 0);
    h.writeInt32BE(lengthWords, 24);
    h.writeInt32LE(1000, 28);
    h.writeInt32LE(SHAPE_TYPE[this.kind], 32);
    const box = this.records.length && Number.isFinite(this.box[0]) ? this.box : [0, 0, 0, 0];
    box.forEach((v, i) => h.writeDoubleLE(v!, 36 + 8 * i));
    return h;
  }

  private dbf(): Buffer {
    const specs = this.fields.map((f, i) =>
      f.type === 'int'
        ? { type: 'N', len: 18, dec: 0 }
        : f.type === 'real'
          ? { type: 'N', len: 24, dec: 15 }
          : f.type === 'bool'
            ? { type: 'L', len: 1, dec: 0 }
            : { type: 'C', len: this.widths[i]!, dec: 0 },
    );
    const names = dbfNames(this.fields);
    const headerLen = 32 + 32 * specs.length + 1;
    const recordLen = 1 + specs.reduce((n, s) => n + s.len, 0);
    const out = Buffer.alloc(headerLen + recordLen * this.records.length + 1, 0x20);
    out.fill(0, 0, headerLen);
    const now = new Date();
    out.writeUInt8(0x03, 0);
    out.writeUInt8(now.getUTCFullYear() - 1900, 1);
    out.writeUInt8(now.getUTCMonth() + 1, 2);
    out.writeUInt8(now.getUTCDate(), 3);
    out.writeUInt32LE(this.records.length, 4);
    out.writeUInt16LE(headerLen, 8);
    out.writeUInt16LE(recordLen, 10);
    out.writeUInt8(LDID[this.encoding], 29);
    specs.forEach((s, i) => {
      const o = 32 + 32 * i;
      out.write(names[i]!, o, 'ascii');
      out.write(s.type, o + 11, 'ascii');
      out.writeUInt8(s.len, o + 16);
      out.writeUInt8(s.dec, o + 17);
    });
    out.writeUInt8(0x0d, headerLen - 1);
    let o = headerLen;
    for (const rec of this.records) {
      o += 1; // not deleted: ' '
      rec.forEach((v, i) => {
        const s = specs[i]!;
        if (v !== null) {
          const cell =
            s.type === 'C'
              ? this.fit(String(v), s.len)
              : s.type === 'L'
                ? Buffer.from(v ? 'T' : 'F')
                : Buffer.from(
                    (s.dec ? Number(v).toFixed(s.dec) : String(Math.trunc(Number(v)))).padStart(s.len),
                  );
          cell.copy(out, o, 0, Math.min(cell.length, s.len));
        }
        o += s.len;
      });
    }
    out.writeUInt8(0x1a, o);
    return out;
  }

  /** The encoded text, cut at a character boundary when longer than the field. */
  private fit(s: string, len: number): Buffer {
    let b = this.enc(s);
    let chars = [...s];
    while (b.length > len) {
      chars = chars.slice(0, -1);
      b = this.enc(chars.join(''));
    }
    return b;
  }

  /** The zip: <stem>.shp/.shx/.dbf/.prj/.cpg. */
  async zip(stem: string): Promise<Buffer> {
    const shpBody = Buffer.concat(this.shp);
    const zip = new JSZip();
    zip.file(`${stem}.shp`, Buffer.concat([this.header((100 + shpBody.length) / 2), shpBody]));
    zip.file(`${stem}.shx`, Buffer.concat([this.header((100 + 8 * this.records.length) / 2), ...this.shx]));
    zip.file(`${stem}.dbf`, this.dbf());
    zip.file(`${stem}.prj`, exportCrs(this.srs).prj);
    zip.file(`${stem}.cpg`, this.encoding === 'gbk' ? 'GBK' : 'UTF-8');
    return zip.generateAsync({
      type: 'nodebuffer',
      compression: 'DEFLATE',
      compressionOptions: { level: 6 },
    });
  }
}
