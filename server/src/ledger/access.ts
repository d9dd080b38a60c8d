import type { User } from '../auth.ts';
import { HttpError } from '../errors.ts';

/** A street editor works on the compounds of its own 街道 only; a city admin on all. */
export function assertCompoundInJurisdiction(user: User, compoundStreet: string | null, what: string): void {
  if (user.role === 'street_editor' && compoundStreet !== user.streetCode) {
    throw new HttpError(
      403,
      'out_of_jurisdiction',
      `${what} belongs to street ${compoundStreet ?? '(none)'}, not ${user.streetCode}`,
      { reason: 'compound_other_street', street_code: user.streetCode, compound_street_code: compoundStreet },
    );
  }
}
