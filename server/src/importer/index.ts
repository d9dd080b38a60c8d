import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { featuresFromCsv, featuresFromGeoJson, type SourceFeature } from './features.ts';

export {
  allOutsideCity,
  importLayer,
  type LonLatBox,
  nameOf,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  type ImportMode,
  type ReplaceScope,
  type Repair,
} from './import.ts';
export { IMPORT_MODES } from './modes.ts';
export { readColumn } from './attributes.ts';
export { ImportError, problemPlace, type ImportProblem } from './errors.ts';
export {
  featuresFromCsv,
  featuresFromGeoJson,
  featuresFromRows,
  IMPORT_CRS,
  type ImportCrs,
  type SourceFeature,
} from './features.ts';
export { IMPORT_SPECS } from './spec.ts';
export {
  detectFormat,
  openSource,
  SOURCE_FORMATS,
  type OpenedSource,
  type OpenOptions,
  type SourceBytes,
  type SourceCrs,
  type SourceFormat,
  type SourceInput,
  type SourceLayer,
} from './readers/index.ts';
export { CRS_HELP, CrsError, parseCrs, type Crs, type CrsFound } from './crs.ts';

/**
 * The features of a small file held in memory: CSV (by its .csv extension) or GeoJSON (anything
 * else). Big files and other formats: openSource (readers/index.ts) streams them.
 */
export function sourcesFromFile(path: string): SourceFeature[] {
  const text = readFileSync(path, 'utf8');
  return extname(path).toLowerCase() === '.csv' ? featuresFromCsv(text) : featuresFromGeoJson(text);
}
