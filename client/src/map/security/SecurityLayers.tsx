import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { SecurityOverlay } from './security-overlay.ts';

/** Mounts the deck.gl camera/viewshed/gate layers on the map while it exists. */
export function SecurityLayers({ map, visible }: { map: MapLibreMap | null; visible: boolean }) {
  const overlay = useRef<SecurityOverlay | null>(null);
  useEffect(() => {
    if (!map) return;
    const o = new SecurityOverlay(map);
    overlay.current = o;
    return () => {
      overlay.current = null;
      o.destroy();
    };
  }, [map]);
  useEffect(() => overlay.current?.setVisible(visible), [visible, map]);
  return null;
}
