import type { Request } from 'express';
import { badRequest } from '../errors.ts';

/** A query parameter given at most once, or undefined. */
export function queryString(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest('bad_request', `${name} must be given once`);
  return v;
}

/** A number parameter within [min, max], or the default. */
export function queryNumber(req: Request, name: string, dflt: number, min: number, max: number): number {
  const raw = queryString(req, name);
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw badRequest('bad_request', `${name} must be a number from ${min} to ${max}`, { [name]: raw });
  }
  return n;
}

/** A whole-number parameter within [min, max], or the default (`limit=1.5` is a 400). */
export function queryInt(req: Request, name: string, dflt: number, min: number, max: number): number {
  const raw = queryString(req, name);
  if (raw === undefined) return dflt;
  const n = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest('bad_request', `${name} must be a whole number from ${min} to ${max}`, { [name]: raw });
  }
  return n;
}
