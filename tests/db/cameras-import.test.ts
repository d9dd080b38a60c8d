import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraImportError, importCameras } from '../../server/src/cameras/import.ts';
import { importLayer } from '../../server/src/importer/index.ts';
import { importProblemLine } from '../../core/import-words.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const DATA = new URL('../../../shared/data/', import.meta.url);
const REAL = new URL('cameras/switzerland_osm_surveillance.geojson', DATA);

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});
const count = async () =>
  (await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM cameras')).rows[0]!.n;

const GBT = `DeviceID,Name,CivilCode,Longitude,Latitude,PTZType,RoomType,UseType,DirectionType
51090300001310000001,船山路口东,510903,105.591,30.531,3,1,1,1
51090300001310000002,社区大门,510903,105.592,30.532,1,1,1,
51090300001310000003,楼道,510903,105.593,30.533,2,2,3,8
`;

describe('importCameras', () => {
  it('imports a GB/T 28181 catalogue', async () => {
    await t.db.query('DELETE FROM cameras');
    const r = await importCameras(t.db, { text: GBT, format: 'csv', system: 'xueliang' });
    expect(r).toMatchObject({ source: 'gbt28181', rows: 3, inserted: 3, rejected: [] });
    const rows = await t.db.query<{
      code: string;
      type: string;
      direction_deg: number | null;
      indoor: boolean;
      system: string;
    }>('SELECT code, type, direction_deg, indoor, system FROM cameras ORDER BY code');
    expect(rows.rows).toEqual([
      { code: '51090300001310000001', type: 'fixed', direction_deg: 90, indoor: false, system: 'xueliang' },
      { code: '51090300001310000002', type: 'dome', direction_deg: null, indoor: false, system: 'xueliang' },
      { code: '51090300001310000003', type: 'dome', direction_deg: 315, indoor: true, system: 'xueliang' },
    ]);
  });

  it('starts every imported camera and gate a history: version 1, operation import, same transaction', async () => {
    await t.db.query('DELETE FROM cameras');
    await t.db.query('DELETE FROM camera_history');
    const r = await importCameras(t.db, { text: GBT, format: 'csv', system: 'tianwang' });
    expect(r.inserted).toBe(3);
    const h = await t.db.query<{
      code: string;
      version: number;
      operation: string;
      system: string;
      lon: number;
    }>(
      `SELECT c.code, h.version, h.operation, h.attributes->>'system' AS system, ST_X(h.geom) AS lon
       FROM camera_history h JOIN cameras c ON c.id = h.camera_id ORDER BY c.code`,
    );
    expect(h.rows).toEqual([
      { code: '51090300001310000001', version: 1, operation: 'import', system: 'tianwang', lon: 105.591 },
      { code: '51090300001310000002', version: 1, operation: 'import', system: 'tianwang', lon: 105.592 },
      { code: '51090300001310000003', version: 1, operation: 'import', system: 'tianwang', lon: 105.593 },
    ]);
    // A failed import writes no history either.
    const bad = GBT.replace('105.593', 'east');
    await t.db.query('DELETE FROM cameras');
    await t.db.query('DELETE FROM camera_history');
    await expect(importCameras(t.db, { text: bad, format: 'csv' })).rejects.toBeInstanceOf(CameraImportError);
    const n = await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM camera_history');
    expect(n.rows[0]!.n).toBe(0);

    await t.db.query('DELETE FROM gate_history');
    const g = await importLayer(t.db, {
      layer: 'gates',
      features: [
        {
          type: 'Feature',
          properties: { name: '北门', kind: 'vehicle' },
          geometry: { type: 'Point', coordinates: [105.59, 30.53] },
        },
      ],
    });
    expect(g.inserted).toBe(1);
    const gh = await t.db.query<{ version: number; operation: string; kind: string; same: boolean }>(
      `SELECT h.version, h.operation, h.attributes->>'kind' AS kind, h.geom = g.geom AS same
       FROM gate_history h JOIN gates g ON g.id = h.gate_id WHERE g.name = '北门'`,
    );
    expect(gh.rows).toEqual([{ version: 1, operation: 'import', kind: 'vehicle', same: true }]);
  });

  // Issue 11: the camera importer wrote its problems as English sentences ('DirectionType "9" must
  // be 1–8 …', `not readable as CSV: <library text>`, the database's problems worded in English);
  // now it sends codes and params like the main importer, worded in the user's language.
  it('writes nothing when a row is bad, and names the row and the reason as a code with params', async () => {
    await t.db.query('DELETE FROM cameras');
    const bad = GBT + '51090300001310000004,坏行,510903,105.594,30.534,3,1,1,9\n';
    const e = await importCameras(t.db, { text: bad, format: 'csv' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CameraImportError);
    const problems = (e as CameraImportError).problems;
    expect(problems).toEqual([
      {
        index: 3,
        row: 5,
        field: 'DirectionType',
        code: 'gbt_direction_type',
        params: { field: 'DirectionType', value: '"9"' },
        severity: 'error',
      },
    ]);
    expect(importProblemLine('zh-CN', problems[0]!)).toBe(
      '第 4 个要素（第 5 行）：“DirectionType”的值 "9" 应为 1–8（东 西 南 北 东南 东北 西南 西北）',
    );
    expect(importProblemLine('en', problems[0]!)).toBe(
      'feature #4 (row 5): “DirectionType” "9" must be 1–8 (东 E, 西 W, 南 S, 北 N, 东南 SE, 东北 NE, 西南 SW, 西北 NW)',
    );
    expect(await count()).toBe(0);
  });

  it('refuses an unreadable CSV with the code not_csv, not an English sentence', async () => {
    const e = await importCameras(t.db, { text: 'lon,lat\n"8.5,47.3\n', format: 'csv' }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CameraImportError);
    expect((e as CameraImportError).problems).toMatchObject([
      { index: null, field: 'file', code: 'not_csv', severity: 'error' },
    ]);
    expect(importProblemLine('zh-CN', (e as CameraImportError).problems[0]!)).toMatch(/^无法按 CSV 读取：/);
  });

  it('maps a database-side problem (a duplicate code) back to its row, as a code', async () => {
    await t.db.query('DELETE FROM cameras');
    const dup = GBT + GBT.split('\n')[1] + '\n';
    const e = (await importCameras(t.db, { text: dup, format: 'csv' }).catch(
      (x: unknown) => x,
    )) as CameraImportError;
    expect(e).toBeInstanceOf(CameraImportError);
    expect(e.problems).toContainEqual(
      expect.objectContaining({ index: 3, row: 5, code: 'duplicate_in_file', severity: 'error' }),
    );
    for (const p of e.problems) expect(p).not.toHaveProperty('message');
    expect(await count()).toBe(0);
  });

  it('warns, by row, of a camera outside China as the main importer does (x,y = 1,2 went in without a word)', async () => {
    await t.db.query('DELETE FROM cameras');
    const csv = 'lon,lat,@id\n105.59,30.53,node/1\n1,2,node/2\n';
    const r = await importCameras(t.db, { text: csv, format: 'csv' });
    expect(r.inserted).toBe(2);
    expect(r.warnings).toEqual([
      expect.objectContaining({
        index: 1,
        row: 3,
        code: 'outside_china',
        params: { lon: '1.000000', lat: '2.000000' },
      }),
    ]);
    expect(importProblemLine('zh-CN', r.warnings[0]!)).toContain('中国境外');
  });

  it('reads OSM tags from a CSV with lon/lat', async () => {
    await t.db.query('DELETE FROM cameras');
    const csv = 'lon,lat,@id,camera:type,camera:direction\n8.5,47.3,node/1,fixed,NW\n8.6,47.3,node/2,dome,\n';
    const r = await importCameras(t.db, { text: csv, format: 'csv' });
    expect(r.inserted).toBe(2);
    const rows = await t.db.query<{ code: string; direction_deg: number | null; fov_deg: number }>(
      'SELECT code, direction_deg, fov_deg FROM cameras ORDER BY code',
    );
    expect(rows.rows).toEqual([
      { code: 'node/1', direction_deg: 315, fov_deg: 85 },
      { code: 'node/2', direction_deg: null, fov_deg: 360 },
    ]);
  });
});

describe.skipIf(!existsSync(REAL))(
  'the 2,144 real OSM cameras of ../shared/data (skipped when absent)',
  () => {
    it('import, or are reported row by row, without a crash', async () => {
      await t.db.query('DELETE FROM cameras');
      const text = readFileSync(REAL, 'utf8');
      const r = await importCameras(t.db, { text, format: 'geojson', skipInvalid: true });
      expect(r.rows).toBe(2144);
      const rejectedRows = new Set(r.rejected.map((p) => p.index));
      // Each rejected row is reported with its field; every other row is in the table (lists give more).
      for (const p of r.rejected) expect(p.field && p.code && p.index !== null).toBeTruthy();
      const n = await count();
      expect(n).toBe(r.inserted);
      expect(n).toBeGreaterThanOrEqual(2144 - rejectedRows.size);
      const multi = await t.db.query<{ code: string; direction_deg: number }>(
        "SELECT code, direction_deg FROM cameras WHERE code LIKE '%#%' ORDER BY code",
      );
      expect(multi.rows.length).toBeGreaterThanOrEqual(5); // 90;160;270 and 180, 270
      // Atomic without skipInvalid: the same file writes nothing when a row is rejected.
      if (rejectedRows.size) {
        await t.db.query('DELETE FROM cameras');
        await expect(importCameras(t.db, { text, format: 'geojson' })).rejects.toBeInstanceOf(
          CameraImportError,
        );
        expect(await count()).toBe(0);
      }
    });
  },
);
if (!existsSync(REAL)) console.warn(`skipped the real-camera import: ${REAL.pathname} is absent`);
