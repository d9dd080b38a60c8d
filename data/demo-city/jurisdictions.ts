/**
 * 区 / 街道 / 社区 of the demo city: the district's wobbly outline, an old-town core street and
 * seven streets around it, each split into two to four communities. All polygons are built from one
 * shared set of boundary points, so the streets partition the district and the communities each
 * street exactly (shared edges have identical vertices).
 */
import { closeRing, districtRadius, ringToLonLat, signedArea, type FlatRing } from './geo.ts';
import { COMMUNITY_NAMES, DISTRICT, STREETS } from './names.ts';
import { Rng, hashInts } from './prng.ts';

export interface Jurisdiction {
  code: string;
  name: string;
  nameEn: string;
  level: 'district' | 'street' | 'community';
  parentCode: string | null;
  /** Outline, closed lon/lat ring (one polygon; stored as a MultiPolygon). */
  ring: FlatRing;
}

/** Where a frame point belongs: its street and community codes. */
export type JurisdictionLookup = (u: number, v: number) => { street: string; community: string };

const CORE = 0.38;
const MID = 0.69;
const TAU = 2 * Math.PI;
const BASE_SAMPLES = 180;

interface RingStreet {
  from: number; // angle offsets from the first cut, in [0, 2π]
  to: number;
  split: 2 | 3 | 4;
  mid: number;
  code: string;
  communities: string[]; // inner, outer (2) | inner, outerA, outerB (3) | innerA, innerB, outerA, outerB (4)
}

/** Builds the jurisdictions for a district of mean radius `R` metres. */
export function buildJurisdictions(
  R: number,
  seed: number,
): { list: Jurisdiction[]; lookup: JurisdictionLookup } {
  const rng = new Rng(hashInts(seed, 0x5a1d));
  const start = rng.range(0, TAU);
  const nRing = STREETS.length - 1;
  const cuts: number[] = [];
  for (let k = 0; k < nRing; k++) cuts.push(k === 0 ? 0 : (TAU * k) / nRing + rng.range(-0.12, 0.12));
  const nCore = rng.int(2, 4);
  const coreCuts: number[] = [];
  for (let k = 0; k < nCore; k++) coreCuts.push(((TAU * k) / nCore + rng.range(0.1, 0.5)) % TAU);
  coreCuts.sort((a, b) => a - b);

  const names = [...COMMUNITY_NAMES];
  for (let i = names.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [names[i], names[j]] = [names[j], names[i]];
  }
  const list: Jurisdiction[] = [];
  const streetCode = (k: number) => `${DISTRICT.code}${String(k + 1).padStart(3, '0')}`;
  let nameNo = 0;
  const community = (street: string, k: number) => {
    const [zh, en] = names[nameNo++ % names.length];
    return {
      code: `${street}${String(k + 1).padStart(3, '0')}`,
      name: `${zh}社区`,
      nameEn: `${en} Community`,
    };
  };

  const rings: RingStreet[] = [];
  for (let k = 0; k < nRing; k++) {
    const from = cuts[k];
    const to = k + 1 < nRing ? cuts[k + 1] : TAU;
    const split = rng.int(2, 4) as 2 | 3 | 4;
    rings.push({
      from,
      to,
      split,
      mid: from + (to - from) * rng.range(0.4, 0.6),
      code: streetCode(k + 1),
      communities: [],
    });
  }

  // One shared, sorted set of sample angles (offsets from `start`) including every cut.
  const angleSet = new Set<number>();
  for (let i = 0; i < BASE_SAMPLES; i++) angleSet.add((TAU * i) / BASE_SAMPLES);
  for (const c of cuts) angleSet.add(c);
  for (const c of coreCuts) angleSet.add(c);
  for (const r of rings) angleSet.add(r.mid);
  const ang = [...angleSet].sort((a, b) => a - b);
  const index = new Map(ang.map((a, i) => [a, i]));
  const M = ang.length;
  const at = (f: number) =>
    ang.map((a) => {
      const t = start + a;
      const r = districtRadius(t, R) * f;
      return [r * Math.cos(t), r * Math.sin(t)] as const;
    });
  const out = at(1),
    mid = at(MID),
    core = at(CORE);
  const idx = (a: number) => (a >= TAU ? M : index.get(a)!); // TAU wraps to sample 0 via % M
  /** Points of a level from angle a to b (ascending, inclusive). */
  const arc = (pts: readonly (readonly [number, number])[], a: number, b: number, reverse = false) => {
    const ia = idx(a),
      ib = idx(b) < ia ? idx(b) + M : idx(b);
    const xs: number[] = [];
    for (let i = ia; i <= ib; i++) xs.push(...pts[i % M]);
    if (!reverse) return xs;
    const rev: number[] = [];
    for (let i = xs.length - 2; i >= 0; i -= 2) rev.push(xs[i], xs[i + 1]);
    return rev;
  };
  /** Ring between two levels (inner, outer) and two angles. */
  const band = (
    inner: typeof out | null,
    outer: typeof out,
    a: number,
    b: number,
    viaMid: boolean,
  ): FlatRing => {
    const pts: number[] = inner ? arc(inner, a, b) : [0, 0];
    if (viaMid && inner === core) pts.push(...mid[idx(b) % M]);
    pts.push(...arc(outer, a, b, true));
    if (viaMid && inner === core) pts.push(...mid[idx(a) % M]);
    return ccw(closeRing(pts));
  };

  const full = (pts: typeof out) => ccw(closeRing(arc(pts, 0, TAU).slice(0, -2)));
  list.push({
    code: DISTRICT.code,
    name: DISTRICT.name,
    nameEn: DISTRICT.nameEn,
    level: 'district',
    parentCode: null,
    ring: ringToLonLat(full(out)),
  });

  const coreCode = streetCode(0);
  list.push({
    code: coreCode,
    name: STREETS[0].name,
    nameEn: STREETS[0].nameEn,
    level: 'street',
    parentCode: DISTRICT.code,
    ring: ringToLonLat(full(core)),
  });
  const coreCommunities: string[] = [];
  for (let k = 0; k < nCore; k++) {
    const a = coreCuts[k];
    const c = community(coreCode, k);
    coreCommunities.push(c.code);
    const ring =
      k + 1 < nCore
        ? band(null, core, a, coreCuts[k + 1], false)
        : wedgeWrapped(core, idx(a), idx(coreCuts[0]), M);
    list.push({ ...c, level: 'community', parentCode: coreCode, ring: ringToLonLat(ring) });
  }

  rings.forEach((s, k) => {
    list.push({
      code: s.code,
      name: STREETS[k + 1].name,
      nameEn: STREETS[k + 1].nameEn,
      level: 'street',
      parentCode: DISTRICT.code,
      ring: ringToLonLat(band(core, out, s.from, s.to, true)),
    });
    const parts: FlatRing[] = [];
    if (s.split === 4) parts.push(band(core, mid, s.from, s.mid, false), band(core, mid, s.mid, s.to, false));
    else parts.push(band(core, mid, s.from, s.to, false));
    if (s.split === 2) parts.push(band(mid, out, s.from, s.to, false));
    else parts.push(band(mid, out, s.from, s.mid, false), band(mid, out, s.mid, s.to, false));
    parts.forEach((ring, i) => {
      const c = community(s.code, i);
      s.communities.push(c.code);
      list.push({ ...c, level: 'community', parentCode: s.code, ring: ringToLonLat(ring) });
    });
  });

  const lookup: JurisdictionLookup = (u, v) => {
    const t = Math.atan2(v, u);
    const off = (((t - start) % TAU) + TAU) % TAU;
    const rho = Math.hypot(u, v);
    const rr = districtRadius(t, R);
    if (rho < rr * CORE) {
      let k = nCore - 1;
      for (let i = 0; i < nCore; i++) if (off >= coreCuts[i]) k = i;
      return { street: coreCode, community: coreCommunities[k] };
    }
    let s = rings[rings.length - 1];
    for (const r of rings) if (off >= r.from && off < r.to) s = r;
    const inner = rho < rr * MID;
    const second = off >= s.mid;
    const c = s.communities;
    if (s.split === 2) return { street: s.code, community: inner ? c[0] : c[1] };
    if (s.split === 3) return { street: s.code, community: inner ? c[0] : second ? c[2] : c[1] };
    return { street: s.code, community: inner ? (second ? c[1] : c[0]) : second ? c[3] : c[2] };
  };
  return { list, lookup };
}

/** The core wedge that runs across angle 0: from sample ia to the end, and from 0 to ib. */
function wedgeWrapped(
  pts: readonly (readonly [number, number])[],
  ia: number,
  ib: number,
  M: number,
): FlatRing {
  const xs: number[] = [0, 0];
  for (let i = ia; i <= ib + M; i++) xs.push(...pts[i % M]);
  return ccw(closeRing(xs));
}

function ccw(ring: FlatRing): FlatRing {
  if (signedArea(ring) >= 0) return ring;
  const out: number[] = [];
  for (let i = ring.length - 2; i >= 0; i -= 2) out.push(ring[i], ring[i + 1]);
  return out;
}
