import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerItem, LedgerStats } from '../../core/coverage.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, type RunningApp, loginTokens } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { editorTraces, userIdKeys } from '../helpers/history.ts';

let t: TestDb;
let app: RunningApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(readFileSync(new URL('../fixtures/coverage/small-city.sql', import.meta.url), 'utf8'));
  // a compound in the other street
  await t.db.query(
    "INSERT INTO compounds (id, code, name, category, street_code) VALUES (3, 'XQ003', '南津小区', 'three_no', '510903002')",
  );
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db);
  await loginTokens(
    app.url,
    ['admin', 'viewer', 'editor-510903001', 'editor-510903002'],
    'demo-pass-2026',
    tokens,
  );
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const call = (method: string, path: string, opts: { user?: string; body?: unknown; ifMatch?: string } = {}) =>
  fetch(app.url + path, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.user ? { authorization: `Bearer ${tokens[opts.user]}` } : {}),
      ...(opts.ifMatch !== undefined ? { 'if-match': opts.ifMatch } : {}),
    },
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body),
  });
const errorOf = async (r: Response) =>
  ((await r.json()) as { error: { code: string; details?: unknown } }).error;
const count = async () =>
  Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_items')).rows[0]!.n);

const item = {
  compound_id: 1,
  description: '单元门禁损坏',
  category: 'wy_security',
  responsible_unit: '凯旋路街道城管办',
  deadline: '2020-01-31',
  phase: 'pilot',
};

describe('ledger writes', () => {
  let id: number;

  it('creates an item as a street editor of its street: 201, version 1, ETag, history', async () => {
    const r = await call('POST', '/api/ledger', { user: 'editor-510903001', body: item });
    expect(r.status).toBe(201);
    expect(r.headers.get('etag')).toBe('"1"');
    const body = (await r.json()) as LedgerItem;
    expect(body).toMatchObject({
      ...item,
      compound_name: '滨江小区',
      street_code: '510903001',
      status: 'open',
      overdue: true,
      version: 1,
      created_by: 'editor-510903001',
    });
    id = body.id;
    expect(r.headers.get('location')).toBe(`/api/ledger/${id}`);
  });

  it.each([
    ['no token', undefined, 401, 'unauthorized'],
    ['a viewer', 'viewer', 403, 'forbidden'],
    ['an editor of another street', 'editor-510903002', 403, 'out_of_jurisdiction'],
  ])('refuses a create by %s, storing nothing', async (_n, user, status, code) => {
    const before = await count();
    const r = await call('POST', '/api/ledger', { user, body: item });
    expect(r.status).toBe(status);
    expect((await errorOf(r)).code).toBe(code);
    expect(await count()).toBe(before);
  });

  it.each([
    ['an unknown field', { ...item, colour: 'red' }, 'invalid_attribute'],
    ['an unknown category', { ...item, category: 'wy_parking' }, 'invalid_attribute'],
    ['an empty description', { ...item, description: '  ' }, 'invalid_attribute'],
    ['a date that does not exist', { ...item, deadline: '2026-02-30' }, 'invalid_attribute'],
    ['an unknown phase', { ...item, phase: 'later' }, 'invalid_attribute'],
    ['a compound that does not exist', { ...item, compound_id: 999 }, 'invalid_attribute'],
    ['a text compound id', { ...item, compound_id: '1' }, 'invalid_attribute'],
    ['an array', [item], 'bad_request'],
    ['malformed JSON', '{"description":', 'bad_request'],
  ])('answers %s with 400, storing nothing', async (_n, body, code) => {
    const before = await count();
    const r = await call('POST', '/api/ledger', { user: 'admin', body });
    expect(r.status).toBe(400);
    expect((await errorOf(r)).code).toBe(code);
    expect(await count()).toBe(before);
  });

  it('updates with If-Match and answers 428 without it, 409 with a stale one', async () => {
    const missing = await call('PUT', `/api/ledger/${id}`, {
      user: 'admin',
      body: { deadline: '2099-12-31' },
    });
    expect(missing.status).toBe(428);
    expect((await errorOf(missing)).code).toBe('precondition_required');

    const ok = await call('PUT', `/api/ledger/${id}`, {
      user: 'admin',
      body: { deadline: '2099-12-31' },
      ifMatch: '"1"',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    expect(await ok.json()).toMatchObject({
      version: 2,
      deadline: '2099-12-31',
      overdue: false,
      updated_by: 'admin',
    });

    const stale = await call('PUT', `/api/ledger/${id}`, {
      user: 'editor-510903001',
      body: { description: 'x' },
      ifMatch: '"1"',
    });
    expect(stale.status).toBe(409);
    const e = await errorOf(stale);
    expect(e.code).toBe('version_conflict');
    expect(e.details).toMatchObject({ current_version: 2, current: { description: '单元门禁损坏' } });

    const bad = await call('PUT', `/api/ledger/${id}`, {
      user: 'admin',
      body: { description: 'x' },
      ifMatch: 'v2',
    });
    expect(bad.status).toBe(400);
    const foreign = await call('PUT', `/api/ledger/${id}`, {
      user: 'editor-510903002',
      body: { description: 'x' },
      ifMatch: '"2"',
    });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('out_of_jurisdiction');
    const none = await call('PUT', '/api/ledger/999999', {
      user: 'admin',
      body: { description: 'x' },
      ifMatch: '"1"',
    });
    expect(none.status).toBe(404);
  });

  it('issue 9 #8: refuses 销号 with an empty or blank 销号说明 and writes nothing', async () => {
    for (const body of [undefined, {}, { note: null }, { note: '' }, { note: '   \n\t' }]) {
      const r = await call('POST', `/api/ledger/${id}/close`, {
        user: 'editor-510903001',
        body,
        ifMatch: '"2"',
      });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(await errorOf(r)).toMatchObject({
        code: 'invalid_attribute',
        details: { field: 'note', reason: 'required' },
      });
    }
    const still = (
      await t.db.query<{ status: string; version: number }>(
        'SELECT status, version FROM ledger_items WHERE id = $1',
        [id],
      )
    ).rows[0]!;
    expect(still).toEqual({ status: 'open', version: 2 });
  });

  it('closes (销号) with who, when and a note, refuses to close twice, and reopens', async () => {
    const closed = await call('POST', `/api/ledger/${id}/close`, {
      user: 'editor-510903001',
      body: { note: '已更换门禁' },
      ifMatch: '"2"',
    });
    expect(closed.status).toBe(200);
    const c = (await closed.json()) as LedgerItem;
    expect(c).toMatchObject({
      status: 'closed',
      closed_by: 'editor-510903001',
      close_note: '已更换门禁',
      version: 3,
    });
    expect(c.closed_at).toBeTruthy();

    const twice = await call('POST', `/api/ledger/${id}/close`, {
      user: 'admin',
      body: { note: '再次销号' },
      ifMatch: '"3"',
    });
    expect(twice.status).toBe(422);
    expect((await errorOf(twice)).code).toBe('validation_failed');

    const reopened = await call('POST', `/api/ledger/${id}/reopen`, {
      user: 'admin',
      body: { note: '复查未通过' },
      ifMatch: '"3"',
    });
    expect(reopened.status).toBe(200);
    expect(await reopened.json()).toMatchObject({
      status: 'open',
      closed_at: null,
      reopened_by: 'admin',
      reopen_note: '复查未通过',
      version: 4,
    });

    // Who: for signed-in readers only (issue 10).
    const h = (await (await call('GET', `/api/ledger/${id}/history`, { user: 'viewer' })).json()) as {
      history: { version: number; operation: string; changed_by: string; note: string | null }[];
    };
    expect(h.history.map((x) => [x.version, x.operation, x.changed_by, x.note])).toEqual([
      [1, 'create', 'editor-510903001', null],
      [2, 'update', 'admin', null],
      [3, 'close', 'editor-510903001', '已更换门禁'],
      [4, 'reopen', 'admin', '复查未通过'],
    ]);
  });
});

describe('ledger reads', () => {
  beforeAll(async () => {
    for (const [compound_id, deadline, phase] of [
      [2, '2020-06-01', 'survey'],
      [3, null, 'rollout'],
    ] as const) {
      const r = await call('POST', '/api/ledger', {
        user: 'admin',
        body: { ...item, compound_id, deadline, phase, category: 'other' },
      });
      expect(r.status).toBe(201);
    }
  });

  it('lists by street and status', async () => {
    const all = (await (await call('GET', '/api/ledger')).json()) as { items: LedgerItem[] };
    expect(all.items).toHaveLength(3);
    const s = (await (await call('GET', '/api/ledger?street=510903001&status=open')).json()) as {
      items: LedgerItem[];
    };
    expect(s.items.map((i) => i.compound_id).sort()).toEqual([1, 2]);
    expect((await call('GET', '/api/ledger?status=done')).status).toBe(400);
  });

  it('counts open, closed and overdue per street and per phase', async () => {
    const s = (await (await call('GET', '/api/ledger/stats')).json()) as LedgerStats;
    expect(s.streets).toEqual([
      { street_code: '510903001', name: '凯旋路街道', open: 2, closed: 0, overdue: 1 },
      { street_code: '510903002', name: '南津路街道', open: 1, closed: 0, overdue: 0 },
    ]);
    expect(s.phases.map((p) => [p.phase, p.open, p.overdue])).toEqual([
      ['survey', 1, 1],
      ['pilot', 1, 0],
      ['rollout', 1, 0],
      ['consolidate', 0, 0],
    ]);
    expect(s.total).toEqual({ open: 3, closed: 0, overdue: 1 });
  });

  it("issue 9 #5: a district's or a 社区's counts, list and export hold its own items alone", async () => {
    // The dashboard under a 社区's or a district's title showed the whole city's 台账 counts: the
    // routes read a street or nothing. A second district (no items) tells a district from the city.
    await t.db.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
         ('510904', '安居区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.60, 30.50, 105.62, 30.54, 4326))),
         ('510904001', '柔刚街道', 'street', '510904', ST_Multi(ST_MakeEnvelope(105.60, 30.50, 105.62, 30.54, 4326)))
       ON CONFLICT DO NOTHING`,
    );
    const listed = async (q: string) =>
      ((await (await call('GET', `/api/ledger?${q}`)).json()) as { items: LedgerItem[] }).items;
    const stats = async (q: string) =>
      (await (await call('GET', `/api/ledger/stats?${q}`)).json()) as LedgerStats;
    const all = await listed('');
    const compoundsOf = async (where: string, code: string) =>
      (await t.db.query<{ id: number }>(`SELECT id FROM compounds WHERE ${where}`, [code])).rows.map((r) =>
        Number(r.id),
      );
    const districtWhere =
      "street_code IN (SELECT code FROM jurisdictions WHERE level = 'street' AND parent_code = $1)";
    for (const [q, ids] of [
      ['district=510903', await compoundsOf(districtWhere, '510903')],
      ['district=510904', await compoundsOf(districtWhere, '510904')],
      ['community=510903001001', await compoundsOf('community_code = $1', '510903001001')],
      ['community=510903001002', await compoundsOf('community_code = $1', '510903001002')],
    ] as const) {
      const want = all.filter((i) => ids.includes(Number(i.compound_id)));
      expect(
        (await listed(q)).map((i) => i.id),
        q,
      ).toEqual(want.map((i) => i.id));
      const s = await stats(q);
      expect(s.total.open + s.total.closed, q).toBe(want.length);
      expect(s.total.open, q).toBe(want.filter((i) => i.status === 'open').length);
      expect(s.total.overdue, q).toBe(want.filter((i) => i.overdue).length);
      const csv = (await (await call('GET', `/api/ledger/export.csv?${q}`)).text())
        .split('\r\n')
        .filter(Boolean);
      expect(csv, q).toHaveLength(want.length + 1);
    }
    expect((await listed('community=510903001001')).length).toBeGreaterThan(0);
    expect((await stats('district=510904')).total).toEqual({ open: 0, closed: 0, overdue: 0 });
    expect((await stats('district=510903')).total).toEqual((await stats('')).total);
    const twice = await call('GET', '/api/ledger/stats?community=510903001001&community=510903001002');
    expect(twice.status).toBe(400);
    expect((await errorOf(twice)).code).toBe('bad_request');
  });

  it('exports the ledger as CSV and XLSX with Chinese headers', async () => {
    const csv = await call('GET', '/api/ledger/export.csv?street=510903001');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('问题描述');
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3);
    const x = await call('GET', '/api/ledger/export.xlsx');
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(4).value).toBe('问题描述');
    expect(ws.rowCount).toBe(4);
    expect((await call('GET', '/api/ledger/export.pdf')).status).toBe(404);
  });
});

// Last in the file: the item it writes would change the counts the tests above expect.
describe('issue 10: least privilege in the ledger history', () => {
  it('issue 10: history hides who edited from anonymous readers', async () => {
    // Created and closed by the street editor, updated and reopened by the admin.
    const ed = 'editor-510903001';
    const created = await call('POST', '/api/ledger', { user: ed, body: item });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as LedgerItem).id;
    const put = { user: 'admin', body: { deadline: '2099-12-31' }, ifMatch: '"1"' };
    expect((await call('PUT', `/api/ledger/${id}`, put)).status).toBe(200);
    const close = { user: ed, body: { note: '已更换门禁' }, ifMatch: '"2"' };
    expect((await call('POST', `/api/ledger/${id}/close`, close)).status).toBe(200);
    const reopen = { user: 'admin', body: { note: '复查未通过' }, ifMatch: '"3"' };
    expect((await call('POST', `/api/ledger/${id}/reopen`, reopen)).status).toBe(200);
    const who = ['admin', ed];
    const anon = await call('GET', `/api/ledger/${id}/history`);
    expect(anon.status).toBe(200);
    const a = (await anon.json()) as { history: { changed_by?: unknown; note: string | null }[] };
    expect(a.history.map((x) => [x.changed_by, x.note])).toEqual([
      [null, null],
      [null, null],
      [null, '已更换门禁'],
      [null, '复查未通过'],
    ]);
    // Not in the recorded row either (created_by, updated_by, closed_by, reopened_by).
    expect(editorTraces(a, who)).toEqual([]);
    expect(userIdKeys(a)).toEqual([]);
    for (const user of ['viewer', 'editor-510903002', 'admin']) {
      const h = (await (await call('GET', `/api/ledger/${id}/history`, { user })).json()) as {
        history: { changed_by: string; attributes: Record<string, unknown> }[];
      };
      expect(h.history.map((x) => x.changed_by)).toEqual([
        'editor-510903001',
        'admin',
        'editor-510903001',
        'admin',
      ]);
      expect(h.history[3]!.attributes).toMatchObject({
        created_by: 'editor-510903001',
        reopened_by: 'admin',
      });
      expect(userIdKeys(h)).toEqual([]);
    }
  });

  it('issue 10: live records hide who edited from anonymous readers (GET one, the list, the CSV, the export)', async () => {
    const ed = 'editor-510903001';
    const created = await call('POST', '/api/ledger', { user: ed, body: item });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as LedgerItem).id;
    const close = { user: 'admin', body: { note: '已整改' }, ifMatch: '"1"' };
    expect((await call('POST', `/api/ledger/${id}/close`, close)).status).toBe(200);
    const who = ['admin', ed];
    const mine = async (user?: string) => {
      const one = await call('GET', `/api/ledger/${id}`, { user });
      expect(one.status).toBe(200);
      const list = await call('GET', '/api/ledger?street=510903001&status=closed', { user });
      expect(list.status).toBe(200);
      const items = ((await list.json()) as { items: LedgerItem[] }).items;
      const csv = await (await call('GET', `/api/ledger/export.csv?street=510903001`, { user })).text();
      const ex = await call('GET', '/api/export/ledger.geojson', { user });
      expect(ex.status).toBe(200);
      const fc = (await ex.json()) as { features: { properties: Record<string, unknown> }[] };
      return {
        one: (await one.json()) as LedgerItem,
        listed: items.find((i) => i.id === id)!,
        csv,
        exported: fc.features.find((f) => f.properties.id === id)!.properties,
      };
    };

    const anon = await mine();
    expect(anon.one).toMatchObject({
      id,
      status: 'closed',
      created_by: null,
      closed_by: null,
      reopened_by: null,
    });
    expect(anon.listed).toMatchObject({ id, created_by: null, closed_by: null });
    expect(anon.exported).toMatchObject({ created_by: null, closed_by: null });
    expect(editorTraces([anon.one, anon.listed, anon.exported], who)).toEqual([]);
    expect(anon.csv).not.toContain(ed);
    expect(anon.csv).not.toContain('admin');

    for (const user of ['viewer', 'editor-510903002', 'admin']) {
      const s = await mine(user);
      expect(s.one).toMatchObject({ created_by: ed, closed_by: 'admin' });
      expect(s.listed).toMatchObject({ created_by: ed, closed_by: 'admin' });
      expect(s.exported).toMatchObject({ created_by: ed, closed_by: 'admin' });
      expect(s.csv).toContain(ed);
      expect(userIdKeys(s)).toEqual([]);
    }
  });
});
