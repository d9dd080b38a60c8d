import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ApiErrorBody, ErrorCode } from '../../core/errors.ts';
import { RETRY_AFTER_S, isDbUnavailable } from './db/errors.ts';

/** An error the API answers with: an HTTP status, a code from core/errors.ts, a message and details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: unknown) =>
  new HttpError(400, code, message, details);
export const notFound = (message: string, details?: unknown) =>
  new HttpError(404, 'not_found', message, details);

/** What a database error looks like to us: pg and PGlite both carry the SQLSTATE in `code`. */
interface DbLikeError {
  code?: unknown;
  message?: unknown;
}
const sqlstate = (err: unknown): string | undefined => {
  const c = (err as DbLikeError | null)?.code;
  return typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c) ? c : undefined;
};

/**
 * The answer to an error raised by the database, or undefined when it is not one we classify. The
 * text of the database (keys, values, PostGIS messages) never goes into the answer: the request id
 * does, and the log line carries the text under the same id. Other modules may add classes here
 * (e.g. 503 for a database that is down) — it is the one place that decides.
 */
export function classifyDbError(err: unknown, requestId: string): HttpError | undefined {
  if (isDbUnavailable(err))
    return new HttpError(503, 'unavailable', 'The database is unavailable; try again shortly', {
      request_id: requestId,
    });
  const state = sqlstate(err);
  if (!state) return undefined;
  const details = { request_id: requestId };
  if (state === '57014')
    return new HttpError(503, 'timeout', 'The database statement took too long and was cancelled', details);
  if (state === 'XX000' || state === '22023')
    return new HttpError(400, 'invalid_geometry', 'The geometry was not accepted', details);
  // Class 22 (data exception) and 54000 (e.g. an index row too large) come from values in the request.
  if (state.startsWith('22') || state === '54000')
    return new HttpError(400, 'bad_request', 'A value in the request was not accepted', details);
  if (state === '23505')
    return new HttpError(409, 'validation_failed', 'A value that must be unique is taken already', details);
  if (state === '23503')
    return new HttpError(400, 'invalid_attribute', 'A reference names nothing known', details);
  // Row-level security (or a grant) refused what the app's own checks let through: the database is
  // the last line, so the user may not do it.
  if (state === '42501')
    return new HttpError(403, 'forbidden', 'The database refused this write for your account', details);
  if (state === '23514' || state === '23502')
    return new HttpError(400, 'invalid_attribute', 'A value is out of range', details);
  return undefined;
}

const internal = (requestId: string) =>
  new HttpError(500, 'internal', 'Internal error', { request_id: requestId });

/** Any thrown value as the HttpError it is answered with; never throws, never copies foreign text. */
export function toHttpError(err: unknown, requestId: string): HttpError {
  try {
    if (err instanceof HttpError) return err;
    const db = classifyDbError(err, requestId);
    if (db) return db;
    const e = err as { type?: unknown; status?: unknown } | null;
    if (e?.type === 'entity.too.large')
      return new HttpError(413, 'payload_too_large', 'Request body is over the limit');
    if (e?.type === 'entity.parse.failed') return new HttpError(400, 'bad_request', 'Body is not valid JSON');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
      return new HttpError(e.status, 'bad_request', 'The request is malformed');
    return internal(requestId);
  } catch {
    return internal(requestId);
  }
}

const FALLBACK = '{"error":{"code":"internal","message":"Internal error","details":{}}}';

/**
 * The one error renderer: always JSON in the `{"error":{code,message,details}}` shape, never HTML or
 * a stack trace, and it cannot itself throw. 5xx and database errors are logged with the request id
 * the answer carries.
 */
/** Retry-After of a 503 `timeout`: the database was busy, so not at once. */
export const TIMEOUT_RETRY_AFTER_S = 10;

export function errorRenderer(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let requestId = 'unknown';
    try {
      requestId = String(res.locals.requestId ?? randomUUID());
    } catch {
      /* keep 'unknown' */
    }
    const e = toHttpError(err, requestId);
    try {
      // A kept answer still being computed (limits.ts keptHeavyQuery) is the expected first answer to
      // a street's gaps and proposals, which the page asks again for: not a failure, no stack.
      if ((e.details as { reason?: unknown } | undefined)?.reason === 'still_computing')
        logger.info(
          { request_id: requestId, url: req.originalUrl?.slice(0, 500) },
          'still computing; asked to retry',
        );
      else if (e.code === 'unavailable')
        logger.warn(
          { err: String(err), request_id: requestId, url: req.originalUrl?.slice(0, 500) },
          'database unavailable',
        );
      else if (e.status >= 500 || sqlstate(err))
        logger[e.status >= 500 ? 'error' : 'warn'](
          { err, request_id: requestId, method: req.method, url: req.originalUrl?.slice(0, 500) },
          'request failed',
        );
    } catch {
      /* a log line must not cost the answer */
    }
    let status = e.status;
    let text: string;
    try {
      const body: ApiErrorBody = {
        error: {
          code: e.code,
          message: e.message,
          // Always present, so a client can read details.reason without a guard: {} when none.
          details: e.details ?? {},
        },
      };
      text = JSON.stringify(body);
    } catch {
      status = 500;
      text = FALLBACK;
    }
    try {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = status;
      if (e.code === 'unavailable') res.setHeader('Retry-After', String(RETRY_AFTER_S));
      const retryAfterS = (e.details as { retry_after_s?: unknown } | undefined)?.retry_after_s;
      if (typeof retryAfterS === 'number') res.setHeader('Retry-After', String(retryAfterS));
      // Any other 503 (a statement cancelled at its limit): ask again, but not at once.
      else if (status === 503 && e.code !== 'unavailable')
        res.setHeader('Retry-After', String(TIMEOUT_RETRY_AFTER_S));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(text);
    } catch {
      try {
        res.destroy();
      } catch {
        /* nothing left to do */
      }
    }
  };
}
