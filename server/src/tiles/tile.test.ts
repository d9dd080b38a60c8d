import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { LAYERS } from '../layers.ts';
import { parseTileAddress, partsAt, tileBounds } from './tile.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return [(e as HttpError).status, (e as HttpError).code];
  }
  return undefined;
};

describe('parseTileAddress', () => {
  it('accepts z 0..22 and x, y within 0..2^z-1', () => {
    expect(parseTileAddress('buildings', '0', '0', '0')).toMatchObject({ z: 0, x: 0, y: 0 });
    expect(parseTileAddress('basemap', '22', '4194303', '4194303')).toMatchObject({ z: 22, x: 4194303 });
  });

  it.each([
    ['23', '0', '0'],
    ['1', '2', '0'],
    ['1', '0', '2'],
    ['-1', '0', '0'],
    ['1e1', '0', '0'],
    ['1.0', '0', '0'],
    ['01', '0', '0'],
    ['', '0', '0'],
    ['999999999999', '0', '0'],
  ])('rejects %s/%s/%s with 400 invalid_tile', (z, x, y) => {
    expect(codeOf(() => parseTileAddress('buildings', z, x, y))).toEqual([400, 'invalid_tile']);
  });

  it('rejects an unknown layer with 404 unknown_layer, before looking at z/x/y', () => {
    expect(codeOf(() => parseTileAddress('parcels', 'a', '0', '0'))).toEqual([404, 'unknown_layer']);
    expect(codeOf(() => parseTileAddress('__proto__', '0', '0', '0'))).toEqual([404, 'unknown_layer']);
  });
});

describe('partsAt', () => {
  it('leaves parts out below their minZoom', () => {
    expect(partsAt(LAYERS.buildings, 13)).toEqual([]);
    expect(partsAt(LAYERS.buildings, 14).map((p) => p.name)).toEqual(['buildings']);
    expect(partsAt(LAYERS.basemap, 12).map((p) => p.name)).toEqual(['water', 'roads']);
    expect(partsAt(LAYERS.basemap, 13).map((p) => p.name)).toEqual(['water', 'blocks', 'roads']);
  });
});

describe('tileBounds', () => {
  it('is the whole Web Mercator world at z0', () => {
    const [w, s, e, n] = tileBounds(0, 0, 0);
    expect([w, e]).toEqual([-180, 180]);
    expect(n).toBeCloseTo(85.0511287798, 9);
    expect(s).toBeCloseTo(-85.0511287798, 9);
  });

  it('widens by the margin and stays inside the world', () => {
    const [w, s, e, n] = tileBounds(1, 1, 0);
    expect([w, e, s]).toEqual([0, 180, 0]);
    const [w2, s2, e2, n2] = tileBounds(1, 1, 0, 0.25);
    expect(w2).toBeCloseTo(-45, 9);
    expect(e2).toBe(180);
    expect(n2).toBe(n);
    expect(s2).toBeLessThan(s);
  });
});
