import ExcelJS from 'exceljs';
import { fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { noPositionProblem, pointColumns, recordToFeature } from './csv.ts';
import { readAll, type SourceInput } from './input.ts';
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

/**
 * Excel point lists: each worksheet a layer, its first row the header, positions from lon/lat
 * (x/y, 经度/纬度) or a WKT column as in CSV; row numbers are the sheet's.
 */
export async function openXlsx(input: SourceInput): Promise<FormatReader> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(readAll(input) as unknown as ArrayBuffer);
  } catch (e) {
    throw fileProblem('not_xlsx', { detail: (e as Error).message });
  }
  const sheets = new Map<string, { header: string[]; ws: ExcelJS.Worksheet }>();
  const layers: SourceLayer[] = [];
  wb.eachSheet((ws) => {
    const header: string[] = [];
    ws.getRow(1).eachCell({ includeEmpty: true }, (c, col) => {
      header[col - 1] = String(cellValue(c.value) ?? '').trim();
    });
    if (header.length === 0) return;
    sheets.set(ws.name, { header, ws });
    layers.push({ name: ws.name, count: Math.max(0, ws.actualRowCount - 1), fields: header.filter(Boolean) });
  });
  if (layers.length === 0) throw fileProblem('xlsx_no_sheet');
  return {
    format: 'xlsx',
    layers,
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(layer): AsyncGenerator<SourceFeature> {
      const { header, ws } = sheets.get(layer)!;
      const cols = pointColumns(header);
      if (!cols.wkt && (cols.lon === undefined || cols.lat === undefined)) throw noPositionProblem(header);
      let index = 0;
      for (let r = 2; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        if (!row.hasValues) continue;
        const record: Record<string, unknown> = {};
        header.forEach((h, k) => {
          if (!h) return;
          const v = cellValue(row.getCell(k + 1).value);
          record[h] = typeof v === 'number' && h !== cols.lon && h !== cols.lat ? String(v) : (v ?? '');
        });
        yield recordToFeature(record, cols, index++, r);
      }
    },
  };
}
