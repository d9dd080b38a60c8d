import type { FeatureCollection, Point, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { BuildingIndex, cameraViewshedBands, localPlane, toLonLat } from '../../../../core/viewshed/index.ts';
import { aimAt, buildSecurityScene, cameraBands, moveCamera } from './security-scene.ts';

const O = localPlane(105.59, 30.53);
const pt = (x: number, y: number) => toLonLat(O, x, y);
const square: Polygon = {
  type: 'Polygon',
  coordinates: [[pt(40, 40), pt(60, 40), pt(60, 60), pt(40, 60), pt(40, 40)]],
};
const points = (
  items: [number, number, Record<string, unknown>][],
): FeatureCollection<Point, Record<string, unknown>> => ({
  type: 'FeatureCollection',
  features: items.map(([x, y, properties]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: pt(x, y) },
    properties,
  })),
});

describe('buildSecurityScene', () => {
  const cameras = points([
    [10, 50, { id: 1, direction_deg: 90, fov_deg: 60, range_m: 80, status: 'active', system: 'xueliang' }],
    [90, 50, { id: 2, direction_deg: 90, fov_deg: 60, range_m: 30, status: 'offline' }],
  ]);
  const gates = points([
    [30, 50, { id: 10, kind: 'pedestrian' }],
    [100, 50, { id: 11, kind: 'vehicle' }],
  ]);
  const buildings = {
    type: 'FeatureCollection' as const,
    features: [{ type: 'Feature' as const, geometry: square, properties: {} }],
  };

  it('colours gates by the active cameras’ clipped viewsheds', () => {
    const s = buildSecurityScene(cameras, gates, buildings);
    expect(s.cameras.map((c) => [c.id, c.viewshed?.type])).toEqual([
      [1, 'Polygon'],
      [2, 'Polygon'],
    ]);
    // The east gate hides behind the building; the offline camera facing it does not count.
    expect(s.gates.map((g) => [g.id, g.watched])).toEqual([
      [10, true],
      [11, false],
    ]);
  });

  it('turns a gate green when a dragged camera’s view reaches it', () => {
    const index = new BuildingIndex([square]);
    const s = buildSecurityScene(cameras, gates, index);
    const moved = moveCamera(s, index, 1, { position: pt(80, 80) as [number, number], directionDeg: 160 });
    expect(moved.gates.find((g) => g.id === 11)!.watched).toBe(true);
  });
});

describe('aimAt', () => {
  const cam = {
    id: 1,
    position: pt(0, 0) as [number, number],
    system: 'other' as const,
    status: 'active' as const,
    directionDeg: 0,
    fovDeg: 85,
    rangeM: 30,
    viewshed: null,
  };
  it('turns a camera to the pointer and sets its range to the distance', () => {
    const [lon, lat] = pt(20, -20);
    expect(aimAt(cam, lon, lat)).toEqual({ directionDeg: 135, rangeM: 28.3 });
    expect(aimAt(cam, ...pt(-1, 0)).directionDeg).toBe(270);
    expect(aimAt(cam, ...pt(0, 5000)).rangeM).toBe(1000);
    expect(aimAt({ ...cam, fovDeg: 360, directionDeg: null }, lon, lat)).toEqual({
      directionDeg: null,
      rangeM: 28.3,
    });
  });
});

describe('cameraBands', () => {
  it('cuts the viewshed where core’s DISTANCE_BANDS do, as GET /api/cameras/:id/viewshed?bands=1 does', () => {
    const index = new BuildingIndex([square]);
    const s = buildSecurityScene(
      points([[10, 50, { id: 1, direction_deg: 90, fov_deg: 60, range_m: 80 }]]),
      points([]),
      index,
    );
    const cam = s.cameras[0]!;
    const bands = cameraBands(cam, index);
    const [lon, lat] = cam.position;
    const server = cameraViewshedBands(
      { lon, lat, directionDeg: cam.directionDeg, fovDeg: cam.fovDeg, rangeM: cam.rangeM },
      index,
    );
    expect(bands.map((b) => b.band)).toEqual(['identify', 'recognise', 'observe']);
    for (const b of bands) expect(b.geometry).toEqual(server[b.band].geometry);
    // The observe band is the camera's own viewshed, not a second computation of it.
    expect(bands[2]!.geometry).toBe(cam.viewshed);
  });
});
