import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { BuildingIndex, localPlane, toLonLat } from './buildings.ts';
import { pointSeen, unwatchedGates } from './gates.ts';
import { cameraViewshed, cameraViewshedBands, cameraViewshedByRays } from './viewshed.ts';

// A scene near 遂宁 in metres around an origin, turned into lon/lat footprints.
const O = localPlane(105.6, 30.5);
const ring = (pts: [number, number][]) => [...pts, pts[0]!].map(([x, y]) => toLonLat(O, x, y));
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    ring([
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ]),
  ],
});
const ll = (x: number, y: number) => toLonLat(O, x, y);
const cam = (x: number, y: number, directionDeg: number | null, fovDeg: number, rangeM: number) => {
  const [lon, lat] = ll(x, y);
  return { lon, lat, directionDeg, fovDeg, rangeM };
};

describe('cameraViewshed', () => {
  // A perimeter block 60 × 60 m around a 20 × 20 m courtyard (one footprint with a hole).
  const block: Polygon = {
    type: 'Polygon',
    coordinates: [...rect(-30, -30, 30, 30).coordinates, ...rect(-10, -10, 10, 10).coordinates],
  };
  const tower = rect(50, -5, 60, 5);
  const index = new BuildingIndex([block, tower]);

  it('sees only the courtyard from inside it', () => {
    const v = cameraViewshed(cam(0, 0, null, 360, 100), index);
    expect(v.area_m2).toBeCloseTo(400, 6);
    const [lon, lat] = ll(9, 9);
    expect(pointSeen(lon, lat, v.geometry, 0)).toBe(true);
    expect(pointSeen(...ll(20, 0), v.geometry, 0)).toBe(false);
    expect(pointSeen(...ll(40, 0), v.geometry, 0)).toBe(false);
  });

  it('is blocked by the tower for a camera facing it', () => {
    const v = cameraViewshed(cam(40, 0, 90, 60, 50), index);
    expect(pointSeen(...ll(49, 0), v.geometry, 0)).toBe(true);
    expect(pointSeen(...ll(70, 0), v.geometry, 0)).toBe(false);
    expect(pointSeen(...ll(70, 16.5), v.geometry, 0)).toBe(true);
    // The rays cut corners: never much more than the exact area.
    const rays = cameraViewshedByRays(cam(40, 0, 90, 60, 50), index);
    expect(rays.area_m2).toBeLessThanOrEqual(v.area_m2 + 1e-6);
    expect(rays.area_m2 / v.area_m2).toBeGreaterThan(0.98);
  });

  it('answers no geometry for range 0 or an unknown direction', () => {
    expect(cameraViewshed(cam(40, 0, 90, 60, 0), index)).toEqual({ geometry: null, area_m2: 0 });
    expect(cameraViewshed(cam(40, 0, null, 85, 30), index).geometry).toBeNull();
  });

  it('gives nested DORI bands', () => {
    const b = cameraViewshedBands(cam(40, 20, 0, 90, 40), index);
    expect(b.identify.area_m2).toBeLessThan(b.recognise.area_m2);
    expect(b.recognise.area_m2).toBeLessThan(b.observe.area_m2);
    expect(b.observe.area_m2).toBeCloseTo((Math.PI * 1600) / 4, -1);
  });

  it('tells a building a camera stands in', () => {
    expect(index.buildingsAt(...ll(20, 20))).toEqual([0]);
    expect(index.buildingsAt(...ll(0, 0))).toEqual([]); // the courtyard is a hole
    expect(index.buildingsAt(...ll(55, 0))).toEqual([1]);
    expect(index.buildingsAt(...ll(45, 0))).toEqual([]);
  });

  it('finds the gates no camera watches, with a metre of tolerance at walls', () => {
    const v = cameraViewshed(cam(40, 0, 90, 60, 50), index);
    const gates = [
      { id: 1, lon: ll(50, 0)[0], lat: ll(50, 0)[1] }, // in the tower's wall the camera faces
      { id: 2, lon: ll(61, 0)[0], lat: ll(61, 0)[1] }, // behind the tower
      { id: 3, lon: ll(30, 0)[0], lat: ll(30, 0)[1] }, // behind the camera, on the block's wall
    ];
    expect(unwatchedGates(gates, [v.geometry])).toEqual([2, 3]);
    expect(
      unwatchedGates(gates, [v.geometry, cameraViewshed(cam(40, 0, 270, 60, 50), index).geometry]),
    ).toEqual([2]);
  });
});
