import { createHash } from 'node:crypto';
import * as turf from '@turf/turf';
import Flatbush from 'flatbush';
import type { Feature, Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoCity, type CityChunk } from './city.ts';
import type { FlatRing } from './geo.ts';

function poly(ring: FlatRing): Feature<Polygon> {
  const pts: [number, number][] = [];
  for (let i = 0; i < ring.length; i += 2) pts.push([ring[i], ring[i + 1]]);
  return turf.polygon([pts]);
}

function collect(buildings: number, seed?: number): CityChunk {
  const all: CityChunk = {
    compounds: [],
    buildings: [],
    gates: [],
    cameras: [],
    serviceAreas: [],
    blocks: [],
  };
  for (const c of demoCity({ buildings, seed }).chunks()) {
    for (const k of Object.keys(all) as (keyof CityChunk)[]) (all[k] as unknown[]).push(...c[k]);
  }
  return all;
}

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

/** Pairs of polygons whose interiors share more than `tolerance` m² (flatbush prefilter, turf.intersect). */
function overlappingPairs(rings: FlatRing[], tolerance = 0.01): [number, number][] {
  const feats = rings.map(poly);
  const index = new Flatbush(feats.length);
  const boxes = feats.map((f) => turf.bbox(f));
  for (const b of boxes) index.add(b[0], b[1], b[2], b[3]);
  index.finish();
  const out: [number, number][] = [];
  boxes.forEach((b, i) => {
    for (const j of index.search(b[0], b[1], b[2], b[3])) {
      if (j <= i) continue;
      const x = turf.intersect(turf.featureCollection([feats[i], feats[j]]));
      if (x && turf.area(x) > tolerance) out.push([i, j]);
    }
  });
  return out;
}

describe('demo city', () => {
  let city: CityChunk;
  const N = 3000;
  beforeAll(() => {
    city = collect(N);
  });

  it('is the same for the same seed and different for another', () => {
    expect(digest(collect(800, 7))).toBe(digest(collect(800, 7)));
    expect(digest(collect(800, 7))).not.toBe(digest(collect(800, 8)));
  });

  it('has about the requested number of buildings', () => {
    for (const n of [300, 1500, N]) {
      const got = n === N ? city.buildings.length : collect(n).buildings.length;
      expect(got).toBeGreaterThanOrEqual(n);
      expect(got).toBeLessThan(n * 1.02 + 40);
    }
  });

  it('has compounds of all three categories in about the intended shares, and loose buildings', () => {
    const share = (c: string) =>
      city.compounds.filter((x) => x.category === c).length / city.compounds.length;
    expect(share('three_no')).toBeGreaterThan(0.2);
    expect(share('three_no')).toBeLessThan(0.42);
    expect(share('self_managed')).toBeGreaterThan(0.15);
    expect(share('self_managed')).toBeLessThan(0.35);
    expect(share('professional')).toBeGreaterThan(0.33);
    expect(share('professional')).toBeLessThan(0.55);
    const loose = city.buildings.filter((b) => b.compoundId === null);
    expect(loose.length).toBeGreaterThan(0);
    expect(new Set(loose.map((b) => b.category))).toEqual(new Set(['three_no', null]));
    const shapes = new Set(city.buildings.map((b) => b.shape));
    for (const s of ['rect', 'slab', 'l_shape', 'u_shape', 'tower', 'cross_tower'])
      expect(shapes).toContain(s);
  });

  it('makes 三无 compounds older and smaller than professional ones', () => {
    const mean = (c: string, f: (x: (typeof city.compounds)[number]) => number) => {
      const xs = city.compounds.filter((x) => x.category === c).map(f);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean('three_no', (c) => c.yearBuilt)).toBeLessThan(mean('professional', (c) => c.yearBuilt) - 10);
    expect(mean('three_no', (c) => c.households)).toBeLessThan(mean('professional', (c) => c.households));
  });

  it('finds an overlap when there is one (the check below can fail)', () => {
    const a = city.buildings[0].ring;
    const shifted = a.map((x, i) => (i % 2 === 0 ? x + 0.00005 : x));
    expect(overlappingPairs([a, shifted])).toEqual([[0, 1]]);
  });

  it('never lets two buildings overlap', () => {
    expect(overlappingPairs(city.buildings.map((b) => b.ring))).toEqual([]);
  });

  it('marks exactly the buildings inside a service area as covered', () => {
    const areas = city.serviceAreas.map((a) => poly(a.ring));
    const index = new Flatbush(areas.length);
    for (const a of areas) index.add(...(turf.bbox(a) as [number, number, number, number]));
    index.finish();
    let covered = 0;
    for (const b of city.buildings) {
      const f = poly(b.ring);
      const [w, s, e, n] = turf.bbox(f);
      const inside = index.search(w, s, e, n).some((i) => turf.booleanWithin(f, areas[i]));
      expect(b.covered).toBe(inside);
      if (inside) covered++;
    }
    expect(covered).toBeGreaterThan(0);
  });

  it('never lets two service areas overlap', () => {
    expect(city.serviceAreas.length).toBeGreaterThan(0);
    expect(overlappingPairs(city.serviceAreas.map((a) => a.ring))).toEqual([]);
  });

  it('keeps buildings of realistic size inside their compound, the district, and out of the river', () => {
    const plan = demoCity({ buildings: N });
    const district = plan.jurisdictions.find((j) => j.level === 'district')!;
    const districtPoly = poly(district.ring);
    const river = poly(plan.water()[0].ring);
    const outline = new Map(city.compounds.map((c) => [c.id, poly(c.ring)]));
    for (const b of city.buildings) {
      const f = poly(b.ring);
      const area = turf.area(f);
      expect(area).toBeGreaterThan(80);
      expect(area).toBeLessThan(80 * 80);
      const [w, s, e, n] = turf.bbox(f);
      expect(turf.distance([w, s], [e, n], { units: 'meters' })).toBeLessThan(80 * Math.SQRT2 + 1);
      for (const pt of f.geometry.coordinates[0]) {
        expect(turf.booleanPointInPolygon(pt, districtPoly)).toBe(true);
        expect(turf.booleanPointInPolygon(pt, river)).toBe(false);
        if (b.compoundId !== null)
          expect(turf.booleanPointInPolygon(pt, outline.get(b.compoundId)!)).toBe(true);
      }
    }
  });

  it('puts gates and cameras at compounds, fewer cameras in 三无 ones', () => {
    const cat = new Map(city.compounds.map((c) => [c.id, c.category]));
    const per = (c: string) =>
      city.cameras.filter((x) => x.compoundId !== null && cat.get(x.compoundId) === c).length /
      city.compounds.filter((x) => x.category === c).length;
    expect(per('three_no')).toBeLessThan(per('professional') / 3);
    for (const c of city.cameras) {
      expect([85, 360]).toContain(c.fovDeg);
      expect(c.rangeM).toBeGreaterThanOrEqual(20);
      expect(c.rangeM).toBeLessThanOrEqual(60);
      expect(c.directionDeg).toBeGreaterThanOrEqual(0);
      expect(c.directionDeg).toBeLessThan(360);
    }
    expect(new Set(city.cameras.map((c) => c.system))).toEqual(
      new Set(['xueliang', 'tianwang', 'huiyan', 'other']),
    );
    const kinds = new Set(city.gates.map((g) => g.kind));
    expect(kinds).toEqual(new Set(['vehicle', 'pedestrian', 'unit_door']));
    const ac = (c: string) => {
      const gs = city.gates.filter((g) => g.kind !== 'unit_door' && cat.get(g.compoundId!) === c);
      return gs.filter((g) => g.accessControl).length / gs.length;
    };
    expect(ac('professional')).toBeGreaterThan(0.75);
    expect(ac('three_no')).toBeLessThan(0.2);
  });

  it('aims a gate camera at its gate', () => {
    const gates = city.gates.filter((g) => g.kind !== 'unit_door');
    const cams = city.cameras.filter((c) => c.name.endsWith('摄像机') && !c.name.includes('中心广场'));
    expect(cams.length).toBeGreaterThan(10);
    for (const c of cams.slice(0, 200)) {
      const g = gates.find((x) => x.compoundId === c.compoundId && c.name === `${x.name}摄像机`)!;
      const bearing = (turf.bearing([c.lon, c.lat], [g.lon, g.lat]) + 360) % 360;
      const diff = Math.abs(((bearing - c.directionDeg + 540) % 360) - 180);
      expect(diff).toBeLessThan(2);
    }
  });
});

describe('demo city jurisdictions', () => {
  const { jurisdictions } = demoCity({ buildings: 20_000 });
  const area = (code: string) => turf.area(poly(jurisdictions.find((j) => j.code === code)!.ring));

  it('has the district 船山区 with 6–8 real streets of 2–4 communities each', () => {
    const district = jurisdictions.filter((j) => j.level === 'district');
    expect(district.map((d) => [d.code, d.name])).toEqual([['510903', '船山区']]);
    const streets = jurisdictions.filter((j) => j.level === 'street');
    expect(streets.length).toBeGreaterThanOrEqual(6);
    expect(streets.length).toBeLessThanOrEqual(8);
    for (const s of streets) {
      expect(s.code).toMatch(/^510903\d{3}$/);
      expect(s.name).toMatch(/街道$/);
      expect(s.nameEn).toMatch(/Subdistrict$/);
      const n = jurisdictions.filter((j) => j.parentCode === s.code).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(4);
    }
  });

  it('partitions the district into streets and each street into communities', () => {
    const sum = (parent: string) =>
      jurisdictions.filter((j) => j.parentCode === parent).reduce((a, j) => a + area(j.code), 0);
    expect(sum('510903') / area('510903')).toBeCloseTo(1, 5);
    for (const s of jurisdictions.filter((j) => j.level === 'street')) {
      expect(sum(s.code) / area(s.code)).toBeCloseTo(1, 5);
      expect(
        overlappingPairs(
          jurisdictions.filter((j) => j.parentCode === s.code).map((j) => j.ring),
          1,
        ),
      ).toEqual([]);
    }
    expect(
      overlappingPairs(
        jurisdictions.filter((j) => j.level === 'street').map((j) => j.ring),
        1,
      ),
    ).toEqual([]);
  });

  it('places every compound in the street and community that contain it', () => {
    const city = collect(1500);
    const byCode = new Map(jurisdictions.map((j) => [j.code, poly(j.ring)]));
    const plan1500 = demoCity({ buildings: 1500 }).jurisdictions;
    const polys = new Map(plan1500.map((j) => [j.code, poly(j.ring)]));
    expect(byCode.size).toBe(polys.size);
    let inside = 0;
    for (const c of city.compounds) {
      const centre = turf.centroid(poly(c.ring));
      if (turf.booleanPointInPolygon(centre, polys.get(c.communityCode)!)) inside++;
      expect(c.communityCode.startsWith(c.streetCode)).toBe(true);
    }
    expect(inside / city.compounds.length).toBeGreaterThan(0.97);
  });
});
