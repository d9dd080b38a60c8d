import type { MultiPolygon, Polygon } from 'geojson';
import { useEffect, useMemo, useState } from 'react';
import { fetchFeatures } from '../../api.ts';
import { checkContextOf, type BuildingFootprint, type NeighbourArea } from '../../editor/live-checks.ts';
import type { EditorMap } from '../../map/draw/area-draw.ts';
import { watchView, type ViewBbox } from '../../map/draw/overlays.ts';
import { SnapIndex } from '../../map/draw/snap-index.ts';

/** Below this zoom the view holds too many buildings to check against; the editor asks to zoom in. */
export const MIN_EDIT_ZOOM = 14;

export interface ViewData {
  neighbours: NeighbourArea[];
  buildings: BuildingFootprint[];
  streets: { code: string; geometry: Polygon | MultiPolygon }[];
  bbox: ViewBbox | null;
}

const EMPTY: ViewData = { neighbours: [], buildings: [], streets: [], bbox: null };

function pad([w, s, e, n]: ViewBbox): ViewBbox {
  const dx = (e - w) * 0.25;
  const dy = (n - s) * 0.25;
  return [w - dx, s - dy, e + dx, n + dy];
}

/**
 * Buildings, service areas and streets in (and a little around) the view, from the bbox API, for
 * the live checks and snapping. Reloaded after every move at edit zoom, and when `reload` changes.
 */
export function useViewData(
  map: EditorMap | null,
  active: boolean,
  reload: number,
  ownStreet: string | null,
) {
  const [view, setView] = useState<{ bbox: ViewBbox; zoom: number } | null>(null);
  const [data, setData] = useState<ViewData>(EMPTY);
  const [street, setStreet] = useState<ViewData['streets'][number] | null>(null);

  // A street editor's own 街道, wherever the view is: the out_of_jurisdiction check needs all of it.
  useEffect(() => {
    if (!active || !ownStreet) return;
    const ac = new AbortController();
    fetchFeatures('jurisdictions', [-180, -90, 180, 90], ac.signal)
      .then((fc) => {
        const f = fc.features.find((x) => String(x.properties?.code ?? x.id) === ownStreet);
        setStreet(f ? { code: ownStreet, geometry: f.geometry as Polygon | MultiPolygon } : null);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('editor street:', e.message);
      });
    return () => ac.abort();
  }, [active, ownStreet]);

  useEffect(() => {
    if (!map || !active) return;
    return watchView(map, (bbox, zoom) => setView({ bbox, zoom }));
  }, [map, active]);

  useEffect(() => {
    if (!view || !active || view.zoom < MIN_EDIT_ZOOM) return;
    const ac = new AbortController();
    const box = pad(view.bbox);
    Promise.all([
      fetchFeatures('buildings', box, ac.signal),
      fetchFeatures('service-areas', box, ac.signal),
      fetchFeatures('jurisdictions', box, ac.signal),
    ])
      .then(([b, a, j]) =>
        setData({
          bbox: box,
          buildings: b.features.map((f) => ({
            id: Number(f.properties?.id ?? f.id),
            category: (f.properties?.category as string | null) ?? null,
            households: (f.properties?.households as number | null) ?? null,
            geometry: f.geometry as Polygon | MultiPolygon,
          })),
          neighbours: a.features
            .filter((f) => f.geometry?.type === 'Polygon')
            .map((f) => ({
              id: Number(f.id ?? f.properties?.id),
              name: String(f.properties?.name ?? ''),
              geometry: f.geometry as Polygon,
            })),
          streets: j.features
            .filter((f) => f.properties?.level === 'street')
            .map((f) => ({
              code: String(f.properties?.code ?? f.id),
              geometry: f.geometry as Polygon | MultiPolygon,
            })),
        }),
      )
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('editor view data:', e.message);
      });
    return () => ac.abort();
  }, [view, active, reload]);

  const withStreet = useMemo(
    () =>
      street && !data.streets.some((s) => s.code === street.code)
        ? { ...data, streets: [...data.streets, street] }
        : data,
    [data, street],
  );
  return { data: withStreet, zoom: view?.zoom ?? 0 };
}

/** The check context and snap index for the area `editingId` (which is not its own neighbour). */
export function useCheckContext(
  data: ViewData,
  editingId: number | null,
  streetCode: string | null,
  /** Areas being merged into the draft: they are about to go, so they are no neighbours. */
  mergedAway: readonly number[],
) {
  const hiddenKey = mergedAway.join(',');
  return useMemo(() => {
    const hidden = new Set(hiddenKey ? hiddenKey.split(',').map(Number) : []);
    const neighbours = data.neighbours.filter((n) => !hidden.has(n.id));
    const street = streetCode ? data.streets.find((s) => s.code === streetCode) : undefined;
    const ctx = checkContextOf({
      neighbours,
      buildings: data.buildings,
      jurisdiction: street ? { code: street.code, geometry: street.geometry } : null,
    });
    const snap = new SnapIndex([
      ...data.buildings.map((b) => b.geometry),
      ...neighbours.filter((n) => n.id !== editingId).map((n) => n.geometry),
    ]);
    return { ctx, snap };
  }, [data, editingId, streetCode, hiddenKey]);
}
