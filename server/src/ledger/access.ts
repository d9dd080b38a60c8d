import type { Request } from 'express';
import type { User } from '../auth.ts';
import { HttpError } from '../errors.ts';

/** `If-Match: "<version>"` (weak or bare accepted), or 428 when missing, 400 when malformed. */
export function ifMatchVersion(req: Request): number {
  const h = req.headers['if-match'];
  if (h === undefined || h === '')
    throw new HttpError(428, 'precondition_required', 'Send If-Match: "<version>" (the ETag you read)');
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h);
  if (!m) throw new HttpError(400, 'bad_request', `If-Match must be "<version>", got ${h}`);
  return Number(m[1]);
}

export const etag = (version: number) => `"${version}"`;

/** A street editor works on the compounds of its own 街道 only; a city admin on all. */
export function assertCompoundInJurisdiction(user: User, compoundStreet: string | null, what: string): void {
  if (user.role === 'street_editor' && compoundStreet !== user.streetCode) {
    throw new HttpError(
      403,
      'out_of_jurisdiction',
      `${what} belongs to street ${compoundStreet ?? '(none)'}, not ${user.streetCode}`,
      { street_code: user.streetCode, compound_street_code: compoundStreet },
    );
  }
}
