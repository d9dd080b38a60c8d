/**
 * The .dbf of a Shapefile, read by `dbffile` a batch of records at a time, as feature properties.
 *
 * A large .dbf is read on a worker thread (dbf-worker.ts) while the caller reads the .shp beside it:
 * decoding 200,000 records' text takes as long as parsing and projecting their shapes, and the two
 * files are independent until each record meets its shape.
 */
import { Worker } from 'node:worker_threads';
import { DBFFile, DELETED } from 'dbffile';
import { fileProblem, ImportError, type ImportProblem } from '../errors.ts';

/** Records read from the .dbf at a time (at most 1 MB of them, `dbffile` reads in such pieces). */
export const DBF_BATCH = 1000;

/** The .dbf opened by `dbffile`: deleted records are kept (marked) so that record n stays shape n. */
export async function openDbf(path: string, encoding: string, dbfName: string): Promise<DBFFile> {
  try {
    // 'loose': GDAL writes real fields as N 24.15, wider than the 20 dBASE allows, which 'strict' refuses.
    return await DBFFile.open(path, { encoding, readMode: 'loose', includeDeletedRecords: true });
  } catch (e) {
    throw fileProblem('dbf_damaged', { file: dbfName, detail: (e as Error).message });
  }
}

/**
 * A record as the `shapefile` package read them before (so imports stay the same): text trimmed,
 * empty text null, a number that is not one null, a field without a value (a memo without its
 * .dbt) null. An empty date GDAL writes as 00000000 is null (dbffile: Invalid Date; the package
 * made it 1899-11-30).
 */
export function properties(
  record: Record<string, unknown>,
  fields: readonly DbfField[],
): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  for (const f of fields) {
    let v = record[f.key];
    if (typeof v === 'string') {
      // Some writers pad text with NUL bytes instead of spaces: the text ends at the first, as in
      // GDAL (shapelib reads a field as a C string).
      const end = v.indexOf('\u0000');
      if (end >= 0) v = v.slice(0, end);
      if (f.decoder) v = f.decoder(v as string);
    }
    p[f.name] =
      typeof v === 'string'
        ? v.trim() || null
        : (typeof v === 'number' || v instanceof Date) && Number.isNaN(+v)
          ? null
          : (v ?? null);
  }
  return p;
}

/**
 * A field of the .dbf as `read` uses it: `key` is its name in dbffile's records; `name` what the
 * feature's properties call it; `decoder` turns a text value read as Latin-1 into the file's encoding.
 */
export interface DbfField {
  key: string;
  name: string;
  decoder: ((latin1: string) => string) | null;
}

/**
 * The .dbf opened for reading records, with its fields. Text is decoded by the runtime's TextDecoder
 * (ICU) where it knows the encoding: `dbffile` decodes every field through iconv-lite, whose GB18030
 * decoder is set up anew for each value (1.1 s of the 200,000 records of the import bench, 0.9 s
 * this way). So the file is opened as Latin-1, which keeps every byte, and the text fields (and the
 * field names) are decoded again from those bytes; numbers and dates are ASCII either way.
 */
export async function openDbfForRecords(
  path: string,
  encoding: string,
  dbfName: string,
): Promise<{ dbf: DBFFile; fields: DbfField[] }> {
  let decoder: TextDecoder | null = null;
  if (encoding !== 'latin1') {
    try {
      decoder = new TextDecoder(encoding);
    } catch {
      decoder = null; // an encoding only iconv-lite knows: dbffile decodes with it
    }
  }
  const dbf = await openDbf(path, decoder ? 'latin1' : encoding, dbfName);
  // ICU's GB18030 is the 2022 mapping, as GDAL writes it here (glibc) and as the other readers decode
  // GBK text (TextDecoder): A6D9 is ︐ (U+FE10), not the private-use U+E78D of iconv-lite's 2005 table.
  const again = (latin1: string) => decoder!.decode(Buffer.from(latin1, 'latin1'));
  const fields = dbf.fields.map((f) => ({
    key: f.name,
    name: decoder ? again(f.name) : f.name,
    decoder: decoder && (f.type === 'C' || f.type === 'M') ? again : null,
  }));
  return { dbf, fields };
}

/** One batch of records as properties, a deleted record (no feature, as in GDAL) as null. */
export type DbfBatch = (Record<string, unknown> | null)[];

/**
 * Records at least this many are read on a worker thread. Its start costs about 0.2 s of CPU: Node 20
 * does not hand the project's TypeScript loader (tsx) to a worker, so dbf-worker.mjs registers one.
 */
export const DBF_WORKER_MIN_RECORDS = 20_000;

/** Batches a worker may read ahead of the caller: memory stays bounded by them, whatever the file's size. */
const AHEAD = 4;

/**
 * The .dbf's records in batches of DBF_BATCH, in file order. `worker` (default: from
 * DBF_WORKER_MIN_RECORDS records) reads them on a worker thread. A .dbf that cannot be opened throws
 * the ImportError `dbf_damaged`; a record that cannot be read throws a plain Error with dbffile's
 * words, which the caller names by shape.
 */
export async function* dbfBatches(
  path: string,
  encoding: string,
  dbfName: string,
  opts: { worker?: boolean; records?: number } = {},
): AsyncGenerator<DbfBatch> {
  if (opts.worker ?? (opts.records ?? 0) >= DBF_WORKER_MIN_RECORDS)
    yield* workerBatches(path, encoding, dbfName);
  else yield* localBatches(path, encoding, dbfName);
}

/** The batches read on this thread: dbfBatches' way for a small file, and the worker's for a large one. */
export async function* localBatches(
  path: string,
  encoding: string,
  dbfName: string,
): AsyncGenerator<DbfBatch> {
  const { dbf, fields } = await openDbfForRecords(path, encoding, dbfName);
  for (;;) {
    const records = await dbf.readRecords(DBF_BATCH);
    if (records.length === 0) return;
    yield records.map((r) => (r[DELETED] ? null : properties(r, fields)));
  }
}

const ENTRY = new URL('./dbf-worker.mjs', import.meta.url);

let threads = 0;
/** Threads reading a .dbf now (for tests: none is left when a read ends, however it ends). */
export const dbfThreads = () => threads;

/** What a dbf-worker.ts thread is started with: the .dbf to read. It is sent 'more' for each batch taken. */
export interface DbfJob {
  path: string;
  encoding: string;
  dbfName: string;
  /** Batches it may post before the first 'more'. */
  ahead: number;
}

/** What dbf-worker.ts posts. */
export type DbfMessage =
  | { type: 'batch'; rows: DbfBatch }
  | { type: 'end' }
  | { type: 'problems'; problems: ImportProblem[] }
  | { type: 'error'; message: string };

async function* workerBatches(path: string, encoding: string, dbfName: string): AsyncGenerator<DbfBatch> {
  const job: DbfJob = { path, encoding, dbfName, ahead: AHEAD };
  const worker = new Worker(ENTRY, { workerData: job });
  threads++;
  worker.once('exit', () => threads--);
  const queue: DbfMessage[] = [];
  let wake: (() => void) | null = null;
  let failed: Error | null = null;
  let exited = false;
  const poke = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: DbfMessage) => {
    queue.push(m);
    poke();
  });
  worker.on('error', (e) => {
    failed = e;
    poke();
  });
  worker.on('exit', () => {
    exited = true;
    poke();
  });
  try {
    for (;;) {
      while (queue.length === 0 && !failed && !exited) await new Promise<void>((r) => (wake = r));
      const m = queue.shift();
      if (!m) throw failed ?? new Error(`the worker reading ${dbfName} stopped`);
      if (m.type === 'end') return;
      if (m.type === 'problems') throw new ImportError(m.problems);
      if (m.type === 'error') throw new Error(m.message);
      worker.postMessage('more');
      yield m.rows;
    }
  } finally {
    // Read to the end, failed, or stopped by the caller: the thread goes either way.
    await worker.terminate();
  }
}
