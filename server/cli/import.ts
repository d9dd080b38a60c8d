/**
 * npm run import -- --layer <layer> FILE [--layer-name NAME] [--crs CRS] [--encoding ENC] [--make-valid]
 *
 * Imports a file of any format the readers take (server/src/importer/readers: GeoJSON and GeoJSON
 * sequences, CSV/TSV/XLSX points, Shapefile or a zipped one, GeoPackage, KML/KMZ, DXF) into one
 * layer, in one transaction. `--layer-name` picks a GeoPackage table or a KML folder or geometry type
 * (otherwise the first layer of the target's geometry, else the first); `--crs`
 * names the coordinate system when the file does not (or overrides it); `--encoding` the attribute
 * text's (else .cpg, else detected).
 *
 * `--key COLUMN` stores each feature's id in the file (source_id); a feature whose id is already
 * stored is then refused by name, unless `--mode append` (skip it), `--mode upsert` (update it when
 * it differs: running the same file twice changes nothing) or `--mode replace --street CODE | --bbox
 * minLon,minLat,maxLon,maxLat` (delete the layer's rows there first, then insert the file). Any bad feature aborts the whole file: every one is printed
 * as `FILE: 要素 <index>：<原因> | feature <index>: <reason>` and the command exits 1 with nothing
 * written. Reasons are worded from the import's glossary (core/import-words.ts), the same words as
 * the import page: Chinese first with English beside by default; `--lang zh-CN` or `--lang en` (or
 * the environment variable WUYOU_LANG) prints one language only.
 *
 * A camera file of OSM surveillance tags or GB/T 28181 catalogue columns goes through the camera
 * importer (server/src/cameras/import.ts); its problems are codes too, printed the same way (a CSV's
 * line as the row), again with exit 1 and nothing written. An office's own camera list (名称, 类型
 * 球机, 所属系统 …) is read as every layer's file is.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATA_LAYERS, isOneOf } from '../../core/vocabulary.ts';
import { CameraImportError, importCameras, isTaggedCameraFile } from '../src/cameras/import.ts';
import type { Db } from '../src/db/index.ts';
import { guessMapping } from '../../core/import-mapping.ts';
import { pickLayer } from '../../core/exchange.ts';
import { batchIsEmbedded, openBatchDb } from './batch-db.ts';
import { cliWords, type CliWordCode } from '../../core/cli-words.ts';
import {
  cameraImportSummaryText,
  columnMappingText,
  importProblemLines,
  importProgressText,
  importSummaryText,
  inLanguages,
  PROBLEM_LANGUAGES,
  repairLine,
  type ProblemLanguage,
} from '../../core/import-words.ts';
import { exitUnlessFile, printProblems, printRefused, problemLanguage } from './problem-report.ts';
import {
  CrsError,
  IMPORT_CRS,
  IMPORT_MODES,
  IMPORT_SPECS,
  ImportError,
  importLayer,
  openSource,
  parseCrs,
  readColumn,
  type ImportProgress,
} from '../src/importer/index.ts';
import type { ColumnValue } from '../src/importer/attributes.ts';
import type { SourceFeature } from '../src/importer/features.ts';
import { pointColumns } from '../src/importer/readers/csv.ts';
import { decodeFile } from '../src/importer/readers/encoding.ts';

const USAGE =
  `usage: npm run import -- --layer <${DATA_LAYERS.join('|')}> FILE [--layer-name NAME] ` +
  `[--crs EPSG:4544|EPSG:4490|gcj02|bd09|…] [--encoding utf-8|gbk] [--make-valid] ` +
  `[--key COLUMN [--mode append|upsert|replace] [--street CODE | --bbox minLon,minLat,maxLon,maxLat]] ` +
  `[--set FIELD=VALUE …] [--lang both|zh-CN|en]`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

/** Progress on stderr: count and rate, at most once a second, and only for imports that take a while. */
function progressPrinter(label: string, lang: ProblemLanguage): (p: ImportProgress) => void {
  let start = 0;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!start) start = last = now; // counted from the import's first step, not from opening the database
    if (now - last < 1000) return;
    last = now;
    const facts = { ...p, seconds: (now - start) / 1000 };
    console.error(`${label}: ${inLanguages(lang, (l) => importProgressText(l, facts))}`);
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
        crs: { type: 'string' },
        encoding: { type: 'string' },
        'layer-name': { type: 'string' },
        key: { type: 'string' },
        mode: { type: 'string' },
        street: { type: 'string' },
        bbox: { type: 'string' },
        lang: { type: 'string' },
        set: { type: 'string', multiple: true },
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
  // The language first: every refusal below is said in it (both, by default).
  const chosenLang = problemLanguage(args.values.lang);
  type Params = Record<string, string | readonly string[]>;
  const refuse: (code: CliWordCode, params?: Params) => never = (code, params = {}) =>
    fail(`${inLanguages(chosenLang ?? 'both', (l) => cliWords(l, code, params))}\n${USAGE}`);
  if (!chosenLang) refuse('lang_unknown', { langs: PROBLEM_LANGUAGES });
  const lang = chosenLang!;
  const layer = args.values.layer;
  if (!isOneOf(DATA_LAYERS, layer))
    refuse(layer === undefined ? 'layer_missing' : 'layer_unknown', {
      layer: layer ?? '',
      layers: DATA_LAYERS,
    });
  if (args.positionals.length !== 1) refuse('one_file');
  const file = args.positionals[0]!;
  if (args.values.crs) {
    try {
      parseCrs(args.values.crs);
    } catch (e) {
      if (!(e instanceof CrsError)) throw e;
      fail(`--crs: ${importProblemLines(lang, { index: null, ...e.reason })}\n${USAGE}`);
    }
  }

  const mode = args.values.mode;
  if (mode !== undefined && !isOneOf(IMPORT_MODES, mode)) refuse('mode_unknown', { modes: IMPORT_MODES });
  if (mode && !args.values.key) refuse('mode_needs_key');
  let bbox: [number, number, number, number] | undefined;
  if (args.values.bbox) {
    const b = args.values.bbox.split(',').map(Number);
    if (b.length !== 4 || !b.every(Number.isFinite) || b[0]! >= b[2]! || b[1]! >= b[3]!) refuse('bbox_bad');
    bbox = b as [number, number, number, number];
  }
  // A helper gave --street without --mode replace and it was silently ignored.
  if ((args.values.street || bbox) && mode !== 'replace') refuse('scope_needs_replace');
  if (mode === 'replace' && !bbox && !args.values.street) refuse('replace_needs_scope');

  // --set FIELD=VALUE: one value for every feature (a KML of service areas has no 管理模式 column),
  // read as the field's type, its words taken as a file's are; it wins over a column.
  const fixed: Record<string, ColumnValue> = {};
  for (const s of args.values.set ?? []) {
    const eq = s.indexOf('=');
    const named = eq > 0 ? s.slice(0, eq).trim() : '';
    // The field's own name, or a name the page and files give it (管理模式, 服务单位 …).
    const settable = IMPORT_SPECS[layer].columns.map((c) => c.name).filter((n) => !n.endsWith('_by'));
    const field = Object.entries(guessMapping(settable, [named])).find(([, c]) => c === named)?.[0] ?? '';
    const column = IMPORT_SPECS[layer].columns.find((c) => c.name === field);
    if (!column) refuse('set_bad', { set: s, fields: settable });
    const read = readColumn(column!, s.slice(eq + 1), true);
    if ('problem' in read) fail(`--set ${s}: ${importProblemLines(lang, { index: null, ...read.problem })}`);
    else fixed[field] = read.value;
  }

  exitUnlessFile(lang, file);

  if (layer === 'cameras' && !args.values.key && taggedCameraFile(file, args.values.encoding)) {
    // The camera importer reads its tags itself: --set would have sent the file the generic way and
    // lost them (helper 46).
    if (args.values.set?.length) refuse('set_tagged_cameras');
    const crs = (args.values.crs ?? 'wgs84').toLowerCase();
    if (!isOneOf(IMPORT_CRS, crs)) refuse('camera_crs', { crs: IMPORT_CRS });
    return importCameraFile(file, crs, lang, args.values.encoding);
  }

  const embedded = batchIsEmbedded();
  let db: Db | undefined;
  try {
    let source;
    try {
      source = await openSource(file, {
        crs: args.values.crs,
        encoding: args.values.encoding,
        // Embedded, PGlite is the bound and already has a thread: a second one for the .dbf saves
        // nothing there and its heap (~60-90 MB) would take the import near issue 11's 1 GB.
        dbfWorker: embedded ? false : undefined,
      });
    } catch (e) {
      if (e instanceof ImportError) throw e;
      fail(`${file}: ${(e as Error).message}`);
    }
    const chosen = args.values['layer-name'];
    // Unnamed, the first layer of the target's geometry (an 奥维 KML's polygons for 小区), its folder
    // named for the target when there are several (摄像头 for cameras).
    const picked = pickLayer(source.layers, IMPORT_SPECS[layer].accepts, layer);
    const sourceLayer = chosen === undefined ? picked.layer : source.layers.find((l) => l.name === chosen);
    if (chosen === undefined && picked.mixedFolders.length) {
      // Gates and cameras in one file's points: which are these? Only the user knows.
      const facts = { layer: picked.layer!.name, folders: picked.mixedFolders };
      fail(`${file}: ${inLanguages(lang, (l) => cliWords(l, 'source_layer_mixes_folders', facts))}`);
    }
    if (source.layers.length > 1 && !chosen) {
      const facts = {
        n: String(source.layers.length),
        layers: source.layers.map((l) => l.name),
        layer: sourceLayer?.name ?? '',
      };
      console.error(`${file}: ${inLanguages(lang, (l) => cliWords(l, 'source_layer_chosen', facts))}`);
    }
    // A point list (lon/lat columns) cannot fill a polygon layer: said once for the file. A WKT column
    // may hold polygons (as our CSV export writes them); those are checked feature by feature.
    if (
      (source.format === 'csv' || source.format === 'xlsx') &&
      sourceLayer?.geometryType === 'Point' &&
      !IMPORT_SPECS[layer].accepts.includes('Point')
    ) {
      throw new ImportError([
        { index: null, code: 'points_only', params: { format: source.format.toUpperCase(), layer } },
      ]);
    }
    // Columns named in Chinese (名称, 地址, 门禁 …) fill their fields, as the import page guesses them;
    // said once, with the columns left out (a user's columns were silently dropped before).
    const columns = sourceLayer?.fields ?? [];
    const mapping = guessMapping(
      IMPORT_SPECS[layer].columns.map((c) => c.name).filter((n) => !(n in fixed)),
      columns,
    );
    const renamed = Object.entries(mapping).filter(
      (e): e is [string, string] => e[1] !== null && e[1] !== e[0],
    );
    const used = new Set<string>([
      ...Object.values(mapping).filter((c) => c !== null),
      args.values.key ?? '',
    ]);
    // A point list's position columns are read, as the position (the reader's own choice of them).
    if (source.format === 'csv' || source.format === 'xlsx')
      for (const c of Object.values(pointColumns(columns))) used.add(c);
    const unused = columns.filter((c) => !used.has(c));
    if (renamed.length || unused.length) {
      const pairs = renamed.map(([field, column]) => [column, field] as const);
      console.error(`${file}: ${inLanguages(lang, (l) => columnMappingText(l, pairs, unused))}`);
    }
    const read = chosen ?? sourceLayer?.name;
    const sources =
      renamed.length || Object.keys(fixed).length
        ? withFields(source.read(read), renamed, fixed)
        : source.read(read);
    db = await openBatchDb(lang);
    // The time said is the import's: making a new embedded folder (said before it starts) is not in it.
    const t0 = Date.now();
    const result = await importLayer(db, {
      layer,
      sources,
      total: sourceLayer?.count,
      // A command-line import may lock the layer against other writers for its length: see `direct`.
      direct: true,
      makeValid: args.values['make-valid'],
      onProgress: progressPrinter(file, lang),
      key: args.values.key,
      mode,
      replaceWithin: mode === 'replace' ? { street: args.values.street, bbox } : undefined,
    });
    for (const r of result.repaired) console.log(`${file}: ${inLanguages(lang, (l) => repairLine(l, r))}`);
    printProblems(lang, file, result.warnings, 'warning');
    if (!result.inserted && !result.updated && !result.unchanged && !result.skipped && !result.deleted)
      printProblems(lang, file, [{ index: null, code: 'no_features_in_file', params: {} }], 'warning');
    const s = (Date.now() - t0) / 1000;
    const facts = { ...result, layer, repaired: result.repaired.length, seconds: s };
    console.log(`${file}: ${inLanguages(lang, (l) => importSummaryText(l, facts))}`);
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    printRefused(lang, file, e.problems);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

/** The features with each guessed field filled from its column ([field, column]); the rest kept. */
async function* withFields(
  features: AsyncIterable<SourceFeature>,
  renamed: readonly [field: string, column: string][],
  fixed: Record<string, ColumnValue> = {},
): AsyncGenerator<SourceFeature> {
  for await (const s of features) {
    const f = s.feature as { properties?: Record<string, unknown> | null } | null;
    const props = f?.properties ?? {};
    if (f && typeof props === 'object' && !Array.isArray(props)) {
      const out: Record<string, unknown> = { ...props };
      for (const [field, column] of renamed) out[field] = props[column];
      Object.assign(out, fixed);
      yield { ...s, feature: { ...f, properties: out } };
    } else yield s;
  }
}

/**
 * Whether `--layer cameras` reads the file with the camera importer (OpenStreetMap tags or a GB/T
 * 28181 catalogue, judged from its head); any other camera list goes the way of every layer's file.
 */
function taggedCameraFile(file: string, encoding: string | undefined): boolean {
  const format = /\.csv$/i.test(file) ? 'csv' : /\.(geojson|json)$/i.test(file) ? 'geojson' : null;
  if (!format) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(1 << 16);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = decodeFile(head.subarray(0, n), encoding);
    return text !== null && isTaggedCameraFile(text, format);
  } finally {
    closeSync(fd);
  }
}

/** `--layer cameras`: OSM tags or a GB/T 28181 catalogue, problems by row and field. */
async function importCameraFile(
  file: string,
  crs: (typeof IMPORT_CRS)[number],
  lang: ProblemLanguage,
  encoding: string | undefined,
): Promise<void> {
  let text: string;
  try {
    // A camera list from Excel on Chinese Windows is GBK: --encoding, else detected as the readers do
    // (it was read as UTF-8 whatever it was, and its Chinese columns were not found).
    const decoded = decodeFile(readFileSync(file), encoding);
    if (decoded === null)
      fail(`${file}: 不认识的编码 “${encoding}” | unknown encoding "${encoding}" (utf-8, gbk …)`);
    text = decoded;
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  let db: Db | undefined;
  try {
    db = await openBatchDb(lang);
    const t0 = Date.now();
    const r = await importCameras(db, { text, format: /\.csv$/i.test(file) ? 'csv' : 'geojson', crs });
    printProblems(lang, file, r.warnings, 'warning');
    const s = (Date.now() - t0) / 1000;
    const facts = { ...r, rejectedRows: 0, seconds: s };
    console.log(`${file}: ${inLanguages(lang, (l) => cameraImportSummaryText(l, facts))}`);
  } catch (e) {
    if (!(e instanceof ImportError || e instanceof CameraImportError)) throw e;
    printRefused(lang, file, e.problems);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

main().catch((e: unknown) => {
  console.error(`import failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(2);
});
