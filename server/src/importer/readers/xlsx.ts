import JSZip from 'jszip';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { noPositionProblem, pointColumns, pointsOnly, recordToFeature } from './csv.ts';
import { readAll, type SourceInput } from './input.ts';
import type { FormatReader, SourceLayer } from './types.ts';

/**
 * Excel workbooks read as a stream, without exceljs: jszip holds the compressed workbook and
 * inflates one worksheet at a time as it is read (its nodeStream, consumed with Node's own async
 * iterator, so a slow consumer only slows the inflating), and saxes parses the XML as it comes. The
 * shared strings and the styles are kept (they are what a row's cells point into); the rows are not.
 *
 * exceljs's streaming WorkbookReader (tried in 7a6b8de, reverted in 018465a) dropped whole zip
 * entries — later worksheets, or the workbook.xml and shared strings that come after the sheets in
 * the files exceljs and Excel write — whenever its zip stream was paused while unzipper parsed the
 * rest of the file: unzipper's Parse says `end` as soon as it has parsed its input, with entries
 * still in its readable buffer, and exceljs's iterateStream stops at `end`. A consumer slower than
 * the unpacking made that happen every time (a second sheet after a big first one read slowly was
 * never seen); with the sheets written to temp files first, it depended on which of the disk write
 * and the inflating finished first. Loaded whole (exceljs's Workbook), 200,000 rows took 0.67 GB.
 */

/** A cell's value as the readers take it: text, a number, a boolean, a date as YYYY-MM-DD. */
type Cell = string | number | boolean | null;

/** One row of a sheet: its 1-based number and its cells by 1-based column (sparse). */
export interface SheetRow {
  number: number;
  values: Cell[];
}

interface Sheet {
  name: string;
  /** The worksheet's member in the zip. */
  path: string;
}

interface Book {
  zip: JSZip;
  sheets: Sheet[];
  sharedStrings: string[];
  /** Per cell style (the `s` of a cell): does its number format show a date? */
  dateStyles: boolean[];
  date1904: boolean;
}

/** The tag's name without a namespace prefix (`x:row` → `row`). */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** A zip member's XML text, piece by piece as it inflates. */
async function* xmlOf(zip: JSZip, path: string): AsyncGenerator<string> {
  const file = zip.file(path);
  if (!file) return;
  const decoder = new StringDecoder('utf8'); // a character split between two pieces stays whole
  // jszip's stream is an old readable-stream one: piped into a Node stream, whose iterator reads it
  // with back-pressure (jszip pauses its inflating while the pipe is full).
  // A damaged member's error is passed on (a pipe does not), and a reader that stops early stops the
  // inflating.
  const source = file.nodeStream('nodebuffer');
  const inflated = new PassThrough();
  source.on('error', (e: Error) => inflated.destroy(e));
  source.pipe(inflated);
  try {
    for await (const piece of inflated as AsyncIterable<Buffer>) {
      const text = decoder.write(piece);
      if (text) yield text;
    }
  } finally {
    source.unpipe(inflated);
    source.pause();
    inflated.destroy();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Parses a zip member, calling `open` for each element and `text` for character data. */
async function parseMember(
  zip: JSZip,
  path: string,
  open: (tag: SaxesTagPlain, name: string) => void,
  close: (name: string) => void = () => {},
  text: (t: string) => void = () => {},
): Promise<void> {
  if (!zip.file(path)) return; // a workbook without shared strings (inline text only) or styles
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => open(tag, local(tag.name)));
  parser.on('closetag', (tag) => close(local(tag.name)));
  parser.on('text', text);
  parser.on('cdata', text);
  for await (const piece of xmlOf(zip, path)) parser.write(piece);
  parser.close();
}

/** Number formats that show a date: Excel's built-in ones (CJK included), or a code with y m d h s. */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);
const isDateFormat = (code: string) =>
  /[ymdhsb]/i.test(
    code
      .replace(/\[[^\]]*\]/g, '')
      .replace(/"[^"]*"/g, '')
      .replace(/\\./g, ''),
  );

/** The workbook's sheets (in order, with their members), its shared strings and its date styles. */
async function openBook(bytes: Uint8Array): Promise<Book> {
  const zip = await JSZip.loadAsync(bytes);
  if (!zip.file('xl/workbook.xml')) throw new Error('no xl/workbook.xml: not an XLSX workbook');
  const targets = new Map<string, string>();
  await parseMember(zip, 'xl/_rels/workbook.xml.rels', (tag, name) => {
    if (name === 'Relationship') targets.set(String(tag.attributes.Id), String(tag.attributes.Target));
  });
  const sheets: Sheet[] = [];
  let date1904 = false;
  await parseMember(zip, 'xl/workbook.xml', (tag, name) => {
    const a = tag.attributes;
    if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
    if (name !== 'sheet') return;
    const id = Object.entries(a).find(([k]) => local(k) === 'id')?.[1];
    const target = id === undefined ? undefined : targets.get(String(id));
    if (!target) return;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    sheets.push({ name: String(a.name), path });
  });

  const sharedStrings: string[] = [];
  let si: string | null = null;
  let inT = false;
  let phonetic = 0;
  await parseMember(
    zip,
    'xl/sharedStrings.xml',
    (_tag, name) => {
      if (name === 'si') si = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && !phonetic) inT = true;
    },
    (name) => {
      if (name === 'si') sharedStrings.push(si ?? '');
      else if (name === 'rPh') phonetic--;
      else if (name === 't') inT = false;
    },
    (t) => {
      if (inT && si !== null) si += t;
    },
  );

  const dateFormats = new Set(DATE_FORMAT_IDS);
  const dateStyles: boolean[] = [];
  let inCellXfs = false;
  await parseMember(
    zip,
    'xl/styles.xml',
    (tag, name) => {
      const a = tag.attributes;
      if (name === 'numFmt' && isDateFormat(String(a.formatCode ?? ''))) dateFormats.add(Number(a.numFmtId));
      if (name === 'cellXfs') inCellXfs = true;
      if (name === 'xf' && inCellXfs) dateStyles.push(dateFormats.has(Number(a.numFmtId ?? 0)));
    },
    (name) => {
      if (name === 'cellXfs') inCellXfs = false;
    },
  );
  return { zip, sheets, sharedStrings, dateStyles, date1904 };
}

/** `A` → 1, `AB` → 28 (the letters of a cell reference such as `AB12`). */
function columnOf(ref: string): number {
  let col = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    col = col * 26 + (c - 64);
  }
  return col;
}

/** An Excel date serial as YYYY-MM-DD (as exceljs reads it). */
function serialDate(serial: number, date1904: boolean): string {
  const ms = Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(serial) : d.toISOString().slice(0, 10);
}

/**
 * A worksheet's rows, streamed: the member is inflated and parsed piece by piece, and a piece's rows
 * are handed out before the next piece is read.
 */
async function* sheetRows(book: Book, sheet: Sheet): AsyncGenerator<SheetRow> {
  const parser = new SaxesParser();
  let done: SheetRow[] = [];
  let row: SheetRow | null = null;
  let lastRow = 0;
  let col = 0;
  let type = 'n';
  let style = 0;
  let value: string | null = null;
  let inline: string | null = null;
  let capture: 'v' | 't' | null = null;
  let phonetic = 0;
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    const a = tag.attributes;
    if (name === 'row') {
      lastRow = a.r === undefined ? lastRow + 1 : Number(a.r);
      row = { number: lastRow, values: [] };
      col = 0;
    } else if (name === 'c' && row) {
      col = a.r === undefined ? col + 1 : columnOf(String(a.r)) || col + 1;
      type = String(a.t ?? 'n');
      style = Number(a.s ?? 0);
      value = null;
      inline = null;
    } else if (name === 'v') {
      capture = 'v';
      value = '';
    } else if (name === 'is') inline = '';
    else if (name === 'rPh') phonetic++;
    else if (name === 't' && inline !== null && !phonetic) capture = 't';
  });
  const text = (t: string) => {
    if (capture === 'v') value += t;
    else if (capture === 't') inline += t;
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 'v' || name === 't') capture = null;
    else if (name === 'rPh') phonetic--;
    else if (name === 'c' && row) {
      row.values[col] = cellOf(book, type, style, value, inline);
    } else if (name === 'row' && row) {
      done.push(row);
      row = null;
    }
  });
  for await (const piece of xmlOf(book.zip, sheet.path)) {
    parser.write(piece);
    const rows = done;
    done = [];
    yield* rows;
  }
  parser.close();
  yield* done;
}

function cellOf(book: Book, type: string, style: number, v: string | null, inline: string | null): Cell {
  switch (type) {
    case 's':
      return v === null ? null : (book.sharedStrings[Number(v)] ?? '');
    case 'inlineStr':
      return inline ?? v ?? '';
    case 'str':
    case 'e':
      return v ?? '';
    case 'b':
      return v === null ? null : v === '1' || v === 'true';
    case 'd':
      return v === null || v === '' ? null : v.slice(0, 10);
    default: {
      if (v === null || v === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) return v;
      return book.dateStyles[style] ? serialDate(n, book.date1904) : n;
    }
  }
}

/** Every row of every sheet, in order (what openXlsx reads, for tests). */
export async function* workbookRows(input: SourceInput): AsyncGenerator<SheetRow & { sheet: string }> {
  const book = await openBook(readAll(input));
  for (const sheet of book.sheets)
    for await (const r of sheetRows(book, sheet)) yield { sheet: sheet.name, ...r };
}

/** A sheet that breaks off while read (damaged XML, a truncated member) is the file's problem. */
async function* unbroken<T>(rows: AsyncGenerator<T>): AsyncGenerator<T> {
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await rows.next();
    } catch (e) {
      throw fileProblem('not_xlsx', { detail: (e as Error).message });
    }
    if (next.done) return;
    yield next.value;
  }
}

const hasValues = (values: Cell[]) => values.some((v) => v !== null && v !== undefined && v !== '');

/**
 * Excel point lists: each worksheet a layer, its first row the header, positions from lon/lat
 * (x/y, 经度/纬度) or a WKT column as in CSV; row numbers are the sheet's. Every sheet is streamed
 * once at opening (its header and row count) and the chosen one again when read.
 */
export async function openXlsx(input: SourceInput): Promise<FormatReader> {
  let book: Book;
  const sheets = new Map<string, { header: string[]; sheet: Sheet }>();
  const layers: SourceLayer[] = [];
  try {
    book = await openBook(readAll(input));
    for (const sheet of book.sheets) {
      let header: string[] = [];
      let count = 0;
      for await (const r of sheetRows(book, sheet)) {
        if (r.number === 1) {
          for (let c = 1; c < r.values.length; c++) header[c - 1] = String(r.values[c] ?? '').trim();
          header = Array.from(header, (h) => h ?? '');
        } else if (r.number > 1 && hasValues(r.values)) count++;
      }
      if (header.length === 0) continue;
      sheets.set(sheet.name, { header, sheet });
      layers.push({ name: sheet.name, count, fields: header.filter(Boolean), ...pointsOnly(header) });
    }
  } catch (e) {
    throw fileProblem('not_xlsx', { detail: (e as Error).message });
  }
  if (layers.length === 0) throw fileProblem('xlsx_no_sheet');
  return {
    format: 'xlsx',
    layers,
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(layer): AsyncGenerator<SourceFeature> {
      const { header, sheet } = sheets.get(layer)!;
      const cols = pointColumns(header);
      if (!cols.wkt && (cols.lon === undefined || cols.lat === undefined)) throw noPositionProblem(header);
      let index = 0;
      for await (const r of unbroken(sheetRows(book, sheet))) {
        if (r.number <= 1 || !hasValues(r.values)) continue;
        const record: Record<string, unknown> = {};
        header.forEach((h, k) => {
          if (!h) return;
          const v = r.values[k + 1] ?? null;
          record[h] = typeof v === 'number' && h !== cols.lon && h !== cols.lat ? String(v) : (v ?? '');
        });
        yield recordToFeature(record, cols, index++, r.number);
      }
    },
  };
}
