import { describe, expect, it } from 'vitest';
import { niceMetres } from './map-png.ts';

describe('niceMetres', () => {
  it('picks the largest 1-2-5 length that fits', () => {
    expect(niceMetres(150)).toBe(100);
    expect(niceMetres(260)).toBe(200);
    expect(niceMetres(999)).toBe(500);
    expect(niceMetres(1000)).toBe(1000);
    expect(niceMetres(7.3)).toBe(5);
  });
});
