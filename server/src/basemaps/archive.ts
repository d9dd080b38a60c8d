/**
 * An offline basemap file (离线底图: an orthophoto from 航拍 or a vector basemap) as the server reads
 * it: what it holds (its summary) and its tiles by z/x/y. Two containers, one interface: MBTiles
 * (SQLite, read with sql.js) and PMTiles (read by byte range with the `pmtiles` package).
 */
export type TileType = 'png' | 'jpg' | 'webp' | 'mvt';
export type Container = 'mbtiles' | 'pmtiles';

export interface ArchiveSummary {
  container: Container;
  tileType: TileType;
  minZoom: number;
  maxZoom: number;
  /** WGS84 [west, south, east, north]. */
  bounds: [number, number, number, number];
  attribution: string;
  /** The file's own name for itself, if it has one. */
  name: string | null;
  /** MVT only: the names of the vector layers. */
  vectorLayers: string[];
}

export interface TileArchive {
  summary(): Promise<ArchiveSummary>;
  /** The tile's bytes as stored (an MVT may come gzip-compressed), or null when the file has none. */
  tile(z: number, x: number, y: number): Promise<Uint8Array | null>;
  close(): void;
}

/** Why a file is not a basemap we can serve; `reason` is one of core/errors.ts's basemap reasons. */
export class BasemapFileError extends Error {
  constructor(
    readonly reason:
      | 'basemap_unknown_format'
      | 'basemap_no_tiles'
      | 'basemap_corrupt'
      | 'basemap_unsupported_tiles'
      | 'basemap_too_large',
    message: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const CONTENT_TYPES: Record<TileType, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  mvt: 'application/vnd.mapbox-vector-tile',
};

const WORLD: [number, number, number, number] = [-180, -85.0511, 180, 85.0511];

/** `bounds` as four finite numbers inside the world, west < east and south < north, else the world. */
export function cleanBounds(b: readonly number[] | undefined): [number, number, number, number] {
  if (!b || b.length !== 4 || b.some((n) => !Number.isFinite(n))) return WORLD;
  const [w, s, e, n] = b as [number, number, number, number];
  if (w < -180 || e > 180 || s < -90 || n > 90 || w >= e || s >= n) return WORLD;
  return [w, s, e, n];
}

/** The first bytes say which container a file is, whatever its name. */
export function sniffContainer(head: Uint8Array): Container | null {
  const text = Buffer.from(head.subarray(0, 16)).toString('latin1');
  if (text === 'SQLite format 3\0') return 'mbtiles';
  if (text.startsWith('PMTiles')) return 'pmtiles';
  return null;
}

/** A tile format word of MBTiles metadata (`png`, `jpg`, `jpeg`, `webp`, `pbf`, `mvt`), else null. */
export function tileTypeOf(format: string | undefined): TileType | null {
  switch ((format ?? '').toLowerCase()) {
    case 'png':
      return 'png';
    case 'jpg':
    case 'jpeg':
      return 'jpg';
    case 'webp':
      return 'webp';
    case 'pbf':
    case 'mvt':
      return 'mvt';
    default:
      return null;
  }
}

/** The image type the bytes of a raster tile say they are (for an MBTiles without `format`). */
export function sniffImage(b: Uint8Array): TileType | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpg';
  if (
    Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' &&
    Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP'
  )
    return 'webp';
  return null;
}

export const isGzip = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
