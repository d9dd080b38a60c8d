import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  statSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import JSZip from 'jszip';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ImportError,
  importLayer,
  openSource,
  type ImportProblem,
  type OpenOptions,
  type SourceFeature,
} from '../../server/src/importer/index.ts';
import { UNPACK_PREFIX } from '../../server/src/importer/readers/shapefile.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const HAS_OGR = spawnSync('ogr2ogr', ['--version']).status === 0;
if (!HAS_OGR) console.warn('issue 11 format tests skipped: ogr2ogr (gdal-bin) is not installed');

/** The one source layer every fixture is written from: Chinese attributes, a polygon with a hole. */
const SOURCE = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: '1号楼', address: '遂宁市船山区镇江寺街道', floors: 6, households: 24 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [105.5901, 30.5301],
            [105.5905, 30.5301],
            [105.5905, 30.5304],
            [105.5901, 30.5304],
            [105.5901, 30.5301],
          ],
        ],
      },
    },
    {
      type: 'Feature',
      properties: { name: '二号楼·东', address: '龙凤镇（老街）', floors: 3, households: null },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [105.6001, 30.5401],
            [105.6006, 30.5401],
            [105.6006, 30.5405],
            [105.6001, 30.5405],
            [105.6001, 30.5401],
          ],
          [
            [105.6002, 30.5402],
            [105.6003, 30.5402],
            [105.6003, 30.5403],
            [105.6002, 30.5403],
            [105.6002, 30.5402],
          ],
        ],
      },
    },
  ],
};

type Geo = { type: string; coordinates: number[][][] };
const read = async (file: string, opts: OpenOptions = {}) => {
  const out: SourceFeature[] = [];
  for await (const f of (await openSource(file, opts)).read()) out.push(f);
  return out;
};
/** Largest distance in metres between corresponding positions of two polygons (rings in any start/direction). */
function maxDistanceM(a: Geo, b: Geo): number {
  let worst = 0;
  a.coordinates.forEach((ring, r) => {
    const other = b.coordinates[r]!;
    for (const p of ring) {
      let best = Infinity;
      for (const q of other) {
        const dx = (p[0]! - q[0]!) * 111_320 * Math.cos((p[1]! * Math.PI) / 180);
        const dy = (p[1]! - q[1]!) * 110_574;
        best = Math.min(best, Math.hypot(dx, dy));
      }
      worst = Math.max(worst, best);
    }
  });
  return worst;
}

describe.skipIf(!HAS_OGR)(
  'issue 11: every format and CRS GDAL writes imports to the same features',
  { timeout: 300_000 },
  () => {
    let dir: string;
    let t: TestDb;
    const ogr = (args: string[]) => execFileSync('ogr2ogr', args, { cwd: dir, stdio: 'pipe' });
    const count = async () =>
      (await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM buildings')).rows[0]!.n;
    const problemsOf = async (file: string, opts: OpenOptions = {}): Promise<ImportProblem[]> => {
      try {
        await importLayer(t.db, { layer: 'buildings', sources: (await openSource(file, opts)).read() });
      } catch (e) {
        if (e instanceof ImportError) return e.problems;
        throw e;
      }
      throw new Error(`${file} was not rejected`);
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wuyou-formats-'));
      writeFileSync(join(dir, 'src.geojson'), JSON.stringify(SOURCE));
      for (const c of ['4326', '4490', '4544', '4523', '3857']) {
        ogr([
          '-f',
          'ESRI Shapefile',
          '-t_srs',
          `EPSG:${c}`,
          '-lco',
          'ENCODING=GBK',
          `gbk_${c}.shp`,
          'src.geojson',
        ]);
      }
      ogr([
        '-f',
        'ESRI Shapefile',
        '-t_srs',
        'EPSG:4544',
        '-lco',
        'ENCODING=UTF-8',
        'utf8_4544.shp',
        'src.geojson',
      ]);
      ogr(['-f', 'GPKG', '-t_srs', 'EPSG:4523', 'b.gpkg', 'src.geojson']);
      ogr(['-f', 'KML', 'b.kml', 'src.geojson']);
      ogr(['-f', 'CSV', '-lco', 'GEOMETRY=AS_WKT', 'b.csv', 'src.geojson']);
      ogr(['-f', 'GeoJSONSeq', '-t_srs', 'EPSG:4326', 'b.geojsons', 'src.geojson']);
      // Survey DXF: outlines as closed LWPOLYLINEs on a layer named for the building.
      ogr([
        '-f',
        'DXF',
        '-t_srs',
        'EPSG:4544',
        'b.dxf',
        'src.geojson',
        '-dialect',
        'sqlite',
        '-sql',
        'SELECT ST_ExteriorRing(geometry) AS geometry, name AS Layer FROM src',
      ]);
      t = await createTestDb();
    });
    afterAll(async () => {
      await t?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const variants: [string, OpenOptions, string][] = [
      ['gbk_4326.shp', {}, 'EPSG:4326'],
      ['gbk_4490.shp', {}, 'EPSG:4490'],
      ['gbk_4544.shp', {}, 'EPSG:4544'],
      ['gbk_4523.shp', {}, 'EPSG:4523'],
      ['gbk_3857.shp', {}, 'EPSG:3857'],
      ['utf8_4544.shp', {}, 'EPSG:4544'],
      ['b.gpkg', {}, 'EPSG:4523'],
      ['b.kml', {}, 'EPSG:4326'],
      ['b.csv', {}, 'EPSG:4326'],
      ['b.geojsons', {}, 'EPSG:4326'],
    ];
    it.each(variants)(
      '%s reads back the source: count, positions within 0.05 m, Chinese attributes',
      async (file, opts, crs) => {
        const src = await openSource(join(dir, file), opts);
        expect(src.crs.id).toBe(crs);
        const got = await read(join(dir, file), opts);
        expect(got).toHaveLength(SOURCE.features.length);
        got.forEach((f, i) => {
          const want = SOURCE.features[i]!;
          const feature = f.feature as { properties: Record<string, unknown>; geometry: Geo };
          expect(f.problems ?? []).toEqual([]);
          expect(maxDistanceM(want.geometry as Geo, feature.geometry)).toBeLessThan(0.05);
          expect(maxDistanceM(feature.geometry, want.geometry as Geo)).toBeLessThan(0.05);
          expect(feature.properties.name).toBe(want.properties.name);
          expect(feature.properties.address).toBe(want.properties.address);
          expect(Number(feature.properties.floors)).toBe(want.properties.floors);
        });
      },
    );

    it('a zipped GBK Shapefile (zone 35, CGCS2000) and a DXF with --crs import into buildings', async () => {
      const zip = new JSZip();
      for (const e of ['shp', 'shx', 'dbf', 'prj', 'cpg'])
        zip.file(`gbk_4523.${e}`, readFileSync(join(dir, `gbk_4523.${e}`)));
      writeFileSync(join(dir, 'areas.zip'), await zip.generateAsync({ type: 'nodebuffer' }));
      const before = await count();
      const r = await importLayer(t.db, {
        layer: 'buildings',
        sources: (await openSource(join(dir, 'areas.zip'))).read(),
      });
      expect(r.inserted).toBe(2);
      const rows = await t.db.query<{ name: string; address: string; d: number }>(
        `SELECT name, address, ST_HausdorffDistance(ST_Transform(geom, 4544), ST_Transform(ST_GeomFromGeoJSON($1), 4544)) AS d
       FROM buildings ORDER BY id DESC LIMIT 1`,
        [JSON.stringify(SOURCE.features[1]!.geometry)],
      );
      expect(rows.rows[0]).toMatchObject({ name: '二号楼·东', address: '龙凤镇（老街）' });
      expect(rows.rows[0]!.d).toBeLessThan(0.05);
      const dxf = await read(join(dir, 'b.dxf'), { crs: 'EPSG:4544' });
      expect(dxf.map((f) => (f.feature as { properties: { layer: string } }).properties.layer)).toEqual([
        '1号楼',
        '二号楼·东',
      ]);
      const d = await importLayer(t.db, {
        layer: 'buildings',
        sources: (await openSource(join(dir, 'b.dxf'), { crs: 'EPSG:4544' })).read(),
      });
      expect(d.inserted).toBe(2);
      expect(await count()).toBe(before + 4);
    });

    it('issue 11 zipped Shapefile in bounded memory: members are streamed to a temp folder while read, and it goes whatever the end', async () => {
      const unpacked = () => readdirSync(tmpdir()).filter((n) => n.startsWith(UNPACK_PREFIX));
      const whole = new JSZip();
      for (const e of ['shp', 'shx', 'dbf', 'prj', 'cpg'])
        whole.file(`gbk_4523.${e}`, readFileSync(join(dir, `gbk_4523.${e}`)));
      writeFileSync(join(dir, 'whole.zip'), await whole.generateAsync({ type: 'nodebuffer' }));
      const src = await openSource(join(dir, 'whole.zip'));
      expect(unpacked()).toEqual([]);
      // Stopped after the first feature: the folder held the .shp and .dbf, and is gone after.
      for await (const f of src.read()) {
        expect(f.index).toBe(0);
        const [folder] = unpacked();
        expect(readdirSync(join(tmpdir(), folder!)).sort()).toEqual(['layer.dbf', 'layer.shp']);
        break;
      }
      expect(unpacked()).toEqual([]);
      // Read to the end.
      expect(await read(join(dir, 'whole.zip'))).toHaveLength(2);
      expect(unpacked()).toEqual([]);
      // A zip whose .shp is cut short fails, and leaves nothing either.
      const zip = new JSZip();
      zip.file('cut.shp', readFileSync(join(dir, 'gbk_4523.shp')).subarray(0, 150));
      for (const e of ['shx', 'dbf', 'prj']) zip.file(`cut.${e}`, readFileSync(join(dir, `gbk_4523.${e}`)));
      writeFileSync(join(dir, 'cut.zip'), await zip.generateAsync({ type: 'nodebuffer' }));
      await expect(read(join(dir, 'cut.zip'))).rejects.toThrow(ImportError);
      expect(unpacked()).toEqual([]);
    });

    it('issue 11 DXF HATCH: polygons GDAL writes as HATCH (outer ring and hole) import as the same polygons, layer as attribute', async () => {
      // ogr2ogr -f DXF writes a polygon as a HATCH with one polyline boundary path per ring.
      ogr([
        '-f',
        'DXF',
        '-t_srs',
        'EPSG:4544',
        'hatch.dxf',
        'src.geojson',
        '-dialect',
        'sqlite',
        '-sql',
        'SELECT geometry, name AS Layer FROM src',
      ]);
      expect(readFileSync(join(dir, 'hatch.dxf'), 'latin1')).toMatch(/\n\s*0\r?\nHATCH\r?\n/);
      const got = await read(join(dir, 'hatch.dxf'), { crs: 'EPSG:4544' });
      expect(got).toHaveLength(SOURCE.features.length);
      got.forEach((f, i) => {
        const want = SOURCE.features[i]!.geometry as Geo;
        const feature = f.feature as { properties: Record<string, unknown>; geometry: Geo };
        expect(f.problems ?? []).toEqual([]);
        expect(feature.geometry.type).toBe('Polygon');
        expect(feature.geometry.coordinates).toHaveLength(want.coordinates.length);
        expect(maxDistanceM(want, feature.geometry)).toBeLessThan(0.05);
        expect(maxDistanceM(feature.geometry, want)).toBeLessThan(0.05);
        expect(feature.properties.layer).toBe(SOURCE.features[i]!.properties.name);
      });
      const before = await count();
      const r = await importLayer(t.db, {
        layer: 'buildings',
        sources: (await openSource(join(dir, 'hatch.dxf'), { crs: 'EPSG:4544' })).read(),
      });
      expect(r.inserted).toBe(2);
      const rows = await t.db.query<{ d: number; holes: number }>(
        `SELECT ST_HausdorffDistance(ST_Transform(geom, 4544), ST_Transform(ST_GeomFromGeoJSON($1), 4544)) AS d,
                ST_NumInteriorRings(ST_GeometryN(geom, 1)) AS holes
           FROM buildings ORDER BY id DESC LIMIT 1`,
        [JSON.stringify(SOURCE.features[1]!.geometry)],
      );
      expect(rows.rows[0]!.holes).toBe(1);
      expect(rows.rows[0]!.d).toBeLessThan(0.05);
      expect(await count()).toBe(before + 2);
    });

    it('broken files are refused naming the file, feature or row and why, and write nothing', async () => {
      const before = await count();
      // A truncated .shp.
      for (const e of ['shp', 'shx', 'dbf', 'prj', 'cpg'])
        copyFileSync(join(dir, `gbk_4544.${e}`), join(dir, `cut.${e}`));
      truncateSync(join(dir, 'cut.shp'), statSync(join(dir, 'cut.shp')).size - 30);
      expect((await problemsOf(join(dir, 'cut.shp')))[0]).toMatchObject({
        index: null,
        code: 'shp_truncated',
        params: { file: 'cut.shp', declared: expect.any(Number), size: expect.any(Number) },
      });
      // A .shp without its .dbf.
      unlinkSync(join(dir, 'cut.dbf'));
      copyFileSync(join(dir, 'gbk_4544.shp'), join(dir, 'cut.shp'));
      expect((await problemsOf(join(dir, 'cut.shp')))[0]).toEqual({
        index: null,
        code: 'dbf_missing',
        params: { file: 'cut.shp' },
      });
      // A .prj of a CRS this importer does not know (Xian 1980 needs datum parameters).
      copyFileSync(join(dir, 'gbk_4544.dbf'), join(dir, 'cut.dbf'));
      writeFileSync(
        join(dir, 'cut.prj'),
        readFileSync(join(dir, 'gbk_4544.prj'), 'utf8')
          .replace('CGCS2000_3_Degree_GK_CM_105E', 'Xian_1980_3_Degree_GK_CM_105E')
          .replace(/China_Geodetic_Coordinate_System_2000|China_2000/g, 'Xian_1980'),
      );
      const prj = await problemsOf(join(dir, 'cut.shp'));
      expect(prj[0]).toEqual({
        index: null,
        code: 'crs_file_unknown',
        params: { source: '.prj', name: 'PROJCS["Xian_1980_3_Degree_GK_CM_105E"]' },
      });
      // No .prj at all.
      unlinkSync(join(dir, 'cut.prj'));
      expect((await problemsOf(join(dir, 'cut.shp')))[0]).toEqual({ index: null, code: 'crs_missing' });
      // KML whose placemarks have no geometry.
      writeFileSync(
        join(dir, 'empty.kml'),
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>东门</name></Placemark></Document></kml>',
      );
      expect((await problemsOf(join(dir, 'empty.kml')))[0]).toEqual({
        index: null,
        code: 'kml_no_geometry',
        params: { n: 1 },
      });
      // A DXF with an open polyline, and one without a CRS.
      writeFileSync(
        join(dir, 'open.geojson'),
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: {},
              geometry: {
                type: 'LineString',
                coordinates: [
                  [105.59, 30.53],
                  [105.591, 30.53],
                  [105.591, 30.531],
                ],
              },
            },
          ],
        }),
      );
      ogr(['-f', 'DXF', '-t_srs', 'EPSG:4544', 'open.dxf', 'open.geojson']);
      const open = await problemsOf(join(dir, 'open.dxf'), { crs: 'EPSG:4544' });
      expect(open).toEqual([
        {
          index: 0,
          code: 'dxf_open_polyline',
          params: { entity: 'LWPOLYLINE', layer: '0', handle: expect.stringMatching(/^\w+$/) },
        },
      ]);
      expect((await problemsOf(join(dir, 'b.dxf')))[0]).toEqual({ index: null, code: 'crs_missing' });
      // A CSV with a bad row (gates are points).
      writeFileSync(join(dir, 'gates.csv'), 'name;lat;lon\n东门;30,53;105,59\n西门;30.53;东经105\n');
      let csv: ImportProblem[] = [];
      try {
        await importLayer(t.db, {
          layer: 'gates',
          sources: (await openSource(join(dir, 'gates.csv'))).read(),
        });
      } catch (e) {
        csv = (e as ImportError).problems;
      }
      expect(csv).toEqual([
        {
          index: 1,
          row: 3,
          name: '西门',
          code: 'cell_not_number',
          params: { field: 'lon', value: '东经105' },
        },
      ]);
      expect(await count()).toBe(before);
      expect((await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM gates')).rows[0]!.n).toBe(
        0,
      );
    });
  },
);
