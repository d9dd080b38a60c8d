/**
 * npm run export -- --layer <layer> [--format shp|gpkg|kml|geojson|csv|xlsx] [--street CODE]
 *                   [--encoding utf-8|gbk] [--srs 4326|4490|4544|4523] [--values codes|words] FILE
 *
 * Writes one layer (service areas, compounds, uncovered buildings, cameras, gates, the ledger, …) of
 * the whole city or one 街道 in one format; the format defaults to FILE's extension (.zip is a
 * zipped Shapefile, .shp one written as its parts beside it), else GeoJSON. `-` writes to stdout.
 * What it writes imports again with `npm run import`.
 */
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import JSZip from 'jszip';
import { extname } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  EXPORT_ENCODINGS,
  EXPORT_FORMATS,
  EXPORT_LAYERS,
  EXPORT_SRS,
  EXPORT_VALUES,
  type ExportFormat,
  type ExportSrs,
} from '../../core/exchange.ts';
import { isOneOf } from '../../core/vocabulary.ts';
import { CellTooLong, exportLayer, isPlace, NotInEncoding } from '../src/exporter/index.ts';
import { loadBatchConfig } from '../src/config.ts';
import { asOwner, migrate, openDb } from '../src/db/index.ts';

const USAGE = `usage: npm run export -- --layer <${EXPORT_LAYERS.join('|')}>
         [--format <${EXPORT_FORMATS.join('|')}>] [--street CODE] [--encoding <${EXPORT_ENCODINGS.join('|')}>]
         [--srs <${EXPORT_SRS.join('|')}>] [--values <${EXPORT_VALUES.join('|')}>] FILE   (FILE "-" is stdout)`;

const fail = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
};

function formatOf(file: string, given: string | undefined): ExportFormat {
  if (given !== undefined) return isOneOf(EXPORT_FORMATS, given) ? given : fail(`unknown format "${given}"`);
  const ext = extname(file).slice(1).toLowerCase();
  if (ext === 'zip' || ext === 'shp') return 'shp';
  if (ext === 'json') return 'geojson';
  return isOneOf(EXPORT_FORMATS, ext) ? ext : 'geojson';
}

/** The parts of an exported Shapefile zip, written as FILE.shp, FILE.shx, FILE.dbf … */
async function unpackShapefile(zipFile: string, shp: string): Promise<void> {
  const zip = await JSZip.loadAsync(readFileSync(zipFile));
  const stem = shp.slice(0, -extname(shp).length);
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    writeFileSync(`${stem}${extname(entry.name).toLowerCase()}`, await entry.async('uint8array'));
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        layer: { type: 'string' },
        format: { type: 'string' },
        street: { type: 'string' },
        encoding: { type: 'string' },
        srs: { type: 'string' },
        values: { type: 'string' },
      },
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { layer, street } = args.values;
  if (!isOneOf(EXPORT_LAYERS, layer)) return fail(layer ? `unknown layer "${layer}"` : '--layer is required');
  if (args.positionals.length !== 1) return fail('give one output FILE');
  const file = args.positionals[0]!;
  const format = formatOf(file, args.values.format);
  const encoding = args.values.encoding?.toLowerCase() ?? 'utf-8';
  if (!isOneOf(EXPORT_ENCODINGS, encoding)) return fail(`unknown encoding "${encoding}"`);
  const srs = Number(args.values.srs ?? 4326);
  if (!(EXPORT_SRS as readonly number[]).includes(srs)) return fail(`unknown srs "${args.values.srs}"`);
  const values = args.values.values ?? 'codes';
  if (!isOneOf(EXPORT_VALUES, values)) return fail(`--values must be one of ${EXPORT_VALUES.join(', ')}`);

  const db = await openDb(asOwner(loadBatchConfig()));
  try {
    await migrate(db);
    if (street !== undefined && !(await isPlace(db, 'street', street)))
      fail(`no street with code "${street}"`);
    // A Shapefile to FILE.shp: its parts beside it (FILE.shx, .dbf, .prj, .cpg), as GDAL writes one;
    // they are unpacked from the zip the exporter writes, once it is whole (helper 45: a zip named .shp).
    const loose = format === 'shp' && extname(file).toLowerCase() === '.shp';
    const target = loose ? `${file}.part.zip` : file;
    const out = file === '-' ? process.stdout : createWriteStream(target);
    const opts = { layer, format, street, encoding, srs: srs as ExportSrs, values };
    let count: number;
    try {
      count = await exportLayer(db, opts, out);
    } catch (e) {
      // What the file's format or encoding cannot hold: said, and no half-written file left behind.
      if (!(e instanceof NotInEncoding || e instanceof CellTooLong)) throw e;
      if (file !== '-') {
        out.destroy();
        rmSync(target, { force: true });
      }
      console.error(`${file}: ${e.message}`);
      process.exit(1);
    }
    if (out !== process.stdout) await finished(out);
    if (loose) {
      try {
        await unpackShapefile(target, file);
      } finally {
        rmSync(target, { force: true });
      }
    }
    console.error(
      `${file}: exported ${count.toLocaleString('en-US')} ${layer}` +
        `${street ? ` of street ${street}` : ''} as ${format}`,
    );
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  console.error(`export failed: ${(e as Error)?.message ?? String(e)}`);
  process.exit(2);
});
