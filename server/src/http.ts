import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, badRequest } from './errors.ts';

/** Wraps an async handler so a rejection reaches the error middleware. */
export const route =
  (fn: (req: Request, res: Response) => Promise<unknown>): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

export type Bbox = [number, number, number, number];

/** `minLon,minLat,maxLon,maxLat` in WGS84, or 400 invalid_bbox. */
export function parseBbox(raw: unknown, required = true): Bbox | undefined {
  if (raw === undefined || raw === '') {
    if (!required) return undefined;
    throw badRequest('invalid_bbox', 'bbox is required: bbox=minLon,minLat,maxLon,maxLat');
  }
  if (typeof raw !== 'string') throw badRequest('invalid_bbox', 'bbox must be given once');
  const parts = raw.split(',');
  const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (nums.length !== 4 || nums.some((n) => !Number.isFinite(n))) {
    throw badRequest('invalid_bbox', 'bbox must be four numbers: minLon,minLat,maxLon,maxLat', { bbox: raw });
  }
  const [w, s, e, n] = nums as Bbox;
  if (w < -180 || e > 180 || s < -90 || n > 90) {
    throw badRequest('invalid_bbox', 'bbox is outside lon -180..180 / lat -90..90', { bbox: raw });
  }
  if (w >= e || s >= n)
    throw badRequest('invalid_bbox', 'bbox must have minLon < maxLon and minLat < maxLat', { bbox: raw });
  return [w, s, e, n];
}

/** A positive integer id from the URL, or 404 (no such thing can exist). */
export function parseId(raw: unknown): number {
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new HttpError(404, 'not_found', `No such id: ${String(raw)}`);
  }
  return n;
}

/** The ETag of a versioned record (service area, camera, gate, ledger item): `"<version>"`. */
export const etag = (version: number) => `"${version}"`;

/** `If-Match: "<version>"` (weak or bare accepted), or 428 when missing, 400 when malformed. */
export function ifMatchVersion(req: Request): number {
  const h = req.headers['if-match'];
  if (h === undefined || h === '')
    throw new HttpError(428, 'precondition_required', 'Send If-Match: "<version>" (the ETag you read)');
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h);
  if (!m) throw new HttpError(400, 'bad_request', `If-Match must be "<version>", got ${h}`);
  return Number(m[1]);
}
