import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../core/vocabulary.ts';
import type { Db, Queryable } from './db/index.ts';
import { HttpError } from './errors.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/** The signed-in user a request acts as. */
export interface User {
  username: string;
  role: Role;
  /** The 街道 a street_editor is bound to. */
  streetCode: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

/** scrypt with a random salt: `scrypt$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const want = Buffer.from(hashB64, 'base64');
  const got = await scrypt(password, Buffer.from(saltB64, 'base64'), want.length);
  return timingSafeEqual(want, got);
}

const TOKEN_TTL_S = 12 * 3600;
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * Stateless bearer tokens (HMAC-SHA256 over a JSON payload). The key lives in the database (or
 * AUTH_SECRET), so every app process on one database accepts every other's tokens.
 */
export class Auth {
  #secret: Promise<Buffer> | undefined;
  constructor(
    private readonly db: Db,
    private readonly configured?: string,
  ) {}

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

  async login(username: string, password: string): Promise<{ token: string; user: User }> {
    const r = await this.db.query<{
      username: string;
      password_hash: string;
      role: Role;
      street_code: string | null;
    }>('SELECT username, password_hash, role, street_code FROM users WHERE username = $1', [username]);
    const row = r.rows[0];
    if (!row || !(await verifyPassword(password, row.password_hash))) {
      throw new HttpError(401, 'unauthorized', 'Wrong username or password', { reason: 'wrong_credentials' });
    }
    const user: User = { username: row.username, role: row.role, streetCode: row.street_code };
    return { token: await this.sign(user), user };
  }

  async sign(user: User, ttlS = TOKEN_TTL_S): Promise<string> {
    const payload = b64url(
      JSON.stringify({
        u: user.username,
        r: user.role,
        s: user.streetCode,
        exp: Math.floor(Date.now() / 1000) + ttlS,
      }),
    );
    const sig = createHmac('sha256', await this.secret())
      .update(payload)
      .digest('base64url');
    return `${payload}.${sig}`;
  }

  async verify(token: string): Promise<User> {
    const [payload, sig] = token.split('.');
    if (!payload || !sig) throw new HttpError(401, 'unauthorized', 'Malformed token');
    const want = createHmac('sha256', await this.secret())
      .update(payload)
      .digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(want, got))
      throw new HttpError(401, 'unauthorized', 'Invalid token');
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      u: string;
      r: Role;
      s: string | null;
      exp: number;
    };
    if (p.exp < Date.now() / 1000) throw new HttpError(401, 'unauthorized', 'Token expired; sign in again');
    return { username: p.u, role: p.r, streetCode: p.s };
  }

  /** Middleware: a valid `Authorization: Bearer <token>` or 401. */
  required() {
    return async (req: Request, _res: Response, next: NextFunction) => {
      const h = req.headers.authorization;
      if (!h?.startsWith('Bearer '))
        return next(
          new HttpError(
            401,
            'unauthorized',
            'This needs Authorization: Bearer <token> (POST /api/auth/login)',
          ),
        );
      try {
        req.user = await this.verify(h.slice(7));
        next();
      } catch (e) {
        next(e);
      }
    };
  }
}

/** Throws 403 unless the user may write (city_admin, street_editor). */
export function assertCanWrite(user: User | undefined): asserts user is User {
  if (!user) throw new HttpError(401, 'unauthorized', 'Sign in first');
  if (user.role === 'viewer') throw new HttpError(403, 'forbidden', 'Viewers can read only');
}

/**
 * The demo accounts: `admin` (city_admin) and `editor-<street code>` per 街道, all with one password.
 * Creates only the missing ones. Demo data only.
 */
export async function ensureDemoAccounts(db: Queryable, password: string): Promise<string[]> {
  const streets = await db.query<{ code: string }>(
    "SELECT code FROM jurisdictions WHERE level = 'street' ORDER BY code",
  );
  const wanted: { username: string; role: Role; street: string | null }[] = [
    { username: 'admin', role: 'city_admin', street: null },
    { username: 'viewer', role: 'viewer', street: null },
    ...streets.rows.map((s) => ({
      username: `editor-${s.code}`,
      role: 'street_editor' as const,
      street: s.code,
    })),
  ];
  const created: string[] = [];
  for (const w of wanted) {
    const r = await db.query(
      'INSERT INTO users (username, password_hash, role, street_code) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING',
      [w.username, await hashPassword(password), w.role, w.street],
    );
    if (r.rowCount > 0) created.push(w.username);
  }
  return created;
}
