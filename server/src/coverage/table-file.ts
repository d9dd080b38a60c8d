import ExcelJS from 'exceljs';
import type { Response } from 'express';

/** A table to download: Chinese headers over plain cells. */
export interface Table {
  /** Sheet name and file name stem. */
  title: string;
  headers: string[];
  rows: (string | number | boolean | null)[][];
}

export const TABLE_FORMATS = ['csv', 'xlsx'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const csvCell = (v: string | number | boolean | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV with a UTF-8 byte-order mark, so Excel opens the Chinese headers correctly. */
export function tableToCsv(t: Table): string {
  const lines = [t.headers, ...t.rows].map((r) => r.map(csvCell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export async function tableToXlsx(t: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(t.title.slice(0, 31));
  ws.addRow(t.headers).font = { bold: true };
  for (const r of t.rows) ws.addRow(r.map((v) => (v === null ? '' : v)));
  ws.columns.forEach((c, i) => {
    c.width = Math.max(8, Math.min(40, t.headers[i]!.length * 2 + 4));
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends the table as an attachment named `<title>.<format>` (RFC 5987 for the Chinese name). */
export async function sendTable(res: Response, t: Table, format: TableFormat): Promise<void> {
  const name = `${t.title}.${format}`;
  res.set(
    'Content-Disposition',
    `attachment; filename="${format === 'csv' ? 'table.csv' : 'table.xlsx'}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(tableToCsv(t));
  } else {
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await tableToXlsx(t));
  }
}
