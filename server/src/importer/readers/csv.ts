import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { because, fileProblem, ImportError, type ProblemReason } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { detectEncoding, normaliseEncoding } from './encoding.ts';
import { chunks, inputName, readHead, type SourceInput } from './input.ts';
import type { FormatReader } from './types.ts';

const LON_NAMES = ['lon', 'lng', 'long', 'longitude', '经度', 'x', 'point_x', 'east', 'easting', '东坐标'];
const LAT_NAMES = ['lat', 'latitude', '纬度', 'y', 'point_y', 'north', 'northing', '北坐标'];
const WKT_NAMES = ['wkt', 'geometry', 'geom', 'the_geom', 'shape', 'wkt_geom'];

export interface PointColumns {
  lon?: string;
  lat?: string;
  wkt?: string;
}

/** Which columns hold the position: lon/lat (or x/y, 经度/纬度), else a WKT column. */
export function pointColumns(header: string[]): PointColumns {
  const find = (names: string[]) => {
    for (const n of names) {
      const h = header.find((c) => c.trim().toLowerCase() === n);
      if (h !== undefined) return h;
    }
    return undefined;
  };
  const lon = find(LON_NAMES);
  const lat = find(LAT_NAMES);
  if (lon !== undefined && lat !== undefined) return { lon, lat };
  const wkt = find(WKT_NAMES);
  return wkt !== undefined ? { wkt } : {};
}

/** A header with lon/lat columns makes points: its layer says so (no WKT column is read then). */
export function pointsOnly(header: string[]): { geometryType?: 'Point' } {
  return pointColumns(header).lon !== undefined ? { geometryType: 'Point' } : {};
}

export function noPositionProblem(header: string[]): ImportError {
  return fileProblem('no_position_columns', {
    lon: LON_NAMES.join('/'),
    lat: LAT_NAMES.join('/'),
    wkt: WKT_NAMES.join('/'),
    found: header.join(', '),
  });
}

/** The delimiter of a header line: the most frequent of , ; tab outside quotes (comma on a tie). */
export function detectDelimiter(line: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best = ',';
  for (const d of ['\t', ';', '|']) if (counts[d]! > counts[best]!) best = d;
  return best;
}

/** A coordinate from text: "105.6", " 105,6 " (decimal comma), "1.056e2". NaN when it is none. */
export function readNumber(raw: string): number {
  let t = raw.trim();
  if (/^[-+]?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

const WKT_POINT = /^\s*POINT\s*(?:Z|M|ZM)?\s*\(\s*([-+\d.eE]+)\s+([-+\d.eE]+)(?:\s+[-+\d.eE]+)*\s*\)\s*$/i;

/**
 * A point feature from one record: position from the lon/lat (x/y) columns or a WKT column (POINT,
 * or any WKT geometry, parsed by wkx), every other column a property. Problems name the column.
 */
export function recordToFeature(
  row: Record<string, unknown>,
  cols: PointColumns,
  index: number,
  rowNumber: number,
): SourceFeature {
  const problems: ProblemReason[] = [];
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    if (k !== cols.lon && k !== cols.lat && k !== cols.wkt) properties[k] = v;
  let geometry: unknown = null;
  if (cols.wkt !== undefined) {
    const raw = String(row[cols.wkt] ?? '').trim();
    const m = WKT_POINT.exec(raw);
    if (raw === '') problems.push(because('cell_empty', { field: cols.wkt }));
    else if (m) geometry = { type: 'Point', coordinates: [Number(m[1]), Number(m[2])] };
    else geometry = wktGeometry(raw, cols.wkt, problems);
  } else {
    const num = (col: string) => {
      const v = row[col];
      if (typeof v === 'number') return v;
      const raw = String(v ?? '').trim();
      const n = raw === '' ? NaN : readNumber(raw);
      if (!Number.isFinite(n))
        problems.push(
          raw === ''
            ? because('cell_empty', { field: col })
            : because('cell_not_number', { field: col, value: raw }),
        );
      return n;
    };
    geometry = { type: 'Point', coordinates: [num(cols.lon!), num(cols.lat!)] };
  }
  return {
    feature: { type: 'Feature', properties, geometry },
    fromText: true,
    index,
    row: rowNumber,
    problems,
  };
}

let wkx: typeof import('wkx') | undefined;
function wktGeometry(raw: string, col: string, problems: ProblemReason[]): unknown {
  try {
    return wkx!.Geometry.parse(raw).toGeoJSON();
  } catch (e) {
    problems.push(because('not_wkt', { field: col, detail: (e as Error).message }));
    return null;
  }
}

function decoderFor(input: SourceInput, encoding: string | undefined): string {
  if (encoding) {
    const e = normaliseEncoding(encoding);
    if (!e) throw fileProblem('unknown_encoding', { encoding });
    return e;
  }
  return detectEncoding(readHead(input, 1 << 16));
}

async function* decoded(input: SourceInput, encoding: string): AsyncGenerator<string> {
  const d = new TextDecoder(encoding);
  for await (const c of chunks(input)) yield d.decode(c, { stream: true });
  const rest = d.decode();
  if (rest) yield rest;
}

/**
 * CSV / TSV point lists: encoding (UTF-8 with or without BOM, GBK/GB18030) and delimiter (, ; tab)
 * detected from the head of the file, records streamed through csv-parse. Row numbers count the
 * header as row 1, as a spreadsheet shows them.
 */
export async function openCsv(input: SourceInput, opts: { encoding?: string }): Promise<FormatReader> {
  wkx ??= (await import('wkx')).default as unknown as typeof import('wkx');
  const encoding = decoderFor(input, opts.encoding);
  const headText = new TextDecoder(encoding).decode(readHead(input, 1 << 16)).replace(/^\uFEFF/, '');
  const firstLine = headText.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = /\.tsv$/i.test(inputName(input)) ? '\t' : detectDelimiter(firstLine);
  let header: string[] = [];
  try {
    const { parse: parseSync } = await import('csv-parse/sync');
    header = (
      (parseSync(firstLine, { delimiter, bom: true, relax_quotes: true }) as string[][])[0] ?? []
    ).map((h) => h.trim());
  } catch {
    header = firstLine.split(delimiter).map((h) => h.trim());
  }
  async function* read(): AsyncGenerator<SourceFeature> {
    const cols = pointColumns(header);
    if (!cols.wkt && (cols.lon === undefined || cols.lat === undefined)) throw noPositionProblem(header);
    const parser = Readable.from(decoded(input, encoding)).pipe(
      parse({
        delimiter,
        columns: true,
        bom: true,
        skip_empty_lines: true,
        trim: true,
        info: true,
        relax_column_count: true,
      }),
    );
    let index = 0;
    try {
      for await (const rec of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        yield recordToFeature(rec.record, cols, index++, rec.info.lines);
      }
    } catch (e) {
      if (e instanceof ImportError) throw e;
      throw fileProblem('not_csv', { detail: (e as Error).message });
    }
  }
  return {
    format: 'csv',
    // Points from lon/lat columns; a WKT column may hold any geometry (an export's polygons).
    layers: [{ name: 'rows', fields: header, ...pointsOnly(header) }],
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    read,
  };
}
