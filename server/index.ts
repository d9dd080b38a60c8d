import { createServer } from 'node:http';
import pino from 'pino';
import { createApp } from './src/app.ts';
import { ConfigError, loadConfig } from './src/config.ts';
import { openDb } from './src/db/index.ts';
import { bootstrap } from './src/bootstrap.ts';

const logger = pino({ level: process.env.LOG_LEVEL || 'info' });

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
  const db = await openDb(config);
  await bootstrap(db, config, logger);
  const app = createApp({ db, config, logger });
  const server = createServer(app);
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

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      db.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeAllConnections?.();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  logger.fatal({ err: e }, 'start failed');
  console.error(`Start failed: ${(e as Error).message}`);
  process.exit(1);
});
