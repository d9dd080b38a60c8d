import type { Polygon } from 'geojson';
import { afterAll, beforeAll } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { randomBytes } from 'node:crypto';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import { type RunningApp, loginTokens, startApp } from './app.ts';
import { createTestDb, type TestDb } from './db.ts';

/**
 * The world the input, authorization and fuzz tests share: a district with two 街道 side by side
 * (甲 west of x = 1000 m, 乙 east of it), one 社区 and one 小区 in each, a building, the demo accounts
 * signed in, and the real app over a fresh database.
 */
export const LON0 = 105.59;
export const LAT0 = 30.53;
const M_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
const M_LAT = 110_574;
/** x metres east, y metres north of (LON0, LAT0). */
export const pt = (x: number, y: number) => [LON0 + x / M_LON, LAT0 + y / M_LAT];
export const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
export const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;

export const STREET_A = '510903001';
export const STREET_B = '510903002';
export const COMMUNITY_A = '510903001001';
export const COMMUNITY_B = '510903002001';
export const COMPOUND_A = 1;
export const COMPOUND_B = 2;
export const EDITOR_A = `editor-${STREET_A}`;
export const EDITOR_B = `editor-${STREET_B}`;
export const PASSWORD = 'demo-pass-0123';

export const areaFeature = (geometry: Polygon, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { name: '测试区域', management_mode: 'resident_self', ...props },
});
export const pointFeature = (x: number, y: number, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: pt(x, y) },
  properties: props,
});

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON answer, or null when it was not JSON. */
  body: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  /** Who signs the request: a demo username, or null for nobody (default admin). */
  as?: string | null;
  ifMatch?: string;
  /** Send this as it is (a string or bytes) instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface TrustWorld {
  t: TestDb;
  /** The Express app itself (its router stack lists the routes). */
  express: Express;
  app: RunningApp;
  tokens: Record<string, string>;
  call(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<Answer>;
  count(table: string): Promise<number>;
}

async function seedTrustWorld(t: TestDb): Promise<void> {
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
      ($2, '甲街道', 'street', '510903', ST_Multi(ST_GeomFromText($3, 4326))),
      ($4, '乙街道', 'street', '510903', ST_Multi(ST_GeomFromText($5, 4326))),
      ($6, '甲社区', 'community', $2, ST_Multi(ST_GeomFromText($3, 4326))),
      ($7, '乙社区', 'community', $4, ST_Multi(ST_GeomFromText($5, 4326)))`,
    [
      wkt(rect(-2000, -2000, 4000, 2000)),
      STREET_A,
      wkt(rect(-2000, -2000, 1000, 2000)),
      STREET_B,
      wkt(rect(1000, -2000, 4000, 2000)),
      COMMUNITY_A,
      COMMUNITY_B,
    ],
  );
  await t.db.query(
    `INSERT INTO compounds (id, name, category, street_code, community_code) VALUES
      ($1, '甲小区', 'three_no', $3, $5), ($2, '乙小区', 'three_no', $4, $6)`,
    [COMPOUND_A, COMPOUND_B, STREET_A, STREET_B, COMMUNITY_A, COMMUNITY_B],
  );
  await t.db.query(
    `INSERT INTO buildings (id, compound_id, category, households, geom) VALUES
      (1, $1, 'three_no', 12, ST_GeomFromText($3, 4326)), (2, $2, 'three_no', 30, ST_GeomFromText($4, 4326))`,
    [COMPOUND_A, COMPOUND_B, wkt(rect(20, 20, 30, 30)), wkt(rect(1520, 20, 1530, 30))],
  );
  await ensureDemoAccounts(t.db, PASSWORD);
}

/** `call` of a world over the app at `url`, signing with `tokens`. */
function caller(url: string, tokens: Record<string, string>): TrustWorld['call'] {
  return async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    const who = opts.as === undefined ? 'admin' : opts.as;
    if (who) headers.authorization = `Bearer ${tokens[who]}`;
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    const r = await fetch(`${url}${path}`, {
      method,
      headers,
      body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await r.text();
    let parsed: Answer['body'];
    try {
      parsed = text ? (JSON.parse(text) as Answer['body']) : null;
    } catch {
      parsed = null;
    }
    return { status: r.status, headers: r.headers, text, body: parsed };
  };
}

/**
 * The world's app as production runs it, bound by row-level security: embedded, its one connection
 * does SET ROLE wuyou_app (as at start, server/src/db/roles.ts) until close; on a server, a second
 * app over a throwaway login role in wuyou_app (roles belong to the cluster: dropped at close).
 */
export async function asAppRole(
  w: TrustWorld,
): Promise<{ call: TrustWorld['call']; close(): Promise<void> }> {
  if (!w.t.url) {
    await w.t.db.exec('SET ROLE wuyou_app');
    return { call: w.call, close: () => w.t.db.exec('RESET ROLE') };
  }
  const role = `wuyou_t_app_${randomBytes(4).toString('hex')}`;
  await w.t.db.exec(`CREATE ROLE ${role} LOGIN IN ROLE wuyou_app`);
  const u = new URL(w.t.url);
  u.username = role;
  const db = createPostgresDb({ connectionString: u.toString() });
  const app = await startApp(db);
  const tokens: Record<string, string> = {};
  await loginTokens(app.url, ['admin', 'viewer', EDITOR_A, EDITOR_B], PASSWORD, tokens);
  return {
    call: caller(app.url, tokens),
    async close() {
      await app.close();
      await db.close();
      await w.t.db.exec(`DROP ROLE IF EXISTS ${role}`);
    },
  };
}

/** The world, built now: the CLI fuzzer uses this; tests use useTrustWorld. */
export async function buildTrustWorld(): Promise<TrustWorld & { close(): Promise<void> }> {
  const w = { tokens: {} as Record<string, string> } as TrustWorld & { close(): Promise<void> };
  w.t = await createTestDb();
  await seedTrustWorld(w.t);
  const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_SECRET: 'test-secret' });
  w.express = createApp({ db: w.t.db, config, logger: pino({ level: 'silent' }) });
  const server: Server = await new Promise((resolve) => {
    const s = w.express.listen(0, '127.0.0.1', () => resolve(s));
  });
  w.app = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  await loginTokens(w.app.url, ['admin', 'viewer', EDITOR_A, EDITOR_B], PASSWORD, w.tokens);
  w.call = caller(w.app.url, w.tokens);
  w.count = async (table) =>
    (await w.t.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`)).rows[0]!.n;
  w.close = async () => {
    await w.app.close();
    await w.t.drop();
  };
  return w;
}

/** Builds the world in beforeAll and drops it in afterAll; the returned object fills in then. */
export function useTrustWorld(): TrustWorld {
  const w = {} as TrustWorld & { close(): Promise<void> };
  beforeAll(async () => {
    Object.assign(w, await buildTrustWorld());
  });
  afterAll(async () => {
    await w.close?.();
  });
  return w;
}
