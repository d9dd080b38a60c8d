import type { Logger } from 'pino';
import type { Db } from './db.ts';

/** The group role migration 0013 grants the app's privileges to (see migrations/0013_app_role_rls.sql). */
export const APP_ROLE = 'wuyou_app';

/**
 * Least privilege at start (issue 10 #7), after the migrations ran as the owner.
 * - On a server the app's connection should be a member of wuyou_app, no superuser and owning
 *   nothing; if it is a superuser (or owns the tables) row-level security does not apply to it,
 *   which is logged as a warning (today's single-URL setup keeps working).
 * - Embedded, PGlite has one connection as its superuser; the app then drops to wuyou_app with
 *   SET ROLE for the rest of the process, so row-level security and the grants apply there too.
 *   (Not a boundary against code in the process: it could RESET ROLE. It is against SQL the app
 *   runs on a user's behalf.)
 */
export async function leastPrivilege(db: Db, logger: Logger): Promise<void> {
  if (db.kind === 'embedded') {
    await db.exec(`SET ROLE ${APP_ROLE}`);
    logger.info({ role: APP_ROLE }, 'embedded database: the app runs as the unprivileged role');
    return;
  }
  const r = await db.query<{ role: string; superuser: boolean; owns: number }>(
    `SELECT current_user AS role, r.rolsuper AS superuser,
            (SELECT count(*)::integer FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owns
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const me = r.rows[0];
  if (me && (me.superuser || me.owns > 0))
    logger.warn(
      { role: me.role, superuser: me.superuser, ownsTables: me.owns },
      'DATABASE_URL connects as a superuser or the tables’ owner: row-level security does not bind it. ' +
        `Run migrations with MIGRATION_DATABASE_URL (the owner) and give DATABASE_URL a login role in ${APP_ROLE}`,
    );
}
