import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * A press that a layer drawn over the map took for itself (a camera, a gate, a suggested camera):
 * the click it ends in belongs to that layer, so the map's own feature picking must not open the card
 * of whatever lies underneath. The layer says so on `mousedown`, before any `click` listener runs;
 * every press sets it afresh, so a drag that never became a click leaves nothing behind.
 */
const claimed = new WeakMap<MapLibreMap, boolean>();

/** Called by an overlay on every press: whether this press is its own. */
export function claimPress(map: MapLibreMap, mine: boolean): void {
  claimed.set(map, mine);
}

/** Whether the current press (and the click it ends in) was taken by an overlay. */
export function pressClaimed(map: MapLibreMap): boolean {
  return claimed.get(map) === true;
}
