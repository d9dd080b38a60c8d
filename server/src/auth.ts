import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../core/vocabulary.ts';
import { LoginLimit } from './accounts/login-limit.ts';
import {
  describePasswordProblem,
  hashPassword,
  passwordProblem,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyNobody,
  verifyPassword,
} from './accounts/passwords.ts';
import { runAs } from './accounts/session.ts';
import type { Db, Queryable } from './db/index.ts';
import { HttpError, badRequest } from './errors.ts';

export { hashPassword, verifyPassword } from './accounts/passwords.ts';

/** The signed-in user a request acts as (read from the users table on every request). */
export interface User {
  id: number;
  username: string;
  role: Role;
  /** The 街道 a street_editor is bound to. */
  streetCode: string | null;
  /** Set by an admin's reset and on the generated first admin password: only a new password may be set. */
  mustChangePassword: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
    /** When the request's bearer token expires (Unix seconds): what it opens may last no longer. */
    tokenExpiresAt?: number;
  }
}

/** Lifetime of a token; a token claiming a longer one is refused. */
export const TOKEN_TTL_S = 12 * 3600;
/** Clock difference tolerated between app processes for `iat`. */
const CLOCK_SKEW_S = 60;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
/** The one header every token carries (HS256 JWT); any other header is refused, so no `alg` games. */
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
const PAYLOAD_KEYS = ['exp', 'iat', 'sub', 'v'];
const TICKET_SHAPE = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/;

interface Claims {
  /** users.id */
  sub: number;
  /** users.token_version when signed: a bump (logout, disable, role change, reset) revokes the token. */
  v: number;
  iat: number;
  exp: number;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  street_code: string | null;
  must_change_password: boolean;
  token_version: number;
  disabled: boolean;
}

const unauthorized = (message: string, reason = 'session_expired') =>
  new HttpError(401, 'unauthorized', message, { reason });

function userOf(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    streetCode: row.street_code,
    mustChangePassword: row.must_change_password,
  };
}

/**
 * Bearer tokens: HS256 JWTs naming a user id and that user's token version. The key lives in the
 * database (or AUTH_SECRET), so every app process on one database accepts every other's tokens; the
 * user is read on every request, so a disabled, demoted or signed-out user is refused at once.
 */
export class Auth {
  #secret: Promise<Buffer> | undefined;
  /** The users stillValid was asked about in this turn of the event loop, and their token versions. */
  #validity: { asked: Set<number>; answer: Promise<Map<number, number>> } | undefined;
  readonly limit: LoginLimit;
  constructor(
    private readonly db: Db,
    private readonly configured?: string,
  ) {
    this.limit = new LoginLimit(db);
  }

  private secret(): Promise<Buffer> {
    this.#secret ??= (async () => {
      if (this.configured) return Buffer.from(this.configured);
      await this.db.query(
        "INSERT INTO settings (key, value) VALUES ('auth_secret', $1) ON CONFLICT (key) DO NOTHING",
        [randomBytes(32).toString('base64')],
      );
      const r = await this.db.query<{ value: string }>(
        "SELECT value FROM settings WHERE key = 'auth_secret'",
      );
      return Buffer.from(r.rows[0]!.value, 'base64');
    })().catch((e) => {
      this.#secret = undefined;
      throw e;
    });
    return this.#secret;
  }

  /**
   * Checks a username and password in the same time whether or not the user exists (scrypt runs on
   * a dummy hash for unknown and disabled users), after the login limit counted the attempt.
   */
  async login(username: string, password: string, address: string): Promise<{ token: string; user: User }> {
    await this.limit.attempt(username, address);
    const r = await this.db.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    const row = r.rows[0];
    const ok =
      row && !row.disabled && password.length <= PASSWORD_MAX_LENGTH * 4
        ? await verifyPassword(password, row.password_hash)
        : await verifyNobody(password);
    if (!ok || !row) throw unauthorized('Wrong username or password', 'wrong_credentials');
    await this.limit.succeeded(username, address);
    return { token: await this.sign(row.id, row.token_version), user: userOf(row) };
  }

  async sign(userId: number, tokenVersion: number, ttlS = TOKEN_TTL_S): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const claims: Claims = { sub: userId, v: tokenVersion, iat, exp: iat + ttlS };
    const payload = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', await this.secret())
      .update(`${HEADER}.${payload}`)
      .digest('base64url');
    return `${HEADER}.${payload}.${sig}`;
  }

  /** The claims of a token signed by us, of the exact shape we sign, unexpired; else 401. */
  private async claims(token: string): Promise<Claims> {
    const m = TOKEN_SHAPE.exec(token);
    if (!m || m[1] !== HEADER) throw unauthorized('Malformed token');
    const want = createHmac('sha256', await this.secret())
      .update(`${m[1]}.${m[2]}`)
      .digest();
    const got = Buffer.from(m[3]!, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(want, got)) throw unauthorized('Invalid token');
    let p: unknown;
    try {
      p = JSON.parse(Buffer.from(m[2]!, 'base64url').toString('utf8'));
    } catch {
      throw unauthorized('Malformed token');
    }
    if (
      typeof p !== 'object' ||
      p === null ||
      Array.isArray(p) ||
      Object.keys(p).sort().join() !== PAYLOAD_KEYS.join()
    )
      throw unauthorized('Malformed token');
    const c = p as Record<string, unknown>;
    const whole = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) > 0;
    if (!whole(c.sub) || !whole(c.v) || !whole(c.iat) || !whole(c.exp)) throw unauthorized('Malformed token');
    const now = Date.now() / 1000;
    if (c.exp - c.iat > TOKEN_TTL_S || c.exp <= c.iat || c.iat > now + CLOCK_SKEW_S)
      throw unauthorized('Malformed token');
    if (c.exp < now) throw unauthorized('Token expired; sign in again');
    return c as unknown as Claims;
  }

  /**
   * A ticket for one purpose ('events': opening GET /api/events), valid `ttlS` seconds, for a user at
   * its current token version. EventSource cannot send an Authorization header, so the stream's URL
   * carries this instead of the bearer token: a URL ends up in logs, history and proxies, so what it
   * carries expires within a minute, opens only that stream, and is signed under its own domain
   * (`ticket:<purpose>`) so it is never accepted as a bearer token, nor a token as a ticket.
   * `until` (Unix seconds): when the token that asked for it expires; the ticket carries it, so what
   * it opens ends then too (a ticket never outlives its token), and it expires no later itself.
   */
  async signTicket(purpose: string, userId: number, ttlS: number, until: number): Promise<string> {
    const r = await this.db.query<{ token_version: number }>(
      'SELECT token_version FROM users WHERE id = $1 AND NOT disabled',
      [userId],
    );
    if (!r.rows[0]) throw unauthorized('This sign-in is no longer valid; sign in again');
    const exp = Math.floor(Date.now() / 1000) + ttlS;
    const payload = b64url(
      JSON.stringify({
        sub: userId,
        v: r.rows[0].token_version,
        exp: Math.min(exp, until),
        until,
      }),
    );
    const sig = createHmac('sha256', await this.secret())
      .update(`ticket:${purpose}.${payload}`)
      .digest('base64url');
    return `${payload}.${sig}`;
  }

  /**
   * The active user of an unexpired ticket for `purpose` (at the token version it was given for),
   * and `until`: when the token that asked for it expires (Unix seconds); else 401.
   */
  async verifyTicket(
    purpose: string,
    ticket: string,
  ): Promise<{ user: User; tokenVersion: number; until: number }> {
    const m = TICKET_SHAPE.exec(ticket);
    if (!m) throw unauthorized('Malformed ticket');
    // Compared as text: base64url's last character has two spare bits, so decoding would let
    // four spellings of one signature pass.
    const want = Buffer.from(
      createHmac('sha256', await this.secret())
        .update(`ticket:${purpose}.${m[1]}`)
        .digest('base64url'),
    );
    const got = Buffer.from(m[2]!);
    if (got.length !== want.length || !timingSafeEqual(want, got)) throw unauthorized('Invalid ticket');
    let c: { sub?: unknown; v?: unknown; exp?: unknown; until?: unknown };
    try {
      c = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as typeof c;
    } catch {
      throw unauthorized('Malformed ticket');
    }
    const whole = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) > 0;
    if (!whole(c.sub) || !whole(c.v) || !whole(c.exp) || !whole(c.until))
      throw unauthorized('Malformed ticket');
    if (c.exp < Date.now() / 1000) throw unauthorized('Ticket expired; ask for a new one');
    const r = await this.db.query<UserRow>(
      'SELECT * FROM users WHERE id = $1 AND token_version = $2 AND NOT disabled',
      [c.sub, c.v],
    );
    if (!r.rows[0]) throw unauthorized('This sign-in is no longer valid; sign in again');
    return { user: userOf(r.rows[0]), tokenVersion: c.v, until: c.until };
  }

  /**
   * Is the user still signed in at that token version (not disabled, signed out, demoted)? For
   * streams, which ask on every event: the questions asked in one turn of the event loop (every
   * open stream of this process, handed one event) are answered by one query.
   */
  stillValid(userId: number, tokenVersion: number): Promise<boolean> {
    let batch = this.#validity;
    if (!batch) {
      const asked = new Set<number>();
      const answer = new Promise<Map<number, number>>((resolve, reject) =>
        setImmediate(() => {
          this.#validity = undefined;
          this.db
            .query<{ id: number; token_version: number }>(
              'SELECT id, token_version FROM users WHERE id = ANY($1::bigint[]) AND NOT disabled',
              [[...asked.keys()]],
            )
            .then((r) => resolve(new Map(r.rows.map((x) => [Number(x.id), x.token_version]))), reject);
        }),
      );
      batch = this.#validity = { asked, answer };
    }
    batch.asked.add(userId);
    return batch.answer.then((valid) => valid.get(userId) === tokenVersion);
  }
  /**
   * The active user a token names, at the version it was signed for; else 401. `timeoutMs` bounds
   * how long the check may wait for the database (57014 past it, answered 503 `timeout`).
   */
  async verify(token: string, timeoutMs?: number): Promise<User> {
    return (await this.verifyToken(token, timeoutMs)).user;
  }

  /** verify, with when the token expires (Unix seconds). */
  private async verifyToken(token: string, timeoutMs?: number): Promise<{ user: User; exp: number }> {
    const c = await this.claims(token);
    const sql = 'SELECT * FROM users WHERE id = $1 AND token_version = $2 AND NOT disabled';
    const r =
      timeoutMs === undefined
        ? await this.db.query<UserRow>(sql, [c.sub, c.v])
        : await this.db.transaction((q) => q.query<UserRow>(sql, [c.sub, c.v]), { timeoutMs });
    const row = r.rows[0];
    if (!row) throw unauthorized('This sign-in is no longer valid; sign in again');
    return { user: userOf(row), exp: c.exp };
  }

  /**
   * Middleware: a valid `Authorization: Bearer <token>` or 401. The rest of the request then runs as
   * that user (app.user, app.role, app.street_code in every transaction). A user who must change
   * their password gets 403 `password_change_required` unless `allowPasswordChange`. `timeoutMs`:
   * see verify (heavy routes: their request waits for the database only so long, from the start).
   */
  required(opts: { allowPasswordChange?: boolean; timeoutMs?: number } = {}) {
    return async (req: Request, _res: Response, next: NextFunction) => {
      const h = req.headers.authorization;
      if (!h?.startsWith('Bearer '))
        return next(
          unauthorized('This needs Authorization: Bearer <token> (POST /api/auth/login)', 'sign_in_first'),
        );
      let user: User;
      let exp: number;
      try {
        ({ user, exp } = await this.verifyToken(h.slice(7), opts.timeoutMs));
      } catch (e) {
        return next(e);
      }
      if (user.mustChangePassword && !opts.allowPasswordChange)
        return next(
          new HttpError(
            403,
            'password_change_required',
            'Set a new password first (POST /api/auth/password)',
          ),
        );
      req.user = user;
      req.tokenExpiresAt = exp;
      runAs(
        { username: user.username, role: user.role, streetCode: user.streetCode, address: req.ip ?? null },
        () => next(),
      );
    };
  }

  /**
   * Middleware for a public read that tells a signed-in reader more (who edited a row: issue 10):
   * a valid `Authorization: Bearer <token>` sets req.user as required() does; no token, or one that
   * is no longer valid (malformed, expired, revoked), reads as anonymous: the answer is public, only
   * the names in it are not. A user who must change their password first reads as anonymous too. A
   * database failure while checking the token fails the request (503), as in required(). The read
   * itself runs as an anonymous read does (no runAs): req.user only says who asks.
   */
  optional() {
    return async (req: Request, _res: Response, next: NextFunction) => {
      const h = req.headers.authorization;
      if (!h?.startsWith('Bearer ')) return next();
      try {
        const { user, exp } = await this.verifyToken(h.slice(7));
        if (!user.mustChangePassword) {
          req.user = user;
          req.tokenExpiresAt = exp;
        }
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 401)) return next(e);
      }
      next();
    };
  }

  /** Revokes every token of a user (logout, disable, role change, password reset). */
  async revoke(q: Queryable, userId: number): Promise<void> {
    await q.query('UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1', [
      userId,
    ]);
  }
}

/** Throws 403 unless the user may write (city_admin, street_editor). */
export function assertCanWrite(user: User | undefined): asserts user is User {
  if (!user) throw unauthorized('Sign in first', 'sign_in_first');
  if (user.role === 'viewer')
    throw new HttpError(403, 'forbidden', 'Viewers can read only', { reason: 'read_only' });
}

/** Throws 403 unless the user is a city admin. */
export function assertAdmin(user: User | undefined): asserts user is User {
  if (!user) throw unauthorized('Sign in first', 'sign_in_first');
  if (user.role !== 'city_admin')
    throw new HttpError(403, 'forbidden', 'Only a city admin may do this', { reason: 'admin_only' });
}

/** Throws (with the variable's or field's name) when a password breaks the policy. */
export function assertPasswordPolicy(password: string, username: string | undefined, what: string): void {
  const p = passwordProblem(password, username);
  if (p) throw new PasswordPolicyError(p, `${what} is refused: ${describePasswordProblem(p)}`);
}

export class PasswordPolicyError extends Error {
  constructor(
    readonly problem: string,
    message: string,
  ) {
    super(message);
  }
}

/** Turns a password refused by the policy into 400 weak_password with its problem code. */
export function weakPassword(e: unknown): never {
  if (e instanceof PasswordPolicyError)
    throw badRequest('weak_password', e.message, {
      reason: `password_${e.problem}`,
      problem: e.problem,
      ...(e.problem === 'too_short' ? { min: PASSWORD_MIN_LENGTH } : {}),
    });
  throw e;
}

/** One demo account of the demo city, as the start-up log names it. */
export interface DemoAccount {
  username: string;
  role: Role;
  streetCode: string | null;
  streetName: string | null;
}

/**
 * The demo accounts: `admin` (city_admin), `viewer` and `editor-<street code>` per 街道, all with
 * one password (which must meet the policy). Creates only the missing ones; `mustChangePassword` for a
 * generated password nobody chose. Returns every demo account with its role and street, and which
 * were created now.
 */
export async function ensureDemoAccounts(
  db: Queryable,
  password: string,
  opts: { mustChangePassword?: boolean } = {},
): Promise<{ accounts: DemoAccount[]; created: string[] }> {
  assertPasswordPolicy(password, undefined, 'The demo accounts’ password');
  const streets = await db.query<{ code: string; name: string }>(
    "SELECT code, name FROM jurisdictions WHERE level = 'street' ORDER BY code",
  );
  const accounts: DemoAccount[] = [
    { username: 'admin', role: 'city_admin', streetCode: null, streetName: null },
    { username: 'viewer', role: 'viewer', streetCode: null, streetName: null },
    ...streets.rows.map((s) => ({
      username: `editor-${s.code}`,
      role: 'street_editor' as const,
      streetCode: s.code,
      streetName: s.name,
    })),
  ];
  // On a database that has them all (every start but the first) no password is hashed: scrypt is slow on purpose.
  const existing = await db.query<{ username: string }>(
    'SELECT username FROM users WHERE username = ANY($1)',
    [accounts.map((a) => a.username)],
  );
  const have = new Set(existing.rows.map((r) => r.username));
  const missing = accounts.filter((a) => !have.has(a.username));
  const created: string[] = [];
  if (!missing.length) return { accounts, created };
  const hash = await hashPassword(password);
  for (const a of missing) {
    const r = await db.query(
      `INSERT INTO users (username, password_hash, role, street_code, must_change_password)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
      [a.username, hash, a.role, a.streetCode, opts.mustChangePassword ?? false],
    );
    if (r.rowCount > 0) created.push(a.username);
  }
  return { accounts, created };
}
