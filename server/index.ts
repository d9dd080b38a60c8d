import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { staleReason } from './cli/ensure-client.ts';
import { createApp } from './src/app.ts';
import type { AppContext } from './src/context.ts';
import { createHttpServer } from './src/http-server.ts';
import { ConfigError, loadConfig } from './src/config.ts';
import { openDb } from './src/db/index.ts';
import { bootstrap } from './src/bootstrap.ts';
import { leastPrivilege } from './src/db/roles.ts';
import { refreshStaleStreetResults } from './src/coverage/street-results.ts';
import { STREET_RESULT_COMPUTERS } from './src/coverage/street-result-computers.ts';

const logger = pino({ level: process.env.LOG_LEVEL || 'info' });

/**
 * `npm start` passes --ensure-client: client/dist is checked here, and built (by ensure-client.ts, in a
 * process of its own so Vite's memory goes with it) only when missing or older than its sources,
 * while the database opens, instead of one start-up after the other (issue 9 #14).
 */
function ensureClientAlongside(): Promise<void> {
  if (!process.argv.includes('--ensure-client')) return Promise.resolve();
  if (!staleReason()) {
    console.log('client/dist is up to date: not rebuilding');
    return Promise.resolve();
  }
  const script = fileURLToPath(new URL('./cli/ensure-client.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`building the client failed (exit ${code})`)),
    );
  });
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const client = ensureClientAlongside();
  client.catch(() => undefined); // awaited below; not unhandled while the database opens
  const db = await openDb(config, (err) => logger.warn({ err: err.message }, 'database connection lost'), {
    readReplica: true,
  });
  if (config.migrationDatabaseUrl) {
    // Migrations and the demo city as the owner; the app itself keeps only its unprivileged role.
    const owner = await openDb({ ...config, databaseUrl: config.migrationDatabaseUrl });
    try {
      await bootstrap(owner, config, logger);
    } finally {
      await owner.close();
    }
  } else await bootstrap(db, config, logger);
  await leastPrivilege(db, logger);
  await client;
  const app = createApp({ db, config, logger });
  const server = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  logger.info({ port, db: db.kind }, 'listening');
  console.log(
    `\n  五有地图 wuyou-map is running: http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/\n`,
  );

  // Kept dashboard answers an edit made stale are recomputed in the background (issue 12), a few at a
  // time and never two rounds at once, so the next dashboard read is a hit again. Not on the embedded
  // database: its one connection would hold every request that needs it for the seconds a street takes.
  let refreshing = false;
  const refresher = setInterval(() => {
    if (refreshing || db.kind !== 'postgres') return;
    refreshing = true;
    db.transaction((tx) => refreshStaleStreetResults(tx, STREET_RESULT_COMPUTERS, 1), {
      timeoutMs: config.limits.backgroundTimeoutMs,
    })
      .catch((err: Error) => logger.warn({ err: err.message }, 'refreshing kept street answers failed'))
      .finally(() => (refreshing = false));
  }, 3_000);
  refresher.unref();

  // Graceful shutdown: stop accepting, let the requests in flight finish (new requests on kept-alive
  // connections are told to close), then close the pools. A second signal or 10 s end it at once.
  let closing = false;
  const inFlight = new Set<import('node:http').ServerResponse>();
  server.on('request', (_req, res) => {
    inFlight.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.on('close', () => inFlight.delete(res));
  });
  const shutdown = (signal: string) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    clearInterval(refresher);
    logger.info({ signal, inFlight: inFlight.size }, 'shutting down: finishing requests in flight');
    setTimeout(() => {
      logger.warn({ inFlight: inFlight.size }, 'requests still running after 10 s: exiting');
      process.exit(1);
    }, 10_000).unref();
    // Live-update streams never finish by themselves: end them, or close would wait for them.
    (app.locals.ctx as AppContext).feed.endStreams();
    server.close(() => {
      db.close().then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  logger.fatal({ err: e }, 'start failed');
  console.error(`Start failed: ${(e as Error).message}`);
  process.exit(1);
});
