import type { MultiPolygon, Polygon } from 'geojson';
import { BuildingIndex, localPlane, toLocal, toLonLat, type LocalPlane } from './buildings.ts';
import { pointSeen } from './gates.ts';
import { cameraViewshed, type ViewshedCamera } from './viewshed.ts';

/** A proposed camera (a "ghost" the map shows until someone accepts it). */
export interface CameraSuggestion extends ViewshedCamera {
  type: 'fixed' | 'dome';
  /** Where it goes: on a building wall next to a gate, or at the gate itself. */
  placement: 'wall' | 'gate';
  /** The gate it was placed for. */
  near_gate: number;
  /** Gates it watches that no camera (nor an earlier suggestion) watched. */
  watches_gates: number[];
  /** Open ground of the area it adds to what is seen (estimated on a sample grid), m². */
  new_seen_m2: number;
  viewshed: Polygon | null;
}

export interface SuggestInput {
  region: Polygon | MultiPolygon;
  buildings: BuildingIndex;
  /** Viewsheds of the cameras already there (active ones). */
  existing: readonly (Polygon | null)[];
  /** Gates of the region (unit doors left out by the caller). */
  gates: readonly { id: number; lon: number; lat: number }[];
  k: number;
  /** Sample points over the region for the unseen-area score (default about 4,000). */
  samples?: number;
}

/** What a suggested camera is: a wall camera aims at its gate, a gate camera is a dome. */
export const SUGGESTED = {
  wall: { type: 'fixed' as const, fovDeg: 85, rangeM: 30 },
  gate: { type: 'dome' as const, fovDeg: 360, rangeM: 20 },
  /** Walls this close to a gate are candidate mounts. */
  wallSearchM: 15,
  /** Mount points this far off the wall, so the camera is not inside the building. */
  offWallM: 0.3,
};

const bearing = (dx: number, dy: number) => ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;

/** Even-odd containment in a plane: rings as local [x, y][]. */
function inRings(rings: [number, number][][], x: number, y: number): boolean {
  let c = false;
  for (const ring of rings)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!,
        [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
  return c;
}

const localRings = (plane: LocalPlane, g: Polygon | MultiPolygon) =>
  (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat()).map((r) =>
    r.map((p) => toLocal(plane, p[0]!, p[1]!)),
  );

interface Candidate extends ViewshedCamera {
  type: 'fixed' | 'dome';
  placement: 'wall' | 'gate';
  near_gate: number;
}

/** Candidate mounts for one gate: the gate itself (a dome), and the nearby walls aiming at it. */
function candidatesFor(
  gate: { id: number; lon: number; lat: number },
  buildings: BuildingIndex,
): Candidate[] {
  const out: Candidate[] = [
    {
      ...SUGGESTED.gate,
      lon: gate.lon,
      lat: gate.lat,
      directionDeg: null,
      placement: 'gate',
      near_gate: gate.id,
    },
  ];
  const plane = localPlane(gate.lon, gate.lat);
  const walls = buildings.wallsAround(plane, SUGGESTED.wallSearchM);
  const mounts: { x: number; y: number; d: number }[] = [];
  for (let i = 0; i < walls.length; i += 4) {
    const ax = walls[i]!,
      ay = walls[i + 1]!,
      ex = walls[i + 2]! - ax,
      ey = walls[i + 3]! - ay;
    const l2 = ex * ex + ey * ey;
    const u = Math.max(0, Math.min(1, -(ax * ex + ay * ey) / l2));
    const px = ax + u * ex,
      py = ay + u * ey;
    const d = Math.hypot(px, py);
    if (d < 2 || d > SUGGESTED.wallSearchM) continue;
    // Step off the wall towards the gate.
    mounts.push({ x: px - (px / d) * SUGGESTED.offWallM, y: py - (py / d) * SUGGESTED.offWallM, d });
  }
  mounts.sort((a, b) => a.d - b.d);
  for (const m of mounts.slice(0, 4)) {
    const [lon, lat] = toLonLat(plane, m.x, m.y);
    const aim = bearing(-m.x, -m.y);
    for (const turn of [0, -35, 35])
      out.push({
        ...SUGGESTED.wall,
        lon,
        lat,
        directionDeg: (aim + turn + 360) % 360,
        placement: 'wall',
        near_gate: gate.id,
      });
  }
  return out;
}

/**
 * Up to k new cameras for an area, greedily: each step takes the candidate that watches the most
 * still-unwatched gates, then (on a tie, or once every gate is watched) adds the most unseen open
 * ground. Candidates stand at gates or on building walls next to them. Stops early when no candidate
 * adds anything.
 */
export function suggestCameras(input: SuggestInput): CameraSuggestion[] {
  const { region, buildings, gates } = input;
  const ring0 = (region.type === 'Polygon' ? region.coordinates[0] : region.coordinates[0]?.[0]) ?? [];
  if (!ring0.length) return [];
  const lons = ring0.map((p) => p[0]!),
    lats = ring0.map((p) => p[1]!);
  const plane = localPlane(
    (Math.min(...lons) + Math.max(...lons)) / 2,
    (Math.min(...lats) + Math.max(...lats)) / 2,
  );
  const regionRings = localRings(plane, region);
  // Sample grid of open ground inside the region.
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const r of regionRings)
    for (const [x, y] of r) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  const n = input.samples ?? 4000;
  const cell = Math.max(0.5, Math.sqrt(((maxX - minX) * (maxY - minY)) / n));
  const pts: [number, number][] = [];
  for (let x = minX + cell / 2; x < maxX; x += cell)
    for (let y = minY + cell / 2; y < maxY; y += cell) {
      if (!inRings(regionRings, x, y)) continue;
      const [lon, lat] = toLonLat(plane, x, y);
      if (buildings.buildingsAt(lon, lat).length) continue;
      pts.push([x, y]);
    }
  const seen = new Uint8Array(pts.length);
  const mark = (v: Polygon | null, apply: boolean): number => {
    if (!v) return 0;
    const rings = localRings(plane, v);
    let added = 0;
    pts.forEach(([x, y], i) => {
      if (!seen[i] && inRings(rings, x, y)) {
        added++;
        if (apply) seen[i] = 1;
      }
    });
    return added;
  };
  for (const v of input.existing) mark(v, true);
  let unwatched = gates.filter((g) => !input.existing.some((v) => pointSeen(g.lon, g.lat, v)));

  const candidates = new Map<string, { c: Candidate; v: Polygon | null }>();
  const addFor = (g: { id: number; lon: number; lat: number }) => {
    for (const c of candidatesFor(g, buildings)) {
      const key = `${c.lon.toFixed(7)},${c.lat.toFixed(7)},${c.directionDeg ?? 'dome'}`;
      if (!candidates.has(key)) candidates.set(key, { c, v: cameraViewshed(c, buildings).geometry });
    }
  };
  for (const g of gates) addFor(g);

  const out: CameraSuggestion[] = [];
  for (let step = 0; step < input.k; step++) {
    let best: { c: Candidate; v: Polygon | null; gates: number[]; area: number } | null = null;
    for (const { c, v } of candidates.values()) {
      const watched = unwatched.filter((g) => pointSeen(g.lon, g.lat, v)).map((g) => g.id);
      const area = mark(v, false);
      if (
        !best ||
        watched.length > best.gates.length ||
        (watched.length === best.gates.length && area > best.area)
      )
        best = { c, v, gates: watched, area };
    }
    if (!best || (best.gates.length === 0 && best.area === 0)) break;
    mark(best.v, true);
    unwatched = unwatched.filter((g) => !best.gates.includes(g.id));
    const { c } = best;
    out.push({
      lon: c.lon,
      lat: c.lat,
      directionDeg: c.directionDeg,
      fovDeg: c.fovDeg,
      rangeM: c.rangeM,
      type: c.type,
      placement: c.placement,
      near_gate: c.near_gate,
      watches_gates: best.gates,
      new_seen_m2: Math.round(best.area * cell * cell * 10) / 10,
      viewshed: best.v,
    });
  }
  return out;
}
