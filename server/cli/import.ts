/**
 * npm run import -- --layer <layer> FILE [--make-valid] [--crs gcj02]
 *
 * Imports a GeoJSON file (FeatureCollection or Feature), or a CSV with lon/lat columns for cameras and
 * gates, into one layer, in one transaction. Any bad feature aborts the whole file: every one is printed
 * as `FILE: feature <index>: <reason>` and the command exits 1 with nothing written.
 *
 * Cameras go through the camera importer (server/src/cameras/import.ts), which reads OSM surveillance
 * tags and GB/T 28181 catalogue columns; their problems are printed by source row and field as
 * `FILE: row <n>, <field>: <message>` (rows counted from 1), again with exit 1 and nothing written.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATA_LAYERS, isOneOf } from '../../core/vocabulary.ts';
import { CameraImportError, importCameras } from '../src/cameras/import.ts';
import { loadConfig } from '../src/config.ts';
import { migrate, openDb, type Db } from '../src/db/index.ts';
import {
  IMPORT_CRS,
  IMPORT_SPECS,
  ImportError,
  importLayer,
  sourcesFromFile,
  type ImportProgress,
} from '../src/importer/index.ts';

const USAGE = `usage: npm run import -- --layer <${DATA_LAYERS.join('|')}> FILE [--make-valid] [--crs gcj02]`;
const SHOWN = 50;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

/** Progress on stderr: count and rate, at most once a second, and only for imports that take a while. */
function progressPrinter(label: string): (p: ImportProgress) => void {
  let start = 0;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!start) start = last = now; // counted from the import's first step, not from opening the database
    if (now - last < 1000) return;
    last = now;
    const s = (now - start) / 1000;
    const rate =
      p.phase === 'loading' ? `, ${Math.round(p.done / s).toLocaleString('en-US')} features/s` : '';
    console.error(
      `${label}: ${p.phase} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}${rate} (${s.toFixed(1)} s)`,
    );
  };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        layer: { type: 'string' },
        'make-valid': { type: 'boolean', default: false },
        crs: { type: 'string', default: 'wgs84' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    console.log(USAGE);
    return;
  }
  const layer = args.values.layer;
  if (!isOneOf(DATA_LAYERS, layer)) fail(`--layer must be one of ${DATA_LAYERS.join(', ')}\n${USAGE}`);
  const crs = args.values.crs?.toLowerCase();
  if (!isOneOf(IMPORT_CRS, crs)) fail(`--crs must be one of ${IMPORT_CRS.join(', ')}\n${USAGE}`);
  if (args.positionals.length !== 1) fail(`give exactly one FILE\n${USAGE}`);
  const file = args.positionals[0]!;
  const t0 = Date.now();

  if (layer === 'cameras') return importCameraFile(file, crs);

  let db: Db | undefined;
  try {
    let sources;
    try {
      sources = sourcesFromFile(file);
    } catch (e) {
      if (e instanceof ImportError) throw e;
      fail(`${file}: ${(e as Error).message}`);
    }
    if (/\.csv$/i.test(file) && !IMPORT_SPECS[layer].accepts.includes('Point')) {
      throw new ImportError([
        { index: null, reason: `CSV files hold points; ${layer} need polygons (use GeoJSON)` },
      ]);
    }
    db = await openDb(loadConfig());
    await migrate(db);
    const result = await importLayer(db, {
      layer,
      sources,
      makeValid: args.values['make-valid'],
      crs,
      onProgress: progressPrinter(`${file}`),
    });
    for (const r of result.repaired) console.log(`${file}: feature ${r.index}: ${r.message}`);
    const s = (Date.now() - t0) / 1000;
    console.log(
      `${file}: imported ${result.inserted.toLocaleString('en-US')} ${layer}` +
        (result.repaired.length ? ` (${result.repaired.length} repaired)` : '') +
        ` in ${s.toFixed(1)} s`,
    );
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    const features = new Set(e.problems.map((p) => p.index)).size;
    for (const p of e.problems.slice(0, SHOWN)) {
      console.error(p.index === null ? `${file}: ${p.reason}` : `${file}: feature ${p.index}: ${p.reason}`);
    }
    if (e.problems.length > SHOWN) console.error(`${file}: … and ${e.problems.length - SHOWN} more problems`);
    console.error(
      `${file}: nothing imported: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}` +
        (e.problems.some((p) => p.index !== null)
          ? ` in ${features} feature${features === 1 ? '' : 's'}`
          : ''),
    );
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

/** `--layer cameras`: OSM tags or a GB/T 28181 catalogue, problems by row and field. */
async function importCameraFile(file: string, crs: (typeof IMPORT_CRS)[number]): Promise<void> {
  const t0 = Date.now();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  const where = (p: { row: number; field: string }) =>
    p.row < 0 ? file : `${file}: row ${p.row + 1}, ${p.field}`;
  let db: Db | undefined;
  try {
    db = await openDb(loadConfig());
    await migrate(db);
    const r = await importCameras(db, { text, format: /\.csv$/i.test(file) ? 'csv' : 'geojson', crs });
    for (const p of r.warnings.slice(0, SHOWN)) console.error(`${where(p)}: warning: ${p.message}`);
    const s = (Date.now() - t0) / 1000;
    console.log(
      `${file}: imported ${r.inserted.toLocaleString('en-US')} cameras from ${r.rows.toLocaleString('en-US')} ` +
        `${r.source === 'gbt28181' ? 'GB/T 28181 catalogue' : 'OSM'} rows in ${s.toFixed(1)} s`,
    );
  } catch (e) {
    if (e instanceof ImportError) {
      for (const p of e.problems) console.error(`${file}: ${p.reason}`);
      console.error(`${file}: nothing imported`);
    } else if (e instanceof CameraImportError) {
      for (const p of e.problems.slice(0, SHOWN)) console.error(`${where(p)}: ${p.message}`);
      if (e.problems.length > SHOWN)
        console.error(`${file}: … and ${e.problems.length - SHOWN} more problems`);
      const rows = new Set(e.problems.filter((p) => p.row >= 0).map((p) => p.row)).size;
      console.error(
        `${file}: nothing imported: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}` +
          (rows ? ` in ${rows} row${rows === 1 ? '' : 's'}` : ''),
      );
    } else throw e;
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

main().catch((e: unknown) => {
  console.error(`import failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(2);
});
