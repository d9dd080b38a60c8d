import type { CrsFound } from '../crs.ts';
import type { SourceFeature } from '../features.ts';

/** The formats openSource reads. */
export type SourceFormat = 'geojson' | 'csv' | 'xlsx' | 'shapefile' | 'geopackage' | 'kml' | 'kmz' | 'dxf';

/** One layer of a source: a GeoPackage table, a KML folder set, the one layer of most formats. */
export interface SourceLayer {
  name: string;
  /** Number of features when the format says it cheaply (Shapefile, GeoPackage); absent for streams. */
  count?: number;
  /** Attribute names (for mapping columns to fields). */
  fields: string[];
  /** Geometry type as the file declares it (POLYGON, MultiPolygon …), when it does. */
  geometryType?: string;
  /** A KML folder's layer: the folder's path (`社区/小区`). */
  folder?: string;
}

/**
 * What each format's module gives openSource: features in the file's own coordinates; openSource
 * resolves the CRS and converts them to WGS84.
 */
export interface FormatReader {
  format: SourceFormat;
  layers: SourceLayer[];
  /** What the file says about its CRS, for one layer (GeoPackage layers may differ). */
  crsFound(layer: string): CrsFound;
  /** The CRS the format implies when the file says nothing (GeoJSON, KML: WGS84), or null: must be given. */
  defaultCrs: string | null;
  read(layer: string): AsyncIterable<SourceFeature>;
  close?(): void;
}
