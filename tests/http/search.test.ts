import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { importLayer } from '../../server/src/importer/index.ts';

let t: TestDb;
let app: RunningApp;

interface Hit {
  kind: string;
  id: string;
  name: string;
  detail: string;
  parent: string | null;
  matched: string;
  bbox: [number, number, number, number] | null;
}

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, name_en, level, parent_code, geom) VALUES
      ('510903', '船山区', 'Chuanshan District', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('510903001', '凯旋路街道', 'Kaixuanlu Subdistrict', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326))),
      ('510903002', '南津路街道', 'Nanjinlu Subdistrict', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.6, 30.4, 105.7, 30.6, 4326)))`,
  );
  await t.db.query(
    `INSERT INTO compounds (id, code, name, address, category, street_code, geom) VALUES
      (1, 'XQ0464', '凯旋花园', '船山区明月路 12 号', 'three_no', '510903001', ST_Multi(ST_MakeEnvelope(105.55, 30.50, 105.552, 30.502, 4326)))`,
  );
  await t.db.query(
    `INSERT INTO compounds (id, name, category, street_code, geom) VALUES
      (2, '凯旋', 'professional', '510903001', ST_Multi(ST_MakeEnvelope(105.56, 30.50, 105.561, 30.501, 4326))),
      (3, '南津100%小区', 'self_managed', '510903002', NULL),
      (4, '南津1000小区', 'self_managed', '510903002', NULL),
      (9, '滨河苑', 'three_no', '510903002', NULL),
      (10, '滨河居', 'three_no', '510903002', NULL)`,
  );
  await t.db.query(
    `INSERT INTO buildings (compound_id, category, geom) VALUES
      (3, 'self_managed', ST_MakeEnvelope(105.61, 30.51, 105.611, 30.511, 4326)),
      (3, 'self_managed', ST_MakeEnvelope(105.612, 30.512, 105.613, 30.514, 4326))`,
  );
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function search(
  q: string,
): Promise<{ status: number; body: { results?: Hit[]; error?: { code: string } } }> {
  const r = await fetch(`${app.url}/api/search?q=${encodeURIComponent(q)}`);
  return { status: r.status, body: (await r.json()) as { results?: Hit[]; error?: { code: string } } };
}

describe('GET /api/search', () => {
  it('finds streets and compounds by part of the name, streets first, exact names first', async () => {
    const { status, body } = await search('凯旋');
    expect(status).toBe(200);
    expect(body.results!.map((h) => `${h.kind}:${h.name}`)).toEqual([
      'jurisdiction:凯旋路街道',
      'compound:凯旋',
      'compound:凯旋花园',
    ]);
    const street = body.results![0]!;
    expect(street).toMatchObject({ id: '510903001', detail: 'street', parent: '船山区' });
    expect(street.bbox).toEqual([105.5, 30.4, 105.6, 30.6]);
    expect(body.results![2]).toMatchObject({ id: '1', detail: 'three_no', parent: '凯旋路街道' });
    expect(body.results![2]!.bbox![0]).toBeCloseTo(105.55, 9);
    expect(body.results![2]!.bbox![3]).toBeCloseTo(30.502, 9);
  });

  it('gives a compound without an outline the extent of its buildings', async () => {
    const { body } = await search('南津100%');
    expect(body.results).toHaveLength(1);
    const [w, s, e, n] = body.results![0]!.bbox!;
    expect([w, s, e, n].map((v) => Math.round(v * 1000) / 1000)).toEqual([105.61, 30.51, 105.613, 30.514]);
  });

  it('takes % and _ in the query literally', async () => {
    expect((await search('100%')).body.results!.map((h) => h.name)).toEqual(['南津100%小区']);
    expect((await search('_')).body.results).toEqual([]);
  });

  it('matches English names of jurisdictions, case-insensitively', async () => {
    const { body } = await search('nanjinlu');
    expect(body.results!.map((h) => h.id)).toEqual(['510903002']);
  });

  it('orders equally good hits by number, not as text (compound 9 before 10)', async () => {
    const { body } = await search('滨河');
    expect(body.results!.map((h) => h.id)).toEqual(['9', '10']);
  });

  it('issue 9: finds a compound by its address, naming the field that matched', async () => {
    const { body } = await search('明月路');
    expect(body.results).toHaveLength(1);
    expect(body.results![0]).toMatchObject({
      kind: 'compound',
      id: '1',
      name: '凯旋花园',
      matched: 'address',
      address: '船山区明月路 12 号',
    });
  });

  it('issue 9: finds a compound by its code (case-insensitive) and by its id', async () => {
    expect((await search('xq0464')).body.results).toMatchObject([
      { kind: 'compound', id: '1', matched: 'code', code: 'XQ0464' },
    ]);
    expect((await search('10')).body.results!.map((h) => `${h.id}:${h.matched}`)).toContain('10:code');
  });

  it('issue 9: finds a street by its code and gives English names beside the Chinese', async () => {
    const { body } = await search('510903002');
    expect(body.results![0]).toMatchObject({
      kind: 'jurisdiction',
      id: '510903002',
      matched: 'code',
      name_en: 'Nanjinlu Subdistrict',
      parent_en: 'Chuanshan District',
    });
  });

  it('finds a service area by its name, after the places and compounds, with its street and extent', async () => {
    // Helper 45: an imported service area could not be found: "没有找到“测试服务区”".
    await importLayer(t.db, {
      layer: 'service-areas',
      features: [
        {
          type: 'Feature',
          properties: {
            name: '明月一片区',
            management_mode: 'community_custodial',
            street_code: '510903001',
          },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [105.57, 30.52],
                [105.572, 30.52],
                [105.572, 30.523],
                [105.57, 30.52],
              ],
            ],
          },
        },
      ],
    });
    const { body } = await search('明月一');
    expect(body.results).toHaveLength(1);
    expect(body.results![0]).toMatchObject({
      kind: 'service-area',
      name: '明月一片区',
      detail: 'community_custodial',
      parent: '凯旋路街道',
      matched: 'name',
    });
    expect(body.results![0]!.bbox).toEqual([105.57, 30.52, 105.572, 30.523]);
  });

  it('keeps the exact name among more hits than it returns (the compounds were cut longest-first)', async () => {
    // Found while adding service areas: a compound without a code was ranked "exact" NULL, which
    // DESC puts first, and the compounds' own ORDER BY was one column off (the longest name first):
    // past SEARCH_LIMIT hits the exact name was cut.
    await t.db.query(
      `INSERT INTO compounds (id, name, category, street_code)
       SELECT 100 + i, '锦绣花园' || repeat('期', i), 'three_no', '510903001' FROM generate_series(1, 25) i`,
    );
    await t.db.query(
      `INSERT INTO compounds (id, name, category, street_code) VALUES (200, '锦绣花园', 'three_no', '510903001')`,
    );
    const { body } = await search('锦绣花园');
    expect(body.results!.length).toBe(20);
    expect(body.results![0]).toMatchObject({ kind: 'compound', name: '锦绣花园' });
    expect(body.results![1]!.name).toBe('锦绣花园期');
    await t.db.query('DELETE FROM compounds WHERE id >= 100');
  });

  it('answers an empty or missing q with 400', async () => {
    for (const url of ['/api/search', '/api/search?q=', '/api/search?q=%20%20', '/api/search?q=a&q=b']) {
      const r = await fetch(app.url + url);
      expect(r.status, url).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
  });

  it('treats SQL in the query as text', async () => {
    const { status, body } = await search("'; DROP TABLE compounds; --");
    expect(status).toBe(200);
    expect(body.results).toEqual([]);
    expect((await search('凯旋花园')).body.results).toHaveLength(1);
  });
});
