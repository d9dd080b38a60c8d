import { describe, expect, it } from 'vitest';
import { declutter } from './declutter.ts';

type P = { id: number; x: number; y: number; rank: number };
const at = (p: P) => p;

describe('declutter (issue 9 #12: camera icons no longer pile up)', () => {
  it('keeps one of a pile and every item that stands apart', () => {
    const pile: P[] = [0, 1, 2, 3].map((i) => ({ id: i, x: 100 + i * 3, y: 100, rank: 0 }));
    const apart: P = { id: 9, x: 200, y: 100, rank: 0 };
    const kept = declutter([...pile, apart], at, 22);
    expect(kept.map((p) => p.id)).toEqual([0, 9]);
  });

  it('keeps the best-ranked item of a pile (the selected or an active camera)', () => {
    const items: P[] = [
      { id: 1, x: 10, y: 10, rank: 2 },
      { id: 2, x: 15, y: 12, rank: 0 },
      { id: 3, x: 12, y: 30, rank: 1 },
    ];
    const kept = declutter(items, at, 22, (a, b) => a.rank - b.rank);
    expect(kept.map((p) => p.id)).toEqual([2]);
  });

  it('checks neighbours across grid cells, and no two kept items are closer than the radius', () => {
    const items: P[] = [];
    for (let i = 0; i < 400; i++) items.push({ id: i, x: (i * 37) % 500, y: (i * 91) % 300, rank: 0 });
    const kept = declutter(items, at, 22);
    for (const a of kept)
      for (const b of kept) if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(22);
    // every dropped item has a kept one near it
    for (const d of items.filter((i) => !kept.includes(i)))
      expect(kept.some((k) => Math.hypot(k.x - d.x, k.y - d.y) < 22)).toBe(true);
  });
});
