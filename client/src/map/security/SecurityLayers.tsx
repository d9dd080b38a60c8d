import type { Map as MapLibreMap } from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChangeEvent } from '../../../../core/change-event.ts';
import { LIVE_CHANGE } from '../../live/events.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { useSessionUser } from '../../use-session.ts';
import type { PointFeature, PointLayer } from '../../panels/security/point-client.ts';
import { SecurityPanel } from '../../panels/security/SecurityPanel.tsx';
import type { CameraPreview } from '../../panels/security/CameraForm.tsx';
import { SECURITY_MIN_ZOOM, useSecurityOptions } from './options.ts';
import type { SecurityOverlay, SecuritySelection } from './security-overlay.ts';

export interface SecurityLayersProps {
  map: MapLibreMap | null;
  visible: boolean;
  /** A camera or gate was selected on the map (the shell closes its attribute panel). */
  onSelect?(): void;
}

/**
 * Mounts the deck.gl camera/viewshed/gate layers on the map while it exists, and the form of the
 * camera or gate clicked on it.
 */
export function SecurityLayers({ map, visible, onSelect }: SecurityLayersProps) {
  const overlay = useRef<SecurityOverlay | null>(null);
  const { lang } = useI18n();
  const { bands } = useSecurityOptions();
  const [selection, setSelection] = useState<(SecuritySelection & { seq: number }) | null>(null);
  const latestOnSelect = useRef(onSelect);
  useEffect(() => {
    latestOnSelect.current = onSelect;
  });

  // The overlay (deck.gl, most of the page's script) is a chunk of its own, fetched once the map has
  // drawn its first view (at once when that view is already one the overlay draws): fetching it and
  // starting deck.gl's WebGL while the first tiles come delayed the map (issue 9 #14), and at the
  // district's view it draws nothing (from zoom SECURITY_MIN_ZOOM).
  const [ready, setReady] = useState<SecurityOverlay | null>(null);
  useEffect(() => {
    if (!map) return;
    let seq = 0;
    let gone = false;
    let o: SecurityOverlay | null = null;
    const load = () =>
      import('./security-overlay.ts')
        .then(({ SecurityOverlay }) => {
          if (gone) return;
          o = new SecurityOverlay(map, {
            onSelect: (s) => {
              setSelection(s && { ...s, seq: ++seq });
              // After the click has reached every map listener (the shell's feature picking among them).
              if (s) setTimeout(() => latestOnSelect.current?.(), 0);
            },
          });
          overlay.current = o;
          setReady(o);
        })
        .catch((e: Error) => console.warn('camera and gate layers could not load:', e.message));
    const onIdle = () => void load();
    if (map.getZoom() >= SECURITY_MIN_ZOOM || map.loaded()) void load();
    else map.once('idle', onIdle);
    return () => {
      gone = true;
      map.off('idle', onIdle);
      overlay.current = null;
      o?.destroy();
      setSelection(null);
      setReady(null);
    };
  }, [map]);
  useEffect(() => ready?.setVisible(visible), [visible, ready]);
  // Only a user who may write cameras and gates can move them on the map (the server checks again,
  // per street): a reader's drag sent a PUT that came back 401, worded as an expired sign-in.
  const user = useSessionUser();
  const editable = user?.role === 'city_admin' || user?.role === 'street_editor';
  useEffect(() => ready?.setEditable(editable), [editable, ready]);
  // Live map (issue 12): another office's camera or gate edit redraws the overlay.
  useEffect(() => {
    if (!ready) return;
    const onChange = (ev: Event) => {
      const e = (ev as CustomEvent<ChangeEvent>).detail;
      if (e.changes.cameras || e.changes.gates || e.truncated) ready.applyRemote();
    };
    window.addEventListener(LIVE_CHANGE, onChange);
    return () => window.removeEventListener(LIVE_CHANGE, onChange);
  }, [ready]);
  useEffect(() => ready?.setLanguage(lang), [lang, ready]);
  useEffect(() => ready?.setBands(bands), [bands, ready]);

  const onPreview = useCallback((id: number, v: CameraPreview) => overlay.current?.preview(id, v), []);
  const onSaved = useCallback((layer: PointLayer, f: PointFeature) => {
    overlay.current?.applySaved(layer, f);
  }, []);
  const onDeleted = useCallback((layer: PointLayer, id: number) => {
    overlay.current?.applyDeleted(layer, id);
    setSelection(null);
  }, []);
  const onClose = useCallback(() => {
    overlay.current?.select(null);
    overlay.current?.revert();
    setSelection(null);
  }, []);

  if (!selection || !visible) return null;
  return (
    <SecurityPanel
      key={`${selection.layer}/${String(selection.feature.properties.id)}/${selection.seq}`}
      selection={selection}
      onPreview={onPreview}
      onSaved={onSaved}
      onDeleted={onDeleted}
      onClose={onClose}
    />
  );
}
