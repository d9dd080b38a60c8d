import type { Request } from 'express';
import { COMPOUND_CATEGORIES, isOneOf, type CompoundCategory } from '../../../core/vocabulary.ts';
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

/**
 * The place a list is narrowed to: a district, a street and a 社区 code, each optional; every one
 * given must hold (issue 9 #5: a list under a district's or a 社区's title is that place's alone).
 */
export interface PlaceFilter {
  district?: string;
  street?: string;
  community?: string;
}

export const placeFilter = (req: Request): PlaceFilter => ({
  district: queryString(req, 'district'),
  street: queryString(req, 'street'),
  community: queryString(req, 'community'),
});

/** A compound category parameter (三无, 自管, 专业物业), or undefined. */
export function queryCategory(req: Request): CompoundCategory | undefined {
  const c = queryString(req, 'category');
  if (c !== undefined && !isOneOf(COMPOUND_CATEGORIES, c)) {
    throw badRequest('bad_request', `category must be one of ${COMPOUND_CATEGORIES.join(', ')}`, {
      category: c,
    });
  }
  return c;
}
