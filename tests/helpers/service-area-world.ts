import { afterAll, beforeAll } from 'vitest';
import type { Polygon } from 'geojson';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp, loginTokens } from './app.ts';
import { createTestDb, type TestDb } from './db.ts';

/**
 * The small world the service-area HTTP tests share: a district with two 街道 side by side, two
 * buildings, the demo accounts signed in, and the real app over a fresh database.
 */
// A local metric grid at 船山区: x metres east, y metres north of (105.59, 30.53).
export const LON0 = 105.59;
export const LAT0 = 30.53;
export const M_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
export const M_LAT = 110_574;
export const pt = (x: number, y: number) => [LON0 + x / M_LON, LAT0 + y / M_LAT];
export const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
export const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
export const area = (geometry: Polygon, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  geometry,
  properties: { name: '测试区域', management_mode: 'resident_self', ...props },
});

export const STREET_A = '510903001'; // x < 1000 m
export const STREET_B = '510903002'; // x ≥ 1000 m

export type Body = Record<string, unknown> & {
  id: number;
  version: number;
  warnings: { code: string }[];
  error: {
    code: string;
    message: string;
    details: Record<string, unknown> & { issues?: Record<string, unknown>[] };
  };
};
export function useServiceAreaWorld() {
  const w = {
    t: undefined as unknown as TestDb,
    app: undefined as unknown as RunningApp,
    tokens: {} as Record<string, string>,
  };

  beforeAll(async () => {
    w.t = await createTestDb();
    const a = rect(-2000, -2000, 1000, 2000);
    const b = rect(1000, -2000, 4000, 2000);
    await w.t.db.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
        ('510903', '船山区', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
        ($2, '甲街道', 'street', '510903', ST_Multi(ST_GeomFromText($3, 4326))),
        ($4, '乙街道', 'street', '510903', ST_Multi(ST_GeomFromText($5, 4326)))`,
      [wkt(rect(-2000, -2000, 4000, 2000)), STREET_A, wkt(a), STREET_B, wkt(b)],
    );
    // Buildings: 10 × 10 m at (20,20) 三无 with 12 households, at (60,20) with 30.
    await w.t.db.query(
      `INSERT INTO buildings (id, category, households, geom) VALUES
        (1, 'three_no', 12, ST_GeomFromText($1, 4326)), (2, 'professional', 30, ST_GeomFromText($2, 4326))`,
      [wkt(rect(20, 20, 30, 30)), wkt(rect(60, 20, 70, 30))],
    );
    await ensureDemoAccounts(w.t.db, 'demo-pass-2026');
    w.app = await startApp(w.t.db);
    await loginTokens(
      w.app.url,
      ['admin', 'viewer', `editor-${STREET_A}`, `editor-${STREET_B}`],
      'demo-pass-2026',
      w.tokens,
    );
  });
  afterAll(async () => {
    await w.app?.close();
    await w.t?.drop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    opts: { as?: string | null; ifMatch?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const who = opts.as === undefined ? 'admin' : opts.as;
    if (who) headers.authorization = `Bearer ${w.tokens[who]}`;
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    const r = await fetch(`${w.app.url}/api/service-areas${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: (text ? JSON.parse(text) : null) as Body };
  };
  const count = async (table = 'service_areas') =>
    (await w.t.db.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`)).rows[0]!.n;
  const cleanup = async () => {
    await w.t.db.query('DELETE FROM service_areas');
  };
  return Object.assign(w, { call, count, cleanup });
}
