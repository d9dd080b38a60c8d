import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { noPositionProblem, pointColumns, recordToFeature } from './csv.ts';
import type { SourceInput } from './input.ts';
import type { FormatReader, SourceLayer } from './types.ts';

/** A cell as a plain value: numbers stay numbers, rich text and formula results as their text/value. */
function cellValue(v: ExcelJS.CellValue): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellValue(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
  }
  return String(v as unknown);
}

interface SheetRow {
  sheet: string;
  /** 1-based row number in the sheet. */
  number: number;
  /** Cell values by 1-based column (sparse). */
  values: ExcelJS.CellValue[];
}

/**
 * Every row of every sheet, streamed (exceljs's WorkbookReader: the zip is unpacked and the sheet's
 * XML parsed as they come; only the shared strings are kept).
 */
async function* sheetRows(input: SourceInput): AsyncGenerator<SheetRow> {
  const source =
    typeof input === 'string'
      ? input
      : Readable.from([Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.length)]);
  const wb = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    styles: 'cache', // dates are told from numbers by their style
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  for await (const ws of wb) {
    const sheet = (ws as unknown as { name: string }).name;
    for await (const row of ws)
      yield { sheet, number: row.number, values: row.values as ExcelJS.CellValue[] };
  }
}

/**
 * Excel point lists: each worksheet a layer, its first row the header, positions from lon/lat
 * (x/y, 经度/纬度) or a WKT column as in CSV; row numbers are the sheet's. Read as a stream, twice:
 * once to list the sheets, their headers and row counts, then the chosen sheet's rows (a workbook
 * loaded whole took 670 MB for 200,000 rows).
 */
export async function openXlsx(input: SourceInput): Promise<FormatReader> {
  const sheets = new Map<string, { header: string[]; rows: number }>();
  try {
    for await (const r of sheetRows(input)) {
      const s = sheets.get(r.sheet);
      if (s) {
        if (r.values.some((v) => v !== null && v !== undefined && v !== '')) s.rows++;
        continue;
      }
      const header: string[] = [];
      for (let col = 1; col < r.values.length; col++)
        header[col - 1] = String(cellValue(r.values[col] ?? null) ?? '').trim();
      if (header.length) sheets.set(r.sheet, { header, rows: 0 });
    }
  } catch (e) {
    throw fileProblem('not_xlsx', { detail: (e as Error).message });
  }
  const layers: SourceLayer[] = [...sheets].map(([name, s]) => ({
    name,
    count: s.rows,
    fields: s.header.filter(Boolean),
  }));
  if (layers.length === 0) throw fileProblem('xlsx_no_sheet');
  return {
    format: 'xlsx',
    layers,
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(layer): AsyncGenerator<SourceFeature> {
      const { header } = sheets.get(layer)!;
      const cols = pointColumns(header);
      if (!cols.wkt && (cols.lon === undefined || cols.lat === undefined)) throw noPositionProblem(header);
      let index = 0;
      let first = true;
      for await (const r of sheetRows(input)) {
        if (r.sheet !== layer) continue;
        if (first) {
          first = false; // the header
          continue;
        }
        if (!r.values.some((v) => v !== null && v !== undefined && v !== '')) continue;
        const record: Record<string, unknown> = {};
        header.forEach((h, k) => {
          if (!h) return;
          const v = cellValue(r.values[k + 1] ?? null);
          record[h] = typeof v === 'number' && h !== cols.lon && h !== cols.lat ? String(v) : (v ?? '');
        });
        yield recordToFeature(record, cols, index++, r.number);
      }
    },
  };
}
