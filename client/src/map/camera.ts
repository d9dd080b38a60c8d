/**
 * The view that fits a lon/lat box into a map of a given size, beside padding: what MapLibre's
 * `fitBounds` computes (no bearing or pitch, 512-px tiles), but before the map exists, so the map is
 * made at that view and its first frame, its first tiles and the URL's first `#zoom/lat/lon` are
 * those of the view the user gets (issue 9 #14), not of a default view it leaves at once.
 *
 * @example cameraForBbox([105.5, 30.4, 105.7, 30.6], { width: 1280, height: 800 }, { top: 60, right: 60, bottom: 60, left: 320 })
 */
export interface Camera {
  center: [number, number];
  zoom: number;
}

export interface Padding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

const TILE = 512;
const mercX = (lon: number) => (lon + 180) / 360;
const mercY = (lat: number) => (1 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / Math.PI) / 2;
const lonOf = (x: number) => x * 360 - 180;
const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;

export function cameraForBbox(
  [w, s, e, n]: [number, number, number, number],
  size: { width: number; height: number },
  padding: Padding,
  { minZoom = 0, maxZoom = 22 }: { minZoom?: number; maxZoom?: number } = {},
): Camera {
  const dx = Math.max(mercX(e) - mercX(w), 1e-12);
  const dy = Math.max(mercY(s) - mercY(n), 1e-12);
  const roomW = Math.max(size.width - padding.left - padding.right, 1);
  const roomH = Math.max(size.height - padding.top - padding.bottom, 1);
  const fit = Math.log2(Math.min(roomW / (dx * TILE), roomH / (dy * TILE)));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const world = TILE * 2 ** zoom;
  // The box's middle sits in the middle of the padded room, so the map's middle moves the other way.
  const x = (mercX(w) + mercX(e)) / 2 - (padding.left - padding.right) / 2 / world;
  const y = (mercY(n) + mercY(s)) / 2 - (padding.top - padding.bottom) / 2 / world;
  return { center: [lonOf(x), latOf(y)], zoom };
}
