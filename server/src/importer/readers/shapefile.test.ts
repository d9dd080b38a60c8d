import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import * as shapefile from 'shapefile';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DBF_WORKER_MIN_RECORDS, dbfThreads } from './dbf.ts';
import { openShapefile } from './shapefile.ts';

const HAS_OGR = spawnSync('ogr2ogr', ['--version']).status === 0;
if (!HAS_OGR) console.warn('Shapefile .dbf tests skipped: ogr2ogr (gdal-bin) is not installed');

const SOURCE = {
  type: 'FeatureCollection',
  features: [
    { name: '遂宁', floors: 12, area: 123.45, ok: true, built: '2024-01-31' },
    { name: '住宅', floors: null, area: null, ok: false, built: null },
    { name: '  plain ', floors: -3, area: 1000, ok: null, built: '2000-02-29' },
    { name: '船山区', floors: 7, area: 0.5, ok: true, built: '2019-10-01' },
  ].map((properties, i) => ({
    type: 'Feature',
    properties,
    geometry: { type: 'Point', coordinates: [105.6 + i / 100, 30.5] },
  })),
};

/**
 * What the reader yields for a Shapefile: [index, properties] of each feature. Read twice, which
 * must agree: the .shp whole and the .dbf on this thread (a small file's way), then the .shp in
 * pieces and the .dbf on a worker thread (a large file's).
 */
async function read(file: Parameters<typeof openShapefile>[0], encoding?: string) {
  const once = async (large: boolean) => {
    const r = await openShapefile(file, { encoding, dbfWorker: large, shpWholeMax: large ? 0 : undefined });
    const out: [number, Record<string, unknown> | undefined][] = [];
    for await (const f of r.read(r.layers[0]!.name)) {
      const feature = f.feature as { properties?: Record<string, unknown> };
      out.push([f.index!, feature.properties]);
    }
    return { layer: r.layers[0]!, features: out };
  };
  const here = await once(false);
  expect(await once(true), 'read as a large file').toEqual(here);
  return here;
}

/** The `shapefile` package's reading of the same .dbf (the reader before dbffile gave these values). */
async function packageRecords(dbf: string, encoding: string): Promise<unknown[]> {
  const src = await shapefile.openDbf(dbf, { encoding });
  const out: unknown[] = [];
  for (let r = await src.read(); !r.done; r = await src.read()) out.push(r.value);
  return out;
}

describe.skipIf(!HAS_OGR)('Shapefile attributes read through dbffile (issue 11)', () => {
  let dir: string;
  const ogr = (out: string, encoding: string) =>
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', `ENCODING=${encoding}`, out, 'src.geojson'], {
      cwd: dir,
      stdio: 'pipe',
    });
  /** A copy of an ogr2ogr-written set under another name, its .dbf changed by `edit`. */
  const variant = (from: string, to: string, edit: (dbf: Buffer) => void, withCpg = true) => {
    for (const e of ['shp', 'shx', 'prj', 'dbf', ...(withCpg ? ['cpg'] : [])])
      writeFileSync(join(dir, `${to}.${e}`), readFileSync(join(dir, `${from}.${e}`)));
    const dbf = readFileSync(join(dir, `${to}.dbf`));
    edit(dbf);
    writeFileSync(join(dir, `${to}.dbf`), dbf);
    return join(dir, `${to}.shp`);
  };
  /** Offset of record `i`'s field `name` in an ogr2ogr .dbf (fields as GDAL writes SOURCE's). */
  const at = (dbf: Buffer, i: number, name: string) => {
    const headerLength = dbf.readUInt16LE(8);
    const recordLength = dbf.readUInt16LE(10);
    let offset = 1;
    for (let d = 32; dbf[d] !== 0x0d; d += 32) {
      if (dbf.toString('latin1', d, d + 11).replace(/\0.*$/, '') === name) break;
      offset += dbf[d + 16]!;
    }
    return headerLength + i * recordLength + offset;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wuyou-dbf-'));
    writeFileSync(join(dir, 'src.geojson'), JSON.stringify(SOURCE));
    ogr('gbk.shp', 'GBK');
    ogr('utf8.shp', 'UTF-8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a GBK .dbf with its .cpg to the values the shapefile package read: text, integers, GDAL reals (N 24.15), dates', async () => {
    const { layer, features } = await read(join(dir, 'gbk.shp'));
    expect(readFileSync(join(dir, 'gbk.cpg'), 'latin1')).toMatch(/GBK|936/);
    expect(layer).toMatchObject({ count: 4, fields: ['name', 'floors', 'area', 'ok', 'built'] });
    const props = features.map(([, p]) => p);
    // The same values as the package read, but for GDAL's empty date (00000000): the package made it 1899-11-30.
    const before = await packageRecords(join(dir, 'gbk.dbf'), 'gb18030');
    expect(before[1]).toMatchObject({ built: new Date(1899, 10, 30) });
    expect(props).toEqual(before.map((p, i) => (i === 1 ? { ...(p as object), built: null } : p)));
    expect(props[0]).toEqual({
      name: '遂宁',
      floors: 12,
      area: 123.45,
      ok: 1,
      built: new Date('2024-01-31'),
    });
    expect(props[1]).toEqual({ name: '住宅', floors: null, area: null, ok: 0, built: null });
    expect(props[2]).toMatchObject({ name: 'plain', floors: -3, area: 1000, ok: null });
    expect(features.map(([i]) => i)).toEqual([0, 1, 2, 3]);
  });

  it('without a .cpg (and no language driver) detects GBK, and UTF-8, never mojibake', async () => {
    const gbk = variant('gbk', 'gbk_nocpg', (dbf) => (dbf[29] = 0), false);
    expect((await read(gbk)).features.map(([, p]) => p!.name)).toEqual(['遂宁', '住宅', 'plain', '船山区']);
    const utf8 = variant('utf8', 'utf8_nocpg', (dbf) => (dbf[29] = 0), false);
    expect((await read(utf8)).features.map(([, p]) => p!.name)).toEqual(['遂宁', '住宅', 'plain', '船山区']);
    // The language driver 0x4d (code page 936) says GBK without a .cpg.
    const ldid = variant('gbk', 'gbk_ldid', (dbf) => (dbf[29] = 0x4d), false);
    expect((await read(ldid)).features[0]![1]!.name).toBe('遂宁');
    // --encoding wins over the .cpg.
    expect((await read(join(dir, 'utf8.shp'), 'gbk')).features[0]![1]!.name).not.toBe('遂宁');
  });

  it('a .cpg saying UTF-8 over GBK bytes is overruled by the bytes (new-user try: every column was mojibake)', async () => {
    const wrong = variant('gbk', 'gbk_wrongcpg', (dbf) => (dbf[29] = 0));
    writeFileSync(join(dir, 'gbk_wrongcpg.cpg'), 'UTF-8');
    expect((await read(wrong)).features.map(([, p]) => p!.name)).toEqual(['遂宁', '住宅', 'plain', '船山区']);
    // A true UTF-8 .cpg stays UTF-8.
    expect((await read(join(dir, 'utf8.shp'))).features[0]![1]!.name).toBe('遂宁');
  });

  it('a .cpg saying GBK over UTF-8 bytes is overruled by the bytes too; over ASCII it is kept', async () => {
    // The other way round (session 21 left it): a UTF-8 .dbf with a copied "GBK" .cpg read as 閬傚畞.
    const wrong = variant('utf8', 'utf8_gbkcpg', (dbf) => (dbf[29] = 0));
    writeFileSync(join(dir, 'utf8_gbkcpg.cpg'), 'GBK');
    expect((await read(wrong)).features.map(([, p]) => p!.name)).toEqual(['遂宁', '住宅', 'plain', '船山区']);
    // A true GBK .cpg stays GBK, also over GBK bytes that happen to be valid UTF-8: 楼 is C2 A5, ¥.
    expect((await read(join(dir, 'gbk.shp'))).features[0]![1]!.name).toBe('遂宁');
    writeFileSync(
      join(dir, 'lou.geojson'),
      JSON.stringify({
        type: 'FeatureCollection',
        features: ['楼1', '楼2'].map((name, i) => ({
          type: 'Feature',
          properties: { name },
          geometry: { type: 'Point', coordinates: [105.6 + i / 1000, 30.5] },
        })),
      }),
    );
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', 'lou.shp', 'lou.geojson'], {
      cwd: dir,
      stdio: 'pipe',
    });
    expect((await read(join(dir, 'lou.shp'))).features.map(([, p]) => p!.name)).toEqual(['楼1', '楼2']);
  });

  it('reads rare characters as GDAL writes them in GB18030: ︐ (A6D9 since GB18030-2022) and 𠀀 (4 bytes)', async () => {
    // The reader decodes text with TextDecoder (ICU, the 2022 mapping, like GDAL with glibc here and
    // the CSV reader). iconv-lite, which dbffile decodes with, still maps A6D9 to U+E78D (private use).
    const names = ['明月路︐5号楼', '凯旋路𠀀号楼', '遂宁'];
    writeFileSync(
      join(dir, 'rare.geojson'),
      JSON.stringify({
        type: 'FeatureCollection',
        features: names.map((name, i) => ({
          type: 'Feature',
          properties: { name },
          geometry: { type: 'Point', coordinates: [105.6 + i / 100, 30.5] },
        })),
      }),
    );
    execFileSync(
      'ogr2ogr',
      ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GB18030', 'rare.shp', 'rare.geojson'],
      {
        cwd: dir,
        stdio: 'pipe',
      },
    );
    const dbf = readFileSync(join(dir, 'rare.dbf'));
    expect(dbf.includes(Buffer.from('a6d9', 'hex'))).toBe(true);
    expect(iconv.decode(Buffer.from('a6d9', 'hex'), 'gb18030')).not.toBe('︐');
    expect((await read(join(dir, 'rare.shp'))).features.map(([, p]) => p!.name)).toEqual(names);
  });

  it('ends text at a NUL byte, as GDAL does: a .dbf padded with NULs instead of spaces reads clean', async () => {
    const file = variant('gbk', 'nulpad', (dbf) => {
      const name = iconv.encode('船山', 'gb18030');
      dbf.fill(0, at(dbf, 0, 'name'), at(dbf, 0, 'name') + 8);
      name.copy(dbf, at(dbf, 0, 'name'));
      dbf.fill(0, at(dbf, 1, 'name'), at(dbf, 1, 'name') + 8);
    });
    const names = (await read(file)).features.map(([, p]) => p!.name);
    expect(names).toEqual(['船山', null, 'plain', '船山区']);
  });

  it('reads logical fields (T/F/?) and a number that is not one as null, as before', async () => {
    const file = variant('gbk', 'logical', (dbf) => {
      // The 'ok' field (N 1 as GDAL writes booleans) as a dBASE logical field.
      for (let d = 32; dbf[d] !== 0x0d; d += 32)
        if (dbf.toString('latin1', d, d + 2) === 'ok') dbf[d + 11] = 0x4c;
      'TF?y'.split('').forEach((c, i) => (dbf[at(dbf, i, 'ok')] = c.charCodeAt(0)));
      dbf.write('      abc', at(dbf, 3, 'floors'), 'latin1');
    });
    const props = (await read(file)).features.map(([, p]) => p!);
    expect(props.map((p) => p.ok)).toEqual([true, false, null, true]);
    expect(props[3]!.floors).toBeNull();
    const before = await packageRecords(file.replace(/shp$/, 'dbf'), 'gb18030');
    expect(props).toEqual(before.map((p, i) => (i === 1 ? { ...(p as object), built: null } : p)));
  });

  it('skips deleted records with their shapes, as GDAL does; the others keep their index', async () => {
    const file = variant('gbk', 'deleted', (dbf) => (dbf[at(dbf, 1, 'name') - 1] = 0x2a));
    const { features } = await read(file);
    expect(features.map(([i, p]) => [i, p!.name])).toEqual([
      [0, '遂宁'],
      [2, 'plain'],
      [3, '船山区'],
    ]);
  });

  it('reads an uploaded set (bytes, the .dbf written to a temp folder for dbffile) like the files', async () => {
    const bytes = (e: string) => readFileSync(join(dir, `gbk.${e}`));
    const upload = {
      name: 'gbk.shp',
      bytes: bytes('shp'),
      siblings: ['dbf', 'prj', 'cpg'].map((e) => ({ name: `gbk.${e}`, bytes: bytes(e) })),
    };
    expect(await read(upload)).toEqual(await read(join(dir, 'gbk.shp')));
  });

  /**
   * A dBase III .dbf (version 0x83) with a text field and a memo (M) field, its memo texts in a .dbt
   * beside it, GBK-encoded; GDAL writes no memo fields, so the bytes are laid out here by the
   * dBase III format: 512-byte blocks, block 0 the header, each memo ending with 0x1A 0x1A.
   */
  const memoSet = (stem: string, notes: (string | null)[]) => {
    const names = ['甲', '乙', '丙', '丁'];
    const fields: [string, string, number][] = [
      ['name', 'C', 20],
      ['note', 'M', 10],
    ];
    const headerLength = 32 + 32 * fields.length + 1;
    const recordLength = 1 + fields.reduce((n, [, , len]) => n + len, 0);
    const dbf = Buffer.alloc(headerLength + recordLength * names.length + 1, 0x20);
    dbf.fill(0, 0, headerLength);
    dbf[0] = 0x83;
    dbf.writeUInt32LE(names.length, 4);
    dbf.writeUInt16LE(headerLength, 8);
    dbf.writeUInt16LE(recordLength, 10);
    fields.forEach(([name, type, len], i) => {
      dbf.write(name, 32 + 32 * i, 'latin1');
      dbf.write(type, 32 + 32 * i + 11, 'latin1');
      dbf[32 + 32 * i + 16] = len;
    });
    dbf[headerLength - 1] = 0x0d;
    dbf[dbf.length - 1] = 0x1a;
    const blocks: Buffer[] = [Buffer.alloc(512)];
    names.forEach((name, i) => {
      const at = headerLength + i * recordLength + 1;
      iconv.encode(name, 'gbk').copy(dbf, at);
      const note = notes[i];
      if (note === null) return;
      const text = Buffer.concat([iconv.encode(note!, 'gbk'), Buffer.from([0x1a, 0x1a])]);
      const first = blocks.reduce((n, b) => n + b.length, 0) / 512;
      dbf.write(String(first).padStart(10, ' '), at + 20, 'latin1');
      const block = Buffer.alloc(Math.ceil(text.length / 512) * 512);
      text.copy(block);
      blocks.push(block);
    });
    const dbt = Buffer.concat(blocks);
    dbt.writeUInt32LE(dbt.length / 512, 0);
    for (const e of ['shp', 'shx', 'prj'])
      writeFileSync(join(dir, `${stem}.${e}`), readFileSync(join(dir, `gbk.${e}`)));
    writeFileSync(join(dir, `${stem}.dbf`), dbf);
    writeFileSync(join(dir, `${stem}.cpg`), 'GBK');
    writeFileSync(join(dir, `${stem}.dbt`), dbt);
    return join(dir, `${stem}.shp`);
  };

  it('reads memo fields from the .dbt beside the .dbf: on disk, in a .zip and uploaded as a set (the zip and the upload read them null)', async () => {
    const long = '院内有监控' + '一'.repeat(400); // over one 512-byte block in GBK
    const notes = ['东门无人值守', null, long, ''];
    const file = memoSet('memo', notes);
    const expected = [
      [0, { name: '甲', note: '东门无人值守' }],
      [1, { name: '乙', note: null }],
      [2, { name: '丙', note: long }],
      [3, { name: '丁', note: null }],
    ];
    expect((await read(file)).features).toEqual(expected);

    const parts = ['shp', 'shx', 'dbf', 'prj', 'cpg', 'dbt'];
    const zip = new JSZip();
    for (const e of parts) zip.file(`小区/memo.${e}`, readFileSync(join(dir, `memo.${e}`)));
    const zipped = { name: 'memo.zip', bytes: await zip.generateAsync({ type: 'uint8array' }) };
    expect((await read(zipped)).features).toEqual(expected);

    const upload = {
      name: 'memo.shp',
      bytes: readFileSync(join(dir, 'memo.shp')),
      siblings: parts
        .slice(1)
        .map((e) => ({ name: `memo.${e}`, bytes: readFileSync(join(dir, `memo.${e}`)) })),
    };
    expect((await read(upload)).features).toEqual(expected);

    // Without its .dbt the memo values are null; the other fields are read.
    unlinkSync(join(dir, 'memo.dbt'));
    expect((await read(file)).features.map(([, p]) => p)).toEqual(
      ['甲', '乙', '丙', '丁'].map((name) => ({ name, note: null })),
    );
  });

  it('reads a large .dbf on a worker thread, which ends when the read stops early', async () => {
    const n = DBF_WORKER_MIN_RECORDS + 1500;
    const many = {
      type: 'FeatureCollection',
      features: Array.from({ length: n }, (_, i) => ({
        type: 'Feature',
        properties: { name: `楼${i}`, floors: i % 30 },
        geometry: { type: 'Point', coordinates: [105.6 + (i % 100) / 1000, 30.5 + i / 1e6] },
      })),
    };
    writeFileSync(join(dir, 'many.geojson'), JSON.stringify(many));
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', 'many.shp', 'many.geojson'], {
      cwd: dir,
      stdio: 'pipe',
    });
    const r = await openShapefile(join(dir, 'many.shp'), {});
    for await (const f of r.read('many')) {
      expect(f.index).toBe(0);
      expect(dbfThreads()).toBe(1);
      break;
    }
    await vi.waitFor(() => expect(dbfThreads()).toBe(0));
    let last: unknown;
    let count = 0;
    for await (const f of r.read('many')) {
      last = (f.feature as { properties: unknown }).properties;
      count++;
    }
    expect(count).toBe(n);
    expect(last).toEqual({ name: `楼${n - 1}`, floors: (n - 1) % 30 });
    await vi.waitFor(() => expect(dbfThreads()).toBe(0));
  });

  it('refuses a .dbf shorter than its header says (dbffile would repeat earlier records)', async () => {
    const file = variant('gbk', 'cut', () => {});
    const dbf = file.replace(/shp$/, 'dbf');
    const header = readFileSync(dbf).subarray(0, 12);
    truncateSync(dbf, header.readUInt16LE(8) + Math.floor(2.5 * header.readUInt16LE(10)));
    await expect(openShapefile(file, {})).rejects.toMatchObject({
      problems: [
        {
          code: 'dbf_damaged',
          params: { file: 'cut.dbf', detail: 'its header says 4 records, it holds 2' },
        },
      ],
    });
    unlinkSync(dbf);
  });
});
