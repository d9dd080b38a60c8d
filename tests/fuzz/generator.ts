import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { AppRoute } from './routes.ts';

/** One request the fuzzer sends. */
export interface FuzzRequest {
  method: string;
  /** The path with its parameters filled in and its query string. */
  url: string;
  /** Who signs it: a demo username, a hostile token, or nobody. */
  as: { user: string } | { token: string } | null;
  headers: Record<string, string>;
  body?: string;
}

const LON0 = 105.59;
const LAT0 = 30.53;
const NUL = '\u0000';
/** encodeURIComponent, with lone surrogates (which it refuses) made well-formed first. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));

/** Strings meant to break things: NUL, huge, control and odd Unicode, traversal, SQL-ish, numbers-as-text. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    NUL,
    `a${NUL}b`,
    '',
    ' ',
    '../../etc/passwd',
    '..\\..\\',
    "'; DROP TABLE cameras; --",
    '%',
    '_',
    '\\',
    '\uD800',
    '\uFEFF',
    '名'.repeat(300),
    'NaN',
    'Infinity',
    '-0',
    '1e308',
    '1.5',
    '<script>alert(1)</script>',
    '{{camera_json}}',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 17 }).map((k) => 'x'.repeat(1 << k)),
);
/** In a URL: Node itself answers 431 (no body) to request lines over 16 KB, before the app sees them. */
const hostileUrlString = hostileString.map((s) => s.slice(0, 2_500));

const number = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 1.5, 1e308, -1e308, 5e-324, 360, 361, -361, 2 ** 53, 2 ** 63, 1e21),
  fc.double(),
  fc.integer(),
);

/** Path parameter values: ids good and bad, encoded NUL and traversal, layer names, formats. */
const pathValue = fc.oneof(
  fc.constantFrom('1', '2', '3', '0', '-1', '1.5', 'NaN', 'Infinity', '1e308', '-0', '00001'),
  fc.constantFrom('%00', 'a%00', '..%2F..%2Fetc', '..', '%2e%2e', '%E0%A4%A', '%', '9'.repeat(400)),
  fc.constantFrom(
    'buildings',
    'service_areas',
    'compounds',
    'jurisdictions',
    'cameras',
    'csv',
    'xlsx',
    'geojson',
  ),
  fc.constantFrom('14', '13152', '6712', '22', '30', '-3'),
  fc.string({ maxLength: 12 }).map(enc),
);

const QUERY_NAMES = [
  'bbox',
  'limit',
  'street',
  'community',
  'code',
  'level',
  'q',
  'format',
  'category',
  'distance',
  'width',
  'max_area',
  'min_area',
  'margin',
  'road',
  'k',
  'compound',
  'status',
  'overdue',
  'name',
  'download',
  'operation',
  'from',
  'to',
  'days',
  'layer',
];
const queryValue = fc.oneof(
  fc.constantFrom(
    `${LON0 - 0.05},${LAT0 - 0.05},${LON0 + 0.05},${LAT0 + 0.05}`,
    '-180,-90,180,90',
    '1,2,3',
    '510903001',
    '510903002',
    '510903001001',
    'street',
    'city',
    'compound',
    'three_no',
    '100',
    '1.5',
    '-1',
    '0',
    'NaN',
    'Infinity',
    '1e308',
    '%00',
    'a%00b',
    'restore',
    'csv',
  ),
  hostileUrlString.map(enc),
);

const lonLat = fc.oneof(
  fc
    .tuple(
      fc.double({ min: -0.02, max: 0.05, noNaN: true }),
      fc.double({ min: -0.02, max: 0.02, noNaN: true }),
    )
    .map(([dx, dy]) => [LON0 + dx, LAT0 + dy]),
  fc.tuple(number, number),
);
/** Rings near the test world, degenerate ones, antimeridian-crossing ones and junk. */
const ring = fc.oneof(
  fc
    .tuple(
      fc.double({ min: 0, max: 0.03, noNaN: true }),
      fc.double({ min: -0.01, max: 0.01, noNaN: true }),
      fc.double({ min: 0.0002, max: 0.003, noNaN: true }),
    )
    .map(([dx, dy, s]) => {
      const x = LON0 + dx;
      const y = LAT0 + dy;
      return [
        [x, y],
        [x + s, y],
        [x + s, y + s],
        [x, y + s],
        [x, y],
      ];
    }),
  fc.constant([
    [179.9, 10],
    [-179.9, 10],
    [-179.9, 10.1],
    [179.9, 10.1],
    [179.9, 10],
  ]),
  fc.constant([
    [LON0, LAT0],
    [LON0 + 0.001, LAT0 + 0.001],
    [LON0 + 0.001, LAT0],
    [LON0, LAT0 + 0.001],
    [LON0, LAT0],
  ]),
  fc.array(lonLat, { maxLength: 8 }),
);
const polygon = fc.oneof(
  ring.map((r) => ({ type: 'Polygon', coordinates: [r] })),
  fc.record({
    type: fc.constantFrom('Polygon', 'MultiPolygon', 'Point', 'LineString', 'GeometryCollection'),
    coordinates: fc.anything(),
  }),
);
const point = fc.record({ type: fc.constant('Point'), coordinates: lonLat });

/** Any JSON value, of hostile leaves. */
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom(...QUERY_NAMES, 'name', 'compound_id', 'ids', 'versions', 'geometry', 'properties'),
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const props = fc.dictionary(
  fc.constantFrom(
    'name',
    'code',
    'management_mode',
    'status',
    'street_code',
    'community_code',
    'compound_id',
    'direction_deg',
    'fov_deg',
    'range_m',
    'height_m',
    'indoor',
    'system',
    'type',
    'kind',
    'access_control',
    'notes',
    'provider',
  ),
  fc.oneof(
    fc.constantFrom(
      '测试',
      'resident_self',
      'professional',
      'vehicle',
      'xueliang',
      'fixed',
      1,
      2,
      90,
      361,
      1e308,
      true,
      null,
    ),
    fc.constantFrom('510903001', '510903002', '510903001001', '510903002001'),
    hostileString,
    number,
  ),
  { maxKeys: 6 },
);

/** Bodies: Features of every kind, merge/split/ledger shapes, junk, deep nesting, broken JSON. */
const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .record({ type: fc.constant('Feature'), geometry: polygon, properties: props })
    .map((b) => JSON.stringify(b)),
  fc
    .record({ type: fc.constant('Feature'), geometry: point, properties: props })
    .map((b) => JSON.stringify(b)),
  fc
    .record({
      ids: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })), junk),
      versions: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), junk),
      geometry: fc.option(polygon),
      parts: fc.array(polygon, { maxLength: 3 }),
    })
    .map((b) => JSON.stringify(b)),
  fc
    .record({
      compound_id: fc.oneof(fc.constantFrom(1, 2, 3), number),
      description: hostileString,
      category: fc.constantFrom('security', 'environment', 'x'),
      note: hostileString,
      username: hostileString,
      password: hostileString,
    })
    .map((b) => JSON.stringify(b)),
  junk.map((b) => JSON.stringify(b)),
  fc.integer({ min: 30, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 30, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.constantFrom('{', '{"a":1e400}', '[1,2', 'null', '"x"', '\u0000', '{"name":"a\\u0000"}', 'not json'),
  fc.constantFrom('小区名称,小区类别\n甲\u0000小区,三无小区\n', '小区名称\n' + '甲,'.repeat(1000)),
);

/** A token signed with the test secret over a payload that is not what the server wrote. */
const signed = (payload: string) => {
  const p = Buffer.from(payload).toString('base64url');
  return `${p}.${createHmac('sha256', 'test-secret').update(p).digest('base64url')}`;
};
const who = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('admin', 'viewer', 'editor-510903001').map((user) => ({ user })) },
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'garbage',
        '',
        'a.b.c',
        signed('not json'),
        signed('null'),
        signed('{"u":"admin","r":"city_admin","exp":1e20}'),
        signed('{"u":"nobody","r":"city_admin","s":null,"exp":9999999999}'),
        `${signed('{}')}.extra`,
      )
      .map((token) => ({ token })),
  },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/geo+json',
  'text/csv',
  'text/plain',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
);

/** A request for one of the app's routes, parameters filled with good and hostile values. */
export function fuzzRequest(routes: readonly AppRoute[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: fc.constantFrom(...routes),
      params: fc.array(pathValue, { minLength: 6, maxLength: 6 }),
      query: fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), hostileUrlString.map(enc)), queryValue),
        {
          maxLength: 4,
        },
      ),
      body,
      as: who,
      ifMatch: fc.option(fc.constantFrom('"1"', '"2"', '*', 'garbage', '"99999999999"', 'W/"1"'), {
        nil: undefined,
      }),
      contentType,
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), {
        freq: 8,
        nil: undefined,
      }),
    })
    .map(({ route, params, query, body: b, as, ifMatch, contentType: ct, otherMethod }) => {
      let i = 0;
      const path = route.path.replace(/:(\w+)/g, () => params[i++ % params.length]!);
      const qs = query.map(([k, v]) => `${k}=${v}`).join('&');
      const headers: Record<string, string> = { 'content-type': ct };
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      const method = otherMethod ?? route.method;
      return {
        method,
        url: qs ? `${path}?${qs}` : path,
        as,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : b,
      };
    });
}
