import { Router, type Response } from 'express';
import type { AppContext } from '../app.ts';
import { HttpError } from '../errors.ts';
import { route } from '../http.ts';
import type { TileEncoder } from './encoder.ts';
import { JsEncoder } from './js-encoder.ts';
import { LayerVersions } from './layer-versions.ts';
import { PostgisEncoder } from './postgis-encoder.ts';
import { TileCache } from './tile-cache.ts';
import { TILE_MAX_BYTES, describeTile, parseTileAddress, type TileAddress } from './tile.ts';

export interface TilesOptions {
  /** Bytes of encoded tiles kept in memory; 0 turns the cache off. Default: env TILE_CACHE_MB, else 64 MB. */
  cacheBytes?: number;
  /** Default: ST_AsMVT on a PostGIS server, the JS encoder on the embedded database. */
  encoder?: TileEncoder;
}

export const MVT_TYPE = 'application/vnd.mapbox-vector-tile';

/** TILE_CACHE_MB from the environment: a whole number of megabytes, 0 = no cache. */
export function cacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TILE_CACHE_MB;
  if (raw === undefined || raw === '') return 64 * 2 ** 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65536) {
    throw new Error(`TILE_CACHE_MB must be a whole number from 0 to 65536, got "${raw}"`);
  }
  return n * 2 ** 20;
}

/**
 * `GET /tiles/<layer>/<z>/<x>/<y>.mvt` for every layer of the registry (server/src/layers.ts).
 *
 * Each request reads the layer versions from the database (one small coalesced query), so the ETag
 * and the in-memory cache key change in the same transaction as the data, whichever process wrote
 * it. Answers: 200 with the MVT (zero bytes when the tile is empty), 304 when If-None-Match holds
 * the current ETag; `Cache-Control: no-cache` makes clients revalidate every time.
 *
 * @example
 *   app.use('/tiles', tilesRouter(ctx));            // GET /tiles/buildings/15/26000/13470.mvt
 *   app.use('/tiles', tilesRouter(ctx, { cacheBytes: 0 }));  // no cache (benchmarks)
 */
export function tilesRouter(ctx: AppContext, opts: TilesOptions = {}): Router {
  const { db, logger } = ctx;
  const encoder = opts.encoder ?? (db.kind === 'postgres' ? new PostgisEncoder(db) : new JsEncoder(db));
  const cacheBytes = opts.cacheBytes ?? cacheBytesFromEnv();
  const cache = cacheBytes > 0 ? new TileCache(cacheBytes) : undefined;
  const versions = LayerVersions.fromDb(db);
  // Identical misses in flight share one encoding.
  const inFlight = new Map<string, Promise<Buffer>>();

  const encode = async (tile: TileAddress, key: string): Promise<Buffer> => {
    const hit = cache?.get(key);
    if (hit) return hit;
    let p = inFlight.get(key);
    if (!p) {
      p = encodeOrExplain(encoder, tile, logger).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    const bytes = await p;
    cache?.set(key, bytes);
    return bytes;
  };

  const router = Router();
  router.get(
    '/:layer/:z/:x/:y.mvt',
    route(async (req, res) => {
      const p = req.params as Record<string, string>;
      const tile = parseTileAddress(p.layer!, p.z!, p.x!, p.y!);
      const v = (await versions.current()).get(tile.layer.name);
      if (!v) throw new Error(`layer_versions has no row for ${tile.layer.name}`);
      const tag = `${encoder.kind}.${v.version}.${v.changedAt.toString(36)}`;
      const etag = `"${tile.layer.name}/${tile.z}/${tile.x}/${tile.y}/${tag}"`;
      setTileHeaders(res, etag);
      if (matches(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
      const bytes = await encode(tile, etag);
      res.status(200).setHeader('Content-Length', bytes.byteLength).end(bytes);
    }),
  );
  return router;
}

function setTileHeaders(res: Response, etag: string) {
  res.setHeader('Content-Type', MVT_TYPE);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', etag);
}

/** If-None-Match: `*` or a list of (possibly weak) entity tags; weak comparison as RFC 9110 says. */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

async function encodeOrExplain(
  encoder: TileEncoder,
  tile: TileAddress,
  logger: AppContext['logger'],
): Promise<Buffer> {
  const what = `while encoding tile ${describeTile(tile)}`;
  let bytes: Buffer;
  try {
    bytes = await encoder.encode(tile);
  } catch (err) {
    logger.error({ err, encoder: encoder.kind }, what);
    if ((err as { code?: string }).code === '57014') {
      throw new HttpError(503, 'timeout', `The database took too long ${what}`);
    }
    throw new HttpError(500, 'internal', `Internal error ${what}`);
  }
  if (bytes.byteLength > TILE_MAX_BYTES) {
    logger.warn({ bytes: bytes.byteLength, limit: TILE_MAX_BYTES }, `tile over the size limit ${what}`);
  }
  return bytes;
}
