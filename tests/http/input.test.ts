import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  COMPOUND_A,
  EDITOR_A,
  areaFeature,
  pointFeature,
  rect,
  useTrustWorld,
  type Answer,
} from '../helpers/trust-world.ts';
import { startApp } from '../helpers/app.ts';

const w = useTrustWorld();
const NUL = '\u0000';

/** A 4xx with the API's JSON error shape, and nothing of the server's insides in it. */
function expectClientError(a: Answer, status?: number) {
  expect(a.status, a.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(a.status, a.text.slice(0, 300)).toBeLessThan(500);
  if (status !== undefined) expect(a.status, a.text.slice(0, 300)).toBe(status);
  expect(a.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(a.body?.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  expectNoInsides(a);
}
function expectNoInsides(a: Answer) {
  expect(a.text).not.toMatch(/<html|<pre>|\bat .+\.(ts|js):\d+|\/work\/|node_modules/i);
  expect(a.text).not.toMatch(/Key \(|already exists|violates|lwgeom|GEOS|ST_[A-Za-z]+|SQLSTATE/);
}

describe('issue 10 #2: a NUL byte in any string is a 400, never a 500', () => {
  const cases: [string, string, string, unknown, { as?: string | null; raw?: string }?][] = [
    ['unauthenticated login', 'POST', '/api/auth/login', { username: `admin${NUL}`, password: 'x' }],
    ['search', 'GET', `/api/search?q=a%00b`, undefined, { as: null }],
    ['coverage filter', 'GET', '/api/coverage/compounds?street=%00', undefined, { as: null }],
    ['coverage level code', 'GET', '/api/coverage?level=street&code=%00', undefined, { as: null }],
    ['ledger filter', 'GET', '/api/ledger?street=%00', undefined],
    ['scorecards filter', 'GET', '/api/compounds/scorecards?street=a%00', undefined],
    [
      'service area name',
      'POST',
      '/api/service-areas',
      areaFeature(rect(0, 0, 50, 50), { name: `甲${NUL}` }),
    ],
    ['camera name', 'POST', '/api/cameras', pointFeature(100, 100, { name: `东门${NUL}` })],
    ['gate name', 'POST', '/api/gates', pointFeature(100, 110, { name: `东门${NUL}` })],
    [
      'ledger text',
      'POST',
      '/api/ledger',
      { compound_id: COMPOUND_A, description: `缺${NUL}`, category: 'security' },
    ],
    [
      'survey CSV',
      'POST',
      '/api/compounds/survey?format=csv',
      undefined,
      { raw: `小区名称,小区类别\n甲${NUL}小区,三无小区\n` },
    ],
    ['a path segment', 'GET', '/api/compounds/%00/scorecard', undefined],
    ['a layer name', 'GET', '/api/%00?bbox=105,30,106,31', undefined, { as: null }],
    ['an object key', 'POST', '/api/service-areas/validate', { [`a${NUL}`]: 1 }],
  ];
  for (const [what, method, path, body, opts] of cases) {
    it(`${what}: ${method} ${path.slice(0, 50)}`, async () => {
      const before = await w.count('service_areas');
      expectClientError(await w.call(method, path, body, opts));
      expect(await w.count('service_areas')).toBe(before);
    });
  }
});

describe('issue 10 #2: hostile bodies and parameters answer 4xx JSON', () => {
  it('JSON nested 10,000 deep is a 400 JSON answer, not a 500 or an HTML stack trace', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const path of ['/api/service-areas', '/api/auth/login', '/api/cameras']) {
      expectClientError(await w.call('POST', path, undefined, { raw: deep }), 400);
    }
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expectClientError(
      await w.call('POST', '/api/service-areas/validate', undefined, { raw: deepObject }),
      400,
    );
  });

  it('a 1 MiB camera code is a 400, not a 500 (index row too large)', async () => {
    const before = await w.count('cameras');
    const a = await w.call('POST', '/api/cameras', pointFeature(100, 100, { code: 'C'.repeat(1 << 20) }));
    expectClientError(a);
    expect(await w.count('cameras')).toBe(before);
  });

  it('GET /api/coverage/compounds?limit=1.5 is a 400', async () => {
    expectClientError(await w.call('GET', '/api/coverage/compounds?limit=1.5', undefined, { as: null }), 400);
  });

  it('trust10 #7: GET /api/ledger?limit=1.5 is a 400 like the other lists; limit=1 gives one item', async () => {
    for (const limit of ['1.5', '0', '-1', 'x', '1e3'])
      expectClientError(await w.call('GET', `/api/ledger?limit=${limit}`, undefined, { as: null }), 400);
    const ok = await w.call('GET', '/api/ledger?limit=1', undefined, { as: null });
    expect(ok.status).toBe(200);
    expect((ok.body!.items as unknown[]).length).toBeLessThanOrEqual(1);
  });

  it('a correctly signed token whose payload is not JSON is a 401', async () => {
    const payload = Buffer.from('this is not json').toString('base64url');
    const sig = createHmac('sha256', 'test-secret').update(payload).digest('base64url');
    const a = await w.call('GET', '/api/auth/me', undefined, {
      as: null,
      headers: { authorization: `Bearer ${payload}.${sig}` },
    });
    expectClientError(a, 401);
  });

  it('ids that are not positive integers are 4xx on path and query', async () => {
    for (const id of [
      '1.5',
      '-1',
      '0',
      'NaN',
      'Infinity',
      '1e308',
      '%00',
      '..%2F..%2Fetc',
      '99999999999999999999',
    ])
      expectClientError(await w.call('GET', `/api/cameras/${id}`));
    for (const v of ['1.5', '-1', 'x', '1e308'])
      expectClientError(await w.call('GET', `/api/ledger?compound=${v}`));
  });

  it('malformed JSON answers 400 without echoing the parser text', async () => {
    const a = await w.call('POST', '/api/service-areas', undefined, { raw: '{"type": "Feature",' });
    expectClientError(a, 400);
  });
});

describe('issue 10 #3: values accepted before and wrong are refused', () => {
  it('camera and gate names of any length are refused (400 naming the field)', async () => {
    const long = '名'.repeat(5000);
    const c = await w.call('POST', '/api/cameras', pointFeature(100, 100, { name: long }));
    expectClientError(c, 400);
    expect(c.body!.error.details.field).toBe('name');
    const g = await w.call('POST', '/api/gates', pointFeature(100, 100, { name: long }));
    expectClientError(g, 400);
    expect(g.body!.error.details.field).toBe('name');
  });

  it('direction_deg 1e308 is a 400, not stored as some other bearing', async () => {
    const before = await w.count('cameras');
    const a = await w.call('POST', '/api/cameras', pointFeature(100, 100, { direction_deg: 1e308 }));
    expectClientError(a, 400);
    expect(a.body!.error.details.field).toBe('direction_deg');
    expect(await w.count('cameras')).toBe(before);
  });

  it('a gate with fov_deg 361 (a camera field) is a 400, not silently dropped', async () => {
    const before = await w.count('gates');
    const a = await w.call('POST', '/api/gates', pointFeature(100, 100, { kind: 'vehicle', fov_deg: 361 }));
    expectClientError(a, 400);
    expect(a.body!.error.details.field).toBe('fov_deg');
    expect(await w.count('gates')).toBe(before);
  });

  it('an area crossing the antimeridian is refused, not stored as a 360°-wide strip', async () => {
    const ring = [
      [179.9, 10],
      [-179.9, 10],
      [-179.9, 10.1],
      [179.9, 10.1],
      [179.9, 10],
    ];
    const f = areaFeature({ type: 'Polygon', coordinates: [ring] });
    const before = await w.count('service_areas');
    for (const path of ['/api/service-areas/validate', '/api/service-areas']) {
      const a = await w.call('POST', path, f);
      expectClientError(a, 400);
      expect(a.body!.error.details.problem).toBe('crosses_antimeridian');
    }
    expect(await w.count('service_areas')).toBe(before);
  });

  it('the 409 for a duplicate camera code carries no PostgreSQL key detail', async () => {
    const first = await w.call('POST', '/api/cameras', pointFeature(200, 200, { code: 'DUP-1' }));
    expect(first.status).toBe(201);
    const again = await w.call('POST', '/api/cameras', pointFeature(210, 200, { code: 'DUP-1' }));
    expect(again.status).toBe(409);
    expectNoInsides(again);
    expect(again.body!.error.details).toEqual({ field: 'code' });
  });

  it('a street editor of 甲 gets the same refusals as the admin', async () => {
    const a = await w.call('POST', '/api/cameras', pointFeature(100, 100, { direction_deg: 1e308 }), {
      as: EDITOR_A,
    });
    expectClientError(a, 400);
  });
});

describe('issue 10 #7: security headers, CORS closed unless configured', () => {
  it('CSP of the own origin only, no framing, nosniff, a referrer policy; no CORS for a foreign origin', async () => {
    const a = await w.call('GET', '/api/config', undefined, {
      as: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(a.status).toBe(200);
    const csp = a.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toContain('tianditu');
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(a.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the 天地图 hosts join the CSP when a key is set; a configured origin gets CORS', async () => {
    const other = await startApp(w.t.db, { TIANDITU_TK: 'k', CORS_ORIGINS: 'https://ok.example' });
    try {
      const r = await fetch(`${other.url}/api/config`, { headers: { origin: 'https://ok.example' } });
      expect(r.headers.get('content-security-policy')).toContain('https://t0.tianditu.gov.cn');
      expect(r.headers.get('access-control-allow-origin')).toBe('https://ok.example');
      const pre = await fetch(`${other.url}/api/cameras`, {
        method: 'OPTIONS',
        headers: { origin: 'https://ok.example', 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-headers')).toContain('If-Match');
      const evil = await fetch(`${other.url}/api/config`, { headers: { origin: 'https://evil.example' } });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await other.close();
    }
  });
});
