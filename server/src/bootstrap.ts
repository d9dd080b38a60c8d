import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ensureDemoAccounts, type DemoAccount } from './auth.ts';
import type { Config } from './config.ts';
import { migrate, type Db } from './db/index.ts';
import { ensurePlaces } from './coverage/repository.ts';
import { seedDemoCity } from './seed.ts';

/**
 * Brings a database to where the app can serve it: migrations, the demo city on an empty database,
 * and the demo accounts. Safe to run on every start and from several processes.
 */
export async function bootstrap(db: Db, config: Config, logger: Logger): Promise<void> {
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const empty =
    (await db.query<{ n: number }>('SELECT count(*)::integer AS n FROM jurisdictions')).rows[0]!.n === 0;
  if (empty && config.demoBuildings > 0) {
    logger.info({ buildings: config.demoBuildings }, 'empty database: loading the synthetic demo city');
    const summary = await seedDemoCity(db, { buildings: config.demoBuildings });
    logger.info(summary, 'demo city loaded');
  }

  // Buildings a bulk load left unplaced (the seed, an import) are placed now, in the background, so
  // the first dashboard read does not wait for it (about a minute at 2,000,000 buildings).
  const t0 = Date.now();
  void ensurePlaces(db).then(
    () => logger.debug({ ms: Date.now() - t0 }, 'buildings placed'),
    (e: unknown) =>
      logger.warn({ err: e }, 'placing the buildings failed; the next coverage read tries again'),
  );

  const hasAdmin = (await db.query("SELECT 1 FROM users WHERE username = 'admin'")).rowCount > 0;
  const password = config.adminPassword ?? (hasAdmin ? undefined : generatedPassword());
  if (password) {
    // A generated password nobody chose must be replaced at first sign-in; ADMIN_PASSWORD was chosen.
    const { accounts, created } = await ensureDemoAccounts(db, password, {
      mustChangePassword: !config.adminPassword,
    });
    // A generated password is shown once, when it is made. With ADMIN_PASSWORD the one starting knows
    // it, so the accounts are named on every start: who is which street (issue 9 #14).
    if (created.length || config.adminPassword) {
      const said = !config.adminPassword
        ? `${password}  (shown once; set a new one at first sign-in)`
        : created.length === accounts.length
          ? 'from ADMIN_PASSWORD'
          : 'from ADMIN_PASSWORD for the accounts created now; those from an earlier start keep theirs';
      console.log(`\n${demoAccountsText(accounts)}\n  Password: ${said}\n`);
    }
  }
}

/** A password for the first start: 16 characters of base64url. */
export function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** The demo accounts, one a line with role and 街道, so a newcomer can tell which user is which street. */
export function demoAccountsText(accounts: readonly DemoAccount[]): string {
  const width = Math.max(...accounts.map((a) => a.username.length));
  return [
    '  Demo accounts:',
    ...accounts.map(
      (a) =>
        `    ${a.username.padEnd(width)}  ${a.role.padEnd(13)}  ${
          a.streetCode
            ? `${a.streetName ?? ''} (${a.streetCode})`
            : a.role === 'city_admin'
              ? 'whole city'
              : 'read only'
        }`,
    ),
  ].join('\n');
}
