import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * Runs `fn` once the map's style can take sources and layers: now if it is loaded, else at the next
 * `idle`. Not at `load`: that event fires once in a map's life, and `isStyleLoaded()` is also false
 * later, whenever tiles or a GeoJSON source are still loading — waiting for `load` then waits forever.
 * Returns a function that cancels the wait.
 */
export function whenStyleReady(map: MapLibreMap, fn: () => void): () => void {
  if (map.isStyleLoaded()) {
    fn();
    return () => {};
  }
  map.once('idle', fn);
  return () => {
    map.off('idle', fn);
  };
}
