/**
 * Collision hiding for point symbols drawn outside MapLibre's own placement (the deck.gl camera
 * icons): items are taken best-ranked first, and one is kept only if no kept item lies within
 * `radiusPx` of it on screen. Below the zoom where every camera gets its icon, a street's hundreds
 * of cameras become a readable scatter instead of a pile.
 *
 * @example declutter(cameras, (c) => map.project(c.position), 22, (a, b) => rank(a) - rank(b))
 */
export function declutter<T>(
  items: readonly T[],
  screen: (item: T) => { x: number; y: number },
  radiusPx: number,
  compare: (a: T, b: T) => number = () => 0,
): T[] {
  const kept: T[] = [];
  // Kept items by grid cell of radiusPx: a neighbour that can collide lies in one of the 9 cells around.
  const grid = new Map<string, { x: number; y: number }[]>();
  const cell = (v: number) => Math.floor(v / radiusPx);
  for (const item of [...items].sort(compare)) {
    const p = screen(item);
    const cx = cell(p.x);
    const cy = cell(p.y);
    let free = true;
    for (let dx = -1; dx <= 1 && free; dx++)
      for (let dy = -1; dy <= 1 && free; dy++)
        for (const q of grid.get(`${cx + dx},${cy + dy}`) ?? [])
          if (Math.hypot(q.x - p.x, q.y - p.y) < radiusPx) {
            free = false;
            break;
          }
    if (!free) continue;
    kept.push(item);
    const key = `${cx},${cy}`;
    grid.set(key, [...(grid.get(key) ?? []), p]);
  }
  return kept;
}
