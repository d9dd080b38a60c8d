import { describe, expect, it } from 'vitest';
import { Rng, hashInts, mulberry32 } from './prng.ts';

describe('prng', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = mulberry32(42),
      b = mulberry32(42),
      c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('stays in [0, 1) and spreads evenly', () => {
    // One expect at the end, not one per draw: 100,000 expects took 7 s on a busy CI machine, past
    // the unit tests' 5 s limit (the fresh-clone check of 2026-12-04 failed there).
    const r = new Rng(7);
    const bins = new Array(10).fill(0);
    const outside: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = r.float();
      if (!(x >= 0 && x < 1)) outside.push(x);
      else bins[Math.floor(x * 10)]++;
    }
    expect(outside).toEqual([]);
    for (const n of bins) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('picks by weight', () => {
    const r = new Rng(1);
    const n = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) n[r.weighted({ a: 0.8, b: 0.2 })]++;
    expect(n.a / 10_000).toBeGreaterThan(0.77);
    expect(n.a / 10_000).toBeLessThan(0.83);
  });

  it('hashes cells to distinct seeds', () => {
    const seen = new Set<number>();
    for (let i = -20; i < 20; i++) for (let j = -20; j < 20; j++) seen.add(hashInts(1, i, j));
    expect(seen.size).toBe(1600);
  });
});
