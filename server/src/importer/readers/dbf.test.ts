import * as shapefile from 'shapefile';
import { describe, expect, it } from 'vitest';
import { DbfRecords } from './dbf.ts';

/** A dBASE III file of the given fields and records (values already encoded, padded here). */
function dbfFile(
  fields: { name: string; type: string; length: number }[],
  records: (Uint8Array | string)[][],
  end: 'marker' | 'none' = 'marker',
): Uint8Array {
  const recordLength = 1 + fields.reduce((n, f) => n + f.length, 0);
  const headerLength = 32 + 32 * fields.length + 1;
  const out = Buffer.alloc(headerLength + recordLength * records.length + (end === 'marker' ? 1 : 0), 0x20);
  out.fill(0, 0, headerLength);
  out[0] = 3;
  out.writeUInt32LE(records.length, 4);
  out.writeUInt16LE(headerLength, 8);
  out.writeUInt16LE(recordLength, 10);
  out[29] = 0x4d;
  fields.forEach((f, k) => {
    const at = 32 + 32 * k;
    out.write(f.name, at, 'latin1');
    out[at + 11] = f.type.charCodeAt(0);
    out[at + 16] = f.length;
  });
  out[headerLength - 1] = 0x0d;
  records.forEach((r, i) => {
    let at = headerLength + i * recordLength;
    out[at++] = 0x20;
    r.forEach((v, k) => {
      const bytes = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
      out.set(bytes.subarray(0, fields[k]!.length), at);
      at += fields[k]!.length;
    });
  });
  if (end === 'marker') out[out.length - 1] = 0x1a;
  return out;
}

// 遂宁 and 住宅 in GBK.
const GBK_SUINING = Uint8Array.from([0xcb, 0xec, 0xc4, 0xfe]);
const GBK_ZHUZHAI = Uint8Array.from([0xd7, 0xa1, 0xd5, 0xac]);

async function packageRecords(bytes: Uint8Array, encoding: string): Promise<unknown[]> {
  const src = await shapefile.openDbf(bytes, { encoding });
  const out: unknown[] = [];
  for (;;) {
    const r = await src.read();
    if (r.done) return out;
    out.push(r.value);
  }
}

function ourRecords(bytes: Uint8Array, encoding: string): unknown[] {
  const d = new DbfRecords(bytes, encoding);
  const out: unknown[] = [];
  for (let r = d.next(); r !== undefined; r = d.next()) out.push(r);
  d.close();
  return out;
}

describe('DbfRecords', () => {
  it('reads every field type to the same values as the shapefile package, GBK text decoded by Node', async () => {
    const fields = [
      { name: 'name', type: 'C', length: 12 },
      { name: 'floors', type: 'N', length: 6 },
      { name: 'area', type: 'F', length: 10 },
      { name: 'ok', type: 'L', length: 1 },
      { name: 'built', type: 'D', length: 8 },
    ];
    const records = [
      [GBK_SUINING, '    12', '  123.4500', 'T', '20240131'],
      [GBK_ZHUZHAI, '      ', 'abc', 'n', '19991201'],
      ['  plain  ', '-3', '1e3', '?', '20000229'],
      ['', '0', '', 'Y', '20201010'],
    ];
    const bytes = dbfFile(fields, records);
    const ours = ourRecords(bytes, 'gb18030');
    expect(ours).toEqual(await packageRecords(bytes, 'gb18030'));
    expect(ours[0]).toMatchObject({ name: '遂宁', floors: 12, area: 123.45, ok: true });
    expect(ours[1]).toMatchObject({ name: '住宅', floors: null, area: null, ok: false });
    // Without the end marker the file's end ends it.
    const unmarked = dbfFile(fields, records, 'none');
    expect(ourRecords(unmarked, 'gb18030')).toEqual(await packageRecords(unmarked, 'gb18030'));
  });

  it('reads records across its 1 MB blocks', async () => {
    const fields = [{ name: 'n', type: 'N', length: 250 }];
    const records = Array.from({ length: 9000 }, (_, i) => [String(i).padStart(250)]);
    const bytes = dbfFile(fields, records);
    const ours = ourRecords(bytes, 'utf-8');
    expect(ours).toHaveLength(9000);
    expect(ours[8999]).toEqual({ n: 8999 });
    expect(ours).toEqual(await packageRecords(bytes, 'utf-8'));
  });
});
