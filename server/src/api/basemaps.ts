import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Router, type Request } from 'express';
import { assertAdmin } from '../auth.ts';
import { BasemapFileError, CONTENT_TYPES, isGzip } from '../basemaps/archive.ts';
import { publicBasemap } from '../basemaps/store.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { parseId, route } from '../http.ts';

/** A refused basemap file as the API says it: 413 when too large, else 400 with the reason. */
export function basemapFileHttpError(e: BasemapFileError): HttpError {
  return new HttpError(
    e.reason === 'basemap_too_large' ? 413 : 400,
    e.reason === 'basemap_too_large' ? 'payload_too_large' : 'bad_request',
    e.message,
    {
      reason: e.reason,
      ...e.params,
    },
  );
}

function tileCoords(req: Request): [number, number, number] {
  const [z, x, y] = [req.params.z, req.params.x, req.params.y].map((v) =>
    /^\d{1,8}$/.test(String(v)) ? Number(v) : NaN,
  ) as [number, number, number];
  if (!(z <= 30) || !(x < 2 ** z) || !(y < 2 ** z))
    throw new HttpError(400, 'invalid_tile', `No tile ${req.params.z}/${req.params.x}/${req.params.y}`);
  return [z, x, y];
}

/**
 * /api/basemaps — offline basemaps (离线底图): the list (anyone, as the map's tiles), their tiles, and
 * for a city admin adding one (the file as the raw request body) and removing one.
 */
export function basemapsRouter(ctx: AppContext): Router {
  const { db, auth, basemaps, config } = ctx;
  const router = Router();

  router.get(
    '/',
    route(async (_req, res) => {
      const list = await basemaps.list(db.light);
      res.json({ basemaps: list.map(publicBasemap) });
    }),
  );

  router.get(
    '/:id/:z/:x/:y',
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const [z, x, y] = tileCoords(req);
      const b = await basemaps.cached(db.light, id);
      if (!b) throw notFound(`No basemap ${id}`);
      let bytes: Uint8Array | null;
      try {
        bytes = await (await basemaps.archive(b)).tile(z, x, y);
      } catch (e) {
        ctx.logger.warn({ err: (e as Error).message, basemap: id }, 'basemap tile unreadable');
        throw new HttpError(404, 'not_found', `Basemap ${id} cannot be read`, {
          reason: 'basemap_unreadable',
        });
      }
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('Vary', 'Accept-Encoding');
      // No tile here (outside the file's area or zooms): an empty answer the map draws as nothing.
      if (!bytes || bytes.length === 0) return void res.status(204).end();
      res.type(CONTENT_TYPES[b.tileType]);
      if (b.tileType === 'mvt') {
        // MBTiles keeps MVT gzipped, PMTiles hands it back plain: send gzip to clients that take it.
        if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          res.setHeader('Content-Encoding', 'gzip');
          return void res.send(Buffer.from(isGzip(bytes) ? bytes : gzipSync(bytes)));
        }
        return void res.send(Buffer.from(isGzip(bytes) ? gunzipSync(bytes) : bytes));
      }
      res.send(Buffer.from(bytes));
    }),
  );

  router.post(
    '/',
    auth.required(),
    route(async (req, res) => {
      assertAdmin(req.user);
      const max = config.basemaps.uploadMaxBytes;
      const maxMb = Math.floor(max / 2 ** 20);
      const tooLarge = () =>
        new HttpError(413, 'payload_too_large', `A basemap upload may be at most ${maxMb} MB`, {
          reason: 'basemap_too_large',
          maxMb,
        });
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > max) throw tooLarge();
      const name = typeof req.query.name === 'string' ? req.query.name.trim().slice(0, 200) : '';
      await mkdir(config.basemaps.dir, { recursive: true });
      const temp = join(config.basemaps.dir, `.upload-${randomUUID()}`);
      let received = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          done(received > max ? tooLarge() : null, chunk);
        },
      });
      try {
        try {
          await pipeline(req, counter, createWriteStream(temp));
        } catch (e) {
          if (e instanceof HttpError) throw e;
          throw new HttpError(400, 'bad_request', 'The upload broke off', {
            reason: 'basemap_upload_broken',
          });
        }
        if (received === 0)
          throw new HttpError(400, 'bad_request', 'Send the MBTiles or PMTiles file as the request body', {
            reason: 'basemap_unknown_format',
          });
        const added = await basemaps.add(db, temp, {
          name: name || undefined,
          createdBy: req.user.username,
          move: true,
        });
        res.status(201).location(`/api/basemaps/${added.id}`).json(publicBasemap(added));
      } catch (e) {
        if (e instanceof BasemapFileError) throw basemapFileHttpError(e);
        throw e;
      } finally {
        await rm(temp, { force: true });
      }
    }),
  );

  router.delete(
    '/:id',
    auth.required(),
    route(async (req, res) => {
      assertAdmin(req.user);
      const id = parseId(req.params.id);
      if (!(await basemaps.remove(db, id))) throw notFound(`No basemap ${id}`);
      res.status(204).end();
    }),
  );

  return router;
}
