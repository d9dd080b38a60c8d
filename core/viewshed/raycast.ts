import { sectorAngles, type Sector } from './visibility.ts';

/**
 * The baseline the benchmark compares the sweep with: `rays` rays spread evenly over the sector, each
 * stopped by the nearest wall or the range (what PanoptiCity-style tools draw). Same input and output
 * shape as visibilityPolygon; its polygon cuts corners between rays.
 */
export function rayCastPolygon(segs: ArrayLike<number>, sector: Sector, rays = 360): number[] {
  const angles = sectorAngles(sector);
  if (!angles) return [];
  const { start, width } = angles;
  const full = width >= 2 * Math.PI;
  const R = sector.rangeM;
  const out: number[] = full ? [] : [0, 0];
  const n = full ? rays : rays - 1;
  for (let k = 0; k < rays; k++) {
    const t = start + (width * k) / n;
    const c = Math.cos(t),
      s = Math.sin(t);
    let best = R;
    for (let i = 0; i < segs.length; i += 4) {
      const px = segs[i]!,
        py = segs[i + 1]!,
        ex = segs[i + 2]! - px,
        ey = segs[i + 3]! - py;
      const den = c * ey - s * ex;
      if (den === 0) continue;
      const d = (px * ey - py * ex) / den;
      if (d <= 0 || d >= best) continue;
      const u = (px * s - py * c) / den;
      if (u >= 0 && u <= 1) best = d;
    }
    out.push(best * c, best * s);
  }
  out.push(out[0]!, out[1]!);
  return out;
}
