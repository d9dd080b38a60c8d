import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';

/** A file to read: a path on disk, or its bytes as uploaded (with the other files of a set, e.g. a .shp's .dbf). */
export type SourceInput = string | SourceBytes;

export interface SourceBytes {
  name: string;
  bytes: Uint8Array;
  /** Files that travel with it (a Shapefile's .dbf, .prj, .cpg when not zipped). */
  siblings?: { name: string; bytes: Uint8Array }[];
}

export const inputName = (input: SourceInput): string =>
  typeof input === 'string' ? basename(input) : input.name;

export const inputSize = (input: SourceInput): number =>
  typeof input === 'string' ? statSync(input).size : input.bytes.length;

/** The first `n` bytes (fewer for a smaller file). */
export function readHead(input: SourceInput, n: number): Buffer {
  if (typeof input !== 'string') return Buffer.from(input.bytes.subarray(0, n));
  const fd = openSync(input, 'r');
  try {
    const buf = Buffer.allocUnsafe(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The whole file, for formats that cannot be read in pieces (zip, GeoPackage, KML, DXF, XLSX). */
export function readAll(input: SourceInput): Buffer {
  return typeof input === 'string'
    ? readFileSync(input)
    : Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.length);
}

const CHUNK = 1 << 16;

/** The file's bytes in chunks, without holding it all (bytes given in memory are sliced). */
export async function* chunks(input: SourceInput): AsyncGenerator<Buffer> {
  if (typeof input === 'string') {
    for await (const c of createReadStream(input, { highWaterMark: CHUNK })) yield c as Buffer;
    return;
  }
  for (let at = 0; at < input.bytes.length; at += CHUNK) {
    yield Buffer.from(
      input.bytes.buffer,
      input.bytes.byteOffset + at,
      Math.min(CHUNK, input.bytes.length - at),
    );
  }
}
