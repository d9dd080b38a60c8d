import { describe, expect, it } from 'vitest';
import { TileCache } from './tile-cache.ts';

const buf = (n: number) => Buffer.alloc(n);

describe('TileCache', () => {
  it('drops the least recently used entries once over its byte budget', () => {
    const c = new TileCache(250);
    c.set('a', buf(99));
    c.set('b', buf(99));
    c.get('a'); // a is now more recent than b
    c.set('c', buf(99));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect(c.bytes).toBeLessThanOrEqual(250);
  });

  it('never keeps an entry larger than the whole budget', () => {
    const c = new TileCache(100);
    c.set('big', buf(200));
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('counts a replaced entry once', () => {
    const c = new TileCache(1000);
    c.set('k', buf(100));
    c.set('k', buf(50));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(51);
  });
});
