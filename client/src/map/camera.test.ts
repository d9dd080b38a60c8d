import { describe, expect, it } from 'vitest';
import { cameraForBbox } from './camera.ts';

// Where a lon/lat lands on a map of `size` showing `camera` (512-px tiles), in pixels.
function project(lon: number, lat: number, { center, zoom }: ReturnType<typeof cameraForBbox>, size = SIZE) {
  const world = 512 * 2 ** zoom;
  const x = (l: number) => ((l + 180) / 360) * world;
  const y = (l: number) =>
    ((1 - Math.log(Math.tan(Math.PI / 4 + (l * Math.PI) / 360)) / Math.PI) / 2) * world;
  return [size.width / 2 + x(lon) - x(center[0]), size.height / 2 + y(lat) - y(center[1])];
}
const SIZE = { width: 1280, height: 800 };
const DISTRICT: [number, number, number, number] = [105.52, 30.47, 105.66, 30.59];

describe('cameraForBbox (issue 9 #14: the map opens at the district, not at a default view it leaves)', () => {
  it('fits the box into the room the padding leaves, touching it on one side', () => {
    const pad = { top: 60, right: 60, bottom: 60, left: 330 };
    const cam = cameraForBbox(DISTRICT, SIZE, pad);
    const [x0, y0] = project(DISTRICT[0], DISTRICT[3], cam);
    const [x1, y1] = project(DISTRICT[2], DISTRICT[1], cam);
    expect(x0).toBeGreaterThanOrEqual(pad.left - 1e-6);
    expect(x1).toBeLessThanOrEqual(SIZE.width - pad.right + 1e-6);
    expect(y0).toBeGreaterThanOrEqual(pad.top - 1e-6);
    expect(y1).toBeLessThanOrEqual(SIZE.height - pad.bottom + 1e-6);
    // tight: the box's height fills the room's height (the room is wider than the box)
    expect(y1 - y0).toBeCloseTo(SIZE.height - pad.top - pad.bottom, 6);
    // and it is centred in the room, not in the map
    expect((x0 + x1) / 2).toBeCloseTo((pad.left + SIZE.width - pad.right) / 2, 6);
  });

  it('stops at maxZoom for a tiny box, centred on it', () => {
    const cam = cameraForBbox(
      [105.59, 30.53, 105.5901, 30.5301],
      SIZE,
      { top: 0, right: 0, bottom: 0, left: 0 },
      { maxZoom: 17 },
    );
    expect(cam.zoom).toBe(17);
    expect(cam.center[0]).toBeCloseTo(105.59005, 6);
    expect(cam.center[1]).toBeCloseTo(30.53005, 6);
  });
});
