/**
 * node --import tsx server/cli/import-cameras.ts FILE [--crs gcj02] [--system xueliang] [--skip-invalid]
 *   [--lang both|zh-CN|en]
 *
 * Imports cameras from OpenStreetMap surveillance tags (GeoJSON, or CSV with lon/lat) or a GB/T 28181
 * device catalogue (CSV with DeviceID, Longitude, Latitude …) in one transaction. Every problem is
 * printed as the import command prints them, `FILE: 要素 N（第 R 行）：原因 | feature N (row R): reason`
 * (the CSV's line R; Chinese first with English beside, or one language with --lang or WUYOU_LANG);
 * with any error nothing is written (exit 1), unless --skip-invalid imports the good rows and lists
 * the rejected ones.
 */
import { readFileSync } from 'node:fs';
import { decodeFile } from '../src/importer/readers/encoding.ts';
import { parseArgs } from 'node:util';
import { CAMERA_SYSTEMS, isOneOf } from '../../core/vocabulary.ts';
import { CameraImportError, importCameras } from '../src/cameras/import.ts';
import type { Db } from '../src/db/index.ts';
import { openBatchDb } from './batch-db.ts';
import { IMPORT_CRS, ImportError } from '../src/importer/index.ts';
import { cameraImportSummaryText, inLanguages, PROBLEM_LANGUAGES } from '../../core/import-words.ts';
import { exitUnlessFile, printProblems, printRefused, problemLanguage } from './problem-report.ts';

const USAGE = `usage: node --import tsx server/cli/import-cameras.ts FILE [--crs ${IMPORT_CRS.join('|')}] [--system ${CAMERA_SYSTEMS.join('|')}] [--skip-invalid] [--encoding utf-8|gbk] [--lang ${PROBLEM_LANGUAGES.join('|')}]`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        crs: { type: 'string', default: 'wgs84' },
        system: { type: 'string' },
        'skip-invalid': { type: 'boolean', default: false },
        lang: { type: 'string' },
        encoding: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.values.help) return void console.log(USAGE);
  const lang = problemLanguage(args.values.lang);
  if (!lang) fail(`--lang must be one of ${PROBLEM_LANGUAGES.join(', ')}\n${USAGE}`);
  const crs = args.values.crs?.toLowerCase();
  if (!isOneOf(IMPORT_CRS, crs)) fail(`--crs must be one of ${IMPORT_CRS.join(', ')}\n${USAGE}`);
  const system = args.values.system;
  if (system !== undefined && !isOneOf(CAMERA_SYSTEMS, system))
    fail(`--system must be one of ${CAMERA_SYSTEMS.join(', ')}\n${USAGE}`);
  if (args.positionals.length !== 1) fail(`give exactly one FILE\n${USAGE}`);
  const file = args.positionals[0]!;
  exitUnlessFile(lang, file);
  let text: string;
  try {
    // GBK from Excel on Chinese Windows, or UTF-8: detected (it was read as UTF-8 whatever it was).
    const decoded = decodeFile(readFileSync(file), args.values.encoding);
    if (decoded === null)
      fail(`${file}: 不认识的编码 “${args.values.encoding}” | unknown encoding "${args.values.encoding}"`);
    text = decoded;
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  let db: Db | undefined;
  try {
    db = await openBatchDb(lang);
    const r = await importCameras(db, {
      text,
      format: /\.csv$/i.test(file) ? 'csv' : 'geojson',
      crs,
      system,
      skipInvalid: args.values['skip-invalid'],
    });
    printProblems(lang, file, r.warnings, 'warning');
    printProblems(lang, file, r.rejected, 'rejected');
    const facts = { ...r, rejectedRows: new Set(r.rejected.map((p) => p.index)).size };
    console.log(`${file}: ${inLanguages(lang, (l) => cameraImportSummaryText(l, facts))}`);
  } catch (e) {
    if (e instanceof ImportError || e instanceof CameraImportError) {
      printRefused(lang, file, e.problems);
      process.exitCode = 1;
    } else throw e;
  } finally {
    await db?.close();
  }
}

main().catch((e: unknown) => {
  console.error(`import failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(2);
});
