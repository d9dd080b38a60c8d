/**
 * Readers: every file format an import takes, behind one interface.
 *
 * ```ts
 * const src = await openSource('areas.zip', { crs: 'EPSG:4544', encoding: 'gbk' });
 * src.format;   // 'shapefile'
 * src.layers;   // [{ name: 'areas', count: 120, fields: ['名称', 'code', …] }]
 * src.crs;      // { found: { source: 'prj', text: 'PROJCS["CGCS2000_3_Degree_GK_CM_105E", …' }, id: 'EPSG:4544', problem: null }
 * for await (const f of src.read('areas')) …   // SourceFeature: { feature, index, row?, problems?, warnings? }
 * await importLayer(db, { layer: 'service-areas', sources: src.read('areas') });
 * ```
 *
 * - `openSource(path | { name, bytes, siblings? }, options)` looks at the name (extension) and the
 *   first bytes, reads what it must to list the layers (names, fields, counts where cheap) and the
 *   CRS the file declares. A broken or unreadable file throws an `ImportError` with one problem of
 *   `index: null` naming why.
 * - `read(layer?)` streams the layer's features (the first layer when none is named) as GeoJSON
 *   Features already converted to WGS84 lon/lat, each with its 0-based `index` in the file (and
 *   `row`, the 1-based spreadsheet row, for CSV/XLSX). A feature the reader could not make sense of
 *   still comes, with `problems`, so the import lists it; a position that lands outside China
 *   after conversion carries a warning. `read` can be called again (it starts over), so a
 *   preview and the import read the same file twice without holding it.
 * - CRS: `options.crs` wins over the file (.prj, GeoPackage srs_id, GeoJSON `crs`); GeoJSON, KML and
 *   lon/lat CSV default to WGS84; a Shapefile without .prj or a DXF needs it. When it cannot be
 *   resolved `crs.problem` says what was found and how to name it, and `read` throws it as an
 *   ImportError.
 * - Formats: GeoJSON and GeoJSON sequences (streamed), CSV/TSV (streamed; encoding and delimiter
 *   detected), XLSX, Shapefile (.shp with its .dbf/.prj/.cpg, or a .zip), GeoPackage, KML/KMZ, DXF.
 */
import {
  CrsError,
  gaussKrugerZone,
  insideChina,
  parseCrs,
  resolveCrs,
  type Crs,
  type CrsFound,
} from '../crs.ts';
import { because, fileProblem, ImportError, type ProblemReason } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { openCsv } from './csv.ts';
import { openGeoJson } from './geojson.ts';
import { inputName, readHead, type SourceInput } from './input.ts';
import type { FormatReader, SourceFormat, SourceLayer } from './types.ts';

export type { SourceInput, SourceBytes } from './input.ts';
export type { FormatReader, SourceFormat, SourceLayer } from './types.ts';
export { splitGeoJson, GeoJsonSplitter } from './geojson.ts';

export interface OpenOptions {
  /** The CRS of the coordinates (`EPSG:4544`, `gcj02` …); wins over what the file says. */
  crs?: string;
  /** Attribute text encoding (`utf-8`, `gbk`); wins over a .cpg and detection. */
  encoding?: string;
  /** Treat the file as this format instead of judging by its name. */
  format?: SourceFormat;
  /**
   * A large Shapefile's .dbf on a worker thread (the default, see readers/dbf.ts); false keeps it on
   * this thread, for a process where the database is the bound and memory is counted.
   */
  dbfWorker?: boolean;
}

export interface SourceCrs {
  /** What the file says (or `{ source: 'none', text: null }`). */
  found: CrsFound;
  /** The CRS features are read in (`EPSG:4544`, `GCJ-02` …), null when it cannot be resolved. */
  id: string | null;
  /** Why not (a code the client words with how to name one). */
  problem: ProblemReason | null;
}

export interface OpenedSource {
  /** The file's name (no folder). */
  name: string;
  format: SourceFormat;
  layers: SourceLayer[];
  /** The CRS of the first layer (GeoPackage layers may each have their own: see crsOf). */
  crs: SourceCrs;
  crsOf(layer?: string): SourceCrs;
  /** The layer's features, in WGS84, with source index; see the module comment. */
  read(layer?: string): AsyncIterable<SourceFeature>;
  close(): void;
}

const EXTENSIONS: Record<string, SourceFormat> = {
  geojson: 'geojson',
  json: 'geojson',
  geojsonl: 'geojson',
  geojsons: 'geojson',
  geojsonseq: 'geojson',
  ndjson: 'geojson',
  jsonl: 'geojson',
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  xlsx: 'xlsx',
  shp: 'shapefile',
  zip: 'shapefile',
  gpkg: 'geopackage',
  kml: 'kml',
  kmz: 'kmz',
  dxf: 'dxf',
};

/** The format of a file, by extension, else by its first bytes. */
export function detectFormat(input: SourceInput): SourceFormat {
  const ext = /\.([^./\\]+)$/.exec(inputName(input))?.[1]?.toLowerCase();
  if (ext && EXTENSIONS[ext]) return EXTENSIONS[ext];
  const head = readHead(input, 512);
  const text = head.toString('latin1');
  if (text.startsWith('SQLite format 3')) return 'geopackage';
  if (head[0] === 0x00 && head[1] === 0x00 && head[2] === 0x27 && head[3] === 0x0a) return 'shapefile';
  if (text.startsWith('PK')) return 'shapefile';
  if (/<kml[\s>]/.test(text)) return 'kml';
  if (/^\s*0\s*\r?\n\s*SECTION/.test(text)) return 'dxf';
  const start = head.toString('utf8').replace(/^[\s\ufeff]+/, '');
  if (start.startsWith('\u001e') || start.startsWith('{') || start.startsWith('[')) return 'geojson';
  return 'csv';
}

const FORMAT_NAMES: readonly SourceFormat[] = [
  'geojson',
  'csv',
  'xlsx',
  'shapefile',
  'geopackage',
  'kml',
  'kmz',
  'dxf',
];
export const SOURCE_FORMATS = FORMAT_NAMES;

// The other formats' modules (and their libraries: exceljs, sql.js, jszip …) load only when such a
// file is opened: together they add to every CLI start.
async function openFormat(
  format: SourceFormat,
  input: SourceInput,
  opts: OpenOptions,
): Promise<FormatReader> {
  switch (format) {
    case 'geojson':
      return openGeoJson(input);
    case 'csv':
      return openCsv(input, opts);
    case 'xlsx':
      return (await import('./xlsx.ts')).openXlsx(input);
    case 'shapefile':
      return (await import('./shapefile.ts')).openShapefile(input, opts);
    case 'geopackage':
      return (await import('./geopackage.ts')).openGeoPackage(input);
    case 'kml':
    case 'kmz':
      return (await import('./kml.ts')).openKml(input, format === 'kmz');
    case 'dxf':
      return (await import('./dxf.ts')).openDxf(input);
  }
}

/**
 * A position the CRS cannot take back to lon/lat, with the zone its x names when the zone number
 * stands in front (x ≥ 1,000,000: 35557599 is 3° zone 35, EPSG:4523), or the same zone without it.
 */
function outsideCrsProblem(x: number, y: number, crs: string): ProblemReason {
  const params = { x: x.toFixed(1), y: y.toFixed(1), crs };
  const code = Number(/^EPSG:(\d+)$/.exec(crs)?.[1]);
  const given = gaussKrugerZone(code);
  // 6° zones are numbered 13–23, 3° zones 25–45: the number in front of x names one zone.
  const suggest =
    x >= 1e6
      ? GK_ZONES.find((z) => z.zone === Math.floor(x / 1e6))
      : given && given.zone !== null
        ? GK_ZONES.find(
            (z) => z.zone === null && z.width === given.width && z.centralMeridian === given.centralMeridian,
          )
        : undefined;
  return suggest && suggest.code !== code
    ? because('outside_crs_zone', { ...params, suggest: `EPSG:${suggest.code}` })
    : because('outside_crs', params);
}

/** Every CGCS2000 Gauss-Krüger zone the importer knows (EPSG:4491–4554). */
const GK_ZONES = Array.from({ length: 64 }, (_, k) => gaussKrugerZone(4491 + k)!);

function outsideChinaWarning(p: number[]): ProblemReason {
  return because('outside_china', { lon: p[0]!.toFixed(6), lat: p[1]!.toFixed(6) });
}

/** Converts a GeoJSON geometry's positions in place; false when they are not all numbers. */
function convert(
  g: { type?: unknown; coordinates?: unknown; geometries?: unknown } | null,
  fn: (p: number[]) => number[],
): boolean {
  if (!g || typeof g !== 'object') return false;
  if (g.type === 'GeometryCollection') {
    if (!Array.isArray(g.geometries)) return false;
    return (g.geometries as never[]).every((x) => convert(x, fn));
  }
  try {
    g.coordinates = walk(g.coordinates, fn);
    return true;
  } catch {
    return false;
  }
}

/**
 * A coordinates array with its positions converted, in place: the readers build new arrays for every
 * feature, and new ones here were as many again for the collector (a module-level function: see
 * wkb.ts on closures under tsx).
 */
function walk(c: unknown, fn: (p: number[]) => number[]): unknown {
  if (!Array.isArray(c)) throw new TypeError();
  if (typeof c[0] === 'number') {
    if (!Number.isFinite(c[0]) || !Number.isFinite(c[1])) throw new TypeError();
    const q = fn(c as number[]);
    c[0] = q[0];
    c[1] = q[1];
    return c;
  }
  for (let i = 0; i < c.length; i++) walk(c[i], fn);
  return c;
}

function firstPosition(c: unknown): number[] | null {
  let x = c;
  while (Array.isArray(x) && Array.isArray(x[0])) x = x[0];
  return Array.isArray(x) && typeof x[0] === 'number' ? (x as number[]) : null;
}

const lonLat = (p: number[]) => p[0]! >= -180 && p[0]! <= 180 && p[1]! >= -90 && p[1]! <= 90;

async function* converted(
  features: AsyncIterable<SourceFeature>,
  crs: Crs,
  defaulted: boolean,
): AsyncGenerator<SourceFeature> {
  const identity = crs.id === 'EPSG:4326' || crs.id === 'EPSG:4490';
  for await (const s of features) {
    const g = (s.feature as { geometry?: { coordinates?: unknown } | null } | null)?.geometry;
    if (!g || s.problems?.length) {
      yield s;
      continue;
    }
    const first = firstPosition(g.coordinates);
    if (defaulted && first && Number.isFinite(first[0]) && Number.isFinite(first[1]) && !lonLat(first)) {
      // Metres where lon/lat was assumed: say how to name the CRS rather than "out of range".
      (s.problems ??= []).push(because('not_lon_lat', { x: first[0]!, y: first[1]! }));
      yield s;
      continue;
    }
    const before = first && [first[0]!, first[1]!];
    if (!identity) convert(g, crs.toWgs84);
    const p = firstPosition(g.coordinates);
    if (before && p && Number.isFinite(before[0]) && (!Number.isFinite(p[0]) || !Number.isFinite(p[1]))) {
      // The projection has no lon/lat for it: a Gauss-Krüger zone other than the file's, most often.
      (s.problems ??= []).push(outsideCrsProblem(before[0]!, before[1]!, crs.id));
      yield s;
      continue;
    }
    if (p && Number.isFinite(p[0]) && Number.isFinite(p[1]) && lonLat(p) && !insideChina(p[0]!, p[1]!)) {
      (s.warnings ??= []).push(outsideChinaWarning(p));
    }
    yield s;
  }
}

/** Opens a file of any supported format; see the module comment. */
export async function openSource(input: SourceInput, opts: OpenOptions = {}): Promise<OpenedSource> {
  const format = opts.format ?? detectFormat(input);
  if (opts.crs) parseCrsOrThrow(opts.crs);
  const reader = await openFormat(format, input, opts);
  const first = reader.layers[0]?.name ?? '';
  const pick = (layer?: string) => {
    const name = layer ?? first;
    if (!reader.layers.some((l) => l.name === name)) {
      throw fileProblem('no_source_layer', {
        layer: name,
        layers: reader.layers.map((l) => `"${l.name}"`).join(', ') || '-',
      });
    }
    return name;
  };
  const crsOf = (layer?: string): SourceCrs & { crs: Crs | null; defaulted: boolean } => {
    const found = reader.crsFound(pick(layer));
    try {
      const fallback = reader.defaultCrs ? parseCrs(reader.defaultCrs) : null;
      const crs = resolveCrs(found, opts.crs, fallback);
      return { found, id: crs.id, problem: null, crs, defaulted: !opts.crs && !found.text };
    } catch (e) {
      if (!(e instanceof CrsError)) throw e;
      return { found, id: null, problem: e.reason, crs: null, defaulted: false };
    }
  };
  const publicCrs = (layer?: string): SourceCrs => {
    const { found, id, problem } = crsOf(layer);
    return { found, id, problem };
  };
  return {
    name: inputName(input),
    format,
    layers: reader.layers,
    crs: reader.layers.length
      ? publicCrs()
      : { found: { source: 'none', text: null }, id: null, problem: null },
    crsOf: publicCrs,
    read(layer?: string) {
      const name = pick(layer);
      const c = crsOf(name);
      if (!c.crs) throw new ImportError([{ index: null, ...c.problem! }]);
      return converted(reader.read(name), c.crs, c.defaulted);
    },
    close: () => reader.close?.(),
  };
}

function parseCrsOrThrow(text: string): void {
  try {
    parseCrs(text);
  } catch (e) {
    if (e instanceof CrsError) throw new ImportError([{ index: null, ...e.reason }]);
    throw e;
  }
}
