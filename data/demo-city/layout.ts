/**
 * The city's plan: the road grid (lines parallel and across the river), its cells, and the blocks of
 * land left in each cell once roads and the river take their share. Lines are drawn outward from the
 * centre with their own random streams, so a bigger city is the smaller one plus more rings.
 */
import {
  RIVERSIDE_ROAD_M,
  banksOf,
  insideDistrict,
  landPiece,
  riverLimits,
  riverRing,
  ringToLonLat,
  toLonLat,
  closeRing,
  type FlatRing,
  type LandPiece,
  type Rect,
} from './geo.ts';
import { buildJurisdictions, type Jurisdiction, type JurisdictionLookup } from './jurisdictions.ts';
import { RIVER_NAME, RIVERSIDE_ROADS, roadName } from './names.ts';
import { Rng, hashInts } from './prng.ts';

export type RoadKind = 'arterial' | 'secondary' | 'local';

export interface GridLine {
  /** Position across the line: u for lines along v ('ns'), v for lines along u ('ew'). */
  pos: number;
  /** Signed index from the centre line 0; every fourth is an arterial, every other a secondary. */
  index: number;
  kind: RoadKind;
  name: string;
}

/** Buildings per m² of district the generator produces on average (measured; sizes the district). */
export const BUILDINGS_PER_M2 = 345e-6;
const RIVER_BAND_M = 500;

export interface CityPlan {
  seed: number;
  /** Requested number of buildings. */
  target: number;
  /** Mean radius of the district, m. */
  R: number;
  uLines: GridLine[];
  vLines: GridLine[];
  /** Cells (i, j) between uLines[i..i+1] and vLines[j..j+1], nearest the centre first. */
  cells: [number, number][];
  jurisdictions: Jurisdiction[];
  lookup: JurisdictionLookup;
}

/** Setback of land from a road's centre line: half the carriageway plus the pavement. */
export const SETBACK: Record<RoadKind, number> = { arterial: 18, secondary: 11, local: 6 };
export const ROAD_RANK: Record<RoadKind, number> = { arterial: 3, secondary: 2, local: 1 };

function kindOf(index: number): RoadKind {
  const a = Math.abs(index);
  return a % 4 === 0 ? 'arterial' : a % 2 === 0 ? 'secondary' : 'local';
}

function gridLines(seed: number, axis: 'ns' | 'ew', extent: number): GridLine[] {
  const positions: [number, number][] = [[0, 0]];
  for (const dir of [1, -1]) {
    const rng = new Rng(hashInts(seed, axis === 'ns' ? 11 : 13, dir));
    let p = 0;
    for (let k = 1; Math.abs(p) < extent; k++) {
      p += dir * rng.range(170, 250);
      positions.push([p, dir * k]);
    }
  }
  positions.sort((a, b) => a[0] - b[0]);
  return positions.map(([pos, index]) => {
    const kind = kindOf(index);
    return { pos, index, kind, name: roadName(axis, index, kind) };
  });
}

/** Lays out a city for about `target` buildings. */
export function planCity(target: number, seed: number): CityPlan {
  // Land ≈ πR² less the river's band (about RIVER_BAND_M wide across the whole district).
  const d = BUILDINGS_PER_M2;
  const R = Math.max(
    500,
    (2 * d * RIVER_BAND_M + Math.sqrt(4 * d * d * RIVER_BAND_M ** 2 + 4 * Math.PI * d * target)) /
      (2 * Math.PI * d),
  );
  const extent = R * 1.2 + 300;
  const uLines = gridLines(seed, 'ns', extent);
  const vLines = gridLines(seed, 'ew', extent);
  const cells: [number, number, number][] = [];
  for (let i = 0; i + 1 < uLines.length; i++) {
    for (let j = 0; j + 1 < vLines.length; j++) {
      const u = (uLines[i].pos + uLines[i + 1].pos) / 2;
      const v = (vLines[j].pos + vLines[j + 1].pos) / 2;
      if (insideDistrict(u, v, R, -300)) cells.push([i, j, Math.hypot(u, v)]);
    }
  }
  cells.sort((a, b) => a[2] - b[2] || a[0] - b[0] || a[1] - b[1]);
  const { list, lookup } = buildJurisdictions(R, seed);
  return {
    seed,
    target,
    R,
    uLines,
    vLines,
    cells: cells.map(([i, j]) => [i, j]),
    jurisdictions: list,
    lookup,
  };
}

/** Which road lies along each side of a block: w/e are lines along v, s/n lines across. */
export interface Sides {
  w: GridLine | null;
  e: GridLine | null;
  s: GridLine | null;
  n: GridLine | null;
}

export interface Block {
  piece: LandPiece;
  /** Whether the river cut this block (its land must then be checked against the bank). */
  clipped: boolean;
  sides: Sides;
}

/** The blocks of land in cell (i, j): none outside the district, one or two where the river passes. */
export function cellBlocks(plan: CityPlan, i: number, j: number): Block[] {
  const U0 = plan.uLines[i],
    U1 = plan.uLines[i + 1],
    V0 = plan.vLines[j],
    V1 = plan.vLines[j + 1];
  const rect: Rect = [
    U0.pos + SETBACK[U0.kind],
    V0.pos + SETBACK[V0.kind],
    U1.pos - SETBACK[U1.kind],
    V1.pos - SETBACK[V1.kind],
  ];
  const [u0, v0, u1, v1] = rect;
  const um = (u0 + u1) / 2,
    vm = (v0 + v1) / 2;
  for (const [u, v] of [
    [u0, v0],
    [u1, v0],
    [u1, v1],
    [u0, v1],
    [um, v0],
    [um, v1],
    [u0, vm],
    [u1, vm],
  ]) {
    if (!insideDistrict(u, v, plan.R, 20)) return [];
  }
  const sides: Sides = { w: U0, e: U1, s: V0, n: V1 };
  const banks = banksOf(rect);
  const out: Block[] = [];
  for (const bank of ['W', 'E'] as const) {
    if (banks[bank] === 'all') {
      out.push({
        piece: { ring: closeRing([u0, v0, u1, v0, u1, v1, u0, v1]), bbox: rect, bank },
        clipped: false,
        sides,
      });
    } else if (banks[bank] === 'part') {
      const piece = landPiece(rect, bank, 25);
      if (piece) out.push({ piece, clipped: true, sides });
    }
  }
  return out;
}

export interface RoadRow {
  name: string;
  kind: RoadKind;
  /** Open lon/lat line, flat. */
  line: number[];
}

function runs(n: number, ok: (k: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let k = 0; k <= n; k++) {
    const good = k < n && ok(k);
    if (good && start < 0) start = k;
    if (!good && start >= 0) {
      if (k - 1 > start) out.push([start, k - 1]);
      start = -1;
    }
  }
  return out;
}

/** The road network as lines: grid roads cut at the district edge and the river (arterials bridge it), and the riverside roads. */
export function cityRoads(plan: CityPlan): RoadRow[] {
  const { R } = plan;
  const out: RoadRow[] = [];
  const step = 10;
  const lo = -(R * 1.2 + 300),
    n = Math.ceil((2 * -lo) / step);
  const at = (k: number) => lo + k * step;
  const wet = (u: number, v: number) => {
    const [w, e] = riverLimits(v, RIVERSIDE_ROAD_M);
    return u > w && u < e;
  };
  for (const line of plan.uLines) {
    for (const [a, b] of runs(n, (k) => insideDistrict(line.pos, at(k), R) && !wet(line.pos, at(k)))) {
      out.push({
        name: line.name,
        kind: line.kind,
        line: [...toLonLat(line.pos, at(a)), ...toLonLat(line.pos, at(b))],
      });
    }
  }
  for (const line of plan.vLines) {
    const ok = (k: number) =>
      insideDistrict(at(k), line.pos, R) && (line.kind === 'arterial' || !wet(at(k), line.pos));
    for (const [a, b] of runs(n, ok)) {
      out.push({
        name: line.name,
        kind: line.kind,
        line: [...toLonLat(at(a), line.pos), ...toLonLat(at(b), line.pos)],
      });
    }
  }
  const stepR = 25,
    nR = Math.ceil((2 * -lo) / stepR);
  for (const bank of ['W', 'E'] as const) {
    const pt = (k: number): [number, number] => {
      const v = lo + k * stepR;
      const [w, e] = riverLimits(v, RIVERSIDE_ROAD_M);
      return [bank === 'W' ? w : e, v];
    };
    for (const [a, b] of runs(nR, (k) => insideDistrict(...pt(k), R))) {
      const line: number[] = [];
      for (let k = a; k <= b; k++) line.push(...toLonLat(...pt(k)));
      out.push({ name: RIVERSIDE_ROADS[bank], kind: 'secondary', line });
    }
  }
  return out;
}

export interface WaterRow {
  name: string;
  ring: FlatRing;
}

/** The 涪江 across the whole map. */
export function cityWater(plan: CityPlan): WaterRow[] {
  const ext = plan.R * 1.3 + 500;
  return [{ name: RIVER_NAME, ring: ringToLonLat(riverRing(-ext, ext)) }];
}
