/**
 * The synthetic demo city of 遂宁 船山区: compounds (小区) of the three categories with their
 * buildings, gates, unit doors, cameras and — for part of them — service areas (物业服务区域), block
 * by block. Each cell of the road grid draws from its own random stream, so the city is the same for
 * the same seed, and rows come out cell by cell without holding the whole city in memory.
 */
import type {
  AreaStatus,
  CameraStatus,
  CameraSystem,
  CameraType,
  CompoundCategory,
  FiveTarget,
  GateKind,
  ManagementMode,
  TargetState,
} from '../../core/vocabulary.ts';
import { FIVE_TARGETS } from '../../core/vocabulary.ts';
import {
  bearingOf,
  clearOfRiver,
  closeRing,
  insideDistrict,
  landPiece,
  riverLimits,
  ringToLonLat,
  toLonLat,
  type FlatRing,
  type LandPiece,
  type Rect,
} from './geo.ts';
import { type Jurisdiction } from './jurisdictions.ts';
import {
  ROAD_RANK,
  cellBlocks,
  cityRoads,
  cityWater,
  planCity,
  type Block,
  type CityPlan,
  type RoadRow,
  type Sides,
  type WaterRow,
} from './layout.ts';
import { HELPER_UNITS, SIDE_NAMES, compoundName, personName, providerName } from './names.ts';
import { Rng, hashInts } from './prng.ts';
import { FootprintIndex, footprint, type ShapeKind } from './shapes.ts';

export const DEFAULT_SEED = 510903;

export interface CompoundRow {
  id: number;
  code: string;
  name: string;
  address: string;
  category: CompoundCategory;
  households: number;
  yearBuilt: number;
  streetCode: string;
  communityCode: string;
  fiveTargets: Record<FiveTarget, TargetState>;
  helperUnit: string | null;
  gridWorker: string | null;
  /** Outline, closed lon/lat ring. */
  ring: FlatRing;
}

export interface BuildingRow {
  id: number;
  compoundId: number | null;
  category: CompoundCategory | null;
  name: string;
  address: string;
  floors: number;
  households: number;
  shape: ShapeKind;
  /** Inside a seeded service area (the database recomputes it; this saves rewriting the rows). */
  covered: boolean;
  ring: FlatRing;
}

export interface GateRow {
  id: number;
  name: string;
  kind: GateKind;
  accessControl: boolean;
  compoundId: number | null;
  lon: number;
  lat: number;
}

export interface CameraRow {
  id: number;
  code: string;
  name: string;
  system: CameraSystem;
  type: CameraType;
  directionDeg: number;
  fovDeg: number;
  rangeM: number;
  heightM: number;
  status: CameraStatus;
  compoundId: number | null;
  lon: number;
  lat: number;
}

export interface ServiceAreaRow {
  id: number;
  name: string;
  streetCode: string;
  communityCode: string;
  managementMode: ManagementMode;
  provider: string;
  helperUnit: string | null;
  gridWorker: string;
  status: AreaStatus;
  /** ISO timestamp, +08:00. */
  createdAt: string;
  ring: FlatRing;
}

export interface BlockRow {
  ring: FlatRing;
}

/** The rows of one cell of the road grid. */
export interface CityChunk {
  compounds: CompoundRow[];
  buildings: BuildingRow[];
  gates: GateRow[];
  cameras: CameraRow[];
  serviceAreas: ServiceAreaRow[];
  blocks: BlockRow[];
}

export interface DemoCity {
  plan: CityPlan;
  jurisdictions: Jurisdiction[];
  roads(): RoadRow[];
  water(): WaterRow[];
  /**
   * The city cell by cell; stops adding buildings once about the requested number exist. With
   * `buildingGeometry: false` building rings come out empty (a pass that only wants other rows).
   */
  chunks(opts?: { buildingGeometry?: boolean }): Generator<CityChunk>;
}

/** The demo city for about `buildings` buildings. Deterministic for a given seed. */
export function demoCity(opts: { buildings: number; seed?: number }): DemoCity {
  const plan = planCity(opts.buildings, opts.seed ?? DEFAULT_SEED);
  return {
    plan,
    jurisdictions: plan.jurisdictions,
    roads: () => cityRoads(plan),
    water: () => cityWater(plan),
    chunks: (opts) => generateChunks(plan, opts?.buildingGeometry ?? true),
  };
}

// ——— drafts of one cell, before ids ———

type Draft<T> = Omit<T, 'id' | 'compoundId'>;
interface ParcelDraft {
  compound: Omit<CompoundRow, 'id' | 'code'> | null;
  buildings: Draft<BuildingRow>[];
  gates: Draft<GateRow>[];
  cameras: Omit<Draft<CameraRow>, 'code'>[];
  areas: Omit<ServiceAreaRow, 'id'>[];
}
interface CellDraft {
  blocks: BlockRow[];
  parcels: ParcelDraft[];
  cameras: Omit<Draft<CameraRow>, 'code'>[];
}

function* generateChunks(plan: CityPlan, buildingGeometry: boolean): Generator<CityChunk> {
  let compoundId = 0,
    buildingId = 0,
    gateId = 0,
    cameraId = 0,
    areaId = 0;
  const cameraCode = (id: number) => `5109030000131${String(id).padStart(7, '0')}`;
  for (const [i, j] of plan.cells) {
    const full = buildingId >= plan.target;
    const cell = generateCell(plan, i, j, full);
    const chunk: CityChunk = {
      compounds: [],
      buildings: [],
      gates: [],
      cameras: [],
      serviceAreas: [],
      blocks: cell.blocks,
    };
    if (!full) {
      for (const c of cell.cameras)
        chunk.cameras.push({ ...c, id: ++cameraId, code: cameraCode(cameraId), compoundId: null });
      for (const p of cell.parcels) {
        if (buildingId >= plan.target) break;
        let cid: number | null = null;
        if (p.compound) {
          cid = ++compoundId;
          chunk.compounds.push({ ...p.compound, id: cid, code: `510903-XQ${String(cid).padStart(6, '0')}` });
        }
        for (const b of p.buildings) {
          const ring = buildingGeometry ? ringToLonLat(b.ring) : [];
          chunk.buildings.push({ ...b, ring, id: ++buildingId, compoundId: cid });
        }
        for (const g of p.gates) chunk.gates.push({ ...g, id: ++gateId, compoundId: cid });
        for (const c of p.cameras)
          chunk.cameras.push({ ...c, id: ++cameraId, code: cameraCode(cameraId), compoundId: cid });
        for (const a of p.areas) chunk.serviceAreas.push({ ...a, id: ++areaId });
      }
    }
    yield chunk;
  }
}

// ——— one cell ———

interface Lot {
  rect: Rect;
  sides: Sides;
}

type ParcelKind = CompoundCategory | 'loose';

interface Layout {
  setback: [number, number];
  depth: [number, number];
  rowGap: [number, number];
  len: [number, number];
  gap: [number, number];
  shapes: Partial<Record<ShapeKind, number>>;
  /** Square footprints: the length is the row depth. */
  square?: boolean;
  floors: [number, number];
  maxRows?: number;
}

const LAYOUTS: Record<string, Layout> = {
  three_no: {
    setback: [3, 5],
    depth: [9, 12],
    rowGap: [8, 12],
    len: [18, 48],
    gap: [4, 9],
    shapes: { slab: 0.55, rect: 0.15, l_shape: 0.22, u_shape: 0.08 },
    floors: [3, 7],
  },
  self_managed: {
    setback: [4, 6],
    depth: [11, 14],
    rowGap: [11, 16],
    len: [25, 58],
    gap: [6, 11],
    shapes: { slab: 0.5, rect: 0.1, l_shape: 0.25, u_shape: 0.15 },
    floors: [5, 9],
  },
  towers: {
    setback: [8, 12],
    depth: [20, 28],
    rowGap: [22, 34],
    len: [20, 28],
    gap: [16, 28],
    shapes: { tower: 0.5, cross_tower: 0.5 },
    square: true,
    floors: [18, 33],
  },
  slabs: {
    setback: [8, 12],
    depth: [13, 16],
    rowGap: [20, 30],
    len: [40, 78],
    gap: [10, 18],
    shapes: { slab: 0.75, l_shape: 0.15, u_shape: 0.1 },
    floors: [9, 18],
  },
  villas: {
    setback: [6, 9],
    depth: [12, 16],
    rowGap: [12, 16],
    len: [24, 36],
    gap: [8, 12],
    shapes: { u_shape: 0.45, l_shape: 0.35, rect: 0.2 },
    floors: [4, 7],
  },
  loose: {
    setback: [1, 2],
    depth: [10, 16],
    rowGap: [5, 9],
    len: [10, 22],
    gap: [0.5, 3],
    shapes: { rect: 1 },
    floors: [1, 6],
    maxRows: 3,
  },
};

const UNIT_AREA: Record<ParcelKind, number> = {
  three_no: 60,
  self_managed: 80,
  professional: 100,
  loose: 70,
};

function generateCell(plan: CityPlan, i: number, j: number, blocksOnly: boolean): CellDraft {
  const rng = new Rng(hashInts(plan.seed, i, j, 7));
  const blocks = cellBlocks(plan, i, j);
  const draft: CellDraft = {
    blocks: blocks.map((b) => ({ ring: ringToLonLat(b.piece.ring) })),
    parcels: [],
    cameras: [],
  };
  if (blocksOnly) return draft;
  intersectionCameras(plan, i, j, rng, draft);
  const index = new FootprintIndex();
  for (const block of blocks) {
    const [u0, v0, u1, v1] = block.piece.bbox;
    const rho = Math.hypot((u0 + u1) / 2, (v0 + v1) / 2) / plan.R;
    const estate = rng.chance(Math.min(0.8, 0.2 + 0.35 * rho + (block.piece.bank === 'E' ? 0.15 : 0)));
    const lots = split(block.piece.bbox, block.sides, estate ? rng.range(110, 200) : rng.range(75, 125), rng);
    for (const lot of lots) {
      const kind: ParcelKind = estate
        ? rng.weighted({ professional: 0.88, self_managed: 0.12 })
        : rng.weighted({ three_no: 0.22, self_managed: 0.29, professional: 0.33, loose: 0.16 });
      const [a, b, c, d] = lot.rect;
      if (kind === 'three_no' && Math.max(c - a, d - b) > 80) {
        const group = split(lot.rect, lot.sides, rng.range(50, 75), rng);
        const merged = group.length >= 2 && rng.chance(0.35);
        const made = merged && groupAreaInStreet(plan, block, lot);
        const members = group
          .map((g) => parcel(plan, block, g, 'three_no', rng, index, merged, made))
          .filter((p) => p !== null);
        draft.parcels.push(...members);
        if (merged && members.length > 0) groupArea(plan, block, lot, members, rng, made);
      } else {
        const p = parcel(plan, block, lot, kind, rng, index);
        if (p) draft.parcels.push(p);
      }
    }
  }
  return draft;
}

/** Splits a rectangle into lots no longer than `maxSide`, leaving 4 m lanes between them. */
function split(rect: Rect, sides: Sides, maxSide: number, rng: Rng, gap = 4): Lot[] {
  const [u0, v0, u1, v1] = rect;
  const w = u1 - u0,
    h = v1 - v0;
  if (Math.max(w, h) <= maxSide) return [{ rect, sides }];
  const t = rng.range(0.38, 0.62);
  if (w >= h) {
    const p = u0 + w * t;
    return [
      ...split([u0, v0, p - gap / 2, v1], { ...sides, e: null }, maxSide, rng, gap),
      ...split([p + gap / 2, v0, u1, v1], { ...sides, w: null }, maxSide, rng, gap),
    ];
  }
  const p = v0 + h * t;
  return [
    ...split([u0, v0, u1, p - gap / 2], { ...sides, n: null }, maxSide, rng, gap),
    ...split([u0, p + gap / 2, u1, v1], { ...sides, s: null }, maxSide, rng, gap),
  ];
}

/**
 * Whether a service area's outline lies in one 街道: every vertex and points along every edge. A
 * lot by a street boundary can straddle it; its area would be one its own street's editor may not
 * save (out_of_jurisdiction, even for an attribute), so the city makes none there (a try-out found
 * 183 of 3,133 such areas). Callers still draw the area's attributes, so the rest of the city is the
 * same as before.
 */
function inOneStreet(plan: CityPlan, ring: FlatRing, street: string): boolean {
  for (let i = 0; i + 3 < ring.length; i += 2) {
    for (let k = 0; k < 8; k++) {
      const f = k / 8;
      const u = ring[i] + (ring[i + 2] - ring[i]) * f;
      const v = ring[i + 1] + (ring[i + 3] - ring[i + 1]) * f;
      if (plan.lookup(u, v).street !== street) return false;
    }
  }
  return true;
}

function pieceOf(block: Block, rect: Rect): LandPiece | null {
  if (!block.clipped) {
    const [u0, v0, u1, v1] = rect;
    return { ring: closeRing([u0, v0, u1, v0, u1, v1, u0, v1]), bbox: rect, bank: block.piece.bank };
  }
  return landPiece(rect, block.piece.bank, 20);
}

const SIDE_KEYS = ['s', 'e', 'w', 'n'] as const;
type Side = (typeof SIDE_KEYS)[number];
const INWARD: Record<Side, [number, number]> = { s: [0, 1], n: [0, -1], w: [1, 0], e: [-1, 0] };

function roadOf(lot: Lot, block: Block): string {
  const best = SIDE_KEYS.map((s) => lot.sides[s])
    .filter((l) => l !== null)
    .sort((a, b) => ROAD_RANK[b.kind] - ROAD_RANK[a.kind])[0];
  return (best ?? block.sides.s ?? block.sides.w)!.name;
}

function fill(inner: Rect, L: Layout, rng: Rng, ok: (cell: Rect) => boolean, index: FootprintIndex) {
  const out: ReturnType<typeof footprint>[] = [];
  let y = inner[1];
  for (let row = 0; row < (L.maxRows ?? 99); row++) {
    const d = rng.range(...L.depth);
    if (y + d > inner[3]) break;
    let x = inner[0] + rng.range(0, L.gap[0]);
    for (;;) {
      let kind = rng.weighted(L.shapes as Record<ShapeKind, number>);
      let len = L.square ? d : rng.range(...L.len);
      if (x + len > inner[2]) {
        if (L.square || inner[2] - x < L.len[0]) break;
        len = inner[2] - x;
      }
      const cell: Rect = [x, y, x + len, y + d];
      if (kind === 'u_shape' && (len < 24 || d < 12)) kind = 'slab';
      if (kind === 'l_shape' && len < 16) kind = 'rect';
      if (ok(cell)) {
        const f = footprint(kind, cell, rng);
        if (!index.overlaps(f)) {
          index.add(f);
          out.push(f);
        }
      }
      x += len + rng.range(...L.gap);
    }
    y += d + rng.range(...L.rowGap);
  }
  return out;
}

function pointIn(ring: FlatRing, u: number, v: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 4; i + 1 < ring.length - 2; j = i, i += 2) {
    const xi = ring[i],
      yi = ring[i + 1],
      xj = ring[j],
      yj = ring[j + 1];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const CAMERA_KINDS: Record<CameraType, { fov: number; range: [number, number] }> = {
  fixed: { fov: 85, range: [30, 60] },
  dome: { fov: 360, range: [20, 35] },
  ptz: { fov: 360, range: [40, 60] },
};

function camera(
  rng: Rng,
  name: string,
  system: CameraSystem,
  type: CameraType,
  at: [number, number],
  target: [number, number],
  height: [number, number],
): Omit<Draft<CameraRow>, 'code'> {
  const [lon, lat] = toLonLat(...at);
  const k = CAMERA_KINDS[type];
  return {
    name,
    system,
    type,
    directionDeg: bearingOf(target[0] - at[0], target[1] - at[1]),
    fovDeg: k.fov,
    rangeM: Math.round(rng.range(...k.range)),
    heightM: Math.round(rng.range(...height) * 10) / 10,
    status: rng.weighted({ active: 0.9, offline: 0.06, planned: 0.04 }),
    lon,
    lat,
  };
}

function intersectionCameras(plan: CityPlan, i: number, j: number, rng: Rng, draft: CellDraft) {
  const U = plan.uLines[i],
    V = plan.vLines[j];
  if (U.kind !== 'arterial' || V.kind !== 'arterial') return;
  const [w, e] = riverLimits(V.pos, 20);
  if (!insideDistrict(U.pos, V.pos, plan.R, 50) || (U.pos > w && U.pos < e)) return;
  const n = rng.int(2, 4);
  for (let k = 0; k < n; k++) {
    const du = k % 2 ? 14 : -14,
      dv = k < 2 ? -14 : 14;
    const type = rng.weighted({ ptz: 0.5, dome: 0.3, fixed: 0.2 });
    draft.cameras.push(
      camera(
        rng,
        `${U.name}与${V.name}交叉口${k + 1}号`,
        rng.chance(0.8) ? 'tianwang' : 'xueliang',
        type,
        [U.pos + du, V.pos + dv],
        [U.pos, V.pos],
        [6, 9],
      ),
    );
  }
}

const TARGET_WEIGHTS = {
  professional: { met: 0.78, partly: 0.17, not_met: 0.05 },
  self_managed: { met: 0.4, partly: 0.4, not_met: 0.2 },
  three_no_served: { met: 0.3, partly: 0.45, not_met: 0.25 },
  three_no: { met: 0.05, partly: 0.3, not_met: 0.65 },
} as const;

const startOf2023 = Date.UTC(2023, 0, 1, 1, 30); // 09:30 in 遂宁
function timestamp(rng: Rng): string {
  const t = new Date(startOf2023 + rng.int(0, 540) * 86_400_000 + rng.int(0, 28_800) * 1000);
  return t.toISOString().replace('Z', '+00:00');
}

/** One lot made into a compound (or loose buildings) with its buildings, gates, cameras and maybe a service area. */
function parcel(
  plan: CityPlan,
  block: Block,
  lot: Lot,
  kind: ParcelKind,
  rng: Rng,
  index: FootprintIndex,
  /** In a group that one merged service area covers: no area of its own. */
  inGroupArea = false,
  /** That group's area is made (it lies in one street). */
  groupServed = inGroupArea,
): ParcelDraft | null {
  const piece = pieceOf(block, lot.rect);
  if (!piece) return null;
  const [pu0, pv0, pu1, pv1] = piece.bbox;
  const layoutName =
    kind === 'professional' ? rng.weighted({ towers: 0.45, slabs: 0.4, villas: 0.15 }) : kind;
  const L = LAYOUTS[layoutName];
  const sb = rng.range(...L.setback);
  const inner: Rect = [pu0 + sb, pv0 + sb, pu1 - sb, pv1 - sb];
  if (inner[2] - inner[0] < 10 || inner[3] - inner[1] < 9) return null;
  const ok = (cell: Rect) => !block.clipped || clearOfRiver(cell, piece.bank, 2);
  const feet = fill(inner, L, rng, ok, index);
  if (feet.length === 0) return null;

  const where = plan.lookup((pu0 + pu1) / 2, (pv0 + pv1) / 2);
  const road = roadOf(lot, block);
  const address = `遂宁市船山区${road}${rng.int(1, 399)}号`;
  const category: CompoundCategory | null = kind === 'loose' ? (rng.chance(0.55) ? 'three_no' : null) : kind;
  const isCompound = kind !== 'loose';
  const name = isCompound ? compoundName(kind, rng, road) : '';

  const draft: ParcelDraft = { compound: null, buildings: [], gates: [], cameras: [], areas: [] };
  // A gate or camera of the compound lies in the compound's street: one standing in the next street
  // (the lot straddles the boundary) could be saved by neither street's editor. Not made (the random
  // numbers are drawn all the same).
  const inOwnStreet = (u: number, v: number) => plan.lookup(u, v).street === where.street;
  let households = 0;
  const unitDoorP = { professional: 0.6, self_managed: 0.3, three_no: 0.08, loose: 0 }[kind];
  const unitDoorAc = { professional: 0.95, self_managed: 0.7, three_no: 0.6, loose: 0 }[kind];
  feet.forEach((f, k) => {
    let floors = rng.int(...L.floors);
    if (layoutName === 'slabs' && f.kind !== 'slab') floors = rng.int(6, 11);
    const residential = category !== null;
    const hh = residential
      ? Math.max(1, Math.round((f.area * floors * 0.72) / UNIT_AREA[kind]))
      : rng.chance(0.5)
        ? 0
        : Math.round((f.area * floors * 0.3) / 70);
    households += hh;
    const bname = isCompound ? `${name}${k + 1}栋` : `${road}${rng.int(1, 399)}号`;
    draft.buildings.push({
      category,
      name: bname,
      address: isCompound ? address : `遂宁市船山区${bname}`,
      floors,
      households: hh,
      shape: f.kind,
      covered: false,
      ring: f.ring, // frame metres; turned into lon/lat when emitted
    });
    if (rng.chance(unitDoorP)) {
      const [lon, lat] = toLonLat((f.bbox[0] + f.bbox[2]) / 2, f.bbox[1]);
      const door = {
        name: `${bname}单元门`,
        kind: 'unit_door' as const,
        accessControl: rng.chance(unitDoorAc),
        lon,
        lat,
      };
      if (inOwnStreet((f.bbox[0] + f.bbox[2]) / 2, f.bbox[1])) draft.gates.push(door);
    }
  });

  if (!isCompound) {
    if (rng.chance(0.08)) {
      const a = area(plan, piece.ring, `${road}沿街片区`, where, 'community_custodial', rng);
      if (inOneStreet(plan, piece.ring, where.street)) {
        draft.areas.push(a);
        for (const b of draft.buildings) b.covered = true;
      }
    }
    return draft;
  }

  // Gates on the road side, cameras just inside them.
  const sides = [...SIDE_KEYS]
    .filter((s) => lot.sides[s])
    .sort((a, b) => ROAD_RANK[lot.sides[b]!.kind] - ROAD_RANK[lot.sides[a]!.kind]);
  if (sides.length === 0) sides.push('s');
  const gatePoint = (side: Side, t: number): [number, number] | null => {
    const [iu, iv] = INWARD[side];
    let u = side === 'w' ? pu0 : side === 'e' ? pu1 : pu0 + (pu1 - pu0) * t;
    let v = side === 's' ? pv0 : side === 'n' ? pv1 : pv0 + (pv1 - pv0) * t;
    u += iu * 0.5;
    v += iv * 0.5;
    return pointIn(piece.ring, u, v) ? [u, v] : null;
  };
  const ac = { professional: 0.9, self_managed: 0.45, three_no: 0.08 }[kind];
  const sys = () => rng.weighted({ xueliang: 0.5, other: 0.35, huiyan: 0.15 });
  let anyAccess = false;
  const gateSides =
    kind === 'professional' && (pu1 - pu0) * (pv1 - pv0) > 15_000 ? sides.slice(0, 2) : sides.slice(0, 1);
  for (const side of gateSides) {
    const t = rng.range(0.35, 0.65);
    const len = side === 's' || side === 'n' ? pu1 - pu0 : pv1 - pv0;
    const gates: [GateKind, number][] = [];
    if (kind !== 'three_no' || rng.chance(0.4)) gates.push(['vehicle', t]);
    gates.push(['pedestrian', Math.min(0.95, t + 12 / len)]);
    for (const [gk, tt] of gates) {
      const p = gatePoint(side, tt);
      if (!p) continue;
      const access = rng.chance(ac);
      const gname = `${name}${SIDE_NAMES[side]}${gk === 'vehicle' ? '' : '人行口'}`;
      if (inOwnStreet(...p)) {
        anyAccess ||= access;
        draft.gates.push({ name: gname, kind: gk, accessControl: access, ...lonLat(p) });
      }
      const camP = {
        professional: gk === 'vehicle' ? 1 : 0.7,
        self_managed: 0.55,
        three_no: draft.cameras.length ? 0 : 0.2,
      }[kind];
      if (rng.chance(camP)) {
        const [iu, iv] = INWARD[side];
        const along: [number, number] = [iv, iu];
        const off = rng.range(-4, 4),
          depth = rng.range(4, 8);
        const at: [number, number] = [p[0] + iu * depth + along[0] * off, p[1] + iv * depth + along[1] * off];
        if (pointIn(piece.ring, ...at)) {
          const type = rng.weighted({ fixed: 0.7, dome: 0.2, ptz: 0.1 });
          const c = camera(rng, `${gname}摄像机`, sys(), type, at, p, [3, 5]);
          // Not inside a building (the server refuses an outdoor camera there, so it could not be
          // saved again); the random numbers are drawn all the same, so the rest stays as it was.
          if (!index.holds(...at) && inOwnStreet(...at)) draft.cameras.push(c);
        }
      }
    }
  }
  if (kind === 'professional' && rng.chance(0.5)) {
    const at: [number, number] = [(pu0 + pu1) / 2 + rng.range(-5, 5), (pv0 + pv1) / 2 + rng.range(-5, 5)];
    if (pointIn(piece.ring, ...at)) {
      const c = camera(rng, `${name}中心广场摄像机`, sys(), 'dome', at, [at[0], at[1] + 10], [4, 6]);
      if (!index.holds(...at) && inOwnStreet(...at)) draft.cameras.push(c);
    }
  }

  // 物业服务区域 for part of the compounds.
  const ownArea = !inGroupArea && rng.chance({ professional: 0.85, self_managed: 0.5, three_no: 0.12 }[kind]);
  const ownInStreet = ownArea && inOneStreet(plan, piece.ring, where.street);
  const served = ownInStreet || groupServed;
  for (const b of draft.buildings) b.covered = served;
  if (ownArea) {
    const mode: ManagementMode =
      kind === 'professional'
        ? 'professional'
        : kind === 'self_managed'
          ? rng.chance(0.75)
            ? 'resident_self'
            : 'professional'
          : rng.chance(0.7)
            ? 'community_custodial'
            : 'resident_self';
    const a = area(plan, piece.ring, `${name}物业服务区域`, where, mode, rng, name);
    if (ownInStreet) draft.areas.push(a);
  }
  const w =
    kind === 'three_no'
      ? served
        ? TARGET_WEIGHTS.three_no_served
        : TARGET_WEIGHTS.three_no
      : TARGET_WEIGHTS[kind];
  const fiveTargets = Object.fromEntries(FIVE_TARGETS.map((t) => [t, rng.weighted(w)])) as Record<
    FiveTarget,
    TargetState
  >;
  if (anyAccess && draft.cameras.length > 0) fiveTargets.wy_security = 'met';
  else if (anyAccess || draft.cameras.length > 0)
    fiveTargets.wy_security = fiveTargets.wy_security === 'not_met' ? 'partly' : fiveTargets.wy_security;
  const year = { professional: [2003, 2023], self_managed: [1990, 2008], three_no: [1978, 2000] }[kind] as [
    number,
    number,
  ];
  draft.compound = {
    name,
    address,
    category: kind,
    households,
    yearBuilt: rng.int(...year),
    streetCode: where.street,
    communityCode: where.community,
    fiveTargets,
    helperUnit: rng.chance({ professional: 0, self_managed: 0.3, three_no: 0.7 }[kind])
      ? rng.pick(HELPER_UNITS)
      : null,
    gridWorker: personName(rng),
    ring: ringToLonLat(piece.ring),
  };
  return draft;
}

function lonLat(p: [number, number]) {
  const [lon, lat] = toLonLat(...p);
  return { lon, lat };
}

function communityName(plan: CityPlan, code: string): string {
  return plan.jurisdictions.find((j) => j.code === code)?.name ?? '';
}

function area(
  plan: CityPlan,
  ring: FlatRing,
  name: string,
  where: { street: string; community: string },
  mode: ManagementMode,
  rng: Rng,
  compound?: string,
): Omit<ServiceAreaRow, 'id'> {
  const provider =
    mode === 'professional'
      ? providerName(rng)
      : mode === 'resident_self'
        ? `${compound ?? name}业主自管小组`
        : `${communityName(plan, where.community)}居民委员会`;
  return {
    name,
    streetCode: where.street,
    communityCode: where.community,
    managementMode: mode,
    provider,
    helperUnit: mode === 'professional' ? null : rng.pick(HELPER_UNITS),
    gridWorker: personName(rng),
    status: rng.chance(mode === 'professional' ? 0.85 : 0.55) ? 'approved' : 'draft',
    createdAt: timestamp(rng),
    ring: ringToLonLat(ring),
  };
}

/** One service area over a group of small 三无 compounds (the plan allows merging them), community-run. */
function groupArea(
  plan: CityPlan,
  block: Block,
  lot: Lot,
  members: ParcelDraft[],
  rng: Rng,
  /** It lies in one street (groupAreaInStreet): else drawn but not made. */
  inStreet: boolean,
) {
  const piece = pieceOf(block, lot.rect);
  if (!piece) return;
  const [u0, v0, u1, v1] = piece.bbox;
  const where = plan.lookup((u0 + u1) / 2, (v0 + v1) / 2);
  const first = members[0].compound!;
  const a = area(
    plan,
    piece.ring,
    `${first.name}等${members.length}个小区物业服务区域`,
    where,
    'community_custodial',
    rng,
  );
  if (inStreet) members[members.length - 1].areas.push(a);
}

/** Whether a group's merged area would lie in one street (see inOneStreet). */
function groupAreaInStreet(plan: CityPlan, block: Block, lot: Lot): boolean {
  const piece = pieceOf(block, lot.rect);
  if (!piece) return false;
  const [u0, v0, u1, v1] = piece.bbox;
  return inOneStreet(plan, piece.ring, plan.lookup((u0 + u1) / 2, (v0 + v1) / 2).street);
}
