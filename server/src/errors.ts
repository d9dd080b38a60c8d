import type { ErrorCode } from '../../core/errors.ts';

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
