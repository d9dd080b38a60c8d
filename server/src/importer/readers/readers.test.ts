import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { GeoJsonSplitter, openSource, splitGeoJson } from './index.ts';
import { workbookRows } from './xlsx.ts';

const collect = async (it: AsyncIterable<SourceFeature>) => {
  const out: SourceFeature[] = [];
  for await (const f of it) out.push(f);
  return out;
};
const bytes = (name: string, text: string | Buffer) => ({
  name,
  bytes: typeof text === 'string' ? Buffer.from(text, 'utf8') : text,
});
const point = (x: number, y: number, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties: props,
  geometry: { type: 'Point', coordinates: [x, y] },
});

describe('GeoJSON splitter (streamed)', () => {
  const fc = JSON.stringify({
    type: 'FeatureCollection',
    name: 'x',
    features: [point(105.1, 30.1, { name: '1号楼 "a"}]' }), point(105.2, 30.2), null],
    bbox: [105, 30, 106, 31],
  });

  it('gives the same features whatever the chunk size', () => {
    for (const size of [1, 3, 7, 64, fc.length]) {
      const s = new GeoJsonSplitter();
      const out: SourceFeature[] = [];
      for (let i = 0; i < fc.length; i += size) s.push(fc.slice(i, i + size), out);
      s.end();
      expect(out.map((f) => f.feature)).toEqual([
        point(105.1, 30.1, { name: '1号楼 "a"}]' }),
        point(105.2, 30.2),
        null,
      ]);
      expect(out.map((f) => f.index)).toEqual([0, 1, 2]);
    }
  });

  it('reads GeoJSON sequences: RS-separated and one feature per line', () => {
    const rs = [point(1, 2), point(3, 4)].map((f) => `\u001e${JSON.stringify(f)}\n`).join('');
    expect(splitGeoJson(rs)).toHaveLength(2);
    const lines = [point(1, 2), point(3, 4), point(5, 6)].map((f) => JSON.stringify(f)).join('\n');
    expect(splitGeoJson(lines).map((f) => f.index)).toEqual([0, 1, 2]);
  });

  it('says a truncated file is truncated, and a bad feature is that feature', () => {
    expect(() => splitGeoJson(fc.slice(0, fc.length - 20))).toThrow(
      expect.objectContaining({ problems: [{ index: null, code: 'json_truncated' }] }),
    );
    const bad = splitGeoJson('{"type":"FeatureCollection","features":[{"type":"Feature",,}]}');
    expect(bad[0]!.problems![0]).toMatchObject({ code: 'not_json' });
  });

  it('checks what the collection is once it has been read', () => {
    expect(() => splitGeoJson('{"type":"Topology","features":[]}')).toThrow(ImportError);
    expect(splitGeoJson('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}')).toHaveLength(1);
  });
});

describe('openSource', () => {
  it('lists fields of a GeoJSON and reads it again and again', async () => {
    const src = await openSource(
      bytes(
        'a.geojson',
        JSON.stringify({ type: 'FeatureCollection', features: [point(105.6, 30.5, { 名称: '甲' })] }),
      ),
    );
    expect(src.format).toBe('geojson');
    expect(src.layers).toEqual([{ name: 'features', fields: ['名称'] }]);
    expect(src.crs.id).toBe('EPSG:4326');
    expect(await collect(src.read())).toHaveLength(1);
    expect(await collect(src.read())).toHaveLength(1);
  });

  it('issue 11: a ;-separated CSV with lat/lon and decimal commas is read, not refused', async () => {
    const text = 'type;id;lat;lon;名称\ngate;1;30,5;105,6;东门\ngate;2;30.51;105.61;西门\n';
    const src = await openSource(bytes('g.csv', text));
    const fs = await collect(src.read());
    expect(
      fs.map((f) => (f.feature as { geometry: { coordinates: number[] } }).geometry.coordinates),
    ).toEqual([
      [105.6, 30.5],
      [105.61, 30.51],
    ]);
    expect(fs[0]!.row).toBe(2);
    expect((fs[0]!.feature as { properties: Record<string, string> }).properties['名称']).toBe('东门');
  });

  it('reads a GBK CSV without BOM and a UTF-8 CSV with BOM, tab-separated too', async () => {
    const text = '经度\t纬度\tname\n105.6\t30.5\t遂宁市船山区\n';
    for (const b of [
      iconv.encode(text, 'gbk'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    ]) {
      const fs = await collect((await openSource(bytes('p.csv', b))).read());
      expect((fs[0]!.feature as { properties: Record<string, string> }).properties.name).toBe('遂宁市船山区');
    }
  });

  it('names the row of a bad coordinate, and a WKT column works', async () => {
    const fs = await collect((await openSource(bytes('p.csv', 'lon,lat\n105.6,30.5\nabc,30.5\n'))).read());
    expect(fs[1]).toMatchObject({
      index: 1,
      row: 3,
      problems: [{ code: 'cell_not_number', params: { field: 'lon', value: 'abc' } }],
    });
    const w = await collect((await openSource(bytes('w.csv', 'id,WKT\n1,"POINT (105.6 30.5)"\n'))).read());
    expect((w[0]!.feature as { geometry: unknown }).geometry).toEqual({
      type: 'Point',
      coordinates: [105.6, 30.5],
    });
  });

  it('converts with --crs and says when metres come without a CRS', async () => {
    // 遂宁: CGCS2000 3° Gauss-Krüger CM 105°E, x = 500000 + ~57 km
    const text = 'x,y\n557800,3378000\n';
    const none = await collect((await openSource(bytes('m.csv', text))).read());
    expect(none[0]!.problems![0]).toEqual({ code: 'not_lon_lat', params: { x: 557800, y: 3378000 } });
    const gk = await collect((await openSource(bytes('m.csv', text), { crs: 'EPSG:4544' })).read());
    const [lon, lat] = (gk[0]!.feature as { geometry: { coordinates: number[] } }).geometry.coordinates;
    expect(lon).toBeCloseTo(105.6, 1);
    expect(lat).toBeCloseTo(30.52, 1);
    const prefixed = await collect(
      (await openSource(bytes('m.csv', 'x,y\n35557800,3378000\n'), { crs: 'EPSG:4523' })).read(),
    );
    expect(
      (prefixed[0]!.feature as { geometry: { coordinates: number[] } }).geometry.coordinates[0],
    ).toBeCloseTo(lon!, 9);
  });

  it('warns with the feature index when a position lands outside China', async () => {
    const fs = await collect((await openSource(bytes('p.csv', 'lon,lat\n105.6,30.5\n13.4,52.5\n'))).read());
    expect(fs[0]!.warnings).toBeUndefined();
    expect(fs[1]!.warnings![0]).toEqual({
      code: 'outside_china',
      params: { lon: '13.400000', lat: '52.500000' },
    });
  });
});

describe('KML, one placemark at a time (issue 11: bounded memory)', () => {
  const placemark = (i: number, extra = '') =>
    `<Placemark><name>门${i}</name><ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="户数">${i}</SimpleData></SchemaData></ExtendedData>${extra}<Point><coordinates>105.6,30.5${i}</coordinates></Point></Placemark>`;
  const kml = (body: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Schema name="s" id="s"><SimpleField name="户数" type="int"/></Schema><Folder>${body}</Folder></Document></kml>`;

  it('reads every placemark inside the file’s namespaces and schema, typed SimpleData included', async () => {
    const src = await openSource(
      bytes('a.kml', kml(placemark(1) + placemark(2, '<gx:balloonVisibility>1</gx:balloonVisibility>'))),
    );
    expect(src.layers[0]).toMatchObject({ count: 2, fields: expect.arrayContaining(['name', '户数']) });
    const fs = await collect(src.read());
    expect(fs.map((f) => (f.feature as { properties: Record<string, unknown> }).properties)).toEqual([
      expect.objectContaining({ name: '门1', 户数: 1 }),
      expect.objectContaining({ name: '门2', 户数: 2 }),
    ]);
    expect(fs.map((f) => f.index)).toEqual([0, 1]);
  });

  // Helper 44's defect: an 奥维 KML holds a street's compounds (polygons) and gates (points) in
  // folders; read as one layer, every point was a wrong-geometry problem for 小区, so the file could
  // not go in without QGIS.
  describe('an 奥维 KML of folders mixing points and polygons', () => {
    const poly = (name: string, x: number) =>
      `<Placemark><name>${name}</name><Style><PolyStyle><color>7f00ff00</color></PolyStyle></Style><Polygon><outerBoundaryIs><LinearRing><coordinates>${x},30.5,0 ${x + 0.001},30.5,0 ${x + 0.001},30.501,0 ${x},30.5,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`;
    const pt = (name: string, x: number) =>
      `<Placemark><name>${name}</name><Style><IconStyle><scale>1</scale></IconStyle></Style><Point><coordinates>${x},30.5</coordinates></Point></Placemark>`;
    const line = (name: string) =>
      `<Placemark><name>${name}</name><LineString><coordinates>105.6,30.5 105.61,30.51</coordinates></LineString></Placemark>`;
    const ovital = `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>奥维互动地图</name>
      <Folder><name><![CDATA[凯旋路社区]]></name>
        <Folder><name>小区 &amp; 院落</name>${poly('锦华苑', 105.6)}${poly('建设巷3号院', 105.61)}${pt('锦华苑东门', 105.6)}</Folder>
        <Folder><name>道路</name>${line('凯旋路')}</Folder>
      </Folder>
      <Folder><name>渠河社区</name>${poly('渠河小区', 105.62)}${pt('渠河北门', 105.62)}${pt('渠河南门', 105.621)}</Folder>
      ${pt('街道办', 105.63)}
    </Document></kml>`;

    it('offers the whole file by geometry type first, then each folder, with counts and types', async () => {
      const src = await openSource(bytes('ovital.kml', ovital));
      expect(src.layers.map((l) => [l.name, l.geometryType, l.count])).toEqual([
        ['placemarks|Polygon', 'Polygon', 3],
        ['placemarks|LineString', 'LineString', 1],
        ['placemarks|Point', 'Point', 4],
        ['凯旋路社区/小区 & 院落|Polygon', 'Polygon', 2],
        ['凯旋路社区/小区 & 院落|Point', 'Point', 1],
        ['凯旋路社区/道路', 'LineString', 1],
        ['渠河社区|Polygon', 'Polygon', 1],
        ['渠河社区|Point', 'Point', 2],
      ]);
      const names = async (layer: string) =>
        (await collect(src.read(layer))).map((f) => [
          f.index,
          (f.feature as { properties: { name: string } }).properties.name,
        ]);
      // Numbered within the layer, as GDAL numbers a layer's features.
      expect(await names('placemarks|Polygon')).toEqual([
        [0, '锦华苑'],
        [1, '建设巷3号院'],
        [2, '渠河小区'],
      ]);
      expect(await names('placemarks|Point')).toEqual([
        [0, '锦华苑东门'],
        [1, '渠河北门'],
        [2, '渠河南门'],
        [3, '街道办'],
      ]);
      expect(await names('渠河社区|Point')).toEqual([
        [0, '渠河北门'],
        [1, '渠河南门'],
      ]);
      expect(src.crsOf('渠河社区|Point').id).toBe('EPSG:4326');
      expect(src.layers.find((l) => l.name === '渠河社区|Point')?.folder).toBe('渠河社区');
      // Styles are no attributes (helper 45: the preview offered icon and fill as columns).
      const [first] = await collect(src.read('placemarks|Polygon'));
      expect(Object.keys((first!.feature as { properties: object }).properties)).toEqual(['name']);
    });

    it('keeps one layer, as before, when the file has one folder of one geometry type', async () => {
      const src = await openSource(
        bytes(
          'one.kml',
          `<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>小区</name>${poly('a', 105.6)}${poly('b', 105.61)}</Folder></Document></kml>`,
        ),
      );
      expect(src.layers).toEqual([
        { name: 'placemarks', count: 2, fields: ['name'], geometryType: 'Polygon' },
      ]);
    });
  });

  it('a broken placemark past the first thousand is that feature’s problem, not the whole file’s', async () => {
    const body =
      Array.from({ length: 1001 }, (_, i) => placemark(i)).join('') + '<Placemark><name>坏</nam></Placemark>';
    const fs = await collect((await openSource(bytes('b.kml', kml(body)))).read());
    expect(fs).toHaveLength(1002);
    expect(fs[1001]).toMatchObject({ index: 1001, problems: [{ code: 'not_kml' }] });
  });
});

describe('XLSX point lists (issue 11)', () => {
  it('lists each sheet with its header and row count, and reads a sheet’s rows with their row numbers', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('说明');
    notes.addRow(['说明']);
    notes.addRow(['摄像机清单']);
    const cams = wb.addWorksheet('摄像机');
    cams.addRow(['名称', '经度', '纬度', '安装日期']);
    cams.addRow(['东门', 105.6, 30.5, new Date(Date.UTC(2024, 4, 1))]);
    cams.addRow([]);
    cams.addRow(['北门', '105,61', 30.51, null]);
    cams.addRow(['坏', 'abc', 30.52, null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const src = await openSource(bytes('cams.xlsx', buf));
    expect(src.layers).toEqual([
      { name: '说明', count: 1, fields: ['说明'] },
      { name: '摄像机', count: 3, fields: ['名称', '经度', '纬度', '安装日期'], geometryType: 'Point' },
    ]);
    const fs = await collect(src.read('摄像机'));
    expect(fs.map((f) => [f.index, f.row])).toEqual([
      [0, 2],
      [1, 4],
      [2, 5],
    ]);
    expect(fs[0]!.feature).toMatchObject({
      properties: { 名称: '东门', 安装日期: '2024-05-01' },
      geometry: { type: 'Point', coordinates: [105.6, 30.5] },
    });
    expect(fs[1]!.feature).toMatchObject({ geometry: { coordinates: [105.61, 30.51] } });
    expect(fs[2]!.problems).toEqual([{ code: 'cell_not_number', params: { field: '经度', value: 'abc' } }]);
    await expect(openSource(bytes('broken.xlsx', buf.subarray(0, 200)))).rejects.toMatchObject({
      problems: [{ index: null, code: 'not_xlsx' }],
    });
  });
});

describe('XLSX streamed (issue 11: bounded memory)', { timeout: 60_000 }, () => {
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

  /** A workbook whose zip holds its worksheets last, as Excel and exceljs order them after the parts they need. */
  async function sheetsLast(sheets: [string, number][]): Promise<Buffer> {
    const { default: ExcelJS } = await import('exceljs');
    const { default: JSZip } = await import('jszip');
    const wb = new ExcelJS.Workbook();
    for (const [name, n] of sheets) {
      const ws = wb.addWorksheet(name);
      ws.addRow(['名称', 'lon', 'lat']);
      for (let i = 0; i < n; i++) ws.addRow([`摄像机${i}`, 105 + i / 1e5, 30.5]);
    }
    const made = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
    const members = Object.values(made.files).filter((f) => !f.dir);
    const ordered = [
      ...members.filter((f) => !f.name.startsWith('xl/worksheets/')),
      ...members.filter((f) => f.name.startsWith('xl/worksheets/')),
    ];
    const zip = new JSZip();
    for (const f of ordered) zip.file(f.name, await f.async('uint8array'));
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  }

  // exceljs's WorkbookReader (7a6b8de) never gave the second sheet to a consumer that read the first
  // slowly (5 reads of 5): unzipper said `end` with the small last member still buffered, and
  // exceljs stopped there. Rows lost that way came back as fewer features in the round-trip tests.
  it('gives a slow consumer every row of every sheet, each time', async () => {
    const buf = await sheetsLast([
      ['一', 3000],
      ['二', 3],
    ]);
    for (let round = 0; round < 3; round++) {
      const counts = new Map<string, number>();
      let n = 0;
      for await (const r of workbookRows(bytes('two.xlsx', buf))) {
        counts.set(r.sheet, (counts.get(r.sheet) ?? 0) + 1);
        if (++n % 50 === 0) await pause();
      }
      expect([...counts], `round ${round}`).toEqual([
        ['一', 3001],
        ['二', 4],
      ]);
    }
  });

  it('reads an export (streamed writer, inline strings, sheet first) whole, however slowly it is consumed', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (d: Buffer) => parts.push(d));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: true,
    });
    const ws = wb.addWorksheet('gates');
    ws.addRow(['name', 'lon', 'lat']).commit();
    for (let i = 0; i < 500; i++) ws.addRow([`门${i}`, 105 + i / 1e4, 30.5]).commit();
    ws.commit();
    await wb.commit();
    const buf = Buffer.concat(parts);
    for (let round = 0; round < 10; round++) {
      const src = await openSource(bytes('gates.xlsx', buf));
      expect(src.layers).toEqual([
        { name: 'gates', count: 500, fields: ['name', 'lon', 'lat'], geometryType: 'Point' },
      ]);
      let n = 0;
      for await (const f of src.read('gates')) {
        expect(f.index).toBe(n);
        if (++n % 25 === 0) await pause();
      }
      expect(n, `round ${round}`).toBe(500);
    }
  });

  it('reads cells as Excel writes them: shared and inline text, rich text, dates, booleans, rows without r', async () => {
    const { default: JSZip } = await import('jszip');
    const zip = new JSZip();
    zip.file(
      'xl/workbook.xml',
      '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/>' +
        '<sheets><sheet name="点位" sheetId="1" r:id="rId1"/></sheets></workbook>',
    );
    zip.file(
      'xl/_rels/workbook.xml.rels',
      '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
    );
    zip.file(
      'xl/sharedStrings.xml',
      '<sst><si><t>名称</t></si><si><r><t>东</t></r><r><t>门</t></r><rPh><t>ドン</t></rPh></si></sst>',
    );
    zip.file(
      'xl/styles.xml',
      '<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>' +
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>',
    );
    zip.file(
      'xl/worksheets/sheet1.xml',
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>lon</x:t></x:is></x:c>' +
        '<x:c r="C1" t="str"><x:v>lat</x:v></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>日期</x:t></x:is></x:c>' +
        '<x:c r="E1" t="inlineStr"><x:is><x:t>启用</x:t></x:is></x:c><x:c r="F1" t="inlineStr"><x:is><x:t>日</x:t></x:is></x:c></x:row>' +
        '<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c><x:v>105.6</x:v></x:c><x:c><x:v>30.5</x:v></x:c>' +
        '<x:c s="1"><x:v>45413</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c s="2"><x:v>45414.5</x:v></x:c></x:row>' +
        '</x:sheetData></x:worksheet>',
    );
    const src = await openSource(bytes('x.xlsx', await zip.generateAsync({ type: 'nodebuffer' })));
    expect(src.layers).toEqual([
      { name: '点位', count: 1, fields: ['名称', 'lon', 'lat', '日期', '启用', '日'], geometryType: 'Point' },
    ]);
    const [f] = await collect(src.read('点位'));
    expect(f).toMatchObject({
      row: 2,
      feature: {
        properties: { 名称: '东门', 日期: '2024-05-01', 启用: true, 日: '2024-05-02' },
        geometry: { coordinates: [105.6, 30.5] },
      },
    });
  });
});

describe('DXF HATCH boundaries (issue 11)', () => {
  // A minimal DXF: each entity as its (group code, value) pairs.
  const dxf = (...entities: (string | number)[][]) =>
    ['0', 'SECTION', '2', 'ENTITIES', ...entities.flat().map(String), '0', 'ENDSEC', '0', 'EOF', ''].join(
      '\n',
    );
  const hatch = (handle: string, ...paths: (string | number)[][]) => [
    0,
    'HATCH',
    5,
    handle,
    8,
    '宗地',
    100,
    'AcDbHatch',
    10,
    0,
    20,
    0,
    30,
    0,
    2,
    'SOLID',
    70,
    1,
    71,
    0,
    91,
    paths.length,
    ...paths.flat(),
    75,
    0,
    76,
    1,
    98,
    0,
  ];
  const edges = (...e: (string | number)[][]) => [92, 1, 93, e.length, ...e.flat(), 97, 0];
  const line = (x1: number, y1: number, x2: number, y2: number) => [72, 1, 10, x1, 20, y1, 11, x2, 21, y2];
  const arcEdge = (cx: number, cy: number, r: number, a0: number, a1: number, ccw: 0 | 1) => [
    72,
    2,
    10,
    cx,
    20,
    cy,
    40,
    r,
    50,
    a0,
    51,
    a1,
    73,
    ccw,
  ];
  const rings = async (text: string) => {
    const { openDxf } = await import('./dxf.ts');
    const fs = await collect((await openDxf(bytes('h.dxf', text))).read('entities'));
    return fs.map((f) => ({
      problems: f.problems,
      layer: (f.feature as { properties: { layer: string } }).properties.layer,
      geometry: (f.feature as { geometry: { type: string; coordinates: number[][][] } | null }).geometry,
    }));
  };
  const area = (r: number[][]) =>
    Math.abs(r.slice(1).reduce((s, p, k) => s + r[k]![0]! * p[1]! - p[0]! * r[k]![1]!, 0)) / 2;

  it('edge paths: a circle of arcs with a square hole of lines, arcs within the stated tolerance', async () => {
    const [f] = await rings(
      dxf(
        hatch(
          'A1',
          edges(arcEdge(100, 200, 10, 0, 360, 1)),
          edges(
            line(98, 198, 102, 198),
            line(102, 198, 102, 202),
            line(102, 202, 98, 202),
            line(98, 202, 98, 198),
          ),
        ),
      ),
    );
    expect(f!.problems).toEqual([]);
    expect(f!.layer).toBe('宗地');
    expect(f!.geometry!.type).toBe('Polygon');
    const [outer, hole] = f!.geometry!.coordinates as [number[][], number[][]];
    for (const [x, y] of outer) {
      const d = Math.hypot(x! - 100, y! - 200);
      expect(d).toBeLessThanOrEqual(10 + 1e-9);
      expect(d).toBeGreaterThan(10 - 0.01 - 1e-9);
    }
    expect(outer[0]).toEqual(outer[outer.length - 1]);
    expect(area(outer)).toBeCloseTo(Math.PI * 100, 0);
    expect(area(hole)).toBeCloseTo(16, 6);
  });

  it('a clockwise arc edge (angles stored as 360° − angle) and a bulged polyline path', async () => {
    const quarter = edges(line(0, 0, 0, 10), arcEdge(0, 0, 10, 270, 360, 0), line(10, 0, 0, 0));
    // A half disc: from (0,0) with bulge 1 (a half circle, counter-clockwise) to (20,0), then straight back.
    const half = [92, 3, 72, 1, 73, 1, 93, 2, 10, 0, 20, 50, 42, 1, 10, 20, 20, 50, 42, 0, 97, 0];
    const [q, h] = await rings(dxf(hatch('B1', quarter), hatch('B2', half)));
    const qr = q!.geometry!.coordinates[0]!;
    expect(qr.every(([x, y]) => x! > -1e-9 && y! > -1e-9)).toBe(true);
    expect(area(qr)).toBeCloseTo((Math.PI * 100) / 4, 0);
    const hr = h!.geometry!.coordinates[0]!;
    expect(Math.min(...hr.map((p) => p[1]!))).toBeCloseTo(40, 2);
    expect(Math.max(...hr.map((p) => p[1]!))).toBe(50);
    expect(area(hr)).toBeCloseTo((Math.PI * 100) / 2, 0);
  });

  it('a spline edge is that feature’s problem, worded with layer and handle', async () => {
    const spline = [92, 1, 93, 1, 72, 4, 94, 3, 73, 0, 74, 0, 95, 0, 96, 0, 97, 0];
    const [f] = await rings(dxf(hatch('C1', spline)));
    expect(f!.geometry).toBeNull();
    expect(f!.problems).toEqual([{ code: 'dxf_hatch_spline', params: { layer: '宗地', handle: 'C1' } }]);
  });
});

describe('a Gauss-Krüger zone other than the file’s (a new user read “坐标 [null,null] 不是数字”)', () => {
  const point = (x: number, y: number) =>
    new TextEncoder().encode(
      JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [x, y] } }),
    );
  const problems = async (x: number, crs: string) => {
    const src = await openSource({ name: 'p.geojson', bytes: point(x, 3375694.8) }, { crs });
    const out: unknown[] = [];
    for await (const s of src.read()) out.push(...(s.problems ?? []));
    return out;
  };
  it('names the zone its x says: with the zone number in front, or without', async () => {
    expect(await problems(35557599.9, 'EPSG:4544')).toEqual([
      {
        code: 'outside_crs_zone',
        params: { x: '35557599.9', y: '3375694.8', crs: 'EPSG:4544', suggest: 'EPSG:4523' },
      },
    ]);
    expect(await problems(557599.9, 'EPSG:4523')).toEqual([
      {
        code: 'outside_crs_zone',
        params: { x: '557599.9', y: '3375694.8', crs: 'EPSG:4523', suggest: 'EPSG:4544' },
      },
    ]);
    expect(await problems(557599.9, 'EPSG:4544')).toEqual([]);
  });
});
