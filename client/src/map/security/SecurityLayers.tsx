import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { useI18n } from '../../i18n/I18n.tsx';
import { SecurityOverlay } from './security-overlay.ts';

/** Mounts the deck.gl camera/viewshed/gate layers on the map while it exists. */
export function SecurityLayers({ map, visible }: { map: MapLibreMap | null; visible: boolean }) {
  const overlay = useRef<SecurityOverlay | null>(null);
  const { lang } = useI18n();
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
  useEffect(() => overlay.current?.setLanguage(lang), [lang, map]);
  return null;
}
