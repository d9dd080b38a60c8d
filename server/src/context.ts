import type { Logger } from 'pino';
import type { Auth } from './auth.ts';
import type { BasemapStore } from './basemaps/store.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import type { ChangeFeed } from './feed/change-feed.ts';

/** Everything a router may need; createApp builds one and hands it to every router. */
export interface AppContext {
  db: Db;
  config: Config;
  logger: Logger;
  auth: Auth;
  /** Offline basemaps (MBTiles, PMTiles) in BASEMAP_DIR. */
  basemaps: BasemapStore;
  /** This process's change feed: tile layer versions in memory, events for /api/events. */
  feed: ChangeFeed;
}
