import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMUNITY_A,
  COMMUNITY_B,
  COMPOUND_A,
  COMPOUND_B,
  EDITOR_A,
  STREET_A,
  areaFeature,
  pointFeature,
  rect,
  asAppRole,
  useTrustWorld,
  type TrustWorld,
} from '../helpers/trust-world.ts';
import { enumerateRoutes } from '../fuzz/routes.ts';

const w = useTrustWorld();

/** Everything a refused write could have touched, to compare before and after. */
const snapshot = async () =>
  (
    await w.t.db.query<{ s: string }>(
      `SELECT json_build_object(
         'cameras', (SELECT json_agg(json_build_object('id', id, 'v', version, 'c', compound_id) ORDER BY id) FROM cameras),
         'gates', (SELECT json_agg(json_build_object('id', id, 'v', version, 'c', compound_id) ORDER BY id) FROM gates),
         'areas', (SELECT json_agg(json_build_object('id', id, 'v', version, 'cc', community_code,
                                                     'g', ST_AsText(geom)) ORDER BY id) FROM service_areas)
       )::text AS s`,
    )
  ).rows[0]!.s;

describe('issue 10 #4: a street editor cannot link another street’s compound to a gate or camera', () => {
  for (const layer of ['gates', 'cameras'] as const) {
    it(`POST /api/${layer} with compound_id of 乙's compound → 403, nothing written`, async () => {
      const before = await snapshot();
      const r = await w.call('POST', `/api/${layer}`, pointFeature(100, 300, { compound_id: COMPOUND_B }), {
        as: EDITOR_A,
      });
      expect(r.status).toBe(403);
      expect(r.body!.error.code).toBe('out_of_jurisdiction');
      expect(await snapshot()).toBe(before);
    });

    it(`PUT /api/${layer}/:id to 乙's compound → 403, nothing written; its own compound → 200`, async () => {
      const made = await w.call(
        'POST',
        `/api/${layer}`,
        pointFeature(120, 300, { compound_id: COMPOUND_A }),
        {
          as: EDITOR_A,
        },
      );
      expect(made.status).toBe(201);
      const before = await snapshot();
      const r = await w.call(
        'PUT',
        `/api/${layer}/${made.body!.id}`,
        pointFeature(120, 300, { compound_id: COMPOUND_B }),
        { as: EDITOR_A, ifMatch: `"${made.body!.version}"` },
      );
      expect(r.status).toBe(403);
      expect(await snapshot()).toBe(before);
      const own = await w.call('PUT', `/api/${layer}/${made.body!.id}`, pointFeature(120, 300, {}), {
        as: EDITOR_A,
        ifMatch: `"${made.body!.version}"`,
      });
      expect(own.status).toBe(200);
    });
  }

  it('the city admin may link any compound', async () => {
    const r = await w.call('POST', '/api/gates', pointFeature(140, 300, { compound_id: COMPOUND_B }));
    expect(r.status).toBe(201);
  });
});

describe('issue 10 #4: a service area’s 社区 must lie in the editor’s street', () => {
  it('POST with community_code of 乙 by 甲’s editor → 403, nothing written; its own 社区 → 201', async () => {
    const before = await snapshot();
    const r = await w.call(
      'POST',
      '/api/service-areas',
      areaFeature(rect(300, 300, 340, 340), {
        community_code: COMMUNITY_B,
      }),
      { as: EDITOR_A },
    );
    expect(r.status).toBe(403);
    expect(r.body!.error.code).toBe('out_of_jurisdiction');
    expect(await snapshot()).toBe(before);
    const own = await w.call(
      'POST',
      '/api/service-areas',
      areaFeature(rect(300, 300, 340, 340), {
        community_code: COMMUNITY_A,
      }),
      { as: EDITOR_A },
    );
    expect(own.status).toBe(201);
    const before2 = await snapshot();
    const put = await w.call(
      'PUT',
      `/api/service-areas/${own.body!.id}`,
      areaFeature(rect(300, 300, 340, 340), { community_code: COMMUNITY_B }),
      { as: EDITOR_A, ifMatch: `"${own.body!.version}"` },
    );
    expect(put.status).toBe(403);
    expect(await snapshot()).toBe(before2);
  });
});

describe('issue 10 #4: a merge’s geometry is the union of its parts', () => {
  it('two adjacent areas "merged" into a square 50 km away → 422, nothing written; the true union → 200', async () => {
    const a = await w.call('POST', '/api/service-areas', areaFeature(rect(500, 500, 550, 550)), {
      as: EDITOR_A,
    });
    const b = await w.call('POST', '/api/service-areas', areaFeature(rect(550, 500, 600, 550)), {
      as: EDITOR_A,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    const merge = (geometry: unknown, as: string) =>
      w.call(
        'POST',
        '/api/service-areas/merge',
        { ids: [a.body!.id, b.body!.id], versions: [a.body!.version, b.body!.version], geometry },
        { as },
      );
    for (const as of [EDITOR_A, 'admin']) {
      const before = await snapshot();
      const far = await merge(rect(50_000, 500, 50_100, 550), as);
      expect(far.status).toBe(422);
      expect(far.body!.error.details.issues[0].code).toBe('merge_mismatch');
      expect(await snapshot()).toBe(before);
    }
    const ok = await merge(rect(500, 500, 600, 550), EDITOR_A);
    expect(ok.status).toBe(200);
  });
});

describe('issue 10 (trust10 #7): a cross-street write answers the same on both databases', () => {
  // The app as it runs in production: as the unprivileged role, bound by row-level security
  // (embedded: SET ROLE on its one connection; a server: a login role in wuyou_app).
  let app: { call: TrustWorld['call']; close(): Promise<void> };
  beforeAll(async () => {
    app = await asAppRole(w);
  });
  afterAll(async () => {
    await app?.close();
  });
  const far = {
    gates: () => pointFeature(1500, 300),
    cameras: () => pointFeature(1520, 300),
    'service-areas': () => areaFeature(rect(1600, 600, 1650, 650)),
  } as const;
  for (const layer of ['gates', 'cameras', 'service-areas'] as const) {
    it(`DELETE and PUT of 乙's ${layer} row by 甲's editor → 403 out_of_jurisdiction (the row exists), nothing written`, async () => {
      const made = await app.call('POST', `/api/${layer}`, far[layer](), { as: 'admin' });
      expect(made.status).toBe(201);
      const before = await snapshot();
      const del = await app.call('DELETE', `/api/${layer}/${made.body!.id}`, undefined, {
        as: EDITOR_A,
        ifMatch: `"${made.body!.version}"`,
      });
      expect(del.status).toBe(403);
      expect(del.body!.error.code).toBe('out_of_jurisdiction');
      const put = await app.call('PUT', `/api/${layer}/${made.body!.id}`, far[layer](), {
        as: EDITOR_A,
        ifMatch: `"${made.body!.version}"`,
      });
      expect(put.status).toBe(403);
      expect(await snapshot()).toBe(before);
      // A row that exists nowhere is still a 404.
      const none = await app.call('DELETE', `/api/${layer}/999999`, undefined, {
        as: EDITOR_A,
        ifMatch: '"1"',
      });
      expect(none.status).toBe(404);
    });
  }

  it('as the app role, a street editor still does every write of its own street (histories, compounds, survey)', async () => {
    const ok = (a: { status: number; text: string }, status: number) =>
      expect(a.status, a.text.slice(0, 300)).toBe(status);
    for (const [layer, feature] of [
      ['gates', pointFeature(200, 200)],
      ['cameras', pointFeature(220, 200)],
      ['service-areas', areaFeature(rect(200, 600, 260, 660))],
    ] as const) {
      const made = await app.call('POST', `/api/${layer}`, feature, { as: EDITOR_A });
      ok(made, 201);
      const put = await app.call('PUT', `/api/${layer}/${made.body!.id}`, feature, {
        as: EDITOR_A,
        ifMatch: `"${made.body!.version}"`,
      });
      ok(put, 200);
      ok(
        await app.call('DELETE', `/api/${layer}/${made.body!.id}`, undefined, {
          as: EDITOR_A,
          ifMatch: `"${put.body!.version}"`,
        }),
        204,
      );
    }
    const item = await app.call(
      'POST',
      '/api/ledger',
      { compound_id: COMPOUND_A, description: '门禁损坏', category: 'wy_security' },
      { as: EDITOR_A },
    );
    ok(item, 201);
    ok(
      await app.call(
        'POST',
        `/api/ledger/${item.body!.id}/close`,
        { note: '已修复' },
        { as: EDITOR_A, ifMatch: `"${item.body!.version}"` },
      ),
      200,
    );
    ok(
      await app.call(
        'POST',
        `/api/compounds/${COMPOUND_A}/assessments`,
        { target: 'wy_security', state: 'met' },
        { as: EDITOR_A },
      ),
      201,
    );
    const preview = await app.call('POST', '/api/compounds/survey?name=摸排.csv', undefined, {
      as: EDITOR_A,
      raw: '小区名称,类别,户数\n甲小区,三无小区,15',
      headers: { 'content-type': 'text/csv' },
    });
    ok(preview, 201);
    ok(
      await app.call(
        'POST',
        `/api/compounds/survey/${preview.body!.import_id}/confirm`,
        {},
        { as: EDITOR_A },
      ),
      200,
    );
    expect(
      (
        await w.t.db.query<{ households: number }>('SELECT households FROM compounds WHERE id = $1', [
          COMPOUND_A,
        ])
      ).rows[0]!.households,
    ).toBe(15);
  });
});

describe('issue 10 (trust10 #1): every heavy endpoint needs a login', () => {
  it('each route through heavy() answers 401 without a token, with the JSON error shape', async () => {
    const heavy = enumerateRoutes(w.express).filter((r) => r.heavy);
    // validate, coverage gaps and proposals, camera suggestions at least
    expect(heavy.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/service-areas/validate',
        'GET /api/coverage/gaps',
        'GET /api/coverage/proposals',
        'GET /api/security-coverage/suggestions',
      ]),
    );
    const query = `street=${STREET_A}&service_area=1`;
    for (const r of heavy) {
      const a = await w.call(r.method, `${r.path}?${query}`, r.method === 'GET' ? undefined : {}, {
        as: null,
      });
      expect(a.status, `${r.method} ${r.path}`).toBe(401);
      expect(a.body!.error.code).toBe('unauthorized');
    }
    // signed in (even a viewer) they are served
    const gaps = await w.call('GET', `/api/coverage/gaps?street=${STREET_A}`, undefined, { as: 'viewer' });
    expect(gaps.status).toBe(200);
  });
});
