import type { Queryable } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { sqlFiles } from '../sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url));
const ATTEMPT = sql('login-attempt.sql');
const SUCCEEDED = sql('login-succeeded.sql');

/** Free attempts, then a lock of `baseS` seconds doubling per further failure up to `maxS`. */
interface Limit {
  threshold: number;
  baseS: number;
  maxS: number;
}
/** A username: five guesses, then 1 s, 2 s, 4 s … at most 15 min between guesses. */
const PER_USER: Limit = { threshold: 5, baseS: 1, maxS: 900 };
/** An address trying many usernames: thirty, then the same backoff. */
const PER_ADDRESS: Limit = { threshold: 30, baseS: 1, maxS: 900 };

const userKey = (username: string) => `user:${username.toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;

/**
 * The sign-in limit (issue 10 #6: 300 guesses in 36 s before). Its state is a table, so every app
 * process on one database counts the same attempts. An attempt is counted before the password is
 * checked, so parallel guesses cannot slip past the count; a success gives the count back.
 */
export class LoginLimit {
  constructor(private readonly db: Queryable) {}

  /** Counts this attempt, or throws 429 with `Retry-After` seconds when the username or address is locked. */
  async attempt(username: string, address: string): Promise<void> {
    for (const [key, l] of [
      [userKey(username), PER_USER],
      [addressKey(address), PER_ADDRESS],
    ] as const) {
      const r = await this.db.query(ATTEMPT, [key, l.threshold, l.baseS, l.maxS]);
      if (r.rowCount === 0) throw await this.locked([key]);
    }
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.db.query(SUCCEEDED, [userKey(username), addressKey(address), PER_ADDRESS.threshold]);
  }

  private async locked(keys: string[]): Promise<HttpError> {
    const r = await this.db.query<{ s: number | null }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::integer AS s
         FROM login_attempts WHERE key = ANY($1) AND locked_until > now()`,
      [keys],
    );
    const retryAfterS = Math.max(1, r.rows[0]?.s ?? 1);
    return new HttpError(429, 'rate_limited', `Too many sign-in attempts; try again in ${retryAfterS} s`, {
      retryAfterS,
    });
  }
}
