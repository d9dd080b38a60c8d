import { open, stat } from 'node:fs/promises';
import {
  PMTiles,
  ResolvedValueCache,
  TileType as PmTileType,
  type RangeResponse,
  type Source,
} from 'pmtiles';
import {
  BasemapFileError,
  cleanBounds,
  type ArchiveSummary,
  type TileArchive,
  type TileType,
} from './archive.ts';

/** PMTiles read from a local file by byte range: a multi-GB orthophoto never enters memory whole. */
class LocalFileSource implements Source {
  constructor(private readonly path: string) {}
  getKey() {
    return this.path;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      const data = new ArrayBuffer(bytesRead);
      new Uint8Array(data).set(buf.subarray(0, bytesRead));
      return { data };
    } finally {
      await fh.close();
    }
  }
}

const TYPES: Partial<Record<PmTileType, TileType>> = {
  [PmTileType.Mvt]: 'mvt',
  [PmTileType.Png]: 'png',
  [PmTileType.Jpeg]: 'jpg',
  [PmTileType.Webp]: 'webp',
};

const corrupt = (message: string) =>
  new BasemapFileError('basemap_corrupt', message, { container: 'pmtiles' });

/** Opens a PMTiles v3 file (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md). */
export async function openPmtiles(path: string): Promise<TileArchive> {
  const { size } = await stat(path);
  const pm = new PMTiles(new LocalFileSource(path), new ResolvedValueCache(64));
  let summary: ArchiveSummary;
  try {
    const h = await pm.getHeader();
    if (h.specVersion !== 3) throw corrupt(`PMTiles spec version ${h.specVersion} is not read (only 3)`);
    const within = (offset = 0, length = 0) => offset >= 127 && offset + length <= size;
    if (
      !within(h.rootDirectoryOffset, h.rootDirectoryLength) ||
      !within(h.jsonMetadataOffset, h.jsonMetadataLength) ||
      !within(h.tileDataOffset, h.tileDataLength) ||
      ((h.leafDirectoryLength ?? 0) > 0 && !within(h.leafDirectoryOffset, h.leafDirectoryLength))
    )
      throw corrupt('The PMTiles header points past the end of the file (truncated or corrupt)');
    if (h.minZoom > h.maxZoom || h.maxZoom > 30)
      throw corrupt(`Zoom range ${h.minZoom}–${h.maxZoom} is impossible`);
    const tileType = TYPES[h.tileType];
    if (!tileType)
      throw new BasemapFileError(
        'basemap_unsupported_tiles',
        `PMTiles tile type ${h.tileType} is not served`,
        {
          format: String(h.tileType),
          container: 'pmtiles',
        },
      );
    if (h.numAddressedTiles === 0)
      throw new BasemapFileError('basemap_no_tiles', 'The PMTiles file holds no tiles', {
        container: 'pmtiles',
      });
    let meta: { attribution?: unknown; name?: unknown; vector_layers?: { id?: unknown }[] } = {};
    if (h.jsonMetadataLength > 0) meta = (await pm.getMetadata()) as typeof meta;
    summary = {
      container: 'pmtiles',
      tileType,
      minZoom: h.minZoom,
      maxZoom: h.maxZoom,
      bounds: cleanBounds([h.minLon, h.minLat, h.maxLon, h.maxLat]),
      attribution: typeof meta.attribution === 'string' ? meta.attribution : '',
      name: typeof meta.name === 'string' ? meta.name : null,
      vectorLayers: Array.isArray(meta.vector_layers)
        ? meta.vector_layers.map((l) => String(l?.id ?? '')).filter(Boolean)
        : [],
    };
  } catch (e) {
    if (e instanceof BasemapFileError) throw e;
    throw corrupt(`Not a readable PMTiles file: ${(e as Error).message}`);
  }
  return {
    summary: () => Promise.resolve(summary),
    async tile(z, x, y) {
      // The library hands the tile back decompressed; the router gzips MVT again for clients that take it.
      const r = await pm.getZxy(z, x, y);
      return r ? new Uint8Array(r.data) : null;
    },
    close() {},
  };
}
