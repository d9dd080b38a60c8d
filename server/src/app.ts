import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import express, { type NextFunction, type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';
import { withSession } from './accounts/session.ts';
import { auditRouter } from './api/audit.ts';
import { basemapsRouter } from './api/basemaps.ts';
import { authRouter } from './api/auth.ts';
import { camerasRouter } from './api/cameras.ts';
import { usersRouter } from './api/users.ts';
import { exportRouter } from './api/export.ts';
import { importsRouter } from './api/imports.ts';
import { gatesRouter } from './api/gates.ts';
import { securityRouter } from './api/security.ts';
import { compoundsRouter } from './api/compounds.ts';
import { coverageRouter, uncoveredBuildingsRouter } from './api/coverage.ts';
import { layersRouter } from './api/layers.ts';
import { ledgerRouter } from './api/ledger.ts';
import { searchRouter } from './api/search.ts';
import { serviceAreasRouter } from './api/service-areas.ts';
import { tileFastPath, tileServer, tilesRouter } from './tiles/router.ts';
import { Auth } from './auth.ts';
import { BasemapStore } from './basemaps/store.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { RETRY_AFTER_S, isDbUnavailable, routeReads, type Db } from './db/index.ts';
import { readYourWrites } from './read-your-writes.ts';
import { HttpError, errorRenderer } from './errors.ts';
import { clientConfig, indexPage } from './client-config.ts';
import { ChangeFeed } from './feed/change-feed.ts';
import { eventsRouter } from './api/events.ts';
import { route } from './http.ts';
import { guardJsonBody, guardUrl, verifyJsonDepth } from './input/guard.ts';
import { cors, headersOf, securityHeaders } from './security-headers.ts';

export interface AppOptions {
  db: Db;
  config: Config;
  logger?: Logger;
}

const require = createRequire(import.meta.url);

/** The whole HTTP server as an Express app: tests import this, server/index.ts only listens. */
export function createApp({ db: rawDb, config, logger = pino({ level: config.logLevel }) }: AppOptions) {
  const app = express();
  const auth = new Auth(rawDb, config.authSecret);
  // With a replica (DATABASE_READ_URL), read-only requests read it once it has their session's writes.
  const replica = rawDb.replica;
  if (replica) {
    replica.onState((state, err) => {
      if (state === 'up')
        logger.info({ replica: state }, 'read replica: tiles and read-only requests read it');
      else if (state === 'not_standby')
        logger.error(
          { replica: state },
          'DATABASE_READ_URL is not a standby: every read stays on the primary',
        );
      else
        logger.warn(
          { replica: state, err: err?.message, maxLagMs: config.readReplica?.maxLagMs },
          `read replica ${state}: reads go to the primary`,
        );
    });
  } else if (config.readReplica) {
    logger.warn(
      { db: rawDb.kind },
      rawDb.kind === 'embedded'
        ? 'DATABASE_READ_URL is ignored: the embedded database has no replicas'
        : 'DATABASE_READ_URL is ignored: this database was opened without its replica',
    );
  }
  // Signed-in requests run every statement with app.user / app.role / app.street_code set (audit, RLS).
  const db = withSession(replica ? routeReads(rawDb, replica) : rawDb);
  const basemaps = new BasemapStore({
    dir: config.basemaps.dir,
    mbtilesMaxBytes: config.basemaps.mbtilesMaxBytes,
  });
  // LISTENs for every process's commits; tiles read versions per request until it is listening.
  const feed = new ChangeFeed(rawDb, logger, { retryMs: config.feed.retryMs });
  feed.start();
  const ctx: AppContext = { db, config, logger, auth, basemaps, feed };
  app.disable('x-powered-by');
  app.set('etag', false);
  app.locals.ctx = ctx;

  app.use((req, res, next) => {
    const t0 = process.hrtime.bigint();
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug';
      logger[level](
        {
          request_id: requestId,
          method: req.method,
          url: req.originalUrl.slice(0, 500),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    next();
  });
  const security = securityHeaders(config);
  // Plain tile requests are answered before the rest of the middleware (issue 12), with the same
  // security headers; anything else about tiles takes the long way through tilesRouter below.
  const tiles = tileServer(ctx);
  app.use(tileFastPath(tiles, headersOf(security)));
  app.use(security);
  app.use(cors(config));
  // The input layer (issue 10 #2), before any handler: URL, then JSON depth, then every value.
  app.use(guardUrl);
  app.use(
    express.json({
      limit: config.bodyLimit,
      type: ['application/json', 'application/geo+json'],
      verify: verifyJsonDepth,
    }),
  );
  app.use(guardJsonBody);
  if (replica) app.use(readYourWrites(replica));

  // On the small pool of its own, so it answers while heavy requests hold the main pool; 503 with
  // Retry-After while the database is down (load balancers and the soak test watch this). Embedded,
  // the one connection may be busy for seconds with a heavy statement in its own thread: after
  // HEALTH_BUSY_MS health answers 200 with `busy: true` and the PostGIS version it last read — the
  // database is alive (were its thread dead, the process would have exited), only busy, and a busy
  // database must not look like an outage to whatever watches this.
  let postgis: string | null = null;
  app.get(
    '/api/health',
    route(async (_req, res) => {
      try {
        const asked = db.light.query<{ v: string }>('SELECT postgis_lib_version() AS v');
        const r = db.kind === 'embedded' ? await within(asked, HEALTH_BUSY_MS) : await asked;
        if (r) postgis = r.rows[0]!.v;
        res.json({
          status: 'ok',
          db: db.kind,
          postgis,
          busy: !r,
          // Whether tile versions come from the change feed, and the last event it delivered.
          feed: { live: feed.isLive, lastEventId: feed.lastEventId ?? null, losses: feed.losses },
          ...(replica ? { replica: { state: replica.state, replayed: replica.replayedLsn } } : {}),
        });
      } catch (e) {
        if (!isDbUnavailable(e)) throw e;
        res
          .status(503)
          .setHeader('Retry-After', String(RETRY_AFTER_S))
          .json({ status: 'unavailable', db: db.kind });
      }
    }),
  );

  app.use('/api/auth', authRouter(ctx));
  app.get(
    '/api/config',
    route(async (_req, res) => {
      res.json(await clientConfig(ctx));
    }),
  );

  app.use('/api/basemaps', basemapsRouter(ctx));
  app.use('/api/events', eventsRouter(ctx));
  app.use('/api/users', auth.required(), usersRouter(ctx));
  app.use('/api/audit', auth.required(), auditRouter(ctx));
  app.use('/tiles', tilesRouter(ctx, {}, tiles));
  app.use('/api/export', exportRouter(ctx));
  app.use('/api/imports', importsRouter(ctx));
  app.use('/api/service-areas', serviceAreasRouter(ctx));
  app.use('/api/coverage', coverageRouter(ctx));
  app.use('/api/buildings', uncoveredBuildingsRouter(ctx));
  app.use('/api/ledger', ledgerRouter(ctx));
  app.use('/api/compounds', compoundsRouter(ctx));
  app.use('/api/search', searchRouter(ctx));
  app.use('/api', securityRouter(ctx));
  app.use('/api/cameras', camerasRouter(ctx));
  app.use('/api/gates', gatesRouter(ctx));
  app.use('/api', layersRouter(db));
  app.use('/api', (req, _res, next) =>
    next(new HttpError(404, 'not_found', `No API route ${req.method} ${req.path}`)),
  );

  // The CJK font the map's labels use, from an npm package, so labels render offline.
  const fontFile = join(
    dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json')),
    '400Regular',
    'NotoSansSC_400Regular.ttf',
  );
  app.get('/fonts/NotoSansSC-Regular.ttf', (_req, res) => {
    res.sendFile(fontFile, { maxAge: '30d', immutable: true });
  });

  if (existsSync(config.clientDist)) {
    app.use(express.static(config.clientDist, { index: false, maxAge: '1h' }));
    const page = indexPage(ctx, config.clientDist);
    app.get(
      /^\/(?!api\/|tiles\/).*/,
      route(async (_req, res) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(await page());
      }),
    );
  }

  app.use((req: Request, _res: Response, next: NextFunction) =>
    next(new HttpError(404, 'not_found', `Nothing at ${req.path}`)),
  );
  app.use(errorRenderer(logger));
  return app;
}

/** How long health waits for a busy embedded database before it says so. */
const HEALTH_BUSY_MS = 300;

/** `p`'s value if it settles within `ms`, else undefined (`p` runs on; its failure is then ignored). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      p.catch(() => undefined);
      resolve(undefined);
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
