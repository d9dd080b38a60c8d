import { describe, expect, it } from 'vitest';
import { formatArea, formatLength, pathLength, ringArea } from './measurement.ts';

// One degree of latitude is about 110.9 km at 30.5°N; 0.001° ≈ 110.9 m north, ≈ 95.9 m east.
describe('measure tool figures', () => {
  it('measures a path in metres, and a ring in square metres', () => {
    const a: [number, number] = [105.59, 30.53];
    const b: [number, number] = [105.59, 30.531];
    const c: [number, number] = [105.591, 30.531];
    expect(pathLength([a])).toBe(0);
    expect(pathLength([a, b])).toBeGreaterThan(110);
    expect(pathLength([a, b])).toBeLessThan(112);
    expect(pathLength([a, b, c])).toBeGreaterThan(205);
    expect(ringArea([a, b])).toBe(0);
    // half of a 111 m × 96 m rectangle
    expect(ringArea([a, b, c])).toBeGreaterThan(5200);
    expect(ringArea([a, b, c])).toBeLessThan(5450);
  });
  it('words lengths and areas in sensible units', () => {
    expect(formatLength(12.34)).toBe('12.3 m');
    expect(formatLength(1234)).toBe('1.23 km');
    expect(formatArea(56.4)).toBe('56 m²');
    expect(formatArea(12_300)).toBe('1.23 ha');
    expect(formatArea(2_340_000)).toBe('2.34 km²');
  });
});
