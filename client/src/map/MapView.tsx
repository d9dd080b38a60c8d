import { useEffect, useRef } from 'react';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';
import type { Language } from '../i18n/messages.ts';
import { MapController, type MapControllerOptions } from './controller.ts';
import type { LayerVisibility } from './style.ts';

export interface MapViewProps {
  lang: Language;
  visibility: LayerVisibility;
  tiandituKey: string | null;
  /** The basemap under the app's layers, and the offline basemaps there are. */
  basemap: BasemapChoice | null;
  offline: readonly Basemap[];
  /** The view the map opens on (see MapControllerOptions.home). */
  home?: MapControllerOptions['home'];
  onPick: MapControllerOptions['onPick'];
  onError(message: string): void;
  /** Receives the controller once the map exists, and null when it goes. */
  onReady(map: MapController | null): void;
}

declare global {
  interface Window {
    __wuyouMapLayers?: () => string[];
  }
}

/**
 * A thin React wrapper: makes the map once per basemap key and hands style changes (language,
 * layer visibility) to it without rebuilding it.
 */
export function MapView({
  lang,
  visibility,
  tiandituKey,
  basemap,
  offline,
  home,
  onPick,
  onError,
  onReady,
}: MapViewProps) {
  const div = useRef<HTMLDivElement>(null);
  const controller = useRef<MapController | null>(null);
  // Latest props for the map's callbacks and first style, without remaking the map when they change.
  const latest = useRef({ lang, visibility, basemap, offline, home, onPick, onError, onReady });
  useEffect(() => {
    latest.current = { lang, visibility, basemap, offline, home, onPick, onError, onReady };
  });

  useEffect(() => {
    const l = latest.current;
    const map = new MapController(div.current!, {
      lang: l.lang,
      visibility: l.visibility,
      tiandituKey,
      basemap: l.basemap,
      offline: l.offline,
      home: l.home,
      onPick: (features, at) => latest.current.onPick(features, at),
      onError: (message) => latest.current.onError(message),
    });
    controller.current = map;
    l.onReady(map);
    // For the browser tests: the style's layer order after a basemap switch.
    window.__wuyouMapLayers = () => map.layerOrder();
    return () => {
      delete window.__wuyouMapLayers;
      latest.current.onReady(null);
      controller.current = null;
      map.destroy();
    };
  }, [tiandituKey]);

  useEffect(() => controller.current?.setLanguage(lang), [lang]);
  useEffect(() => controller.current?.setVisibility(visibility), [visibility]);
  const first = useRef(true);
  useEffect(() => {
    // The map was made with the first choice; later ones switch the basemap in place.
    if (first.current) {
      first.current = false;
      return;
    }
    controller.current?.setBasemap(basemap, offline);
  }, [basemap, offline]);

  return <div ref={div} className="map" data-testid="map" />;
}
