/**
 * npm run seed -- [--buildings N] [--seed S]
 *
 * Replaces everything in the database (DATABASE_URL, else the embedded PGLITE_DIR) with the synthetic
 * demo city at another size — e.g. 200,000 buildings for benchmarks — and recreates the demo
 * accounts with ADMIN_PASSWORD, or a generated password printed here.
 */
import { parseArgs } from 'node:util';
import { ensureDemoAccounts } from '../src/auth.ts';
import { demoAccountsText, generatedPassword } from '../src/bootstrap.ts';
import { ConfigError, loadBatchConfig } from '../src/config.ts';
import { asOwner, migrate, openDb, type Db } from '../src/db/index.ts';
import { seedDemoCity } from '../src/seed.ts';

const USAGE = 'usage: npm run seed -- [--buildings N (1–2000000, default 20000)] [--seed S]';
const MAX_BUILDINGS = 2_000_000;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function wholeNumber(name: string, raw: string | undefined, dflt: number, min: number, max: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        buildings: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    console.log(USAGE);
    return;
  }
  const buildings = wholeNumber('buildings', args.values.buildings, 20_000, 1, MAX_BUILDINGS);
  const seed = wholeNumber('seed', args.values.seed, 510903, 0, 2 ** 32 - 1);

  let config;
  try {
    config = loadBatchConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(`Configuration error: ${e.message}`);
    throw e;
  }
  let db: Db | undefined;
  try {
    db = await openDb(asOwner(config));
    await migrate(db);
    const where = config.databaseUrl ? 'PostgreSQL' : `embedded database ${config.pgliteDir}`;
    console.log(
      `Loading the synthetic demo city (${buildings.toLocaleString('en-US')} buildings, seed ${seed}) into the ${where}`,
    );
    const tty = process.stdout.isTTY;
    let inLine = false;
    const counts = await seedDemoCity(db, {
      buildings,
      seed,
      onProgress: (msg) => {
        // Building progress rewrites one line on a terminal; everything else gets its own line.
        if (tty && msg.startsWith('buildings ') && msg.includes('/s)')) {
          process.stdout.write(`\r${msg}\x1b[K`);
          inLine = true;
          return;
        }
        if (inLine) process.stdout.write('\n');
        inLine = false;
        console.log(msg);
      },
    });
    console.log(
      Object.entries(counts)
        .map(([t, n]) => `  ${t.padEnd(22)} ${n.toLocaleString('en-US').padStart(9)}`)
        .join('\n'),
    );
    const password = config.adminPassword ?? generatedPassword();
    const { accounts } = await ensureDemoAccounts(db, password, {
      mustChangePassword: !config.adminPassword,
    });
    console.log(
      demoAccountsText(accounts) +
        (config.adminPassword
          ? '\n  (password from ADMIN_PASSWORD)'
          : `\n  Password, shown once: ${password}`),
    );
  } finally {
    await db?.close();
  }
}

main().catch((e: unknown) => {
  console.error(`seed failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
