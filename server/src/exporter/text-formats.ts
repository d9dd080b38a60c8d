import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Writable } from 'node:stream';
import type { ExportEncoding } from '../../../core/exchange.ts';
import type { ExportRow, ExportSource, Value } from './sources.ts';

/**
 * The formats written as they are read, one page at a time: GeoJSON, KML, CSV and XLSX. Each writer
 * takes pages and waits for the output to drain, so a large layer never sits whole in memory.
 */
export interface PageWriter {
  write(rows: ExportRow[]): Promise<void>;
  end(): Promise<void>;
}

/** Writes and waits when the stream asks to (backpressure). */
export function sink(out: Writable): (chunk: string | Buffer) => Promise<void> {
  return (chunk) =>
    new Promise((resolve, reject) => {
      if (out.write(chunk)) resolve();
      else {
        const done = (err?: Error) => {
          out.off('drain', done);
          out.off('error', done);
          if (err) reject(err);
          else resolve();
        };
        out.once('drain', done);
        out.once('error', done);
      }
    });
}

export function geojsonWriter(out: Writable, src: ExportSource): PageWriter {
  const push = sink(out);
  let first = true;
  const key = src.fields.some((f) => f.name === 'id') ? 'id' : 'code';
  return {
    async write(rows) {
      const text = rows
        .map((r) => {
          const f = JSON.stringify({
            type: 'Feature',
            id: r.props[key],
            geometry: r.geometry ? r.geometry.toGeoJSON() : null,
            properties: r.props,
          });
          return first ? ((first = false), f) : ',\n' + f;
        })
        .join('');
      await push(text);
    },
    async end() {
      await push('\n]}\n');
    },
  };
}
/** The opening of a streamed FeatureCollection (written before the first page). */
export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[\n';

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
const kmlCoords = (ring: number[][]) => ring.map(([x, y]) => `${x},${y}`).join(' ');
function kmlGeometry(g: ExportRow['geometry']): string {
  if (!g) return '';
  const gj = g.toGeoJSON() as { type: string; coordinates: unknown };
  const polygon = (p: number[][][]) =>
    `<Polygon><outerBoundaryIs><LinearRing><coordinates>${kmlCoords(p[0]!)}</coordinates></LinearRing></outerBoundaryIs>` +
    p
      .slice(1)
      .map(
        (r) =>
          `<innerBoundaryIs><LinearRing><coordinates>${kmlCoords(r)}</coordinates></LinearRing></innerBoundaryIs>`,
      )
      .join('') +
    '</Polygon>';
  switch (gj.type) {
    case 'Point': {
      const [x, y] = gj.coordinates as number[];
      return `<Point><coordinates>${x},${y}</coordinates></Point>`;
    }
    case 'Polygon':
      return polygon(gj.coordinates as number[][][]);
    case 'MultiPolygon':
      return `<MultiGeometry>${(gj.coordinates as number[][][][]).map(polygon).join('')}</MultiGeometry>`;
    default:
      return '';
  }
}
const KML_TYPE = { text: 'string', int: 'int', real: 'double', bool: 'bool' } as const;

/**
 * KML 2.2: a Schema of the layer's fields, and one Placemark per feature with its SchemaData. A field
 * called `name` is the Placemark's own <name> only (readers such as GDAL fold the two together).
 */
export function kmlWriter(out: Writable, src: ExportSource, title: string): PageWriter {
  const push = sink(out);
  const fields = src.fields.filter((f) => f.name !== 'name');
  const schema = src.layer.replace(/[^A-Za-z0-9_]/g, '_');
  let started = false;
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' +
    `<name>${xml(title)}</name><Schema name="${schema}" id="${schema}">` +
    fields.map((f) => `<SimpleField name="${f.name}" type="${KML_TYPE[f.type]}"/>`).join('') +
    `</Schema><Folder><name>${xml(title)}</name>\n`;
  const value = (v: Value) => xml(typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  return {
    async write(rows) {
      const text = rows
        .map((r) => {
          const label = r.props[src.label];
          return (
            '<Placemark>' +
            (label === null || label === undefined ? '' : `<name>${value(label)}</name>`) +
            `<ExtendedData><SchemaData schemaUrl="#${schema}">` +
            fields
              .filter((f) => r.props[f.name] !== null)
              .map((f) => `<SimpleData name="${f.name}">${value(r.props[f.name]!)}</SimpleData>`)
              .join('') +
            '</SchemaData></ExtendedData>' +
            kmlGeometry(r.geometry) +
            '</Placemark>\n'
          );
        })
        .join('');
      await push(started ? text : ((started = true), head + text));
    },
    async end() {
      await push((started ? '' : head) + '</Folder></Document></kml>\n');
    },
  };
}

/** Table columns: the fields, then lon/lat for points or WKT for polygons. */
function tableColumns(src: ExportSource): string[] {
  return [...src.fields.map((f) => f.name), ...(src.geometry === 'point' ? ['lon', 'lat'] : ['wkt'])];
}
function tableRow(src: ExportSource, r: ExportRow): Value[] {
  const g = r.geometry;
  const geo: Value[] =
    src.geometry === 'point'
      ? g
        ? [(g as unknown as { x: number }).x, (g as unknown as { y: number }).y]
        : [null, null]
      : [g ? g.toWkt() : null];
  return [...src.fields.map((f) => r.props[f.name] ?? null), ...geo];
}

const csvCell = (v: Value): string => {
  if (v === null) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV (RFC 4180, CRLF): UTF-8 with a byte-order mark so Excel reads Chinese, or GBK. */
export function csvWriter(out: Writable, src: ExportSource, encoding: ExportEncoding): PageWriter {
  const push = sink(out);
  const enc = (s: string) => (encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8'));
  let started = false;
  const head = () => (encoding === 'gbk' ? '' : '\uFEFF') + tableColumns(src).join(',') + '\r\n';
  const columns = tableColumns(src);
  return {
    async write(rows) {
      if (encoding === 'gbk') {
        for (const r of rows) {
          tableRow(src, r).forEach((v, k) => {
            const ch = typeof v === 'string' ? notInGbk(v) : null;
            if (ch !== null) throw new NotInEncoding(columns[k]!, r.props, ch);
          });
        }
      }
      const text = rows.map((r) => tableRow(src, r).map(csvCell).join(',') + '\r\n').join('');
      await push(enc(started ? text : ((started = true), head() + text)));
    },
    async end() {
      if (!started) await push(enc(head()));
    },
  };
}

/** Longest text an Excel cell holds. */
export const XLSX_CELL_MAX = 32_767;

/** A value longer than an Excel cell holds (a detailed outline's WKT): the file would be wrong. */
/**
 * A text a GBK export cannot store: iconv-lite (like GDAL) would write '?' for the characters GBK
 * lacks (CJK Extension B such as 𠀀, vertical punctuation …), losing them without a word. The export
 * is refused before anything is sent, naming the first such value.
 */
/** The feature a row is, for a message: its id (or code), and its name when it has one. */
function rowFeature(props: Record<string, Value>): { feature: Value; featureName: string | null } {
  const name = props.name;
  return {
    feature: props.id ?? props.code ?? null,
    featureName: typeof name === 'string' && name ? name : null,
  };
}

export class NotInEncoding extends Error {
  readonly feature: Value;
  /** The feature's name, when it has one: what the user knows it by. */
  readonly featureName: string | null;
  constructor(
    readonly column: string,
    row: Record<string, Value>,
    readonly char: string,
  ) {
    const { feature, featureName } = rowFeature(row);
    super(`${column} of feature ${String(feature)} holds "${char}", which GBK cannot store: export in UTF-8`);
    this.feature = feature;
    this.featureName = featureName;
  }
}

/** The first character of `s` GBK cannot store, or null when GBK holds all of it. */
export function notInGbk(s: string): string | null {
  // Printable ASCII is the same in GBK; anything else takes the round trip.
  if (!/[^\x20-\x7e\t\n\r]/.test(s) || iconv.decode(iconv.encode(s, 'gbk'), 'gbk') === s) return null;
  for (const ch of s) if (iconv.decode(iconv.encode(ch, 'gbk'), 'gbk') !== ch) return ch;
  return null;
}

export class CellTooLong extends Error {
  readonly feature: Value;
  /** The feature's name, when it has one. */
  readonly featureName: string | null;
  constructor(
    readonly column: string,
    row: Record<string, Value>,
  ) {
    const { feature, featureName } = rowFeature(row);
    super(
      `${column} of feature ${String(feature)} is longer than an Excel cell (${XLSX_CELL_MAX} characters)`,
    );
    this.feature = feature;
    this.featureName = featureName;
  }
}

/** XLSX through exceljs's streaming writer (rows are committed and flushed as they come). */
export function xlsxWriter(out: Writable, src: ExportSource, title: string): PageWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const ws = wb.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  const cols = tableColumns(src);
  ws.columns = cols.map((c) => ({ header: c, key: c, width: Math.max(10, c.length + 2) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  return {
    async write(rows) {
      for (const r of rows) {
        const cells = tableRow(src, r);
        const long = cells.findIndex((v) => typeof v === 'string' && v.length > XLSX_CELL_MAX);
        if (long >= 0) throw new CellTooLong(cols[long]!, r.props);
        ws.addRow(cells).commit();
      }
      // let the zip stream flush before the next page is read
      await new Promise((resolve) => setImmediate(resolve));
    },
    async end() {
      ws.commit();
      await wb.commit();
    },
  };
}
