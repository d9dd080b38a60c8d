import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import iconv from 'iconv-lite';
import wkx from 'wkx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, type ExportFormat, type ExportLayer } from '../../core/exchange.ts';
import { EXPORT_SOURCES, exportLayer, type ExportOptions } from '../../server/src/exporter/index.ts';
import { dbfNames } from '../../server/src/exporter/shapefile.ts';
import { importLayer } from '../../server/src/importer/index.ts';
import { openSource } from '../../server/src/importer/readers/index.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/**
 * Issue 11 exports: every layer in every format, read back by GDAL (ogr2ogr) and compared with the
 * layer's own GeoJSON: the same features, attributes equal (Chinese byte for byte), coordinates
 * within 1e-7°. GDAL is optional: without ogr2ogr those comparisons skip with a message.
 */
const hasGdal = (() => {
  try {
    execFileSync('ogr2ogr', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasGdal) console.warn('ogr2ogr not found: export read-back tests skip (apt-get install gdal-bin)');

let t: TestDb;
let app: RunningApp;
let dir: string;

const STREET = '510903001';
const OTHER = '510903002';
const box = (x: number, y: number, d: number) => [
  [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ],
];
// a hole, so ring orientation and inner rings are exercised
const withHole = (x: number, y: number, d: number) => [
  box(x, y, d)[0]!,
  box(x + d / 4, y + d / 4, d / 4)[0]!.reverse(),
];

beforeAll(async () => {
  t = await createTestDb();
  await importLayer(t.db, {
    layer: 'jurisdictions',
    features: [
      {
        type: 'Feature',
        properties: { code: '510903', name: '船山区', level: 'district' },
        geometry: { type: 'MultiPolygon', coordinates: [box(105.5, 30.4, 0.2)] },
      },
      {
        type: 'Feature',
        properties: {
          code: STREET,
          name: '凯旋路街道',
          name_en: 'Kaixuan Road',
          level: 'street',
          parent_code: '510903',
        },
        geometry: { type: 'MultiPolygon', coordinates: [box(105.5, 30.4, 0.05)] },
      },
      {
        type: 'Feature',
        properties: { code: OTHER, name: '南津路街道', level: 'street', parent_code: '510903' },
        geometry: { type: 'MultiPolygon', coordinates: [box(105.6, 30.4, 0.05)] },
      },
    ],
  });
  await importLayer(t.db, {
    layer: 'compounds',
    features: [
      {
        type: 'Feature',
        properties: {
          name: '上港小区, "东区"',
          category: 'three_no',
          households: 88,
          year_built: 1995,
          street_code: STREET,
          wy_security: 'partly',
          helper_unit: '遂宁市自然资源和规划局',
        },
        geometry: { type: 'MultiPolygon', coordinates: [withHole(105.5112345678, 30.4112345678, 0.002)] },
      },
      {
        type: 'Feature',
        properties: { name: '南津小区', category: 'self_managed', street_code: OTHER },
        geometry: { type: 'MultiPolygon', coordinates: [box(105.61, 30.41, 0.002)] },
      },
    ],
  });
  await importLayer(t.db, {
    layer: 'service-areas',
    features: [
      {
        type: 'Feature',
        properties: {
          name: '一片区',
          management_mode: 'community_custodial',
          street_code: STREET,
          provider: '社区居委会',
          notes: '含“引号”和，逗号',
        },
        geometry: { type: 'Polygon', coordinates: withHole(105.5212345678, 30.4212345678, 0.003) },
      },
    ],
  });
  await importLayer(t.db, {
    layer: 'buildings',
    features: [
      {
        type: 'Feature',
        properties: { name: '1号楼', category: 'three_no', floors: 6, households: 24 },
        geometry: { type: 'Polygon', coordinates: box(105.5121, 30.4121, 0.0002) },
      },
      {
        type: 'Feature',
        properties: { name: '2号楼', floors: 3 },
        geometry: { type: 'Polygon', coordinates: box(105.5221, 30.4221, 0.0002) },
      },
      {
        type: 'Feature',
        properties: { name: '南津1栋' },
        geometry: { type: 'Polygon', coordinates: box(105.6121, 30.4121, 0.0002) },
      },
    ],
  });
  await importLayer(t.db, {
    layer: 'cameras',
    features: [
      {
        type: 'Feature',
        properties: {
          code: 'SXT-001',
          name: '东门摄像头',
          system: 'xueliang',
          direction_deg: 45.25,
          height_m: 3.5,
        },
        geometry: { type: 'Point', coordinates: [105.5123456789, 30.4123456789] },
      },
      {
        type: 'Feature',
        properties: { code: 'SXT-002', name: '南津摄像头', system: 'tianwang', indoor: true },
        geometry: { type: 'Point', coordinates: [105.6123456789, 30.4123456789] },
      },
    ],
  });
  await importLayer(t.db, {
    layer: 'gates',
    features: [
      {
        type: 'Feature',
        properties: { name: '南门', kind: 'vehicle', access_control: true },
        geometry: { type: 'Point', coordinates: [105.5105, 30.4105] },
      },
    ],
  });
  await t.db.query(
    `INSERT INTO ledger_items (compound_id, description, category, responsible_unit, deadline, created_by)
     SELECT id, '围墙破损，需修补', 'wy_security', '凯旋路街道办', DATE '2026-06-30', 'admin' FROM compounds ORDER BY id`,
  );
  app = await startApp(t.db);
  dir = mkdtempSync(join(tmpdir(), 'wuyou-export-'));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function exported(o: ExportOptions): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportLayer(t.db, o, out);
  return Buffer.concat(chunks);
}

interface Fc {
  features: {
    geometry: { type: string; coordinates: unknown } | null;
    properties: Record<string, unknown>;
  }[];
}

/** GDAL's reading of an exported file, as GeoJSON. */
function viaGdal(file: string, format: ExportFormat): Fc {
  const src = format === 'shp' ? `/vsizip/${file}` : file;
  const oo =
    format === 'csv'
      ? [
          '-oo',
          'GEOM_POSSIBLE_NAMES=wkt',
          '-oo',
          'X_POSSIBLE_NAMES=lon',
          '-oo',
          'Y_POSSIBLE_NAMES=lat',
          '-oo',
          'KEEP_GEOM_COLUMNS=NO',
        ]
      : format === 'xlsx'
        ? ['--config', 'OGR_XLSX_HEADERS', 'FORCE'] // an all-text first row hides the header from GDAL's guess
        : [];
  const json = execFileSync(
    'ogr2ogr',
    ['-f', 'GeoJSON', '-lco', 'COORDINATE_PRECISION=15', '/vsistdout/', src, ...oo],
    {
      maxBuffer: 64 << 20,
    },
  ).toString('utf8');
  return JSON.parse(json) as Fc;
}

/** Every coordinate of a geometry, flat. */
function coords(g: unknown): number[] {
  const out: number[] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(c[0], c[1] as number);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk((g as { coordinates?: unknown } | null)?.coordinates);
  return out;
}

/** A value as every format can say it: text stays byte-exact; empty text and null are the same. */
function norm(type: string, v: unknown): string | number | null {
  if (v === null || v === undefined || v === '') return null;
  if (type === 'bool')
    return v === true || v === 1 || v === '1' || v === 'true' || v === 'T' ? 'true' : 'false';
  if (type === 'int' || type === 'real') return Number(v);
  return String(v);
}

const LAYERS = Object.keys(EXPORT_SOURCES) as ExportLayer[];
const ROUND_TRIP_FORMATS = EXPORT_FORMATS.filter((f) => f !== 'geojson');

describe('exports: every layer in every format, read back by GDAL', () => {
  it.each(LAYERS.map((l) => [l]))('%s', { timeout: 120_000 }, async (layer) => {
    const src = EXPORT_SOURCES[layer];
    const ref = JSON.parse((await exported({ layer, format: 'geojson' })).toString('utf8')) as Fc;
    expect(ref.features.length, layer).toBeGreaterThan(0);
    if (!hasGdal) return;
    for (const format of ROUND_TRIP_FORMATS) {
      for (const encoding of format === 'shp' || format === 'csv'
        ? (['utf-8', 'gbk'] as const)
        : (['utf-8'] as const)) {
        const bytes = await exported({ layer, format, encoding });
        const file = join(dir, `${layer}-${encoding}.${format === 'shp' ? 'zip' : format}`);
        // GDAL's CSV driver reads UTF-8 only: a GBK CSV is decoded here (its bytes are checked below)
        writeFileSync(file, format === 'csv' && encoding === 'gbk' ? iconv.decode(bytes, 'gbk') : bytes);
        const what = `${layer} ${format} ${encoding}`;
        const back = viaGdal(file, format);
        expect(back.features, what).toHaveLength(ref.features.length);
        const names =
          format === 'shp'
            ? dbfNames(src.fields)
            : src.fields.map((f) => (format === 'kml' && f.name === 'name' ? 'Name' : f.name));
        ref.features.forEach((f, i) => {
          const g = back.features[i]!;
          for (const [j, field] of src.fields.entries()) {
            expect(norm(field.type, g.properties[names[j]!]), `${what} #${i} ${field.name}`).toEqual(
              norm(field.type, f.properties[field.name]),
            );
          }
          let geom: unknown = g.geometry;
          if (format === 'xlsx') {
            const p = g.properties;
            geom =
              src.geometry === 'point'
                ? p.lon === null || p.lon === undefined
                  ? null
                  : { coordinates: [Number(p.lon), Number(p.lat)] }
                : p.wkt
                  ? wkx.Geometry.parse(String(p.wkt)).toGeoJSON()
                  : null;
          }
          const [a, b] = [coords(f.geometry), coords(geom)];
          expect(b.length, `${what} #${i} coordinates`).toBe(a.length);
          // ring order may be reversed (Shapefile winding): compare as sorted sets of points
          const pts = (c: number[]) =>
            c
              .reduce<number[][]>(
                (acc, v, k) => (k % 2 ? (acc[acc.length - 1]!.push(v), acc) : [...acc, [v]]),
                [],
              )
              .sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
          const [pa, pb] = [pts(a), pts(b)];
          const worst = Math.max(
            0,
            ...pa.map((p, k) => Math.max(Math.abs(p[0]! - pb[k]![0]!), Math.abs(p[1]! - pb[k]![1]!))),
          );
          expect(worst, `${what} #${i} worst coordinate error`).toBeLessThanOrEqual(1e-7);
        });
      }
    }
  });

  it('GBK files hold the same text as UTF-8 ones, in GBK bytes, and say so in the .cpg', async () => {
    const csv8 = (await exported({ layer: 'compounds', format: 'csv' }))
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const gbk = await exported({ layer: 'compounds', format: 'csv', encoding: 'gbk' });
    expect(gbk.includes(Buffer.from('上港', 'utf8'))).toBe(false);
    expect(gbk.includes(iconv.encode('上港', 'gbk'))).toBe(true);
    expect(iconv.decode(gbk, 'gbk')).toBe(csv8);
    const JSZip = (await import('jszip')).default;
    const zip = await JSZip.loadAsync(
      await exported({ layer: 'compounds', format: 'shp', encoding: 'gbk', srs: 4490 }),
    );
    expect(Object.keys(zip.files).sort()).toEqual([
      'compounds.cpg',
      'compounds.dbf',
      'compounds.prj',
      'compounds.shp',
      'compounds.shx',
    ]);
    expect(await zip.file('compounds.cpg')!.async('string')).toBe('GBK');
    expect(await zip.file('compounds.prj')!.async('string')).toContain('China_2000');
  });

  it.skipIf(!hasGdal)('a GeoPackage names its CRS, and GDAL reads it as EPSG:4490', async () => {
    const file = join(dir, 'areas-4490.gpkg');
    writeFileSync(file, await exported({ layer: 'service-areas', format: 'gpkg', srs: 4490 }));
    const info = execFileSync('ogrinfo', ['-so', file, 'service_areas']).toString();
    expect(info).toMatch(/Geometry: Polygon/);
    expect(info).toMatch(/ID\["EPSG",4490\]|AUTHORITY\["EPSG","4490"\]/);
    expect(info).toMatch(/Feature Count: 1/);
  });
});

describe('values in words', () => {
  const get = (path: string) => fetch(`${app.url}/api/export/${path}`);
  it('writes coded values as their Chinese words when asked (?values=words), and they import back as the codes', async () => {
    // A new user's try (2026-12-05): a street office opened its export and read three_no, vehicle …
    const codes = JSON.parse((await exported({ layer: 'gates', format: 'geojson' })).toString('utf8')) as Fc;
    const r = await get('gates.geojson?values=words');
    expect(r.status).toBe(200);
    const words = (await r.json()) as Fc;
    expect(words.features.map((f) => f.properties.kind)).toEqual(
      codes.features.map(
        (f) =>
          ({ vehicle: '车行出入口', pedestrian: '人行出入口', unit_door: '单元门' })[
            String(f.properties.kind)
          ],
      ),
    );
    const areas = (await (await get('service-areas.csv?values=words')).text()).split('\r\n');
    expect(areas[1]).toMatch(/专业物业管理型|居民自管型|社区托管型/);
    expect(areas[1]).toMatch(/草稿|已审定/);
    // …and read back to the codes by the import, from every format.
    const b = await createTestDb();
    try {
      for (const format of EXPORT_FORMATS) {
        const bytes = await exported({ layer: 'gates', format, values: 'words', encoding: 'utf-8' });
        const src = await openSource({ name: `gates.${format === 'shp' ? 'zip' : format}`, bytes });
        await b.db.query('DELETE FROM gates');
        await importLayer(b.db, { layer: 'gates', sources: src.read() });
        src.close();
        const back = await b.db.query<{ kind: string }>('SELECT kind FROM gates ORDER BY id');
        expect(
          back.rows.map((x) => x.kind),
          format,
        ).toEqual(codes.features.map((f) => f.properties.kind));
      }
    } finally {
      await b.drop();
    }
    expect((await get('gates.geojson?values=colours')).status).toBe(400);
  });
});

describe('GeoPackage dates', () => {
  it.skipIf(!hasGdal)(
    "declares the ledger's times as DATETIME and its deadline as DATE, which GDAL reads as such",
    async () => {
      // Left over from a new user's try: every date went out as TEXT, so GIS software sorted and
      // filtered them as strings.
      const file = join(dir, 'ledger-dates.gpkg');
      writeFileSync(file, await exported({ layer: 'ledger', format: 'gpkg' }));
      const info = execFileSync('ogrinfo', ['-so', file, 'ledger']).toString();
      expect(info).toMatch(/^created_at: DateTime/m);
      expect(info).toMatch(/^closed_at: DateTime/m);
      expect(info).toMatch(/^deadline: Date /m);
      const stored = await t.db.query<{ deadline: string; created_at: Date }>(
        "SELECT to_char(deadline, 'YYYY-MM-DD') AS deadline, created_at FROM ledger_items ORDER BY id LIMIT 1",
      );
      const back = JSON.parse(
        execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', file]).toString('utf8'),
      ) as Fc;
      expect(back.features[0]!.properties.deadline).toBe(stored.rows[0]!.deadline);
      expect(Date.parse(String(back.features[0]!.properties.created_at))).toBe(
        stored.rows[0]!.created_at.getTime(),
      );
    },
  );
});

describe("exports in the city's Gauss-Krüger zone (a street office's Shapefile goes back as it came)", () => {
  // A new user's try (2026-12-05): a Shapefile brought in CGCS2000 zone 35 could only go back in
  // lon/lat. Zone 35 (central meridian 105°E) without the zone number in front of x is EPSG:4544,
  // with it EPSG:4523.
  const flatten = (c: unknown): number[][] =>
    Array.isArray(c) && typeof c[0] === 'number' ? [c as number[]] : (c as unknown[]).flatMap(flatten);
  // A Shapefile turns rings clockwise: each vertex is matched with the nearest one wanted.
  const off = (p: number[], want: number[][]) =>
    Math.min(...want.map((w) => Math.max(Math.abs(p[0]! - w[0]!), Math.abs(p[1]! - w[1]!))));
  for (const srs of [4544, 4523] as const) {
    it.skipIf(!hasGdal)(
      `Shapefile and GeoPackage in EPSG:${srs}: GDAL reads the CRS and the places, our import too`,
      async () => {
        const ref = JSON.parse(
          (await exported({ layer: 'service-areas', format: 'geojson' })).toString('utf8'),
        ) as Fc;
        const want = ref.features.flatMap((f) => flatten(f.geometry!.coordinates));
        for (const format of ['shp', 'gpkg'] as const) {
          const what = `${format} ${srs}`;
          const file = join(dir, `areas-${srs}.${format === 'shp' ? 'zip' : 'gpkg'}`);
          writeFileSync(file, await exported({ layer: 'service-areas', format, srs }));
          const src = format === 'shp' ? `/vsizip/${file}` : file;
          // GDAL names the CRS by its EPSG code…
          const srsInfo = execFileSync('gdalsrsinfo', ['-e', '-o', 'epsg', src]).toString();
          expect(srsInfo, what).toContain(`EPSG:${srs}`);
          // …projected metres, x with the zone number in front or not…
          const native = JSON.parse(
            execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', src]).toString('utf8'),
          ) as Fc;
          const x = flatten(native.features[0]!.geometry!.coordinates)[0]![0]!;
          expect(x, what).toBeGreaterThan(srs === 4523 ? 35_000_000 : 100_000);
          expect(x, what).toBeLessThan(srs === 4523 ? 36_000_000 : 900_000);
          // …and back in lon/lat, every vertex within 0.05 m (5e-7° is about 0.05 m here).
          const back = JSON.parse(
            execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', '/vsistdout/', src]).toString(
              'utf8',
            ),
          ) as Fc;
          const got = back.features.flatMap((f) => flatten(f.geometry!.coordinates));
          expect(got.length, what).toBe(want.length);
          got.forEach((p, i) => expect(off(p, want), `${what} vertex ${i}`).toBeLessThan(5e-7));
          // Our own reader takes the file back to the same places.
          const opened = await openSource({ name: file.replace(/^.*\//, ''), bytes: readFileSync(file) });
          expect(opened.crs.id, what).toBe(`EPSG:${srs}`);
          const ours: number[][] = [];
          for await (const f of opened.read())
            ours.push(...flatten((f.feature as { geometry: { coordinates: unknown } }).geometry.coordinates));
          opened.close();
          expect(ours.length, what).toBe(want.length);
          ours.forEach((p, i) => expect(off(p, want), `${what} ours ${i}`).toBeLessThan(5e-7));
        }
      },
    );
  }
});

describe('round trip: export in each format, import with the readers, the same features', () => {
  it(
    'gates and cameras: names, kinds and points come back from every format',
    { timeout: 180_000 },
    async () => {
      const b = await createTestDb();
      try {
        for (const layer of ['gates', 'cameras'] as const) {
          const ref = JSON.parse((await exported({ layer, format: 'geojson' })).toString('utf8')) as Fc;
          // gpkg included: a GeoPackage stores BOOLEAN as 0/1 and its reader must give booleans back
          // (it once did not: "access_control must be true or false, got 1")
          for (const format of EXPORT_FORMATS) {
            const what = `${layer} ${format}`;
            const bytes = await exported({ layer, format, encoding: format === 'shp' ? 'gbk' : 'utf-8' });
            const name = `${layer}.${format === 'shp' ? 'zip' : format}`;
            const src = await openSource({ name, bytes });
            await b.db.query(`DELETE FROM ${layer}`);
            const r = await importLayer(b.db, { layer, sources: src.read() }).catch((e: Error) => {
              throw new Error(`${what}: ${e.message}`);
            });
            src.close();
            expect(r.inserted, what).toBe(ref.features.length);
            const back = await b.db.query<{ name: string; x: number; y: number }>(
              `SELECT name, ST_X(geom) AS x, ST_Y(geom) AS y FROM ${layer} ORDER BY id`,
            );
            ref.features.forEach((f, i) => {
              const g = back.rows[i]!;
              expect(g.name, `${what} #${i} name`).toBe(f.properties.name);
              const [x, y] = coords(f.geometry);
              expect(Math.abs(g.x - x!), `${what} #${i} x`).toBeLessThanOrEqual(1e-7);
              expect(Math.abs(g.y - y!), `${what} #${i} y`).toBeLessThanOrEqual(1e-7);
            });
          }
        }
      } finally {
        await b.drop();
      }
    },
  );
});

describe('round trip of polygons with every attribute', () => {
  it(
    "service areas: every attribute and the outline come back from every format (a Shapefile's 10-character field names too)",
    { timeout: 180_000 },
    async () => {
      const b = await createTestDb();
      try {
        const streets = await exported({ layer: 'jurisdictions', format: 'geojson' });
        await importLayer(b.db, {
          layer: 'jurisdictions',
          sources: (await openSource({ name: 'j.geojson', bytes: streets })).read(),
        });
        const ref = JSON.parse(
          (await exported({ layer: 'service-areas', format: 'geojson' })).toString('utf8'),
        ) as Fc;
        const fields = ['name', 'management_mode', 'street_code', 'provider', 'notes'] as const;
        for (const format of EXPORT_FORMATS) {
          const what = `service-areas ${format}`;
          const bytes = await exported({
            layer: 'service-areas',
            format,
            encoding: format === 'shp' ? 'gbk' : 'utf-8',
          });
          const src = await openSource({ name: `areas.${format === 'shp' ? 'zip' : format}`, bytes });
          await b.db.query('DELETE FROM service_areas');
          const r = await importLayer(b.db, { layer: 'service-areas', sources: src.read() }).catch(
            (e: Error) => {
              throw new Error(`${what}: ${e.message}`);
            },
          );
          src.close();
          expect(r.inserted, what).toBe(ref.features.length);
          for (const f of ref.features) {
            const row = (
              await b.db.query<Record<string, unknown>>(
                `SELECT ${fields.join(', ')},
                        ST_HausdorffDistance(geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) AS off
                   FROM service_areas WHERE name = $1`,
                [f.properties.name, JSON.stringify(f.geometry)],
              )
            ).rows[0];
            expect(row, `${what}: ${String(f.properties.name)}`).toBeDefined();
            for (const k of fields) expect(row![k] ?? null, `${what} ${k}`).toBe(f.properties[k] ?? null);
            expect(Number(row!.off), `${what} outline`).toBeLessThanOrEqual(1e-7);
          }
        }
      } finally {
        await b.drop();
      }
    },
  );
});

describe('GET /api/export/<layer>.<format>', () => {
  const get = (path: string) => fetch(`${app.url}/api/export/${path}`);

  it('limits an export to one street', async () => {
    const r = await get(`cameras.geojson?street=${STREET}`);
    expect(r.status).toBe(200);
    const fc = (await r.json()) as Fc;
    expect(fc.features.map((f) => f.properties.code)).toEqual(['SXT-001']);
    const all = (await (await get('cameras.geojson')).json()) as Fc;
    expect(all.features).toHaveLength(2);
    const ledger = (await (await get(`ledger.geojson?street=${OTHER}`)).json()) as Fc;
    expect(ledger.features.map((f) => f.properties.compound_name)).toEqual(['南津小区']);
    const uncovered = (await (await get(`uncovered-buildings.csv?street=${STREET}`)).text())
      .trim()
      .split('\r\n');
    // 1号楼 and 2号楼 (in the area's hole) of this street; not 南津1栋
    expect(uncovered).toHaveLength(1 + 2);
    expect(uncovered[1]).toContain('1号楼');
  });

  it('names a Shapefile download <layer>[-<street>].zip and a GeoPackage .gpkg', async () => {
    const r = await get(`service-areas.shp?street=${STREET}&encoding=gbk&srs=4490`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="service-areas-${STREET}.zip"`);
    const g = await get('gates.gpkg');
    expect(g.headers.get('content-disposition')).toBe('attachment; filename="gates.gpkg"');
    expect(
      Buffer.from(await g.arrayBuffer())
        .subarray(0, 15)
        .toString(),
    ).toBe('SQLite format 3');
  });

  it('refuses a GBK CSV whose bad row is on a later page before sending a byte', async () => {
    // Left over from a new user's try: the CSV was streamed page by page, so a row GBK cannot store
    // on page 2 broke the download off half-written (the HTTP status was already 200).
    const ids = (
      await t.db.query<{ id: number }>(
        `INSERT INTO gates (name, kind, geom) VALUES
           ('凯旋路𠀀号门', 'vehicle', ST_SetSRID(ST_MakePoint(105.6, 30.5), 4326))
         RETURNING id`,
      )
    ).rows.map((r) => r.id);
    try {
      for (const [format, encoding, error] of [['csv', 'gbk', 'NotInEncoding']] as const) {
        const out = new PassThrough();
        let sent = 0;
        out.on('data', (c: Buffer) => (sent += c.length));
        let started = false;
        const e = await exportLayer(t.db, { layer: 'gates', format, encoding, pageSize: 1 }, out, () => {
          started = true;
        }).catch((x: Error) => x);
        expect((e as Error).constructor.name, format).toBe(error);
        expect({ started, sent }, format).toEqual({ started: false, sent: 0 });
      }
    } finally {
      await t.db.query('DELETE FROM gates WHERE id = ANY($1)', [ids]);
    }
  });

  it('refuses a GBK Shapefile or CSV of text GBK cannot store (422 naming it) instead of writing "?"', async () => {
    // Defect (a new user's try): iconv-lite wrote '?' for 𠀀 (CJK Extension B) without a word.
    const id = (
      await t.db.query<{ id: number }>(
        `INSERT INTO gates (name, kind, geom) VALUES ('凯旋路𠀀号门', 'vehicle', ST_SetSRID(ST_MakePoint(105.6, 30.5), 4326)) RETURNING id`,
      )
    ).rows[0]!.id;
    try {
      for (const format of ['shp', 'csv']) {
        const r = await get(`gates.${format}?encoding=gbk`);
        expect(r.status, format).toBe(422);
        const body = (await r.json()) as {
          error: {
            code: string;
            details: { reason: string; column: string; feature: number; feature_name: string; char: string };
          };
        };
        expect(body.error.code).toBe('validation_failed');
        // New-user try (2026-12-05): the feature was named by its database id only; its name too now.
        expect(body.error.details).toEqual({
          reason: 'not_in_encoding',
          column: 'name',
          feature: id,
          feature_name: '凯旋路𠀀号门',
          char: '𠀀',
        });
        // In UTF-8 it is stored as it is.
        expect((await get(`gates.${format}`)).status, format).toBe(200);
      }
    } finally {
      await t.db.query('DELETE FROM gates WHERE id = $1', [id]);
    }
  });

  it('refuses an unknown street, encoding or CRS with a 400 that names it', async () => {
    for (const [q, reason] of [
      ['street=999', 'unknown_street'],
      ['street=510903', 'unknown_street'],
      ['encoding=big5', 'unknown_encoding'],
      ['srs=3857', 'unknown_srs'],
    ] as const) {
      const r = await get(`compounds.shp?${q}`);
      expect(r.status, q).toBe(400);
      const body = (await r.json()) as { error: { code: string; details: { reason: string } } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.details.reason).toBe(reason);
    }
    const r = await get('compounds.dwg');
    expect(r.status).toBe(404);
    expect(
      ((await r.json()) as { error: { details: { formats: string[] } } }).error.details.formats,
    ).toContain('gpkg');
  });
});
