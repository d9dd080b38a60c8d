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

/** What the bbox API answers for buildings, service areas and streets in `box`. */
async function loadBox(box: ViewBbox, signal: AbortSignal): Promise<ViewData> {
  const [b, a, j] = await Promise.all([
    fetchFeatures('buildings', box, signal),
    fetchFeatures('service-areas', box, signal),
    fetchFeatures('jurisdictions', box, signal),
  ]);
  return {
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
  };
}

/** Both sets, each building, area and street once (the view's copy wins: it is the newer). */
function union(view: ViewData, around: ViewData): ViewData {
  if (!around.bbox) return view;
  if (!view.bbox) return around;
  const by = <T>(xs: T[], ys: T[], key: (x: T) => string | number) => {
    const seen = new Set(xs.map(key));
    return [...xs, ...ys.filter((y) => !seen.has(key(y)))];
  };
  return {
    bbox: view.bbox,
    buildings: by(view.buildings, around.buildings, (b) => b.id),
    neighbours: by(view.neighbours, around.neighbours, (n) => n.id),
    streets: by(view.streets, around.streets, (s) => s.code),
  };
}

function bboxOf(poly: Polygon): ViewBbox {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of poly.coordinates[0] ?? []) {
    w = Math.min(w, x);
    s = Math.min(s, y);
    e = Math.max(e, x);
    n = Math.max(n, y);
  }
  return [w, s, e, n];
}

const contains = (o: ViewBbox, i: ViewBbox) => o[0] <= i[0] && o[1] <= i[1] && o[2] >= i[2] && o[3] >= i[3];

/** About 100 m in degrees: room for a drag beyond the outline before the next load. */
const MARGIN_DEG = 0.001;

/**
 * Buildings, service areas and streets in (and a little around) the view, and around the area being
 * edited wherever the view is (issue 9 #6: an area off-screen was checked against an empty view and
 * said to cover no building), from the bbox API, for the live checks and snapping. Reloaded after
 * every move at edit zoom, when the area outgrows what was loaded around it, and when `reload` changes.
 */
export function useViewData(
  map: EditorMap | null,
  active: boolean,
  reload: number,
  ownStreet: string | null,
  area: Polygon | null = null,
) {
  const [view, setView] = useState<{ bbox: ViewBbox; zoom: number } | null>(null);
  const [data, setData] = useState<ViewData>(EMPTY);
  const [around, setAround] = useState<ViewData>(EMPTY);
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
    loadBox(pad(view.bbox), ac.signal)
      .then(setData)
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('editor view data:', e.message);
      });
    return () => ac.abort();
  }, [view, active, reload]);

  // The box to load around the area: kept while the outline stays inside it, so a drag loads nothing.
  const [areaBox, setAreaBox] = useState<ViewBbox | null>(null);
  const wanted = area ? bboxOf(area) : null;
  const needBox = wanted && !(areaBox && contains(areaBox, wanted));
  useEffect(() => {
    if (!needBox || !wanted) return;
    const [w, s, e, n] = wanted;
    setAreaBox([w - MARGIN_DEG, s - MARGIN_DEG, e + MARGIN_DEG, n + MARGIN_DEG]);
  }, [needBox, wanted]);
  useEffect(() => {
    if (!areaBox || !active) return;
    const ac = new AbortController();
    loadBox(areaBox, ac.signal)
      .then(setAround)
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('editor area data:', e.message);
      });
    return () => ac.abort();
  }, [areaBox, active, reload]);

  const withStreet = useMemo(() => {
    const all = union(data, around);
    return street && !all.streets.some((s) => s.code === street.code)
      ? { ...all, streets: [...all.streets, street] }
      : all;
  }, [data, around, street]);
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
