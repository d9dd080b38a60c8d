import { describe, expect, it } from 'vitest';
import { Rng } from './prng.ts';
import { FootprintIndex, footprint, rectsOverlap, type ShapeKind } from './shapes.ts';
import { signedArea } from './geo.ts';

describe('footprints', () => {
  const kinds: ShapeKind[] = ['rect', 'slab', 'l_shape', 'u_shape', 'tower', 'cross_tower'];

  it('fit their cell, run counter-clockwise and have the area of their outline', () => {
    const rng = new Rng(3);
    for (const k of kinds) {
      const f = footprint(k, [10, 20, 50, 40], rng);
      expect(f.bbox).toEqual([10, 20, 50, 40]);
      expect(signedArea(f.ring)).toBeCloseTo(f.area, 6);
      for (let i = 0; i < f.ring.length; i += 2) {
        expect(f.ring[i]).toBeGreaterThanOrEqual(10);
        expect(f.ring[i]).toBeLessThanOrEqual(50);
      }
    }
  });

  it('index refuses an overlapping footprint and accepts a touching one', () => {
    const rng = new Rng(1);
    const index = new FootprintIndex();
    const a = footprint('u_shape', [0, 0, 40, 20], rng);
    index.add(a);
    expect(index.overlaps(footprint('rect', [39, 5, 60, 15], rng))).toBe(true);
    expect(index.overlaps(footprint('rect', [40, 0, 60, 20], rng))).toBe(false);
    // Inside the U's notch (open to the north) there is room.
    const notchX = (a.ring[8] + a.ring[10]) / 2;
    expect(index.overlaps(footprint('rect', [notchX - 1, 18, notchX + 1, 19.9], rng))).toBe(false);
    expect(index.overlaps(footprint('rect', [notchX - 1, 5, notchX + 1, 6], rng))).toBe(true);
  });

  it('treats shared edges as touching, not overlapping', () => {
    expect(rectsOverlap([0, 0, 10, 10], [10, 0, 20, 10])).toBe(false);
    expect(rectsOverlap([0, 0, 10, 10], [9.9, 0, 20, 10])).toBe(true);
  });
});
