import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';
import { square } from '../helpers/import.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/buildings-one-self-intersection.geojson', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real commands, as `npm run import` / `npm run export` start them, on their own database: a
 * fresh one on the server at DATABASE_URL, else an embedded PGlite folder of their own.
 */
// Each command opens its own database: a fresh embedded PGlite folder alone takes ~10 s to create.
describe('npm run import / export (spawned)', { timeout: 300_000 }, () => {
  let t: TestDb | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = (
    script: 'import' | 'import-cameras' | 'export',
    args: string[],
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<Run> =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, ...args], {
        cwd: ROOT,
        env: { ...env, ...extraEnv },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const exported = async (): Promise<{ features: { properties: { name: string | null } }[] }> => {
    const r = await run('export', ['--layer', 'buildings', '-']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { features: { properties: { name: string | null } }[] };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wuyou-cli-'));
    env = { ...process.env, LOG_LEVEL: 'silent' };
    if (TEST_DB_KIND === 'postgres') {
      t = await createTestDb();
      env.DATABASE_URL = t.url;
    } else {
      env.DATABASE_URL = '';
      env.PGLITE_DIR = join(dir, 'pglite');
    }
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a file with one self-intersecting polygon: exit 1, the feature named, nothing written', async () => {
    const r = await run('import', ['--layer', 'buildings', FIXTURE]);
    expect(r.code).toBe(1);
    // issue 11: worded from the import's glossary, Chinese first with English beside (the default).
    // Defect guarded: GEOS's English reason stood inside the Chinese sentence, and the hint named the
    // page's checkbox, which a terminal does not have.
    expect(r.stderr).toContain(
      `${FIXTURE}: 第 3 个要素“bow-tie”：几何无效：边界自相交（位置 105.591100, 30.530100）（加上 --make-valid 可自动修复） | ` +
        `feature #3 “bow-tie”: Invalid geometry: the boundary crosses itself at 105.591100, 30.530100 (--make-valid repairs it)`,
    );
    // issue 11: the summary line too, Chinese first with English beside
    expect(r.stderr).toContain(
      `${FIXTURE}: 未导入任何要素：1 个问题，涉及 1 个要素 | nothing imported: 1 problem in 1 feature`,
    );
    expect((await exported()).features).toHaveLength(0);
  });

  it('imports all of it with --make-valid and says what the repair changed', async () => {
    const r = await run('import', ['--layer', 'buildings', FIXTURE, '--make-valid']);
    expect(r.code, r.stderr).toBe(0);
    // issue 11: the repair report worded like the problems, Chinese first with English beside
    expect(r.stdout).toMatch(
      /第 3 个要素：边界自相交（位置 105\.591100, 30\.530100），已修复：1 个多边形 → 2 个部分，面积 [\d.,]+ m² → [\d.,]+ m² \| feature #3: the boundary crosses itself at 105\.591100, 30\.530100, repaired: 1 polygon → 2 parts, area [\d.,]+ m² → [\d.,]+ m²/,
    );
    expect(r.stdout).toMatch(
      /已导入 4 个楼栋（修复 1 个），用时 [\d.]+ 秒 \| imported 4 buildings \(1 repaired\) in [\d.]+ s/,
    );
    expect((await exported()).features.map((f) => f.properties.name)).toEqual([
      '1号楼',
      null,
      'bow-tie',
      null,
    ]);
  });

  it('writes an export file that imports again', async () => {
    const file = join(dir, 'buildings.geojson');
    const r = await run('export', ['--layer', 'buildings', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('exported 4 buildings');
    const fc = JSON.parse(readFileSync(file, 'utf8')) as { type: string; features: unknown[] };
    expect(fc.type).toBe('FeatureCollection');
    const again = await run('import', ['--layer', 'buildings', file]);
    expect(again.code, again.stderr).toBe(0);
    expect((await exported()).features).toHaveLength(8);
  });

  it('imports its own CSV export into a polygon layer (polygons in the WKT column), as the import page does', async () => {
    // Defect (a new user's try): every CSV was refused for a polygon layer as "points only", though a
    // CSV export of buildings holds their polygons as WKT, and the import page took it.
    const before = (await exported()).features;
    const file = join(dir, 'buildings.csv');
    const r = await run('export', ['--layer', 'buildings', file]);
    expect(r.code, r.stderr).toBe(0);
    const again = await run('import', ['--layer', 'buildings', file]);
    expect(again.code, again.stderr).toBe(0);
    const after = (await exported()).features.map((f) => f.properties.name);
    expect(after).toEqual([...before.map((f) => f.properties.name), ...before.map((f) => f.properties.name)]);
  });

  it('a Shapefile export to FILE.shp writes its parts beside it, as GDAL does; to FILE.zip one zip', async () => {
    // Helper 45: `--format shp out.shp` wrote a zip named .shp, which ogrinfo could not open.
    const shp = join(dir, '楼栋导出.shp');
    const r = await run('export', ['--layer', 'buildings', '--format', 'shp', '--encoding', 'gbk', shp]);
    expect(r.code, r.stderr).toBe(0);
    const parts = readdirSync(dir)
      .filter((f) => f.startsWith('楼栋导出.'))
      .sort();
    expect(parts).toEqual(['楼栋导出.cpg', '楼栋导出.dbf', '楼栋导出.prj', '楼栋导出.shp', '楼栋导出.shx']);
    expect(readFileSync(join(dir, '楼栋导出.cpg'), 'latin1')).toMatch(/GBK|936/);
    // …which the import reads back, .dbf and .prj beside the .shp.
    const again = await run('import', ['--layer', 'buildings', shp]);
    expect(again.code, again.stderr).toBe(0);
    if (spawnSync('ogrinfo', ['--version']).status === 0) {
      const info = spawnSync('ogrinfo', ['-so', '-al', shp], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(info.stdout).toMatch(/Feature Count: \d+/);
    }
  });

  it('export refuses GBK for text GBK cannot store, names it, and leaves no file behind', async () => {
    const file = join(dir, 'rare-gate.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'Feature',
        properties: { name: '凯旋路𠀀号门', kind: 'vehicle' },
        geometry: { type: 'Point', coordinates: [105.6, 30.5] },
      }),
    );
    const imported = await run('import', ['--layer', 'gates', file]);
    expect(imported.code, imported.stderr).toBe(0);
    for (const out of ['gates-gbk.shp', 'gates-gbk.csv']) {
      const target = join(dir, out);
      const r = await run('export', ['--layer', 'gates', '--encoding', 'gbk', target]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/name of feature \d+ holds "𠀀", which GBK cannot store: export in UTF-8/);
      expect(existsSync(target), out).toBe(false);
    }
  });

  it('refuses a NUL character in an attribute or in the --key column by feature, never as a database error', async () => {
    const file = join(dir, 'nul.geojson');
    const features = [
      { name: '1号楼', ref: 'a' },
      { name: '2号\u0000楼', ref: 'b' },
      { name: '3号楼', ref: 'c\u0000' },
    ].map((properties, i) => ({
      type: 'Feature',
      properties,
      geometry: { type: 'Polygon', coordinates: square(105.6 + i * 0.001, 30.5) },
    }));
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const before = (await exported()).features.length;
    for (const args of [[], ['--key', 'ref']]) {
      const r = await run('import', ['--layer', 'buildings', '--lang', 'en', file, ...args]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/invalid byte sequence|\n\s+at /);
      expect(r.stderr).toContain(
        `${file}: feature #2 “2号 楼”: “name” contains a NUL character (U+0000), which database text cannot hold`,
      );
      if (args.length)
        expect(r.stderr).toContain(
          `${file}: feature #3 “3号楼”: “ref” contains a NUL character (U+0000), which database text cannot hold`,
        );
    }
    expect((await exported()).features).toHaveLength(before);
  });

  it('prints the first 50 problems of a bad file, then how many more', async () => {
    const file = join(dir, 'bad-cameras.geojson');
    const features = Array.from({ length: 60 }, (_, i) => ({
      type: 'Feature',
      properties: { range_m: -i },
      geometry: { type: 'Point', coordinates: [105.59, 30.53] },
    }));
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const r = await run('import', ['--layer', 'cameras', file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    // Cameras go through the camera importer; its problems are codes worded like the main
    // importer's (issue 11: they were English sentences, `row 1, range_m: range_m 0 must be …`).
    const problemLines = lines.filter((l) => l.includes('| feature '));
    expect(problemLines[0]).toBe(
      `${file}: 第 1 个要素：“range_m”的值 0 超出范围 (0, 1000] | feature #1: “range_m” 0 is out of range (0, 1000]`,
    );
    expect(problemLines).toHaveLength(50);
    expect(lines).toContain(
      `${file}: 第 50 个要素：“range_m”的值 -49 超出范围 (0, 1000] | feature #50: “range_m” -49 is out of range (0, 1000]`,
    );
    expect(r.stderr).toContain(`${file}: …… 另有 10 个问题 | … and 10 more problems`);
    expect(r.stderr).toContain(
      '未导入任何要素：60 个问题，涉及 60 个要素 | nothing imported: 60 problems in 60 features',
    );
  });

  it('reads a GBK camera list with Chinese columns, detected or named with --encoding, in both commands', async () => {
    // A new user's try (2026-12-05): `--layer cameras` read every file as UTF-8, so a list written by
    // Excel on Chinese Windows had no columns it knew, even with --encoding gbk.
    const file = join(dir, '摄像头gbk.csv');
    const list = (code: string) =>
      iconv.encode(`名称,编号,经度,纬度\r\n明月路口${code},${code},105.5912,30.5312\r\n`, 'gbk');
    const runs: [string, 'import' | 'import-cameras', string[]][] = [
      ['GBKCAM1', 'import', ['--layer', 'cameras', file]],
      ['GBKCAM2', 'import', ['--layer', 'cameras', file, '--encoding', 'gbk']],
      ['GBKCAM3', 'import-cameras', [file]],
    ];
    for (const [code, script, args] of runs) {
      writeFileSync(file, list(code));
      const r = await run(script, args);
      expect(r.code, `${script} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const out = await run('export', ['--layer', 'cameras', '-']);
    const names = (JSON.parse(out.stdout) as { features: { properties: { name: string } }[] }).features.map(
      (f) => f.properties.name,
    );
    expect(names).toEqual(expect.arrayContaining(['明月路口GBKCAM1', '明月路口GBKCAM2', '明月路口GBKCAM3']));
  });

  it('reads an office’s camera list as its XLSX is read: 球机 a dome, 所属系统 and 设备编码 kept, problems named', async () => {
    // Helper 45: `--layer cameras` read a Chinese CSV as OpenStreetMap tags: 球机 became a fixed camera
    // (with a warning about OSM's words), 所属系统 and 设备编码 were dropped, a header-only list
    // "imported 0 cameras from 0 OSM rows", and a problem row had no name.
    const file = join(dir, '摄像机清单.csv');
    writeFileSync(
      file,
      iconv.encode(
        '序号,设备名称,设备编码,类型,所属系统,经度,纬度,方向\r\n' +
          '1,凯旋路口球机,51090300001320000001,球机,雪亮工程,105.5913,30.5313,360\r\n' +
          '2,明月路枪机,51090300001320000002,固定枪机,天网,105.5914,30.5314,东北\r\n',
        'gbk',
      ),
    );
    const r = await run('import', ['--layer', 'cameras', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('OSM');
    const out = await run('export', ['--layer', 'cameras', '-']);
    const cams = (
      JSON.parse(out.stdout) as { features: { properties: Record<string, unknown> }[] }
    ).features.map((f) => f.properties);
    expect(cams.find((c) => c.name === '凯旋路口球机')).toMatchObject({
      code: '51090300001320000001',
      type: 'dome',
      system: 'xueliang',
      direction_deg: 0,
    });
    expect(cams.find((c) => c.name === '明月路枪机')).toMatchObject({
      type: 'fixed',
      system: 'tianwang',
      direction_deg: 45,
    });

    writeFileSync(file, iconv.encode('设备名称,经度,纬度\r\n', 'gbk'));
    const empty = await run('import', ['--layer', 'cameras', file]);
    expect(empty.stderr).toContain('文件中没有要素，未导入任何内容');

    writeFileSync(file, iconv.encode('设备名称,经度,纬度\r\n=1+1,东经105,30.5\r\n', 'gbk'));
    const bad = await run('import', ['--layer', 'cameras', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('第 1 个要素“=1+1”（第 2 行）');

    // An OpenStreetMap export still goes through the camera importer, which reads its tags.
    writeFileSync(
      file,
      'lon,lat,man_made,surveillance:type,camera:type\r\n105.5915,30.5315,surveillance,camera,dome\r\n',
    );
    const osm = await run('import', ['--layer', 'cameras', file]);
    expect(osm.code, osm.stderr).toBe(0);
    expect(osm.stdout).toContain('OSM');
    // …which reads its own tags: --set would lose them (helper 46), so it is refused.
    const set = await run('import', ['--layer', 'cameras', file, '--set', 'system=xueliang']);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('不能用 --set');
  });

  it('import:cameras words a catalogue row and an unreadable CSV in the language asked (--lang)', async () => {
    const file = join(dir, 'bad-catalogue.csv');
    writeFileSync(
      file,
      'DeviceID,Name,CivilCode,Longitude,Latitude,PTZType,RoomType,UseType,DirectionType\n' +
        '51090300001310000001,船山路口东,510903,105.591,30.531,3,1,1,1\n' +
        '51090300001310000004,坏行,510903,east,30.534,3,1,1,9\n',
    );
    const zh = await run('import-cameras', [file, '--lang', 'zh-CN']);
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain(`${file}: 第 2 个要素（第 3 行）：“Longitude”应为数字，实为 "east"\n`);
    expect(zh.stderr).toContain(
      `${file}: 第 2 个要素（第 3 行）：“DirectionType”的值 "9" 应为 1–8（东 西 南 北 东南 东北 西南 西北）\n`,
    );
    expect(zh.stderr).toContain(`${file}: 未导入任何要素：2 个问题，涉及 1 个要素`);
    expect(zh.stderr).not.toMatch(/must be|nothing imported/);
    const en = await run('import-cameras', [file, '--lang', 'en']);
    expect(en.code).toBe(1);
    expect(en.stderr).toContain(`${file}: feature #2 (row 3): “Longitude” must be a number, got "east"\n`);
    expect(en.stderr).toContain(`${file}: nothing imported: 2 problems in 1 feature`);
    expect(en.stderr).not.toMatch(/[要素]/);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'lon,lat\n"8.5,47.3\n');
    const b = await run('import-cameras', [broken, '--lang', 'en']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`^${broken}: Not readable as CSV: `, 'm'));
    // issue 11: the summary and the rejected rows are worded too, not left in English
    const skip = await run('import-cameras', [file, '--lang', 'zh-CN', '--skip-invalid']);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).toContain(`${file}: 已导入 1 个摄像机，来自 2 行 GB/T 28181 目录数据，1 行被拒收`);
    expect(skip.stderr).toContain(
      `${file}: 已拒收：第 2 个要素（第 3 行）：“Longitude”应为数字，实为 "east"\n`,
    );
    expect((skip.stdout + skip.stderr).replaceAll(file, '')).not.toMatch(
      /imported|rejected|cameras|catalogue/,
    );
    const lang = await run('import-cameras', [broken, '--lang', 'fr']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('--lang must be one of both, zh-CN, en');
  });

  it('refuses bad arguments and a CSV for a polygon layer', async () => {
    const bad = await run('import', ['--layer', 'roads', FIXTURE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--layer must be one of buildings, compounds, service-areas');
    // new-user try (2026-12-04): the value given is repeated
    expect(bad.stderr).toContain('--layer "roads" is not a layer');
    // …and said in Chinese first, as every other line of the command (new-user try, 2026-12-05)
    expect(bad.stderr).toMatch(
      /^--layer “roads” 不是图层；--layer 须为 buildings、compounds、service-areas.* \| --layer "roads"/,
    );
    const two = await run('import', ['--layer', 'buildings', FIXTURE, FIXTURE, '--lang', 'zh-CN']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^只能给一个文件\n/);
    const crs = await run('import', ['--layer', 'buildings', FIXTURE, '--crs', 'EPSG:27700']);
    expect(crs.code).toBe(2);
    expect(crs.stderr).toContain('--crs: 不支持坐标系 EPSG:27700；请指定坐标系，例如 EPSG:4544');
    expect(crs.stderr).toContain('| EPSG:27700 is not a coordinate system this importer converts; name the');
    // --lang picks one language of the same glossary
    const en = await run('import', ['--layer', 'buildings', FIXTURE, '--crs', 'EPSG:27700', '--lang', 'en']);
    expect(en.code).toBe(2);
    expect(en.stderr).toMatch(
      /^--crs: EPSG:27700 is not a coordinate system this importer converts; name the/,
    );
    expect(en.stderr).not.toMatch(/不支持/);
    const csv = fileURLToPath(new URL('./fixtures/cameras.csv', import.meta.url));
    const r = await run('import', ['--layer', 'buildings', csv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${csv}: CSV 文件只含点，楼栋需要面（请用 Shapefile、GeoPackage 或 GeoJSON） | ` +
        `CSV files hold points; buildings need polygons (use Shapefile, GeoPackage or GeoJSON)`,
    );
  });

  it('imports columns named in Chinese into their fields and says which columns it left out; --street needs --mode replace', async () => {
    // New-user try (2026-12-05): 名称/地址/层数 were silently dropped (the import page maps them, the
    // command line took only English names), and 是/车行出入口 were refused in a gates list.
    const file = join(dir, '楼栋.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { 名称: '中文1号楼', 地址: '船山区明月路1号', 层数: 6, 备注: '无' },
            geometry: { type: 'Polygon', coordinates: square(105.5, 30.6) },
          },
        ],
      }),
    );
    const r = await run('import', ['--layer', 'buildings', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${file}: 按列名导入：名称 → name，地址 → address，层数 → floors；未导入的列：备注 | ` +
        'columns imported: 名称 → name, 地址 → address, 层数 → floors; not imported: 备注',
    );
    const stored = (await exported()).features.find((f) => f.properties.name === '中文1号楼');
    expect(stored?.properties).toMatchObject({ name: '中文1号楼', address: '船山区明月路1号', floors: 6 });

    const gates = join(dir, '出入口.csv');
    writeFileSync(
      gates,
      '名称,类型,门禁,经度,纬度\n东门,车行出入口,是,105.5,30.6\n北门,人行,否,105.5001,30.6001\n',
    );
    const g = await run('import', ['--layer', 'gates', gates]);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toContain('按列名导入：名称 → name，类型 → kind，门禁 → access_control | ');
    expect(g.stderr).not.toContain('未导入的列');

    const street = await run('import', ['--layer', 'gates', gates, '--street', '510903002']);
    expect(street.code).toBe(2);
    expect(street.stderr).toContain('--street and --bbox say where --mode replace replaces rows');
    expect(street.stderr).toContain('--street 和 --bbox 指定 --mode replace 替换的范围');
  });

  it('takes the polygons of an 奥维 KML mixing polygons and points for buildings, and its points for gates', async () => {
    // Helper 44 (2026-12-05): one layer of every placemark; each gate point was a wrong-geometry
    // problem for 小区, so an 奥维 file could not go in without QGIS.
    const ring = (x: number) =>
      square(x, 30.7)[0]!
        .map(([a, b]) => `${a},${b},0`)
        .join(' ');
    const kml = join(dir, '奥维.kml');
    writeFileSync(
      kml,
      `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>凯旋路</name>` +
        `<Folder><name>小区</name><Placemark><name>奥维1号楼</name><Polygon><outerBoundaryIs><LinearRing><coordinates>${ring(105.51)}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>` +
        `<Placemark><name>奥维东门</name><Point><coordinates>105.51,30.7</coordinates></Point></Placemark></Folder>` +
        `<Folder><name>门</name><Placemark><name>奥维北门</name><Point><coordinates>105.5101,30.7001</coordinates></Point></Placemark></Folder>` +
        `</Document></kml>`,
    );
    const c = await run('import', ['--layer', 'buildings', kml]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('已导入 1 个楼栋');
    expect(c.stderr).toContain(
      '有 5 个图层（placemarks|Polygon、placemarks|Point、小区|Polygon、小区|Point、门）；导入“placemarks|Polygon”（用 --layer-name 选择）',
    );
    expect(c.stderr).toContain(
      '5 layers (placemarks|Polygon, placemarks|Point, 小区|Polygon, 小区|Point, 门); importing "placemarks|Polygon" (choose with --layer-name)',
    );
    const g = await run('import', ['--layer', 'gates', kml, '--layer-name', '门', '--lang', 'en']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain('imported 1 gate in');
    // Unnamed: of the folders holding points, the one named for gates (门).
    const named = await run('import', ['--layer', 'gates', kml, '--lang', 'en']);
    expect(named.stderr).toContain('importing "门"');
    expect(named.stdout).toContain('imported 1 gate in');
    // No folder named for cameras, and points in two: which are cameras only the user knows
    // (helper 45: an 奥维 file's gates and cameras went in as cameras).
    const mixed = await run('import', ['--layer', 'cameras', kml]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(
      '图层“placemarks|Point”混合了几个文件夹（小区、门）的要素：请用 --layer-name 选择其中一个文件夹，或用 --layer-name “placemarks|Point” 全部导入',
    );
    const all = await run('import', ['--layer', 'cameras', kml, '--layer-name', 'placemarks|Point']);
    expect(all.code, all.stderr).toBe(0);
  });

  it('--set gives a field one value for every feature: an 奥维 KML of service areas and its 管理模式', async () => {
    // Helper 45: such a file has no 管理模式 column, so every polygon was refused, on the page and here.
    const ring = square(105.52, 30.72)[0]!
      .map(([a, b]) => `${a},${b}`)
      .join(' ');
    const kml = join(dir, '片区.kml');
    writeFileSync(
      kml,
      `<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>命令行片区</name><Polygon><outerBoundaryIs><LinearRing><coordinates>${ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>`,
    );
    const refused = await run('import', ['--layer', 'service-areas', kml]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('“management_mode”为必填项');
    const bad = await run('import', ['--layer', 'service-areas', kml, '--set', 'management_mode=随便']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--set management_mode=随便: “management_mode”的值 "随便" 不在可选值中');
    const unknown = await run('import', ['--layer', 'service-areas', kml, '--set', 'nope=1', '--lang', 'en']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--set "nope=1" must be FIELD=VALUE, FIELD one of ');
    const r = await run('import', [
      '--layer',
      'service-areas',
      kml,
      '--set',
      '管理模式=社区托管',
      '--set',
      'provider=凯旋路社区',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = await run('export', ['--layer', 'service-areas', '-']);
    const areas = (JSON.parse(out.stdout) as { features: { properties: Record<string, unknown> }[] })
      .features;
    expect(areas.find((a) => a.properties.name === '命令行片区')?.properties).toMatchObject({
      management_mode: 'community_custodial',
      provider: '凯旋路社区',
    });
  });

  // New-user try (2026-12-04): a path that names nothing or a folder got Node's raw "ENOENT: no such
  // file or directory, open …" / "EISDIR: illegal operation on a directory, read", in English only.
  it('a missing file or a folder is refused in the glossary words, by both import commands', async () => {
    const missing = join(dir, '楼栋-没有这个文件.geojson');
    for (const [script, args] of [
      ['import', ['--layer', 'buildings', missing]],
      ['import-cameras', [missing]],
    ] as const) {
      const r = await run(script, [...args]);
      expect(r.code, script).toBe(1);
      expect(r.stderr, script).toContain(`${missing}: 找不到文件“${missing}” | No file "${missing}"`);
      expect(r.stderr, script).not.toMatch(/ENOENT|at .*\.ts:\d+/);
    }
    const folder = await run('import', ['--layer', 'buildings', dir, '--lang', 'en']);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${dir}: "${dir}" is not a file (a folder?)`);
    expect(folder.stderr).not.toMatch(/EISDIR/);
  });

  // New-user try (2026-12-04): an empty file printed "imported 0 buildings" and nothing else, and a
  // first import into a new embedded folder printed nothing for the ~25 s initdb and migrations took.
  it('warns that an empty file held nothing; says the wait while a new embedded folder is made', async () => {
    const empty = join(dir, 'empty.geojson');
    writeFileSync(empty, '{"type":"FeatureCollection","features":[]}');
    const folder = join(dir, 'pglite-new');
    const r = await run('import', ['--layer', 'buildings', empty], { PGLITE_DIR: folder });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('文件中没有要素，未导入任何内容 | ');
    expect(r.stderr).toContain('The file holds no features: nothing was imported');
    if (TEST_DB_KIND === 'embedded') {
      expect(r.stderr).toContain(
        `正在 ${folder} 中创建嵌入式数据库（首次约需半分钟）…… | creating the embedded database in ${folder}`,
      );
      // the folder made, a second import says nothing of it
      const again = await run('import', ['--layer', 'buildings', empty], { PGLITE_DIR: folder });
      expect(again.stderr).not.toContain('creating the embedded database');
    } else expect(r.stderr).not.toContain('creating the embedded database');
  });

  // Only embedded folders are held by one process at a time.
  it.skipIf(TEST_DB_KIND !== 'embedded')(
    'says, in the glossary’s words and without a stack trace, that the app holds the embedded folder',
    async () => {
      const empty = join(dir, 'empty.geojson');
      writeFileSync(empty, '{"type":"FeatureCollection","features":[]}');
      const folder = join(dir, 'pglite-held');
      // A live process (this test's) holds it, as a running app would.
      writeFileSync(`${folder}.lock`, String(process.pid));
      try {
        for (const script of ['import', 'import-cameras'] as const) {
          const args = script === 'import' ? ['--layer', 'buildings', empty] : [empty];
          const r = await run(script, args, { PGLITE_DIR: folder });
          expect(r.code, r.stderr).toBe(1);
          expect(r.stderr).toContain(
            `嵌入式数据库 ${folder} 正被进程 ${process.pid}（运行中的应用或命令）使用：请先停止它，或在应用的导入页面导入`,
          );
          expect(r.stderr).toContain(`the embedded database ${folder} is in use by process ${process.pid}`);
          expect(r.stderr).not.toMatch(/FolderInUseError|\n\s+at /);
        }
      } finally {
        rmSync(`${folder}.lock`, { force: true });
      }
    },
  );

  it('issue 11: --key with --mode upsert run twice changes nothing and says so; a bad CSV row is named', async () => {
    const file = join(dir, 'keyed.geojson');
    const sq = (x: number) => square(x, 30.53);
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: ['K1', 'K2'].map((id, i) => ({
          type: 'Feature',
          properties: { id, name: `${i + 1}号楼` },
          geometry: { type: 'Polygon', coordinates: sq(105.6 + i * 0.001) },
        })),
      }),
    );
    const first = await run('import', ['--layer', 'buildings', file, '--key', 'id', '--mode', 'upsert']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('imported 2 buildings');
    const again = await run('import', ['--layer', 'buildings', file, '--key', 'id', '--mode', 'upsert']);
    expect(again.code, again.stderr).toBe(0);
    // issue 11: Chinese first with English beside, like the problems
    expect(again.stdout).toMatch(
      new RegExp(
        `${file}: 无变化：2 个楼栋已存储且内容相同（用时 [\\d.]+ 秒） \\| nothing changed: 2 buildings already stored as they are \\(in [\\d.]+ s\\)`,
      ),
    );
    const csv = join(dir, 'gates.csv');
    writeFileSync(csv, 'name;lat;lon\n东门;30,53;105,59\n西门;30.53;东经105\n');
    const bad = await run('import', ['--layer', 'gates', csv]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${csv}: 第 2 个要素“西门”（第 3 行）：“lon”的值“东经105”不是数字 | feature #2 “西门” (row 3): “lon” "东经105" is not a number`,
    );
    expect(bad.stderr).toContain(
      `${csv}: 未导入任何要素：1 个问题，涉及 1 个要素 | nothing imported: 1 problem in 1 feature`,
    );
  });
});

/**
 * trust10 #4: with the app's own login in DATABASE_URL (a member of wuyou_app, bound by row-level
 * security, no right to change the schema), the commands that migrate or write past the policies
 * connect as the owner from MIGRATION_DATABASE_URL.
 */
describe.skipIf(TEST_DB_KIND !== 'postgres')(
  'commands with MIGRATION_DATABASE_URL (a server)',
  { timeout: 300_000 },
  () => {
    let t: TestDb;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const role = `wuyou_t_cli_${process.pid}`;
    const run = (script: string, args: string[]): Promise<Run> =>
      new Promise((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, ...args], {
          cwd: ROOT,
          env,
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('error', reject);
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wuyou-cli-owner-'));
      t = await createTestDb();
      await t.db.exec(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN IN ROLE wuyou_app`);
      const app = new URL(t.url!);
      app.username = role;
      env = {
        ...process.env,
        LOG_LEVEL: 'silent',
        DATABASE_URL: app.toString(),
        MIGRATION_DATABASE_URL: t.url,
      };
    });
    afterAll(async () => {
      await t?.drop();
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    });

    it('import, import:cameras and seed write as the owner; export reads', async () => {
      const cameras = join(dir, 'cameras.geojson');
      writeFileSync(
        cameras,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              properties: { name: 'c1' },
              geometry: { type: 'Point', coordinates: [105.59, 30.53] },
            },
          ],
        }),
      );
      const imported = await run('import', ['--layer', 'cameras', cameras]);
      expect(imported.code, imported.stderr).toBe(0);
      const alone = await run('import-cameras', [cameras]);
      expect(alone.code, alone.stderr).toBe(0);
      const seeded = await run('seed', ['--buildings', '50']);
      expect(seeded.code, seeded.stderr).toBe(0);
      const out = await run('export', ['--layer', 'buildings', '-']);
      expect(out.code, out.stderr).toBe(0);
      expect((JSON.parse(out.stdout) as { features: unknown[] }).features.length).toBeGreaterThan(0);
    });
  },
);
