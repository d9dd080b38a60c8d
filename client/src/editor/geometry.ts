import { area, featureCollection, polygon as turfPolygon, union } from '@turf/turf';
import type { LineString, Polygon, Position } from 'geojson';

/**
 * Plain geometry edits of a service area's outline. Vertex indexes count the exterior ring's
 * distinct vertices (0 … n-1); the closing position always follows the first one.
 */

export function ringVertices(poly: Polygon): Position[] {
  const ring = poly.coordinates[0] ?? [];
  return ring.slice(0, Math.max(0, ring.length - 1));
}

function withRing(poly: Polygon, vertices: Position[]): Polygon {
  const ring = [...vertices.map((p) => [p[0], p[1]]), [vertices[0][0], vertices[0][1]]];
  return { type: 'Polygon', coordinates: [ring, ...poly.coordinates.slice(1)] };
}

/** A polygon from clicked positions (at least three), closed. */
export function polygonFromVertices(vertices: Position[]): Polygon {
  return withRing({ type: 'Polygon', coordinates: [] }, vertices);
}

export function moveVertex(poly: Polygon, index: number, to: Position): Polygon {
  const v = ringVertices(poly);
  if (index < 0 || index >= v.length) throw new RangeError(`No vertex ${index}`);
  v[index] = to;
  return withRing(poly, v);
}

/** Inserts `at` between vertex `after` and the next one. */
export function insertVertex(poly: Polygon, after: number, at: Position): Polygon {
  const v = ringVertices(poly);
  if (after < 0 || after >= v.length) throw new RangeError(`No vertex ${after}`);
  v.splice(after + 1, 0, at);
  return withRing(poly, v);
}

/** Null when the ring would keep fewer than three vertices. */
export function deleteVertex(poly: Polygon, index: number): Polygon | null {
  const v = ringVertices(poly);
  if (index < 0 || index >= v.length) throw new RangeError(`No vertex ${index}`);
  if (v.length <= 3) return null;
  v.splice(index, 1);
  return withRing(poly, v);
}

/** Moves every position by (dLon, dLat): dragging a whole area. */
export function translate(poly: Polygon, dLon: number, dLat: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: poly.coordinates.map((r) => r.map((p) => [p[0] + dLon, p[1] + dLat])),
  };
}

/** How far apart two vertices may be and still be one (1e-8° ≈ 1 mm): see mergePolygons. */
const SAME_VERTEX_DEG = 1e-8;

/** `b` with each vertex that lies within SAME_VERTEX_DEG of a vertex of `a` moved onto it. */
function snapVerticesTo(b: Polygon, a: Polygon): Polygon {
  const targets = a.coordinates.flat();
  return {
    type: 'Polygon',
    coordinates: b.coordinates.map((ring) =>
      ring.map((p) => {
        for (const q of targets)
          if (Math.abs(p[0] - q[0]) <= SAME_VERTEX_DEG && Math.abs(p[1] - q[1]) <= SAME_VERTEX_DEG)
            return [q[0], q[1]];
        return p;
      }),
    ),
  };
}

/**
 * Union of two areas; null unless they touch along an edge or overlap (the union is one polygon).
 * The two parts of a saved split share their cut only to the last digit or so: the editor holds one
 * through terra-draw's 9 decimals and the other as stored, so the cut's ends differ by up to 0.5e-9°
 * and a plain union left two pieces with a slit between them (the merge tool refused 7 of 40 split
 * lines, issue 9). `b`'s vertices within 1 mm of `a`'s are first taken as the same points. The server
 * stores its own union of the stored parts; this one is what the editor shows until it answers.
 */
export function mergePolygons(a: Polygon, b: Polygon): Polygon | null {
  const u = union(
    featureCollection([turfPolygon(a.coordinates), turfPolygon(snapVerticesTo(b, a).coordinates)]),
  );
  if (!u) return null;
  if (u.geometry.type === 'Polygon') return u.geometry;
  // Floating-point noise along a shared edge can leave a hair-thin second piece: ignore slivers.
  const parts = u.geometry.coordinates
    .map((c) => ({ type: 'Polygon', coordinates: c }) as Polygon)
    .sort((x, y) => area(y) - area(x));
  return parts.slice(1).every((p) => area(p) < 0.01) ? parts[0] : null;
}

type Crossing = { lineSeg: number; ringEdge: number; t: number; at: Position };

function segmentIntersection(
  p: Position,
  p2: Position,
  q: Position,
  q2: Position,
): { t: number; u: number; at: Position } | null {
  const rx = p2[0] - p[0];
  const ry = p2[1] - p[1];
  const sx = q2[0] - q[0];
  const sy = q2[1] - q[1];
  const denom = rx * sy - ry * sx;
  if (denom === 0) return null;
  const qpx = q[0] - p[0];
  const qpy = q[1] - p[1];
  const t = (qpx * sy - qpy * sx) / denom;
  const u = (qpx * ry - qpy * rx) / denom;
  if (t < 0 || t > 1 || u < 0 || u >= 1) return null;
  return { t, u, at: [p[0] + t * rx, p[1] + t * ry] };
}

export type SplitResult = { parts: [Polygon, Polygon] } | { error: 'split_needs_two_crossings' };

/**
 * Splits an area along a drawn line that crosses its outline exactly twice. The two parts share
 * the cut exactly (the same positions), so they are adjacent without overlap. Holes are dropped.
 */
export function splitPolygon(poly: Polygon, line: LineString): SplitResult {
  const v = ringVertices(poly);
  const crossings: Crossing[] = [];
  const lc = line.coordinates;
  for (let s = 0; s + 1 < lc.length; s++) {
    for (let e = 0; e < v.length; e++) {
      const hit = segmentIntersection(lc[s], lc[s + 1], v[e], v[(e + 1) % v.length]);
      if (hit) crossings.push({ lineSeg: s, ringEdge: e, t: hit.t, at: hit.at });
    }
  }
  crossings.sort((a, b) => a.lineSeg - b.lineSeg || a.t - b.t);
  if (crossings.length !== 2) return { error: 'split_needs_two_crossings' };
  const [c1, c2] = crossings;
  // The cut: c1, the line's vertices strictly between the crossings, c2.
  const cut: Position[] = [c1.at, ...lc.slice(c1.lineSeg + 1, c2.lineSeg + 1), c2.at];
  // Ring vertices walked forward from edge i's end to edge j's start (wrapping).
  const walk = (from: number, to: number): Position[] => {
    const out: Position[] = [];
    let k = (from + 1) % v.length;
    for (let guard = 0; guard < v.length; guard++) {
      out.push(v[k]);
      if (k === to) break;
      k = (k + 1) % v.length;
    }
    return out;
  };
  // Both crossings on one edge would cut a notch, not two areas.
  if (c1.ringEdge === c2.ringEdge) return { error: 'split_needs_two_crossings' };
  const partA = [...cut, ...walk(c2.ringEdge, c1.ringEdge)];
  const partB = [...cut.slice().reverse(), ...walk(c1.ringEdge, c2.ringEdge)];
  if (partA.length < 3 || partB.length < 3) return { error: 'split_needs_two_crossings' };
  return { parts: [polygonFromVertices(partA), polygonFromVertices(partB)] };
}
