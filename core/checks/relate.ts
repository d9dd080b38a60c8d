import type { EdgeSet, PieceFlags } from './edges.ts';

/** How polygon `b` lies against polygon `a`, decided on interiors (touching is not meeting). */
export interface Relation {
  /** The interiors share some area (before any tolerance). */
  interiors: boolean;
  /** `a` covers `b`: nothing of `b` is outside `a`. */
  covers: boolean;
}

const box = (e: EdgeSet) => [e.minX, e.minY, e.maxX, e.maxY] as const;

/**
 * Relates two simple polygons by cutting each boundary where it meets the other and locating the
 * pieces: `b`'s boundary inside and outside `a` → the boundary of `a` cuts through `b`; only inside
 * → covered (unless a hole of `a` lies within `b`); only outside → they meet only if `a` lies within
 * `b`. `a` is the big one (the drawn area): only its edges near `b` are walked.
 */
export function relate(a: EdgeSet, b: EdgeSet): Relation {
  // No edge of a anywhere near b: b lies wholly inside or wholly outside (most buildings).
  if (b.size && !a.search(b.minX, b.minY, b.maxX, b.maxY).length) {
    const inside = a.insideByRay(b.ax[0]!, b.ay[0]!);
    return { interiors: inside, covers: inside };
  }
  const pb = b.pieces(a, undefined, undefined, (f) => f.inside && f.outside);
  if (pb.inside && pb.outside) return { interiors: true, covers: false };
  const pa: PieceFlags = a.pieces(b, undefined, box(b), (f) => f.inside);
  if (pb.inside) return { interiors: true, covers: !pa.inside };
  if (pb.outside) return { interiors: pa.inside, covers: false };
  // b's boundary lies wholly on a's: the same polygon, or b fills a hole of a.
  if (pa.inside) return { interiors: true, covers: false };
  const same = !pa.outside || a.ringStart.length === 1;
  return { interiors: same, covers: same };
}
