import { Router } from 'express';
import type { Account, CreateAccountRequest, UpdateAccountRequest } from '../../../core/accounts.ts';
import { USERNAME_PATTERN } from '../../../core/accounts.ts';
import { ROLES, isOneOf, type Role } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import { assertAdmin, assertPasswordPolicy, weakPassword } from '../auth.ts';
import { hashPassword } from '../accounts/passwords.ts';
import type { Queryable } from '../db/index.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { parseId, route } from '../http.ts';

interface AccountRow {
  id: number;
  username: string;
  role: Role;
  street_code: string | null;
  disabled: boolean;
  must_change_password: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, username, role, street_code, disabled, must_change_password, created_at, updated_at';
const iso = (d: Date | string) => new Date(d).toISOString();

function account(r: AccountRow): Account {
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    streetCode: r.street_code,
    disabled: r.disabled,
    mustChangePassword: r.must_change_password,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

const invalid = (field: string, message: string) => badRequest('invalid_attribute', message, { field });

/** A role and 街道 that fit together: a street editor needs an existing street, the others none. */
async function placeOf(q: Queryable, role: Role, streetCode: unknown): Promise<string | null> {
  if (role !== 'street_editor') {
    if (streetCode !== undefined && streetCode !== null && streetCode !== '')
      throw invalid('streetCode', 'Only a street editor has a 街道');
    return null;
  }
  if (typeof streetCode !== 'string' || !streetCode)
    throw invalid('streetCode', 'A street editor needs streetCode, the code of a 街道');
  const r = await q.query("SELECT 1 FROM jurisdictions WHERE code = $1 AND level = 'street'", [streetCode]);
  if (r.rowCount === 0) throw invalid('streetCode', `No 街道 with code ${streetCode}`);
  return streetCode;
}

function policy(password: string, username: string) {
  try {
    assertPasswordPolicy(password, username, 'The password');
  } catch (e) {
    weakPassword(e);
  }
}

/**
 * /api/users — the city admin's user management: list, create, change role / 街道 / disabled, reset a
 * password. Every change revokes the user's tokens (token_version + 1), so it holds at once.
 */
export function usersRouter({ db }: AppContext): Router {
  const router = Router();

  router.get(
    '/',
    route(async (req, res) => {
      assertAdmin(req.user);
      const r = await db.query<AccountRow>(`SELECT ${COLUMNS} FROM users ORDER BY username`);
      res.json({ users: r.rows.map(account) });
    }),
  );

  router.post(
    '/',
    route(async (req, res) => {
      assertAdmin(req.user);
      const b = (req.body ?? {}) as Partial<Record<keyof CreateAccountRequest, unknown>>;
      if (typeof b.username !== 'string' || !USERNAME_PATTERN.test(b.username))
        throw invalid('username', 'username: 2–64 letters, digits, . _ -, starting with a letter or digit');
      if (typeof b.role !== 'string' || !isOneOf(ROLES, b.role))
        throw invalid('role', `role must be one of ${ROLES.join(', ')}`);
      if (typeof b.password !== 'string') throw invalid('password', 'password is required');
      const { username, role, password } = { username: b.username, role: b.role, password: b.password };
      policy(password, username);
      const hash = await hashPassword(password);
      const created = await db.transaction(async (tx) => {
        const street = await placeOf(tx, role, b.streetCode);
        const r = await tx.query<AccountRow>(
          `INSERT INTO users (username, password_hash, role, street_code, must_change_password)
           VALUES ($1, $2, $3, $4, true) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
          [username, hash, role, street],
        );
        if (r.rowCount === 0)
          throw new HttpError(409, 'username_taken', `The username ${username} is taken`, {
            field: 'username',
          });
        return r.rows[0]!;
      });
      res.status(201).json({ user: account(created) });
    }),
  );

  router.patch(
    '/:id',
    route(async (req, res) => {
      assertAdmin(req.user);
      const id = parseId(req.params.id);
      const b = (req.body ?? {}) as Partial<Record<keyof UpdateAccountRequest, unknown>>;
      if (b.role !== undefined && (typeof b.role !== 'string' || !isOneOf(ROLES, b.role)))
        throw invalid('role', `role must be one of ${ROLES.join(', ')}`);
      if (b.disabled !== undefined && typeof b.disabled !== 'boolean')
        throw invalid('disabled', 'disabled must be true or false');
      if (id === req.user.id && ((b.role !== undefined && b.role !== 'city_admin') || b.disabled === true))
        throw new HttpError(403, 'forbidden', 'You cannot demote or disable your own account', {
          reason: 'own_account',
        });
      const updated = await db.transaction(async (tx) => {
        const cur = (
          await tx.query<AccountRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id])
        ).rows[0];
        if (!cur) throw notFound(`No user ${id}`);
        const role = (b.role as Role | undefined) ?? cur.role;
        const street = await placeOf(
          tx,
          role,
          b.streetCode !== undefined ? b.streetCode : role === 'street_editor' ? cur.street_code : null,
        );
        const disabled = (b.disabled as boolean | undefined) ?? cur.disabled;
        if (role === cur.role && street === cur.street_code && disabled === cur.disabled) return cur;
        const r = await tx.query<AccountRow>(
          `UPDATE users SET role = $2, street_code = $3, disabled = $4,
                  token_version = token_version + 1, updated_at = now()
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, role, street, disabled],
        );
        return r.rows[0]!;
      });
      res.json({ user: account(updated) });
    }),
  );

  // An admin sets a password the user must replace at the next sign-in; every old token is revoked.
  router.post(
    '/:id/password',
    route(async (req, res) => {
      assertAdmin(req.user);
      const id = parseId(req.params.id);
      const { password } = (req.body ?? {}) as { password?: unknown };
      if (typeof password !== 'string') throw invalid('password', 'password is required');
      const name = (await db.query<{ username: string }>('SELECT username FROM users WHERE id = $1', [id]))
        .rows[0]?.username;
      if (!name) throw notFound(`No user ${id}`);
      policy(password, name);
      const hash = await hashPassword(password);
      const r = await db.query<AccountRow>(
        `UPDATE users SET password_hash = $2, must_change_password = true,
                token_version = token_version + 1, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, hash],
      );
      if (r.rowCount === 0) throw notFound(`No user ${id}`);
      res.json({ user: account(r.rows[0]!) });
    }),
  );
  return router;
}
