import { describe, expect, it } from 'vitest';
import { rayCastPolygon } from './raycast.ts';
import { ringArea, visibilityPolygon } from './visibility.ts';

/** Even-odd point-in-ring for flat closed rings. */
function inside(ring: number[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
    const [xi, yi, xj, yj] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
const at = (bearingDeg: number, d: number): [number, number] => {
  const t = ((90 - bearingDeg) * Math.PI) / 180;
  return [d * Math.cos(t), d * Math.sin(t)];
};
/** The four walls of an axis-aligned box. */
const box = (x0: number, y0: number, x1: number, y1: number) => [
  x0,
  y0,
  x1,
  y0,
  x1,
  y0,
  x1,
  y1,
  x1,
  y1,
  x0,
  y1,
  x0,
  y1,
  x0,
  y0,
];

describe('visibilityPolygon', () => {
  it('is the range disc for a 360° dome with no walls', () => {
    const ring = visibilityPolygon([], { directionDeg: null, fovDeg: 360, rangeM: 10 });
    expect(ringArea(ring)).toBeCloseTo(Math.PI * 100, 0);
    expect(ringArea(ring)).toBeLessThanOrEqual(Math.PI * 100);
    expect(inside(ring, 9.9, 0)).toBe(true);
    expect(inside(ring, 0, -9.9)).toBe(true);
  });

  it('sees nothing behind a wall it faces', () => {
    const wall = [-20, 10, 20, 10];
    const ring = visibilityPolygon(wall, { directionDeg: 0, fovDeg: 90, rangeM: 30 });
    // The triangle from the camera to the wall between bearings -45° and 45°.
    expect(ringArea(ring)).toBeCloseTo(100, 9);
    expect(inside(ring, 0, 9.9)).toBe(true);
    expect(inside(ring, 0, 10.1)).toBe(false);
    expect(inside(ring, 0, 25)).toBe(false);
  });

  it('keeps the shadow of a building in a 360° view, walls across the sweep start included', () => {
    const walls = box(10, -5, 20, 5); // east of the camera, across bearing 90° (angle 0)
    const ring = visibilityPolygon(walls, { directionDeg: 0, fovDeg: 360, rangeM: 50 });
    expect(inside(ring, 9, 0)).toBe(true);
    expect(inside(ring, 15, 0)).toBe(false); // inside the building
    expect(inside(ring, 30, 0)).toBe(false); // behind it
    expect(inside(ring, 30, 1)).toBe(false);
    expect(inside(ring, -30, 0)).toBe(true);
    expect(inside(ring, 30, 20)).toBe(true); // beside the shadow
    // Disc minus the shadow wedge between the two front corners (±26.57°) beyond the front wall.
    const half = Math.atan(0.5);
    const wedge = half * 2500 - 50; // sector of radius 50 minus the triangle up to the front wall
    expect(ringArea(ring)).toBeCloseTo(Math.PI * 2500 - wedge, -1);
  });

  it('covers a field of view across north (350° → 10°)', () => {
    const ring = visibilityPolygon([], { directionDeg: 0, fovDeg: 20, rangeM: 30 });
    expect(inside(ring, ...at(355, 20))).toBe(true);
    expect(inside(ring, ...at(5, 20))).toBe(true);
    expect(inside(ring, ...at(15, 20))).toBe(false);
    expect(inside(ring, ...at(345, 20))).toBe(false);
    expect(inside(ring, ...at(180, 20))).toBe(false);
    expect(ringArea(ring)).toBeCloseTo((Math.PI * 900 * 20) / 360, 0);
    const skew = visibilityPolygon([], { directionDeg: 355, fovDeg: 30, rangeM: 30 }); // 340° → 10°
    expect(inside(skew, ...at(342, 20))).toBe(true);
    expect(inside(skew, ...at(8, 20))).toBe(true);
    expect(inside(skew, ...at(12, 20))).toBe(false);
  });

  it('lets a wall in a north-facing view cut across the north line', () => {
    const ring = visibilityPolygon([-5, 10, 5, 10], { directionDeg: 350, fovDeg: 40, rangeM: 30 });
    expect(inside(ring, 0, 9)).toBe(true);
    expect(inside(ring, 0, 11)).toBe(false);
    expect(inside(ring, ...at(332, 25))).toBe(true); // past the wall's west end, inside the view
  });

  it('sees nothing with range 0, or without a direction unless it is a dome', () => {
    expect(visibilityPolygon([], { directionDeg: 0, fovDeg: 90, rangeM: 0 })).toEqual([]);
    expect(visibilityPolygon([], { directionDeg: null, fovDeg: 90, rangeM: 30 })).toEqual([]);
    expect(visibilityPolygon([], { directionDeg: NaN, fovDeg: 90, rangeM: 30 })).toEqual([]);
  });

  it('ignores the wall the camera hangs on', () => {
    // Camera on the south wall of a building, looking south.
    const ring = visibilityPolygon(box(-10, 0, 10, 20), { directionDeg: 180, fovDeg: 90, rangeM: 20 });
    expect(ringArea(ring)).toBeCloseTo((Math.PI * 400) / 4, 0);
    expect(inside(ring, 0, -10)).toBe(true);
    expect(inside(ring, 0, 5)).toBe(false);
  });

  it('agrees with 360 rays up to the rays’ corner cutting', () => {
    const walls = [...box(5, 5, 15, 12), ...box(-20, -3, -8, 9), ...box(-6, -25, 6, -12)];
    for (const s of [
      { directionDeg: null, fovDeg: 360, rangeM: 40 },
      { directionDeg: 45, fovDeg: 85, rangeM: 40 },
    ]) {
      const exact = ringArea(visibilityPolygon(walls, s));
      const rays = ringArea(rayCastPolygon(walls, s, 3600));
      expect(Math.abs(exact - rays) / exact).toBeLessThan(0.01);
    }
  });
});
