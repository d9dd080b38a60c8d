import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { assertPasswordPolicy, weakPassword } from '../auth.ts';
import { hashPassword, verifyPassword } from '../accounts/passwords.ts';
import { HttpError, badRequest } from '../errors.ts';
import { route } from '../http.ts';

const text = (v: unknown): v is string => typeof v === 'string';

/** /api/auth: sign in, who am I, sign out (everywhere), change my password. */
export function authRouter({ db, auth }: AppContext): Router {
  const router = Router();

  router.post(
    '/login',
    route(async (req, res) => {
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (!text(username) || !text(password) || username.length > 64) {
        throw badRequest('bad_request', 'Send {"username","password"} as JSON');
      }
      try {
        const { token, user } = await auth.login(username, password, req.ip ?? 'unknown');
        res.json({ token, user });
      } catch (e) {
        if (e instanceof HttpError && e.status === 429)
          res.set('Retry-After', String((e.details as { retryAfterS: number }).retryAfterS));
        throw e;
      }
    }),
  );

  router.get('/me', auth.required({ allowPasswordChange: true }), (req, res) => {
    res.json({ user: req.user });
  });

  // Signing out revokes every token of the user (the token version is per user, not per token).
  router.post(
    '/logout',
    auth.required({ allowPasswordChange: true }),
    route(async (req, res) => {
      await db.transaction((tx) => auth.revoke(tx, req.user!.id));
      res.status(204).end();
    }),
  );

  router.post(
    '/password',
    auth.required({ allowPasswordChange: true }),
    route(async (req, res) => {
      const { currentPassword, newPassword } = (req.body ?? {}) as Record<string, unknown>;
      if (!text(currentPassword) || !text(newPassword))
        throw badRequest('bad_request', 'Send {"currentPassword","newPassword"} as JSON');
      const user = req.user!;
      const row = (
        await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id])
      ).rows[0];
      if (!row || !(await verifyPassword(currentPassword, row.password_hash)))
        throw new HttpError(403, 'forbidden', 'The current password is wrong', {
          reason: 'wrong_current_password',
          field: 'currentPassword',
        });
      try {
        assertPasswordPolicy(newPassword, user.username, 'The new password');
      } catch (e) {
        weakPassword(e);
      }
      if (newPassword === currentPassword)
        throw badRequest('weak_password', 'The new password must differ from the current one', {
          reason: 'password_unchanged',
          problem: 'unchanged',
        });
      const hash = await hashPassword(newPassword);
      const r = await db.query<{ token_version: number }>(
        `UPDATE users SET password_hash = $2, must_change_password = false,
                token_version = token_version + 1, updated_at = now()
          WHERE id = $1 RETURNING token_version`,
        [user.id, hash],
      );
      const token = await auth.sign(user.id, r.rows[0]!.token_version);
      res.json({ token, user: { ...user, mustChangePassword: false } });
    }),
  );
  return router;
}
