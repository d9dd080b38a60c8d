import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { featuresFromCsv, featuresFromGeoJson, type SourceFeature } from './features.ts';

export {
  importLayer,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  type Repair,
} from './import.ts';
export { ImportError, type ImportProblem } from './errors.ts';
export {
  featuresFromCsv,
  featuresFromGeoJson,
  featuresFromRows,
  IMPORT_CRS,
  type ImportCrs,
} from './features.ts';
export { IMPORT_SPECS } from './spec.ts';

/** The features of a file: CSV (by its .csv extension) or GeoJSON (anything else). */
export function sourcesFromFile(path: string): SourceFeature[] {
  const text = readFileSync(path, 'utf8');
  return extname(path).toLowerCase() === '.csv' ? featuresFromCsv(text) : featuresFromGeoJson(text);
}
