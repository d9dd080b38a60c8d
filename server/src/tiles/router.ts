import type { IncomingHttpHeaders } from 'node:http';
import { Router, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { route } from '../http.ts';
import { TILE_VARIANTS, type TileEncoder, type TileVariant } from './encoder.ts';
import { JsEncoder } from './js-encoder.ts';
import type { LayerVersion } from './layer-versions.ts';
import { PostgisEncoder } from './postgis-encoder.ts';
import { sessionLsn } from '../read-your-writes.ts';
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
 * The ETag and the in-memory cache key carry the layer's version, bumped in the same transaction as
 * the data: kept in memory from the change feed (no database round trip), or read per request (one
 * small coalesced query) while the feed is not listening — so no process serves a tile older than a
 * commit it could have seen, whichever process wrote it. Answers: 200 with the MVT (zero bytes when the tile is empty), 304 when If-None-Match holds
 * the current ETag; `Cache-Control: no-cache` makes clients revalidate every time.
 *
 * @example
 *   app.use('/tiles', tilesRouter(ctx));            // GET /tiles/buildings/15/26000/13470.mvt
 *   app.use('/tiles', tilesRouter(ctx, { cacheBytes: 0 }));  // no cache (benchmarks)
 */
export function tilesRouter(
  ctx: AppContext,
  opts: TilesOptions = {},
  serve: TileServer = tileServer(ctx, opts),
): Router {
  const router = Router();
  router.get(
    '/:layer/:z/:x/:y.mvt',
    route(async (req, res) => {
      const p = req.params as Record<string, string>;
      await serve(res, p.layer!, p.z!, p.x!, p.y!, req.headers);
    }),
  );
  return router;
}

/** A plain tile path, nothing else: what the fast path answers (anything else goes the long way). */
const TILE_PATH = /^\/tiles\/([a-z_-]{1,40})\/(\d{1,10})\/(\d{1,10})\/(\d{1,10})\.mvt$/;

/**
 * The tile route ahead of the app's middleware (issue 12, tiles at the limit): a GET of a plain
 * `/tiles/<layer>/<z>/<x>/<y>.mvt` without an Origin is answered here, with the security headers the
 * app's middleware would have set (`headers`, worked out once), skipping the input guards (the path
 * pattern admits nothing they refuse), CORS (no Origin) and the router's walk. Errors go to the app's
 * error renderer as before. Anything else — a query string, HEAD, a cross-origin request — falls
 * through to tilesRouter.
 */
export function tileFastPath(serve: TileServer, headers: Readonly<Record<string, string>>): RequestHandler {
  const names = Object.keys(headers);
  return (req, res, next) => {
    if (req.method !== 'GET' || req.headers.origin !== undefined) return next();
    const m = TILE_PATH.exec(req.url);
    if (!m) return next();
    for (const k of names) res.setHeader(k, headers[k]!);
    serve(res, m[1]!, m[2]!, m[3]!, m[4]!, req.headers).catch(next);
  };
}

export type TileServer = ReturnType<typeof tileServer>;

/**
 * Answers one tile request: 200 with the MVT, or 304 when If-None-Match holds the current ETag. One
 * per app, shared by tilesRouter and tileFastPath (one cache, one view of the layer versions).
 */
export function tileServer(ctx: AppContext, opts: TilesOptions = {}) {
  const { db, logger } = ctx;
  const encoder: TileEncoder =
    opts.encoder ?? (db.kind === 'postgres' ? new PostgisEncoder(db.light) : new JsEncoder(db));
  const cacheBytes = opts.cacheBytes ?? cacheBytesFromEnv();
  const cache = cacheBytes > 0 ? new TileCache(cacheBytes) : undefined;
  // From memory while the change feed listens; else read per request on the pool of its own.
  const versions = ctx.feed.versions;
  // Identical misses in flight share one encoding.
  const inFlight = new Map<string, Promise<Encoded>>();
  const encodeVersioned = encoder.encodeVersioned?.bind(encoder);
  // DATABASE_READ_URL: misses are encoded on the replica, the tile and its version in one statement.
  const replica = db.replica;
  const onReplica = replica && !opts.encoder ? new PostgisEncoder(replica.db.light) : undefined;

  const etagOf = (tile: TileAddress, v: LayerVersion) =>
    `"${tile.layer.name}/${tile.z}/${tile.x}/${tile.y}/${encoder.kind}.${v.version}.${v.changedAt.toString(36)}"`;

  /**
   * The tile from the replica with the layer version it was cut at, when this session may read there
   * (it has replayed the session's own writes); undefined → encode on the primary. The caller keeps
   * it only if that version is not older than the one the feed announced, so a replica that has not
   * replayed a commit yet never puts old bytes in the cache under the new version's key.
   */
  const fromReplica = (tile: TileAddress, headers: IncomingHttpHeaders) =>
    onReplica && replica ? fromReplicaOf(onReplica, replica, tile, headers) : undefined;
  const fromReplicaOf = async (
    onReplica: PostgisEncoder,
    replica: NonNullable<typeof db.replica>,
    tile: TileAddress,
    headers: IncomingHttpHeaders,
  ) => {
    const ok = replica.choose(sessionLsn(headers));
    if (!(typeof ok === 'boolean' ? ok : await ok)) return undefined;
    try {
      return await encodeWithinLimit(tile, logger, (v) =>
        onReplica.encodeVersioned(tile, v).catch((e: unknown) => {
          throw replica.failedOver(e) ? new ReplicaFailed(e) : e;
        }),
      );
    } catch (e) {
      if (e instanceof ReplicaFailed) return undefined;
      throw e;
    }
  };

  const encodeMiss = async (
    tile: TileAddress,
    v: LayerVersion,
    etag: string,
    headers: IncomingHttpHeaders,
  ) => {
    const pending = fromReplica(tile, headers);
    const r = pending && (await pending);
    if (r && r.version.version >= v.version) return { bytes: r.bytes, etag: etagOf(tile, r.version) };
    return { bytes: await encodeBytesWithinLimit(tile, logger, encoder), etag };
  };

  /** The tile under `etag` (version `v`): from the cache, or encoded and kept under the ETag of what it holds. */
  const cached = async (
    tile: TileAddress,
    v: LayerVersion,
    etag: string,
    headers: IncomingHttpHeaders,
  ): Promise<Encoded> => {
    const hit = cache?.get(etag);
    if (hit) return { bytes: hit, etag };
    let p = inFlight.get(etag);
    if (!p) {
      p = encodeMiss(tile, v, etag, headers).finally(() => inFlight.delete(etag));
      inFlight.set(etag, p);
    }
    const out = await p;
    cache?.set(out.etag, out.bytes);
    return out;
  };

  const send = (res: Response, etag: string, bytes: Buffer) => {
    res.setHeader('Content-Type', MVT_TYPE);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('Content-Length', bytes.byteLength);
    res.writeHead(200);
    res.end(bytes);
  };

  return async (
    res: Response,
    layer: string,
    z: string,
    x: string,
    y: string,
    headers: IncomingHttpHeaders,
  ): Promise<void> => {
    const tile = parseTileAddress(layer, z, x, y);
    const ifNoneMatch = headers['if-none-match'];
    const inMemory = versions.now();
    if (!cache && !ifNoneMatch && encodeVersioned && !inMemory) {
      // The versions are not in memory and there is nothing to look up first: the tile and its
      // version come from one statement, one snapshot — on the replica when it is at least at the
      // version this process knows of. With the feed live the plain statement below runs instead,
      // keyed on the version in memory (read before the statement's snapshot, so never newer than
      // the data it labels).
      const pending = fromReplica(tile, headers);
      const fromIt = pending && (await pending);
      if (fromIt) {
        const known = (versions.now() ?? (await versions.current())).get(tile.layer.name);
        if (!known || fromIt.version.version >= known.version) {
          send(res, etagOf(tile, fromIt.version), fromIt.bytes);
          return;
        }
      }
      const r = await encodeWithinLimit(tile, logger, (v) => encodeVersioned(tile, v));
      send(res, etagOf(tile, r.version), r.bytes);
      return;
    }
    const v = (inMemory ?? (await versions.current())).get(tile.layer.name);
    if (!v) throw new Error(`layer_versions has no row for ${tile.layer.name}`);
    const etag = etagOf(tile, v);
    if (matches(ifNoneMatch, etag)) {
      res.writeHead(304, tileHeaders(etag));
      res.end();
      return;
    }
    const out = await cached(tile, v, etag, headers);
    send(res, out.etag, out.bytes);
  };
}

interface Encoded {
  bytes: Buffer;
  etag: string;
}

/** The replica could not cut a tile (gone, or replay cancelled the statement): the primary does. */
class ReplicaFailed extends Error {
  constructor(readonly reason: unknown) {
    super('read replica failed');
  }
}

function tileHeaders(etag: string) {
  return { 'Content-Type': MVT_TYPE, 'Cache-Control': 'no-cache', ETag: etag };
}

/** If-None-Match: `*` or a list of (possibly weak) entity tags; weak comparison as RFC 9110 says. */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * Encodes with the first variant that fits the size limit (a tile over it is cut again leaner, and
 * logged), turning a failure into an error that says which tile was being encoded.
 */
async function encodeWithinLimit<T extends { bytes: Buffer }>(
  tile: TileAddress,
  logger: AppContext['logger'],
  encode: (variant: TileVariant) => Promise<T>,
): Promise<T> {
  let out: T | undefined;
  for (const variant of TILE_VARIANTS) {
    try {
      out = await encode(variant);
    } catch (err) {
      throw encodingFailed(tile, logger, variant, err);
    }
    if (out.bytes.byteLength <= TILE_MAX_BYTES) return out;
    overLimit(tile, logger, variant, out.bytes.byteLength);
  }
  return out!;
}

/**
 * The same for the bare bytes from `encoder.encode` — the uncached and cache-miss path, with no
 * object or closure per request around the buffer.
 */
async function encodeBytesWithinLimit(
  tile: TileAddress,
  logger: AppContext['logger'],
  encoder: TileEncoder,
): Promise<Buffer> {
  let out: Buffer | undefined;
  for (const variant of TILE_VARIANTS) {
    try {
      out = await encoder.encode(tile, variant);
    } catch (err) {
      throw encodingFailed(tile, logger, variant, err);
    }
    if (out.byteLength <= TILE_MAX_BYTES) return out;
    overLimit(tile, logger, variant, out.byteLength);
  }
  return out!;
}

/** The error to answer when encoding failed, logged with which tile was being encoded. */
function encodingFailed(tile: TileAddress, logger: AppContext['logger'], variant: TileVariant, err: unknown) {
  if (err instanceof ReplicaFailed) return err;
  const what = `while encoding tile ${describeTile(tile)}`;
  logger.error({ err, variant }, what);
  if ((err as { code?: string }).code === '57014') {
    return new HttpError(503, 'timeout', `The database took too long ${what}`);
  }
  return new HttpError(500, 'internal', `Internal error ${what}`);
}

function overLimit(tile: TileAddress, logger: AppContext['logger'], variant: TileVariant, bytes: number) {
  logger.warn(
    { bytes, limit: TILE_MAX_BYTES, variant },
    `tile over the size limit while encoding tile ${describeTile(tile)}`,
  );
}
