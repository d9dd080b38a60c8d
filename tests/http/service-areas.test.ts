import pg from 'pg';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { clipAgainstNeighbours } from '../../core/checks/clip.ts';
import { createCheckContext } from '../../core/checks/context.ts';
import { fromDatabase } from '../../server/src/api/service-areas.ts';
import { HttpError } from '../../server/src/errors.ts';
import { TEST_DB_KIND } from '../helpers/db.ts';
import { editorTraces, userIdKeys } from '../helpers/history.ts';
import {
  area,
  LAT0,
  LON0,
  pt,
  rect,
  STREET_A,
  STREET_B,
  useServiceAreaWorld,
  wkt,
} from '../helpers/service-area-world.ts';

const w = useServiceAreaWorld();
const { call, count, cleanup } = w;

describe('create, read, list', () => {
  it('POST stores a Feature as version 1 with its history, GET gives it back with an ETag', async () => {
    await cleanup();
    const r = await call(
      'POST',
      '',
      area(rect(0, 0, 100, 100), { provider: '某物业公司', status: 'approved' }),
    );
    expect(r.status).toBe(201);
    expect(r.body.version).toBe(1);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.body.warnings).toEqual([]);
    expect(r.body.stats).toMatchObject({ buildings: 2, three_no_buildings: 1, households: 42 });
    const one = await call('GET', `/${r.body.id}`);
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe('"1"');
    expect(one.body).toMatchObject({
      type: 'Feature',
      id: r.body.id,
      properties: {
        name: '测试区域',
        provider: '某物业公司',
        status: 'approved',
        version: 1,
        created_by: 'admin',
      },
    });
    // Full precision: the stored vertices come back exactly, so a client can snap to them.
    expect((one.body.geometry as Polygon).coordinates).toEqual(rect(0, 0, 100, 100).coordinates);
    const h = await call('GET', `/${r.body.id}/history`);
    expect(h.body.entries).toMatchObject([{ version: 1, operation: 'create', changed_by: 'admin' }]);
    const list = await call('GET', `?bbox=${LON0 - 0.01},${LAT0 - 0.01},${LON0 + 0.01},${LAT0 + 0.01}`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/geo\+json/);
    expect((list.body.features as { id: number }[]).map((f) => f.id)).toEqual([r.body.id]);
    const away = await call('GET', `?bbox=${LON0 + 0.05},${LAT0},${LON0 + 0.06},${LAT0 + 0.01}`);
    expect(away.body.features).toEqual([]);
  });

  it('GET of a missing area is 404, a list without bbox is 400 invalid_bbox', async () => {
    expect((await call('GET', '/999999')).status).toBe(404);
    expect((await call('GET', '/999999/history')).status).toBe(404);
    const r = await call('GET', '');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_bbox');
  });

  it('allows a neighbour that shares an edge or touches at a corner', async () => {
    await cleanup();
    expect((await call('POST', '', area(rect(0, 0, 100, 100)))).status).toBe(201);
    expect((await call('POST', '', area(rect(100, 0, 200, 100)))).status).toBe(201);
    expect((await call('POST', '', area(rect(200, 100, 300, 200)))).status).toBe(201);
    expect((await call('POST', '', area(rect(100, 30, 200, 60)))).status).toBe(422);
  });
});

describe('avoid-overlap', () => {
  it('a polygon drawn into its neighbours and clipped by core against the listed areas saves', async () => {
    await cleanup();
    // Neighbours at odd angles, so the clip's new vertices are computed, not copied.
    const tilted = (cx: number, cy: number, r: number, a: number): Polygon => {
      const c = [0, 1, 2, 3, 4, 5].map((k) =>
        pt(cx + r * Math.cos(a + (k * Math.PI) / 3), cy + r * Math.sin(a + (k * Math.PI) / 3)),
      );
      return { type: 'Polygon', coordinates: [[...c, c[0]!]] };
    };
    expect((await call('POST', '', area(tilted(0, 0, 60, 0.3)))).status).toBe(201);
    expect((await call('POST', '', area(tilted(130, 40, 70, 0.1)))).status).toBe(201);
    const drawn = rect(20, -40, 110, 60);
    expect((await call('POST', '/validate', { feature: area(drawn) })).body.valid).toBe(false);
    const list = await call('GET', `?bbox=${LON0 - 0.01},${LAT0 - 0.01},${LON0 + 0.01},${LAT0 + 0.01}`);
    const areas = (list.body.features as { id: number; geometry: Polygon }[]).map((f) => ({
      id: f.id,
      geometry: f.geometry,
    }));
    const clipped = clipAgainstNeighbours(drawn, createCheckContext({ areas }));
    expect(clipped.clippedBy).toHaveLength(2);
    const r = await call('POST', '', area(clipped.geometry!));
    expect(r.status).toBe(201);
    const overlaps = await w.t.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM service_areas a JOIN service_areas b ON a.id < b.id
       AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 0.01`,
    );
    expect(overlaps.rows[0]!.n).toBe(0);
  });
});

describe('blocking checks answer 422 and store nothing', () => {
  it('overlap names the other area and the overlapping m²', async () => {
    await cleanup();
    const first = await call('POST', '', area(rect(0, 0, 100, 100)));
    const before = await count();
    const r = await call('POST', '', area(rect(90, 0, 190, 100)));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('validation_failed');
    const issue = r.body.error.details.issues!.find((i) => i.code === 'overlap')!;
    expect(issue.with).toEqual([first.body.id]);
    expect(issue.area_m2 as number).toBeGreaterThan(990);
    expect(issue.area_m2 as number).toBeLessThan(1010);
    expect(await count()).toBe(before);
    expect(await count('service_area_history')).toBeGreaterThan(0);
  });

  it('a containing and a contained area overlap too (not a box test: an L-shape around one does not)', async () => {
    await cleanup();
    await call('POST', '', area(rect(40, 40, 60, 60)));
    expect((await call('POST', '', area(rect(0, 0, 100, 100)))).status).toBe(422);
    expect((await call('POST', '', area(rect(45, 45, 55, 55)))).status).toBe(422);
    const l: Polygon = {
      type: 'Polygon',
      coordinates: [[pt(0, 0), pt(100, 0), pt(100, 100), pt(60, 100), pt(60, 40), pt(0, 40), pt(0, 0)]],
    };
    expect((await call('POST', '', area(l))).status).toBe(201);
  });

  it('self_intersection, too_small, both with nothing stored', async () => {
    await cleanup();
    const bowtie: Polygon = {
      type: 'Polygon',
      coordinates: [[pt(0, 0), pt(100, 100), pt(100, 0), pt(0, 100), pt(0, 0)]],
    };
    const r1 = await call('POST', '', area(bowtie));
    expect(r1.status).toBe(422);
    expect(r1.body.error.details.issues!.map((i) => i.code)).toEqual(['self_intersection']);
    const r2 = await call('POST', '', area(rect(0, 0, 5, 5)));
    expect(r2.status).toBe(422);
    expect(r2.body.error.details.issues!.map((i) => i.code)).toEqual(['too_small', 'empty']);
    expect(await count()).toBe(0);
  });

  it('returns warnings (cut_building, empty) with a successful save', async () => {
    await cleanup();
    const r = await call('POST', '', area(rect(0, 0, 25, 100)));
    expect(r.status).toBe(201);
    expect(r.body.warnings).toEqual([{ code: 'cut_building', buildings: [1] }, { code: 'empty' }]);
  });
});

describe('malformed input → 400 with a code, nothing stored', () => {
  const ring = rect(0, 0, 100, 100).coordinates[0]!;
  const many = Array.from({ length: 10_001 }, (_, i) => {
    const a = (i / 10_001) * 2 * Math.PI;
    return pt(50 * Math.cos(a), 50 * Math.sin(a));
  });
  it.each([
    ['not JSON', '{', 'bad_request'],
    ['not a Feature', { type: 'Polygon', coordinates: [ring] }, 'invalid_geojson'],
    [
      'a LineString',
      { ...area(rect(0, 0, 1, 1)), geometry: { type: 'LineString', coordinates: ring } },
      'invalid_geojson',
    ],
    ['an unclosed ring', area({ type: 'Polygon', coordinates: [ring.slice(0, 4)] }), 'invalid_geometry'],
    [
      'fewer than 4 positions',
      area({ type: 'Polygon', coordinates: [[ring[0]!, ring[1]!, ring[0]!]] }),
      'invalid_geometry',
    ],
    [
      'a null coordinate (NaN in JSON)',
      area({
        type: 'Polygon',
        coordinates: [[...ring.slice(0, 2), [null, 30.5] as unknown as number[], ...ring.slice(3)]],
      }),
      'invalid_geometry',
    ],
    [
      'an out-of-range coordinate',
      area({
        type: 'Polygon',
        coordinates: [
          [
            [200, 30],
            [201, 30],
            [201, 31],
            [200, 30],
          ],
        ],
      }),
      'invalid_geometry',
    ],
    [
      'more than 10,000 vertices',
      area({ type: 'Polygon', coordinates: [[...many, many[0]!]] }),
      'invalid_geometry',
    ],
    [
      'an unknown management mode',
      area(rect(0, 0, 100, 100), { management_mode: 'martian' }),
      'invalid_attribute',
    ],
    ['an unknown status', area(rect(0, 0, 100, 100), { status: 'final' }), 'invalid_attribute'],
    ['an unknown attribute', area(rect(0, 0, 100, 100), { colour: 'red' }), 'invalid_attribute'],
    ['no name', area(rect(0, 0, 100, 100), { name: '' }), 'invalid_attribute'],
    ['an unknown street code', area(rect(0, 0, 100, 100), { street_code: '999' }), 'invalid_attribute'],
  ])('%s', async (_name, body, code) => {
    await cleanup();
    const r = await call('POST', '', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(await count()).toBe(0);
  });
});

describe('versions: If-Match, conflicts, history', () => {
  it('PUT with the current version saves the next; a stale one is 409 with the current; none is 428', async () => {
    await cleanup();
    const c = await call('POST', '', area(rect(0, 0, 100, 100)));
    const id = c.body.id;
    const historyBefore = await count('service_area_history');
    const r1 = await call('PUT', `/${id}`, area(rect(0, 0, 120, 100), { name: '改名' }), { ifMatch: '"1"' });
    expect(r1.status).toBe(200);
    expect(r1.body.version).toBe(2);
    expect(r1.headers.get('etag')).toBe('"2"');
    const stale = await call('PUT', `/${id}`, area(rect(0, 0, 130, 100), { name: '他人' }), {
      ifMatch: '"1"',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details).toMatchObject({
      current_version: 2,
      current: { properties: { name: '改名', version: 2 } },
    });
    const none = await call('PUT', `/${id}`, area(rect(0, 0, 130, 100)));
    expect(none.status).toBe(428);
    expect(none.body.error.code).toBe('precondition_required');
    // An edit into a neighbour is refused even with the right version; the area itself is not its own neighbour.
    const n = await call('POST', '', area(rect(200, 0, 300, 100)));
    expect((await call('PUT', `/${id}`, area(rect(0, 0, 250, 100)), { ifMatch: '"2"' })).status).toBe(422);
    expect(
      (await call('PUT', `/${n.body.id}`, area(rect(120, 0, 300, 100)), { ifMatch: '"1"' })).status,
    ).toBe(200);
    const restore = await call('PUT', `/${id}?operation=restore`, area(rect(0, 0, 100, 100)), {
      ifMatch: '"2"',
    });
    expect(restore.body.version).toBe(3);
    const h = await call('GET', `/${id}/history`);
    expect(h.body.entries).toMatchObject([
      { version: 1, operation: 'create', attributes: { name: '测试区域' } },
      { version: 2, operation: 'update', attributes: { name: '改名' } },
      { version: 3, operation: 'restore', attributes: { name: '测试区域' } },
    ]);
    expect(await count('service_area_history')).toBe(historyBefore + 4);
  });

  it('of simultaneous PUTs with the same If-Match exactly one saves; the others get 409 and the winner', async () => {
    await cleanup();
    const c = await call('POST', '', area(rect(0, 0, 100, 100)));
    const rs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call('PUT', `/${c.body.id}`, area(rect(0, 0, 100 + i, 100), { name: `编辑 ${i}` }), {
          ifMatch: '"1"',
        }),
      ),
    );
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = rs.find((r) => r.status === 200)!;
    for (const r of rs.filter((x) => x.status === 409)) {
      expect(r.body.error.details).toMatchObject({
        current_version: 2,
        current: { properties: (winner.body.feature as { properties: object }).properties },
      });
    }
    const h = await call('GET', `/${c.body.id}/history`);
    expect((h.body.entries as unknown[]).length).toBe(2);
  });

  it('DELETE needs If-Match, refuses a stale one, records the deletion', async () => {
    await cleanup();
    const c = await call('POST', '', area(rect(0, 0, 100, 100)));
    const id = c.body.id;
    expect((await call('DELETE', `/${id}`)).status).toBe(428);
    expect((await call('DELETE', `/${id}`, undefined, { ifMatch: '"7"' })).status).toBe(409);
    expect((await call('DELETE', `/${id}`, undefined, { as: 'viewer', ifMatch: '"1"' })).status).toBe(403);
    const d = await call('DELETE', `/${id}`, undefined, { ifMatch: '"1"' });
    expect(d.status).toBe(204);
    expect((await call('GET', `/${id}`)).status).toBe(404);
    const h = await call('GET', `/${id}/history`);
    expect(h.body.entries).toMatchObject([
      { operation: 'create' },
      { version: 2, operation: 'delete', changed_by: 'admin' },
    ]);
  });
});

describe('issue 10: history hides who edited from anonymous readers', () => {
  it('anonymous: changed_by null and no username anywhere; signed in (any role): the username; never a user id', async () => {
    await cleanup();
    const c = await call('POST', '', area(rect(0, 0, 100, 100)), { as: `editor-${STREET_A}` });
    expect(c.status).toBe(201);
    const id = c.body.id as number;
    const up = await call('PUT', `/${id}`, area(rect(0, 0, 100, 90)), { ifMatch: '"1"' });
    expect(up.status).toBe(200);
    // An import records the whole row as the attributes (to_jsonb of service_areas), its
    // created_by/updated_by with it (server/src/importer/import.ts withHistory).
    await w.t.db.query(
      `INSERT INTO service_area_history (area_id, version, operation, attributes, geom, changed_by)
       VALUES ($1, 3, 'import', '{"name":"导入","created_by":"admin","updated_by":"admin"}', NULL, 'admin')`,
      [id],
    );
    const who = ['admin', `editor-${STREET_A}`];

    const anon = await call('GET', `/${id}/history`, undefined, { as: null });
    expect(anon.status).toBe(200);
    const entries = anon.body.entries as { changed_by: unknown }[];
    expect(entries.map((e) => e.changed_by)).toEqual([null, null, null]);
    expect(editorTraces(anon.body, who)).toEqual([]);
    expect(userIdKeys(anon.body)).toEqual([]);
    // A token that is no longer valid reads as anonymous: the history is public, only names are not.
    const stale = await fetch(`${w.app.url}/api/service-areas/${id}/history`, {
      headers: { authorization: 'Bearer not.a.token' },
    });
    expect(stale.status).toBe(200);
    expect(editorTraces(await stale.json(), who)).toEqual([]);

    for (const as of ['viewer', `editor-${STREET_B}`, 'admin']) {
      const h = await call('GET', `/${id}/history`, undefined, { as });
      expect(h.status).toBe(200);
      expect((h.body.entries as { changed_by: unknown }[]).map((e) => e.changed_by)).toEqual([
        `editor-${STREET_A}`,
        'admin',
        'admin',
      ]);
      expect(h.body.entries).toMatchObject([{}, {}, { attributes: { created_by: 'admin' } }]);
      expect(userIdKeys(h.body)).toEqual([]);
    }
  });
});

describe('issue 10: live records hide who edited from anonymous readers', () => {
  it('issue 10: live records hide who edited from anonymous readers (GET one, GET by bbox, export)', async () => {
    await cleanup();
    const ed = `editor-${STREET_A}`;
    const c = await call('POST', '', area(rect(0, 0, 100, 100)), { as: ed });
    expect(c.status).toBe(201);
    const id = c.body.id as number;
    expect((await call('PUT', `/${id}`, area(rect(0, 0, 100, 90)), { ifMatch: '"1"' })).status).toBe(200);
    const who = ['admin', ed];
    const bbox = `?bbox=${LON0 - 0.01},${LAT0 - 0.01},${LON0 + 0.01},${LAT0 + 0.01}`;
    const exported = async (token?: string) => {
      const r = await fetch(`${w.app.url}/api/export/service-areas.geojson`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(r.status).toBe(200);
      const fc = (await r.json()) as { features: { properties: Record<string, unknown> }[] };
      return fc.features.find((f) => f.properties.id === id)!.properties;
    };

    // Anonymous: the same fields, null.
    const one = await call('GET', `/${id}`, undefined, { as: null });
    expect(one.status).toBe(200);
    expect(one.body.properties).toMatchObject({ created_by: null, updated_by: null, version: 2 });
    const list = await call('GET', bbox, undefined, { as: null });
    expect(list.status).toBe(200);
    expect(list.body.features).toHaveLength(1);
    expect(editorTraces(one.body, who)).toEqual([]);
    expect(editorTraces(list.body, who)).toEqual([]);
    const anonExport = await exported();
    expect(anonExport).toMatchObject({ created_by: null, updated_by: null });
    expect(editorTraces(anonExport, who)).toEqual([]);

    // Signed in, any role: the usernames.
    for (const as of ['viewer', `editor-${STREET_B}`, 'admin']) {
      const o = await call('GET', `/${id}`, undefined, { as });
      expect(o.body.properties).toMatchObject({ created_by: ed, updated_by: 'admin' });
      const l = await call('GET', bbox, undefined, { as });
      expect((l.body.features as { properties: unknown }[])[0]!.properties).toMatchObject({
        created_by: ed,
        updated_by: 'admin',
      });
      expect(userIdKeys(l.body)).toEqual([]);
    }
    expect(await exported(w.tokens.viewer)).toMatchObject({ created_by: ed, updated_by: 'admin' });
  });
});

describe('who may write where', () => {
  it('needs a token; a viewer reads only', async () => {
    await cleanup();
    const r = await call('POST', '', area(rect(0, 0, 100, 100)), { as: '' });
    expect(r.status).toBe(401);
    const v = await call('POST', '', area(rect(0, 0, 100, 100)), { as: 'viewer' });
    expect(v.status).toBe(403);
    expect(v.body.error.code).toBe('forbidden');
    expect(await count()).toBe(0);
  });

  it('a street editor saves inside its 街道 (up to its edge), not outside; city_admin anywhere', async () => {
    await cleanup();
    const ed = `editor-${STREET_A}`;
    const inside = await call('POST', '', area(rect(900, 0, 1000, 100)), { as: ed });
    expect(inside.status).toBe(201);
    expect((inside.body.feature as { properties: { street_code: string } }).properties.street_code).toBe(
      STREET_A,
    );
    const across = await call('POST', '', area(rect(950, 200, 1050, 300)), { as: ed });
    expect(across.status).toBe(403);
    expect(across.body.error.code).toBe('out_of_jurisdiction');
    const otherCode = await call('POST', '', area(rect(0, 200, 100, 300), { street_code: STREET_B }), {
      as: ed,
    });
    expect(otherCode.status).toBe(403);
    expect(otherCode.body.error.code).toBe('out_of_jurisdiction');
    const admin = await call('POST', '', area(rect(1100, 0, 1200, 100)));
    expect(admin.status).toBe(201);
    // Moving the admin's area of street B into A is not the A editor's to do, nor B's area to touch.
    const take = await call('PUT', `/${admin.body.id}`, area(rect(800, 200, 900, 300)), {
      as: ed,
      ifMatch: '"1"',
    });
    expect(take.status).toBe(403);
    expect(take.body.error.code).toBe('out_of_jurisdiction');
    const b = await call('PUT', `/${admin.body.id}`, area(rect(1100, 0, 1250, 100)), {
      as: `editor-${STREET_B}`,
      ifMatch: '"1"',
    });
    expect(b.status).toBe(200);
    expect(await count()).toBe(2);
  });

  it("the trigger's refusal becomes the same 422 body a failed check gives", async () => {
    await cleanup();
    const ins = (p: Polygon) =>
      w.t.db.query(
        `INSERT INTO service_areas (name, management_mode, geom) VALUES ('sql', 'professional', ST_GeomFromText($1, 4326)) RETURNING id`,
        [wkt(p)],
      );
    const first = (await ins(rect(0, 0, 100, 100))).rows[0] as { id: number };
    const e = await ins(rect(50, 0, 150, 100)).then(
      () => null,
      (err: unknown) => err,
    );
    const h = fromDatabase(e) as HttpError;
    expect(h).toBeInstanceOf(HttpError);
    expect(h.status).toBe(422);
    expect(h.code).toBe('validation_failed');
    const issue = (h.details as { issues: { code: string; with: number[]; area_m2: number }[] }).issues[0]!;
    expect(issue.code).toBe('overlap');
    expect(issue.with).toEqual([first.id]);
    expect(issue.area_m2).toBeGreaterThan(4900);
  });
});

describe('POST /validate', () => {
  it('answers the checks of a save and stores nothing; the area being edited is not its own neighbour', async () => {
    await cleanup();
    const c = await call('POST', '', area(rect(0, 0, 100, 100)));
    const before = await count('service_area_history');
    const r = await call('POST', '/validate', { feature: area(rect(25, 0, 125, 100)) }, { as: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect((r.body.issues as { code: string }[]).map((i) => i.code)).toEqual(['overlap', 'cut_building']);
    expect(r.body.stats).toMatchObject({ buildings: 1, three_no_buildings: 0, households: 30 });
    const self = await call(
      'POST',
      '/validate',
      { feature: area(rect(0, 0, 110, 100)), id: c.body.id },
      { as: 'viewer' },
    );
    expect(self.body).toMatchObject({
      valid: true,
      issues: [],
      stats: { buildings: 2, three_no_buildings: 1, households: 42 },
    });
    // A street editor's answer includes its jurisdiction.
    const out = await call('POST', '/validate', area(rect(1500, 0, 1600, 100)), { as: `editor-${STREET_A}` });
    expect((out.body.issues as { code: string }[]).map((i) => i.code)).toEqual([
      'out_of_jurisdiction',
      'empty',
    ]);
    const bad = await call(
      'POST',
      '/validate',
      { feature: { type: 'Feature', geometry: null } },
      { as: 'viewer' },
    );
    expect(bad.status).toBe(400);
    expect(await count()).toBe(1);
    expect(await count('service_area_history')).toBe(before);
  });
});

describe('no overlap under concurrency', () => {
  it('of 8 simultaneous POSTs of mutually overlapping areas exactly one commits', async () => {
    await cleanup();
    const rs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', '', area(rect(500 + i * 10, 500, 600 + i * 10, 600), { name: `并发 ${i}` })),
      ),
    );
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422, 422, 422, 422, 422]);
    expect(await count()).toBe(1);
    const overlaps = await w.t.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM service_areas a JOIN service_areas b ON a.id < b.id AND ST_Relate(a.geom, b.geom, 'T********')`,
    );
    expect(overlaps.rows[0]!.n).toBe(0);
  });

  it('the database itself refuses an overlapping or invalid row from plain SQL', async () => {
    await cleanup();
    const ins = (p: Polygon | string) =>
      w.t.db.query(
        `INSERT INTO service_areas (name, management_mode, geom) VALUES ('sql', 'professional', ST_GeomFromText($1, 4326))`,
        [typeof p === 'string' ? p : wkt(p)],
      );
    await ins(rect(0, 0, 100, 100));
    await expect(ins(rect(50, 50, 150, 150))).rejects.toMatchObject({ code: 'WY001' });
    await ins(rect(100, 0, 200, 100)); // shared edge
    const bowtie = `POLYGON((${[pt(300, 0), pt(400, 100), pt(400, 0), pt(300, 100), pt(300, 0)].map((c) => c.join(' ')).join(',')}))`;
    await expect(ins(bowtie)).rejects.toMatchObject({ code: 'WY002' });
    await expect(
      w.t.db.query(
        `UPDATE service_areas SET geom = ST_Translate(geom, 0.0005, 0) WHERE name = 'sql' AND id = (SELECT min(id) FROM service_areas)`,
      ),
    ).rejects.toMatchObject({ code: 'WY001' });
    expect(await count()).toBe(2);
  });

  it.skipIf(TEST_DB_KIND !== 'postgres')(
    'two open transactions inserting overlapping rows: the second waits, then fails',
    async () => {
      await cleanup();
      const c1 = new pg.Client({ connectionString: w.t.url });
      const c2 = new pg.Client({ connectionString: w.t.url });
      await c1.connect();
      await c2.connect();
      try {
        const sqlIns = `INSERT INTO service_areas (name, management_mode, geom) VALUES ('tx', 'professional', ST_GeomFromText($1, 4326))`;
        await c1.query('BEGIN');
        await c2.query('BEGIN');
        await c1.query(sqlIns, [wkt(rect(0, 0, 100, 100))]);
        const second = c2.query(sqlIns, [wkt(rect(50, 0, 150, 100))]).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
        await new Promise((r) => setTimeout(r, 200));
        await c1.query('COMMIT');
        expect(await second).toBe('WY001');
        await c2.query('ROLLBACK');
      } finally {
        await c1.end();
        await c2.end();
      }
      expect(await count()).toBe(1);
    },
  );
});
