import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ensureDemoAccounts } from './auth.ts';
import type { Config } from './config.ts';
import { migrate, type Db } from './db/index.ts';
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

  const hasAdmin = (await db.query("SELECT 1 FROM users WHERE username = 'admin'")).rowCount > 0;
  const password = config.adminPassword ?? (hasAdmin ? undefined : randomBytes(9).toString('base64url'));
  if (password) {
    const created = await ensureDemoAccounts(db, password);
    if (created.includes('admin') && !config.adminPassword) {
      console.log(
        `\n  Demo accounts created (admin, viewer, editor-<street code>). Password, shown once: ${password}\n`,
      );
    }
  }
}
