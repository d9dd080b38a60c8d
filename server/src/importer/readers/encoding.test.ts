import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding, utf8Chinese } from './encoding.ts';

describe('detectEncoding: UTF-8 or GBK, as a Chinese office writes them', () => {
  const gbk = (s: string) => iconv.encode(s, 'gbk');
  const utf8 = (s: string) => Buffer.from(s, 'utf8');

  it('reads Chinese in either', () => {
    expect(detectEncoding(gbk('名称,地址\r\n锦华苑,凯旋路1号\r\n'))).toBe('gb18030');
    expect(detectEncoding(utf8('名称,地址\r\n锦华苑,凯旋路1号\r\n'))).toBe('utf-8');
    expect(detectEncoding(utf8('name\r\nplain\r\n'))).toBe('utf-8');
    // UTF-8 Chinese with a degree sign (two bytes) is still UTF-8, and so are signs and accented
    // letters alone: a direction of 90°, a Café.
    expect(detectEncoding(utf8('东经105°'))).toBe('utf-8');
    expect(detectEncoding(utf8('lon,lat,dir\r\n105.6,30.5,90°\r\n'))).toBe('utf-8');
    expect(detectEncoding(utf8('name\r\nCafé\r\n'))).toBe('utf-8');
  });

  it('takes GBK that happens to be valid UTF-8 as GBK: 楼 is C2 A5, ¥ in UTF-8', () => {
    // Defect guarded: a GBK list of 楼1, 楼2 without a .cpg read as ¥1, ¥2.
    expect(gbk('楼1\r\n楼2\r\n').toString('hex')).toContain('c2a5');
    expect(detectEncoding(gbk('楼1\r\n楼2\r\n'))).toBe('gb18030');
    expect(utf8Chinese(gbk('楼1\r\n楼2'))).toBe(false);
    expect(utf8Chinese(utf8('遂宁'))).toBe(true);
    expect(utf8Chinese(utf8('plain'))).toBe(false);
  });
});
