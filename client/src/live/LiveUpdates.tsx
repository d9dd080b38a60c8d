import { useEffect, useState } from 'react';
import { CHANGE_LAYERS, fromOutside, type ChangeEvent } from '../../../core/change-event.ts';
import { onSessionChange, sessionUser } from '../api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import type { MapController } from '../map/controller.ts';
import { forgetOffscreenTiles, liveViewBbox } from '../map/live-tiles.ts';
import { LIVE_CHANGE, LIVE_RESET, setLiveFeedOn } from './events.ts';
import { LiveFeed } from './live-feed.ts';

const TILE_SOURCES = ['service-areas', 'buildings', 'compounds', 'cameras', 'gates', 'jurisdictions'];
/** How long the map rests after a pan before the stream follows the new view. */
const VIEW_DEBOUNCE_MS = 500;

interface Toast {
  id: number;
  event: ChangeEvent;
}

/**
 * Live map (issue 12): while someone is signed in, this tab follows GET /api/events; each change
 * made through any app process redraws the tile layers it bumped, is handed to the panels as a
 * window event (the dashboard and a compound's card read their figures again from it), and — when someone else made it — is told in a toast ("凯旋路街道 · 张三 修改了 物业服务区域").
 * The stream follows the map's view (padded, see liveViewBbox), opened again when a pan comes to rest:
 * a change outside it arrives as its layer versions only, which drop the tiles of those layers cached
 * off screen and still reach the panels as a change of its street (ids withheld).
 */
export function LiveUpdates({ map }: { map: MapController | null }) {
  const { t } = useI18n();
  const [user, setUser] = useState(sessionUser);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => onSessionChange(() => setUser(sessionUser())), []);

  useEffect(() => {
    if (!user || !map) return;
    const redraw = (sources: string[]) => {
      const m = map.maplibre;
      for (const id of sources) if (m.getSource(id)) m.refreshTiles(id);
    };
    const firstView = liveViewBbox(map.maplibre);
    map.maplibre.getContainer().dataset.liveView = firstView?.join(',') ?? '';
    const feed = new LiveFeed(
      {
        change(e) {
          redraw(Object.keys(e.layers).filter((l) => TILE_SOURCES.includes(l)));
          window.dispatchEvent(new CustomEvent<ChangeEvent>(LIVE_CHANGE, { detail: e }));
          const el = map.maplibre.getContainer();
          el.dataset.liveEvent = String(e.id);
          if (e.actor.username !== user.username) {
            setToasts((ts) => [...ts.slice(-2), { id: e.id, event: e }]);
            setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== e.id)), 8000);
          }
        },
        ready() {
          setLiveFeedOn(true);
          map.maplibre.getContainer().dataset.live = 'on';
        },
        down() {
          setLiveFeedOn(false);
          map.maplibre.getContainer().dataset.live = 'off';
        },
        versions(o) {
          const m = map.maplibre;
          for (const l of Object.keys(o.layers)) if (TILE_SOURCES.includes(l)) forgetOffscreenTiles(m, l);
          window.dispatchEvent(new CustomEvent<ChangeEvent>(LIVE_CHANGE, { detail: fromOutside(o) }));
          m.getContainer().dataset.liveEvent = String(o.id);
          m.getContainer().dataset.liveOutside = String(o.id);
        },
        reset() {
          redraw(TILE_SOURCES);
          window.dispatchEvent(new CustomEvent(LIVE_RESET));
        },
      },
      { bbox: firstView },
    );
    let viewTimer: ReturnType<typeof setTimeout> | undefined;
    const onMoveEnd = () => {
      if (viewTimer) clearTimeout(viewTimer);
      viewTimer = setTimeout(() => {
        const bbox = liveViewBbox(map.maplibre);
        feed.setView({ bbox });
        map.maplibre.getContainer().dataset.liveView = bbox?.join(',') ?? '';
      }, VIEW_DEBOUNCE_MS);
    };
    map.maplibre.on('moveend', onMoveEnd);
    return () => {
      map.maplibre.off('moveend', onMoveEnd);
      if (viewTimer) clearTimeout(viewTimer);
      feed.stop();
      setLiveFeedOn(false);
      delete map.maplibre.getContainer().dataset.live;
      delete map.maplibre.getContainer().dataset.liveView;
    };
  }, [user, map]);

  if (toasts.length === 0) return null;
  return (
    <div className="live-toasts" data-testid="live-toasts" role="status" aria-live="polite">
      {toasts.map(({ id, event: e }) => {
        const layer = CHANGE_LAYERS.find((l) => e.changes[l]);
        return (
          <div key={id} className="live-toast" data-testid="live-toast" data-event-id={id}>
            {t('live.changed', {
              street: e.actor.streetName ?? t('live.cityLevel'),
              user: e.actor.username ?? t('live.someone'),
              action: t(`live.kind.${e.kind}` as MessageKey),
              what: t(layer ? (`live.layer.${layer}` as MessageKey) : 'live.layer.data'),
            })}
          </div>
        );
      })}
    </div>
  );
}
