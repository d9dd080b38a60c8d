import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../errors.ts';
import { INPUT_LIMITS } from './limits.ts';

const refused = (message: string, details: Record<string, unknown>) =>
  new HttpError(400, 'bad_request', message, details);

/**
 * The one input layer, as body-parser's `verify`: refuses JSON nested deeper than the limit by a
 * linear scan of the raw bytes, before JSON.parse or any recursive walk can overflow the stack.
 */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped character
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > INPUT_LIMITS.jsonDepth)
        throw refused(`JSON is nested deeper than ${INPUT_LIMITS.jsonDepth} levels`, {
          max_depth: INPUT_LIMITS.jsonDepth,
        });
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
}

/** Where a bad value sits in a body, as `a.b[3]`. */
const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * A parsed JSON body: no NUL in any string or key, strings and keys within their lengths, every
 * number finite (JSON.parse turns 1e400 into Infinity). Iterative, so depth cannot hurt it.
 */
export function checkJsonValue(root: unknown): void {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        throw refused(`${path || 'The body'} contains a NUL character`, { path, problem: 'nul_character' });
      if (v.length > INPUT_LIMITS.stringLength)
        throw refused(`${path || 'The body'} is longer than ${INPUT_LIMITS.stringLength} characters`, {
          path,
          problem: 'too_long',
          max_length: INPUT_LIMITS.stringLength,
        });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw refused(`${path || 'The body'} is not a finite number`, { path, problem: 'not_finite' });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], at(path, i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000') || k.length > INPUT_LIMITS.keyLength)
          throw refused(`A key in ${path || 'the body'} contains a NUL character or is too long`, {
            path,
            problem: 'bad_key',
          });
        stack.push([x, at(path, k)]);
      }
    }
  }
}

/** Middleware after the JSON parser: checkJsonValue over req.body. */
export function guardJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (req.body !== undefined && !Buffer.isBuffer(req.body)) checkJsonValue(req.body);
  next();
}

/**
 * Middleware before any router: the path decodes and has no NUL; query parameters are few, short,
 * and without NUL (names and values), so no handler or SQL statement ever sees one.
 */
export function guardUrl(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    throw new HttpError(400, 'bad_request', 'The path is not valid percent-encoding');
  }
  if (path.includes('\u0000'))
    throw refused('The path contains a NUL character', { problem: 'nul_character' });
  const entries = Object.entries(req.query as Record<string, unknown>);
  if (entries.length > INPUT_LIMITS.queryParameters)
    throw refused(`More than ${INPUT_LIMITS.queryParameters} query parameters`, {
      max: INPUT_LIMITS.queryParameters,
    });
  for (const [name, raw] of entries) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of [name, ...values]) {
      if (typeof v !== 'string') throw refused(`Query parameter ${name.slice(0, 40)} is malformed`, {});
      if (v.includes('\u0000'))
        throw refused(`Query parameter ${name.replace(/\0/g, '')} contains a NUL character`, {
          parameter: name.replace(/\0/g, ''),
          problem: 'nul_character',
        });
      if (v.length > INPUT_LIMITS.queryLength)
        throw refused(`Query parameter ${name.slice(0, 40)} is longer than ${INPUT_LIMITS.queryLength}`, {
          parameter: name.slice(0, 40),
          problem: 'too_long',
          max_length: INPUT_LIMITS.queryLength,
        });
    }
  }
  next();
}
