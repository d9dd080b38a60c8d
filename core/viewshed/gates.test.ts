import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localPlane, toLonLat } from './buildings.ts';
import { pointSeen, unwatchedGates } from './gates.ts';

const O = localPlane(105.59, 30.53);
const ll = (x: number, y: number) => toLonLat(O, x, y);

/** A 40-gon of radius 30 m around (x, y) in metres, its ring wrapped to count reads of its vertices. */
function counted(x: number, y: number): { polygon: Polygon; reads: () => number } {
  const ring: Position[] = [];
  for (let i = 0; i < 40; i++) {
    const a = (i / 40) * 2 * Math.PI;
    ring.push(ll(x + 30 * Math.cos(a), y + 30 * Math.sin(a)));
  }
  ring.push(ring[0]!);
  let reads = 0;
  const watched = new Proxy(ring, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { polygon: { type: 'Polygon', coordinates: [watched] }, reads: () => reads };
}

describe('pointSeen (issue 9 #13: opening a street at zoom 15 froze the page in gate colouring)', () => {
  it('answers a gate far from a viewshed without walking its ring every time', () => {
    // The map colours every gate in view against every camera's viewshed: the page stopped answering
    // for seconds while each pair walked the whole ring. A far pair must cost a box test only.
    const v = counted(0, 0);
    for (let i = 0; i < 1000; i++) expect(pointSeen(...ll(200 + i, 200), v.polygon)).toBe(false);
    expect(v.reads()).toBeLessThan(100); // one pass for the box, not 1000 × 41
  });

  it('still sees a gate inside, or within the tolerance outside, the box edge', () => {
    const v = counted(0, 0);
    expect(pointSeen(...ll(0, 0), v.polygon)).toBe(true);
    expect(pointSeen(...ll(30.9, 0), v.polygon)).toBe(true); // 0.9 m beyond the vertex at (30, 0)
    expect(pointSeen(...ll(31.2, 0), v.polygon)).toBe(false);
    expect(pointSeen(...ll(0, -30.9), v.polygon)).toBe(true);
    expect(pointSeen(...ll(0, -30.9), v.polygon, 0)).toBe(false);
    expect(pointSeen(...ll(0, 35), v.polygon, 5.5)).toBe(true);
  });

  it('colours many gates against many viewsheds the same as pair by pair', () => {
    const sheds = Array.from({ length: 30 }, (_, i) => counted((i % 6) * 70, Math.floor(i / 6) * 70).polygon);
    const gates = Array.from({ length: 200 }, (_, i) => {
      const [lon, lat] = ll(((i * 37) % 450) - 20, ((i * 53) % 380) - 20);
      return { id: i, lon: lon!, lat: lat! };
    });
    const unwatched = unwatchedGates(gates, sheds);
    expect(unwatched.length).toBeGreaterThan(20);
    expect(unwatched.length).toBeLessThan(190);
    // Brute force in metres: outside every circle of radius 30 (+1 m tolerance, within the 40-gon's sag).
    for (const g of gates) {
      const i = g.id;
      const x = ((i * 37) % 450) - 20;
      const y = ((i * 53) % 380) - 20;
      const d = Math.min(...sheds.map((_, k) => Math.hypot(x - (k % 6) * 70, y - Math.floor(k / 6) * 70)));
      if (d < 29) expect(unwatched).not.toContain(i);
      if (d > 31.5) expect(unwatched).toContain(i);
    }
  });
});
