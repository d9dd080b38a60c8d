import { describe, expect, it } from 'vitest';
import { cacheBytesFromEnv, matches } from './router.ts';

describe('matches (If-None-Match)', () => {
  const etag = '"buildings/14/1/2/postgis.3.abc"';
  it('finds the ETag in a list, weak or strong, or *', () => {
    expect(matches(etag, etag)).toBe(true);
    expect(matches(`"a", W/${etag}`, etag)).toBe(true);
    expect(matches('*', etag)).toBe(true);
  });
  it('does not match another version, a missing header or a prefix', () => {
    expect(matches('"buildings/14/1/2/postgis.2.abc"', etag)).toBe(false);
    expect(matches(undefined, etag)).toBe(false);
    expect(matches('"buildings/14/1/2/postgis.3.ab"', etag)).toBe(false);
  });
});

describe('cacheBytesFromEnv', () => {
  it('defaults to 64 MB, reads whole megabytes, 0 = off', () => {
    expect(cacheBytesFromEnv({})).toBe(64 * 2 ** 20);
    expect(cacheBytesFromEnv({ TILE_CACHE_MB: '0' })).toBe(0);
    expect(cacheBytesFromEnv({ TILE_CACHE_MB: '8' })).toBe(8 * 2 ** 20);
  });
  it('names the variable when the value is wrong', () => {
    expect(() => cacheBytesFromEnv({ TILE_CACHE_MB: 'lots' })).toThrow(/TILE_CACHE_MB/);
    expect(() => cacheBytesFromEnv({ TILE_CACHE_MB: '-1' })).toThrow(/TILE_CACHE_MB/);
  });
});
