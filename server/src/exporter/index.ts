import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type {
  ExportEncoding,
  ExportFormat,
  ExportLayer,
  ExportSrs,
  ExportValues,
} from '../../../core/exchange.ts';
import { valueWord } from '../../../core/value-words.ts';
import { EXPORT_EXTENSIONS } from '../../../core/exchange.ts';
import type { Queryable } from '../db/index.ts';
import { authorsFor } from '../history-authors.ts';
import { GeoPackageWriter } from './geopackage.ts';
import { ShapefileWriter } from './shapefile.ts';
import { EXPORT_SOURCES, PLACE_SQL, type ExportRow, type ExportWhere } from './sources.ts';
import { exportCrs } from './srs.ts';
import {
  GEOJSON_HEAD,
  csvWriter,
  geojsonWriter,
  kmlWriter,
  sink,
  xlsxWriter,
  type PageWriter,
} from './text-formats.ts';

export { CellTooLong, NotInEncoding } from './text-formats.ts';
export { EXPORT_SOURCES, type ExportWhere } from './sources.ts';

export interface ExportOptions extends ExportWhere {
  layer: ExportLayer;
  format: ExportFormat;
  /** Text encoding of a Shapefile's .dbf or a CSV. */
  encoding?: ExportEncoding;
  /** The CRS of a Shapefile or GeoPackage: lon/lat (4326, 4490) or the city's Gauss-Krüger zone (4544, 4523). */
  srs?: ExportSrs;
  pageSize?: number;
  /** Coded values as codes (default) or as their Chinese words. */
  values?: ExportValues;
  /**
   * Whether the file tells who created, edited or closed each row (created_by, updated_by,
   * closed_by …: core/api.ts isAuthorField). The HTTP route tells only signed-in readers (issue 10);
   * without it the columns stay, empty. Default true.
   */
  authors?: boolean;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  shp: 'application/zip',
  gpkg: 'application/geopackage+sqlite3',
  kml: 'application/vnd.google-earth.kml+xml',
  geojson: 'application/geo+json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The download's file name: `<layer>[-<category>][-<place code>].<ext>`, the narrowest place named. */
export function exportFileName(
  o: Pick<ExportOptions, 'layer' | 'format' | 'street' | 'community' | 'district' | 'category'>,
): string {
  const place = o.community ?? o.street ?? o.district;
  return `${o.layer}${o.category ? `-${o.category}` : ''}${place ? `-${place}` : ''}.${EXPORT_EXTENSIONS[o.format]}`;
}

/** Whether `code` is a jurisdiction of that level (an export names its street, 社区 or district). */
export async function isPlace(
  db: Queryable,
  level: 'district' | 'street' | 'community',
  code: string,
): Promise<boolean> {
  return (await db.query(PLACE_SQL, [code, level])).rows.length > 0;
}

/**
 * Writes one layer in one format to `out` and ends it, page by page; `before` runs once the first
 * page is read (the HTTP route sets its headers there, so an error before any data is still a JSON
 * answer). Returns the number of features.
 */
export async function exportLayer(
  db: Queryable,
  o: ExportOptions,
  out: Writable,
  before: () => void = () => {},
): Promise<number> {
  const src = EXPORT_SOURCES[o.layer];
  const encoding = o.encoding ?? 'utf-8';
  const srs = o.srs ?? 4326;
  const stem = exportFileName(o).replace(/\.[^.]+$/, '');
  const stored = src.pages(
    db,
    { street: o.street, community: o.community, district: o.district, category: o.category },
    o.pageSize,
  );
  const shown = o.authors === false ? withoutAuthors(stored) : stored;
  const pages = o.values === 'words' ? inWords(shown) : shown;
  let count = 0;

  if (o.format === 'shp' || o.format === 'gpkg') {
    const w =
      o.format === 'shp'
        ? new ShapefileWriter(src.fields, src.geometry, encoding, srs)
        : await GeoPackageWriter.open(o.layer.replace(/-/g, '_'), src.fields, src.gpkgType, srs);
    const project = exportCrs(srs).project;
    for await (const rows of pages) {
      if (project) for (const r of rows) if (r.geometry) project(r.geometry);
      w.write(rows);
      count += rows.length;
    }
    const bytes = w instanceof ShapefileWriter ? await w.zip(stem) : Buffer.from(w.finish());
    before();
    await sink(out)(bytes);
    out.end();
    return count;
  }

  // A GBK CSV or an XLSX can be refused at any row (text GBK lacks, a cell too long): written to a
  // temporary file first, and sent only once whole, so a refusal on a later page is still an error
  // answer and never a download broken off half-written. Other text formats cannot fail mid-way.
  const spool = (o.format === 'csv' && encoding === 'gbk') || o.format === 'xlsx';
  const dir = spool ? await mkdtemp(join(tmpdir(), 'wuyou-export-')) : null;
  try {
    const file = dir ? createWriteStream(join(dir, 'export')) : null;
    const target: Writable = file ?? out;
    let writer: PageWriter | undefined;
    const open = (): PageWriter => {
      if (!file) before();
      switch (o.format) {
        case 'geojson':
          target.write(GEOJSON_HEAD);
          return geojsonWriter(target, src);
        case 'kml':
          return kmlWriter(target, src, stem);
        case 'csv':
          return csvWriter(target, src, encoding);
        default:
          return xlsxWriter(target, src, stem);
      }
    };
    for await (const rows of pages) {
      writer ??= open();
      await writer.write(rows);
      count += rows.length;
    }
    await (writer ?? open()).end();
    if (file) {
      // (exceljs ends the stream it writes to itself.)
      if (!file.writableEnded) file.end();
      await finished(file);
      before();
      await pipeline(createReadStream(join(dir!, 'export')), out);
    } else if (!out.writableEnded) out.end();
    return count;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Pages with each coded value in its Chinese words (a value that is no code stays as it is). */
async function* inWords(pages: AsyncGenerator<ExportRow[]>): AsyncGenerator<ExportRow[]> {
  for await (const rows of pages)
    yield rows.map((r) => ({
      ...r,
      props: Object.fromEntries(
        Object.entries(r.props).map(([k, v]) => [
          k,
          typeof v === 'string' ? (valueWord(k, v, 'zh-CN') ?? v) : v,
        ]),
      ),
    }));
}

/** Pages with every author field null (the file keeps its columns). */
async function* withoutAuthors(pages: AsyncGenerator<ExportRow[]>): AsyncGenerator<ExportRow[]> {
  for await (const rows of pages) yield rows.map((r) => ({ ...r, props: authorsFor(r.props, undefined) }));
}
