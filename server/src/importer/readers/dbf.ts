import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A .dbf's records as the `shapefile` package reads them (the same values: text trimmed or null,
 * numbers or null, booleans or null, dates at local midnight; deleted records included; an end
 * marker 0x1a or the end of the file ends it), but decoded by Node's own TextDecoder and read in
 * blocks. The package decodes every field through the `text-encoding` polyfill, in JavaScript:
 * that was a third of a 50,000-building GBK Shapefile import's time in Node, more than the rest
 * of the reading together. The .shp is still read by the package.
 */
export class DbfRecords {
  private readonly fd: number | null;
  private readonly bytes: Uint8Array | null;
  private readonly decoder: TextDecoder;
  private readonly recordLength: number;
  private readonly fields: { name: string; read: (s: string) => unknown; length: number }[] = [];
  /** File offset of the next record. */
  private at: number;
  private block: Uint8Array = new Uint8Array(0);
  private blockAt = 0;
  private blockEnd = 0;

  constructor(source: string | Uint8Array, encoding: string) {
    this.decoder = new TextDecoder(encoding);
    this.fd = typeof source === 'string' ? openSync(source, 'r') : null;
    this.bytes = typeof source === 'string' ? null : source;
    try {
      const head = this.slice(0, 32);
      const v = new DataView(head.buffer, head.byteOffset, head.length);
      const headerLength = v.getUint16(8, true);
      this.recordLength = v.getUint16(10, true);
      if (this.recordLength === 0) throw new Error('dBASE header says records of 0 bytes');
      const body = this.slice(32, headerLength - 32);
      for (let n = 0; body[n] !== 0x0d && n + 32 <= body.length; n += 32) {
        let j = 0;
        while (j < 11 && body[n + j] !== 0) j++;
        const type = String.fromCharCode(body[n + 11]!);
        const read = TYPES[type];
        if (!read) throw new Error(`unsupported dBASE field type "${type}"`);
        this.fields.push({
          name: this.decoder.decode(body.subarray(n, n + j)),
          read,
          length: body[n + 16]!,
        });
      }
      this.at = headerLength;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** `n` bytes at `pos` (fewer at the end of the file). */
  private slice(pos: number, n: number): Uint8Array {
    if (this.bytes) return this.bytes.subarray(pos, pos + n);
    const buf = Buffer.allocUnsafe(n);
    return buf.subarray(0, readSync(this.fd!, buf, 0, n, pos));
  }

  /** The next record's properties; undefined after the last one. */
  next(): Record<string, unknown> | undefined {
    if (this.blockAt + this.recordLength > this.blockEnd) {
      // A block of whole records (about 1 MB) at a time.
      const n = this.recordLength * Math.max(1, Math.floor((1 << 20) / this.recordLength));
      this.block = this.slice(this.at, n);
      this.blockAt = 0;
      this.blockEnd = this.block.length;
    }
    const rec = this.block.subarray(this.blockAt, this.blockAt + this.recordLength);
    if (rec.length === 0 || rec[0] === 0x1a) return undefined;
    this.blockAt += this.recordLength;
    this.at += this.recordLength;
    const p: Record<string, unknown> = {};
    let i = 1;
    for (const f of this.fields) {
      p[f.name] = f.read(this.decoder.decode(rec.subarray(i, (i += f.length))));
    }
    return p;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}

// The `shapefile` package's readers of each dBASE field type, as it has them.
const readBoolean = (value: string) => (/^[nf]$/i.test(value) ? false : /^[yt]$/i.test(value) ? true : null);
const readDate = (value: string) =>
  new Date(+value.substring(0, 4), Number(value.substring(4, 6)) - 1, +value.substring(6, 8));
const readNumber = (value: string) => {
  const t = value.trim();
  if (!t) return null;
  const n = +t;
  return isNaN(n) ? null : n;
};
const readString = (value: string) => value.trim() || null;

const TYPES: Record<string, (s: string) => unknown> = {
  B: readNumber,
  C: readString,
  D: readDate,
  F: readNumber,
  L: readBoolean,
  M: readNumber,
  N: readNumber,
};
