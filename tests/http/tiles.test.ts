import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDb } from '../../server/src/db/postgres.ts';
import type { Db } from '../../server/src/db/index.ts';
import { LAYERS } from '../../server/src/layers.ts';
import { tileBounds } from '../../server/src/tiles/tile.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';
import { appHeard, watchFeed } from '../helpers/feed.ts';

// A few features around 105.590–105.596 E, 30.526–30.530 N: all inside tile z16 x/y below.
const FIXTURES = `
INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
  ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
  ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326)));
INSERT INTO compounds (id, name, category, households, street_code, geom) VALUES
  (1, '滨江小区', 'three_no', 120, '510903001', ST_Multi(ST_MakeEnvelope(105.5900, 30.5260, 105.5930, 30.5290, 4326)));
-- b1 inside area A (covered), b2 in no area, b3 across the line between A and B (straddling).
INSERT INTO buildings (id, compound_id, category, floors, households, geom) VALUES
  (1, 1, 'three_no', 6, 24, ST_MakeEnvelope(105.5905, 30.5265, 105.5908, 30.5268, 4326)),
  (2, NULL, 'self_managed', 4, 8, ST_MakeEnvelope(105.5945, 30.5265, 105.5948, 30.5268, 4326)),
  (3, 1, 'professional', 18, 72, ST_MakeEnvelope(105.5918, 30.5270, 105.5922, 30.5273, 4326));
INSERT INTO service_areas (name, street_code, management_mode, status, geom) VALUES
  ('A', '510903001', 'resident_self', 'approved', ST_MakeEnvelope(105.5900, 30.5260, 105.5920, 30.5290, 4326)),
  ('B', '510903001', 'community_custodial', 'draft', ST_MakeEnvelope(105.5920, 30.5260, 105.5935, 30.5290, 4326));
INSERT INTO cameras (id, system, type, direction_deg, geom) VALUES
  (1, 'xueliang', 'dome', 90, ST_SetSRID(ST_MakePoint(105.5912, 30.5262), 4326));
INSERT INTO gates (id, kind, access_control, compound_id, geom) VALUES
  (1, 'vehicle', true, 1, ST_SetSRID(ST_MakePoint(105.5915, 30.5260), 4326));
INSERT INTO basemap_water (name, geom) VALUES
  ('涪江', ST_Multi(ST_MakeEnvelope(105.5800, 30.5200, 105.5950, 30.5255, 4326)));
INSERT INTO basemap_blocks (geom) VALUES (ST_MakeEnvelope(105.5898, 30.5258, 105.5937, 30.5292, 4326));
INSERT INTO basemap_roads (name, kind, geom) VALUES
  ('滨江路', 'arterial', ST_GeomFromText('LINESTRING(105.585 30.5257, 105.600 30.5257)', 4326));
`;

/** The tile at zoom z holding lon/lat. */
function tileAt(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}
/** lon/lat → position inside tile (z, x, y) in extent units. */
function toTile(lon: number, lat: number, t: { z: number; x: number; y: number }, extent = 4096) {
  const n = 2 ** t.z;
  const r = (lat * Math.PI) / 180;
  const fx = ((lon + 180) / 360) * n;
  const fy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
  return { x: (fx - t.x) * extent, y: (fy - t.y) * extent };
}

const CENTER = { lon: 105.5915, lat: 30.527 };
const T16 = tileAt(CENTER.lon, CENTER.lat, 16);
const url = (layer: string, t: { z: number; x: number; y: number }) =>
  `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;

let t: TestDb;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(FIXTURES);
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function fetchTile(base: string, path: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { r, body, tile: new VectorTile(new PbfReader(body)) };
}

function features(layer: VectorTileLayer | undefined) {
  if (!layer) return [];
  return Array.from({ length: layer.length }, (_, i) => layer.feature(i));
}

function byId(layer: VectorTileLayer | undefined) {
  return new Map(features(layer).map((f) => [f.properties.id, f.properties]));
}

describe(`GET /tiles/<layer>/<z>/<x>/<y>.mvt (${TEST_DB_KIND})`, () => {
  it.each(Object.values(LAYERS).map((l) => [l.name, l] as const))(
    '%s answers a valid MVT with its layer names and tile columns',
    async (name, def) => {
      const { r, body, tile } = await fetchTile(app.url, url(name, T16));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(r.headers.get('etag')).toMatch(/^".+"$/);
      expect(body.byteLength).toBeGreaterThan(0);
      expect(Object.keys(tile.layers).sort()).toEqual(def.parts.map((p) => p.name).sort());
      for (const part of def.parts) {
        const layer = tile.layers[part.name]!;
        expect(layer.extent).toBe(4096);
        expect(layer.length).toBeGreaterThan(0);
        for (const f of features(layer)) {
          const keys = Object.keys(f.properties);
          // Null values are not written in MVT; every key written is a tile column.
          for (const k of keys) expect(part.tileColumns).toContain(k);
          if (part.tileColumns.includes('id')) expect(f.id).toBe(f.properties.id);
        }
      }
    },
  );

  it('gives buildings their category, covered and straddling flags', async () => {
    const { tile } = await fetchTile(app.url, url('buildings', T16));
    const b = byId(tile.layers.buildings);
    expect(b.get(1)).toMatchObject({ category: 'three_no', covered: true, straddling: false, floors: 6 });
    expect(b.get(2)).toMatchObject({ category: 'self_managed', covered: false, straddling: false });
    expect(b.get(3)).toMatchObject({ category: 'professional', covered: true, straddling: true });
  });

  it('places geometry where it is on the map (to within a unit)', async () => {
    const { tile } = await fetchTile(app.url, url('buildings', T16));
    const f = features(tile.layers.buildings).find((x) => x.properties.id === 2)!;
    const ring = f.loadGeometry()[0]!;
    const xs = ring.map((p) => p.x);
    const ys = ring.map((p) => p.y);
    const sw = toTile(105.5945, 30.5265, T16);
    const ne = toTile(105.5948, 30.5268, T16);
    expect(Math.min(...xs)).toBeCloseTo(sw.x, -0.5);
    expect(Math.max(...xs)).toBeCloseTo(ne.x, -0.5);
    expect(Math.max(...ys)).toBeCloseTo(sw.y, -0.5);
    expect(Math.min(...ys)).toBeCloseTo(ne.y, -0.5);
    expect(f.type).toBe(3);
  });

  it('keeps a neighbour tile to its own features plus the buffer', async () => {
    // The tile east of T16 starts near 105.5973 E; building 2 (at 105.5948) is > 64 units away.
    const east = { ...T16, x: T16.x + 1 };
    const { r, tile } = await fetchTile(app.url, url('buildings', east));
    expect(r.status).toBe(200);
    expect(features(tile.layers.buildings).map((f) => f.properties.id)).not.toContain(2);
  });

  it('leaves parts out below their minZoom: an empty 200, or fewer basemap layers', async () => {
    const z13 = tileAt(CENTER.lon, CENTER.lat, 13);
    const empty = await fetchTile(app.url, url('buildings', z13));
    expect(empty.r.status).toBe(200);
    expect(empty.body.byteLength).toBe(0);
    expect(empty.r.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(empty.r.headers.get('etag')).toBeTruthy();

    const z12 = await fetchTile(app.url, url('basemap', tileAt(CENTER.lon, CENTER.lat, 12)));
    expect(Object.keys(z12.tile.layers).sort()).toEqual(['roads', 'water']);
    const z5 = await fetchTile(app.url, url('basemap', tileAt(CENTER.lon, CENTER.lat, 5)));
    expect(Object.keys(z5.tile.layers)).toEqual(['water']);
  });

  it.each(Object.keys(LAYERS))('%s answers the world tile 0/0/0 and the last tile of z22', async (name) => {
    const world = await fetchTile(app.url, `/tiles/${name}/0/0/0.mvt`);
    expect(world.r.status).toBe(200);
    // The fixtures are smaller than a unit of the world tile: whatever is left must still decode.
    for (const l of Object.values(world.tile.layers)) features(l).forEach((f) => f.loadGeometry());
    const corner = await fetch(app.url + `/tiles/${name}/22/4194303/4194303.mvt`);
    expect(corner.status).toBe(200);
  });

  it('answers an empty tile where there is nothing', async () => {
    const { r, body } = await fetchTile(app.url, url('buildings', tileAt(0, 0, 16)));
    expect(r.status).toBe(200);
    expect(body.byteLength).toBe(0);
  });
});

describe('issue 12: the fast tile path', () => {
  const kept = (h: Headers) =>
    Object.fromEntries([...h.entries()].filter(([k]) => !['date', 'x-request-id', 'keep-alive'].includes(k)));

  it('answers with the same headers and bytes as the long way through the middleware', async () => {
    // A query string is not a plain tile path: it goes through every middleware and tilesRouter.
    const fast = await fetchTile(app.url, url('buildings', T16));
    const slow = await fetchTile(app.url, `${url('buildings', T16)}?long=way`);
    expect(fast.r.status).toBe(200);
    expect(fast.r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(fast.r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(fast.r.headers.get('x-request-id')).toBeTruthy();
    expect(kept(fast.r.headers)).toEqual(kept(slow.r.headers));
    expect(fast.body.equals(slow.body)).toBe(true);
  });

  it('refuses a bad address in the same JSON shape, with the security headers', async () => {
    const r = await fetch(`${app.url}/tiles/buildings/99/0/0.mvt`);
    expect(r.status).toBe(400);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_tile');
  });
});

describe('bad tile requests', () => {
  it.each([
    ['/tiles/buildings/23/0/0.mvt', 'zoom above 22'],
    ['/tiles/buildings/2/4/0.mvt', 'x beyond 2^z-1'],
    ['/tiles/buildings/2/0/4.mvt', 'y beyond 2^z-1'],
    ['/tiles/buildings/a/0/0.mvt', 'z not a number'],
    ['/tiles/buildings/14/-1/0.mvt', 'negative x'],
    ['/tiles/buildings/14/1.5/0.mvt', 'fractional x'],
    ['/tiles/buildings/014/0/0.mvt', 'leading zero'],
  ])('%s (%s) → 400 invalid_tile as JSON', async (path) => {
    const r = await fetch(app.url + path);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/json/);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_tile');
    expect(body.error.message).toBeTruthy();
  });

  it('an unknown layer → 404 unknown_layer as JSON', async () => {
    const r = await fetch(app.url + '/tiles/parcels/14/0/0.mvt');
    expect(r.status).toBe(404);
    const body = (await r.json()) as { error: { code: string; details: { layers: string[] } } };
    expect(body.error.code).toBe('unknown_layer');
    expect(body.error.details.layers).toContain('buildings');
  });
});

describe('ETag and conditional GET', () => {
  it('answers 304 without a body to the current ETag, and 200 to another', async () => {
    const first = await fetchTile(app.url, url('compounds', T16));
    const etag = first.r.headers.get('etag')!;
    const again = await fetch(app.url + url('compounds', T16), { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    const weak = await fetch(app.url + url('compounds', T16), {
      headers: { 'If-None-Match': `"x", W/${etag}` },
    });
    expect(weak.status).toBe(304);
    const other = await fetch(app.url + url('compounds', T16), { headers: { 'If-None-Match': '"stale"' } });
    expect(other.status).toBe(200);
    // Another tile of the same layer has another ETag.
    const next = await fetch(app.url + url('compounds', { ...T16, x: T16.x + 1 }), {
      headers: { 'If-None-Match': etag },
    });
    expect(next.status).toBe(200);
  });

  it('serves new content and a new ETag after an UPDATE of a building', async () => {
    const before = await fetchTile(app.url, url('buildings', T16));
    const etag = before.r.headers.get('etag')!;
    expect(byId(before.tile.layers.buildings).get(2)!.floors).toBe(4);
    await t.db.query('UPDATE buildings SET floors = 5 WHERE id = 2');
    const cond = await fetchTile(app.url, url('buildings', T16), { 'If-None-Match': etag });
    expect(cond.r.status).toBe(200);
    expect(cond.r.headers.get('etag')).not.toBe(etag);
    expect(byId(cond.tile.layers.buildings).get(2)!.floors).toBe(5);
  });

  it('shows a building as covered once a service area is drawn over it', async () => {
    const before = await fetchTile(app.url, url('buildings', T16));
    expect(byId(before.tile.layers.buildings).get(2)!.covered).toBe(false);
    await t.db.query(
      `INSERT INTO service_areas (name, street_code, management_mode, geom)
       VALUES ('C', '510903001', 'professional', ST_MakeEnvelope(105.5940, 30.5260, 105.5950, 30.5270, 4326))`,
    );
    const after = await fetchTile(app.url, url('buildings', T16), {
      'If-None-Match': before.r.headers.get('etag')!,
    });
    expect(after.r.status).toBe(200);
    expect(byId(after.tile.layers.buildings).get(2)!.covered).toBe(true);
    const areas = await fetchTile(app.url, url('service-areas', T16));
    expect(features(areas.tile.layers['service-areas']).map((f) => f.properties.name)).toContain('C');
  });
});

describe('two app processes on one database', () => {
  let otherDb: Db;
  let other: RunningApp;
  beforeAll(async () => {
    // On a server each "process" has its own pool; the embedded database has one owner, so two apps share it.
    otherDb = t.url ? createPostgresDb({ connectionString: t.url }) : t.db;
    other = await startApp(otherDb);
  });
  afterAll(async () => {
    await other?.close();
    if (otherDb !== t.db) await otherDb?.close();
  });

  it('never serves a stale tile after an edit made through the other', async () => {
    // Each app keeps layer versions from the change feed (issue 12): a commit made around it is one it
    // "could have seen" once its feed delivered the notification (its /api/health says which).
    const feed = await watchFeed(t.db);
    for (let round = 0; round < 5; round++) {
      const floors = 10 + round;
      // Both apps have the tile in their cache…
      await fetchTile(app.url, url('buildings', T16));
      await fetchTile(other.url, url('buildings', T16));
      // …then the edit lands through one, and the other must show it on its very next answer.
      const [writer, reader] = round % 2 === 0 ? [otherDb, app] : [t.db, other];
      const e = await feed.heard(() =>
        writer.query('UPDATE buildings SET floors = $1 WHERE id = 1', [floors]),
      );
      await appHeard(reader.url, e.id);
      const seen = await Promise.all(
        [0, 1, 2].map(async () =>
          byId((await fetchTile(reader.url, url('buildings', T16))).tile.layers.buildings),
        ),
      );
      for (const b of seen) expect(b.get(1)!.floors).toBe(floors);
    }
    await feed.close();
  });
});

describe('with the cache off (TILE_CACHE_MB=0)', () => {
  let bare: RunningApp;
  beforeAll(async () => {
    const saved = process.env.TILE_CACHE_MB;
    process.env.TILE_CACHE_MB = '0';
    try {
      bare = await startApp(t.db);
    } finally {
      if (saved === undefined) delete process.env.TILE_CACHE_MB;
      else process.env.TILE_CACHE_MB = saved;
    }
  });
  afterAll(() => bare?.close());

  it('gives the same tile and ETag as the cached app, and 304 to it', async () => {
    const a = await fetchTile(app.url, url('buildings', T16));
    const b = await fetchTile(bare.url, url('buildings', T16));
    expect(b.r.headers.get('etag')).toBe(a.r.headers.get('etag'));
    expect(byId(b.tile.layers.buildings)).toEqual(byId(a.tile.layers.buildings));
    const c = await fetch(bare.url + url('buildings', T16), {
      headers: { 'If-None-Match': a.r.headers.get('etag')! },
    });
    expect(c.status).toBe(304);
  });

  it('follows an edit made around it: new ETag and bytes once its feed has the commit, no 304 for the old', async () => {
    // With the feed live the uncached app keys the plain statement on the version in memory (the
    // one the bench's reference runs); an edit through another Db must still show on the next tile.
    const feed = await watchFeed(t.db);
    const before = await fetchTile(bare.url, url('buildings', T16));
    const floors = byId(before.tile.layers.buildings).get(1)!.floors === 31 ? 32 : 31;
    const e = await feed.heard(() => t.db.query('UPDATE buildings SET floors = $1 WHERE id = 1', [floors]));
    await appHeard(bare.url, e.id);
    const after = await fetchTile(bare.url, url('buildings', T16));
    expect(after.r.headers.get('etag')).not.toBe(before.r.headers.get('etag'));
    expect(byId(after.tile.layers.buildings).get(1)!.floors).toBe(floors);
    const revalidated = await fetch(bare.url + url('buildings', T16), {
      headers: { 'If-None-Match': before.r.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(200);
    await feed.close();
  });

  it('answers an empty tile below minZoom with an ETag', async () => {
    const r = await fetchTile(bare.url, url('buildings', tileAt(CENTER.lon, CENTER.lat, 13)));
    expect(r.r.status).toBe(200);
    expect(r.body.byteLength).toBe(0);
    expect(r.r.headers.get('etag')).toMatch(/buildings\/13\//);
  });
});

describe('size limit', () => {
  it('cuts a tile too dense for 500 KB again: lean columns, then the largest features', async () => {
    // 20,000 footprints of 2 × 2 m in one z16 tile far from the other fixtures (about 650 KB in
    // full), and one large building among them.
    const dense = tileAt(105.652, 30.552, 16);
    const [w, s, e, n] = tileBounds(dense.z, dense.x, dense.y);
    const [dx, dy] = [((e - w) * 0.95) / 160, ((n - s) * 0.95) / 125];
    await t.db.query(
      `INSERT INTO buildings (id, category, floors, households, compound_id, geom)
       SELECT 1000 + k, (ARRAY['professional','self_managed','three_no'])[1 + k % 3], 1 + k % 30, k % 500, 1,
              ST_MakeEnvelope(x, y, x + $3::float8 * 0.6, y + $4::float8 * 0.6, 4326)
       FROM generate_series(0, 19999) k,
            LATERAL (SELECT $1::float8 + (k % 160) * $3::float8 AS x, $2::float8 + (k / 160) * $4::float8 AS y) xy`,
      [w + (e - w) * 0.02, s + (n - s) * 0.02, dx, dy],
    );
    await t.db.query(
      `INSERT INTO buildings (id, category, geom) VALUES (999, 'three_no', ST_MakeEnvelope($1::float8, $2::float8, $1::float8 + 0.0002, $2::float8 + 0.0002, 4326))`,
      [w + (e - w) * 0.5, s + (n - s) * 0.5],
    );
    const { r, body, tile } = await fetchTile(app.url, url('buildings', dense));
    expect(r.status).toBe(200);
    expect(body.byteLength).toBeGreaterThan(100 * 1024);
    expect(body.byteLength).toBeLessThanOrEqual(500 * 1024);
    const fs = features(tile.layers.buildings);
    expect(fs.length).toBeGreaterThan(1000);
    expect(Object.keys(fs[0]!.properties).sort()).toEqual(['category', 'covered', 'straddling']);
    expect(fs.map((f) => f.id)).toContain(999);
  });
});
