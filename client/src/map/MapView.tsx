import { useEffect, useRef } from 'react';
import type { Language } from '../i18n/messages.ts';
import { MapController, type MapControllerOptions } from './controller.ts';
import type { LayerVisibility } from './style.ts';

export interface MapViewProps {
  lang: Language;
  visibility: LayerVisibility;
  tiandituKey: string | null;
  onPick: MapControllerOptions['onPick'];
  onError(message: string): void;
  /** Receives the controller once the map exists, and null when it goes. */
  onReady(map: MapController | null): void;
}

/**
 * A thin React wrapper: makes the map once per basemap key and hands style changes (language,
 * layer visibility) to it without rebuilding it.
 */
export function MapView({ lang, visibility, tiandituKey, onPick, onError, onReady }: MapViewProps) {
  const div = useRef<HTMLDivElement>(null);
  const controller = useRef<MapController | null>(null);
  // Latest props for the map's callbacks and first style, without remaking the map when they change.
  const latest = useRef({ lang, visibility, onPick, onError, onReady });
  useEffect(() => {
    latest.current = { lang, visibility, onPick, onError, onReady };
  });

  useEffect(() => {
    const l = latest.current;
    const map = new MapController(div.current!, {
      lang: l.lang,
      visibility: l.visibility,
      tiandituKey,
      onPick: (features, at) => latest.current.onPick(features, at),
      onError: (message) => latest.current.onError(message),
    });
    controller.current = map;
    l.onReady(map);
    return () => {
      latest.current.onReady(null);
      controller.current = null;
      map.destroy();
    };
  }, [tiandituKey]);

  useEffect(() => controller.current?.setLanguage(lang), [lang]);
  useEffect(() => controller.current?.setVisibility(visibility), [visibility]);

  return <div ref={div} className="map" data-testid="map" />;
}
