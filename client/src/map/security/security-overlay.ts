import { MapLibreOverlay } from '@deck.gl/maplibre';
import { GeoJsonLayer, IconLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon } from 'geojson';
import { BuildingIndex } from '../../../../core/viewshed/index.ts';
import { cameraIcon, SYSTEM_COLORS } from './icons.ts';
import { buildSecurityScene, type CameraView, type GateView, type SecurityScene } from './security-scene.ts';

/** Below this zoom cameras are too dense for viewsheds; the tile layers show them as points. */
export const SECURITY_MIN_ZOOM = 15;
/** The longest range drawn (buildings are fetched this far beyond the view). */
const FETCH_MARGIN_M = 100;

type Props = Record<string, unknown>;

async function getCollection<G extends Point | Polygon | MultiPolygon>(
  url: string,
  signal: AbortSignal,
): Promise<FeatureCollection<G, Props>> {
  const r = await fetch(url, { signal, headers: { Accept: 'application/geo+json' } });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as FeatureCollection<G, Props>;
}

/**
 * The 技防 layers through deck.gl (MapLibreOverlay, interleaved so labels stay on top): camera icons
 * by programme and status, each camera's viewshed clipped by buildings (computed in the browser
 * with core/viewshed), gates green when watched and red when not.
 *
 * @example const overlay = new SecurityOverlay(map); overlay.setVisible(false); overlay.destroy();
 */
export class SecurityOverlay {
  private readonly overlay = new MapLibreOverlay({ interleaved: true, layers: [] });
  private scene: SecurityScene = { cameras: [], gates: [] };
  private abort: AbortController | null = null;
  private visible = true;
  private readonly onMove = () => void this.refresh();

  constructor(private readonly map: MapLibreMap) {
    map.addControl(this.overlay);
    map.on('moveend', this.onMove);
    if (map.loaded()) void this.refresh();
    else map.once('load', this.onMove);
  }

  setVisible(visible: boolean) {
    this.visible = visible;
    this.render();
    if (visible) void this.refresh();
  }

  /** Current scene (for tests and panels). */
  get current(): SecurityScene {
    return this.scene;
  }

  private async refresh() {
    this.abort?.abort();
    if (!this.visible || this.map.getZoom() < SECURITY_MIN_ZOOM) {
      this.scene = { cameras: [], gates: [] };
      this.render();
      return;
    }
    const ctrl = new AbortController();
    this.abort = ctrl;
    const b = this.map.getBounds();
    const lat = b.getCenter().lat;
    const dLat = FETCH_MARGIN_M / 111_000;
    const dLon = dLat / Math.cos((lat * Math.PI) / 180);
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(',');
    const wide = [b.getWest() - dLon, b.getSouth() - dLat, b.getEast() + dLon, b.getNorth() + dLat].join(',');
    try {
      const [cameras, gates, buildings] = await Promise.all([
        getCollection<Point>(`/api/cameras?bbox=${wide}`, ctrl.signal),
        getCollection<Point>(`/api/gates?bbox=${view}`, ctrl.signal),
        getCollection<Polygon | MultiPolygon>(`/api/buildings?bbox=${wide}`, ctrl.signal),
      ]);
      const index = new BuildingIndex(
        buildings.features.map((f: Feature<Polygon | MultiPolygon>) => f.geometry),
      );
      this.scene = buildSecurityScene(cameras, gates, index);
      this.render();
    } catch (e) {
      if ((e as Error).name !== 'AbortError') console.warn('security layers:', (e as Error).message);
    }
  }

  private render() {
    const { cameras, gates } = this.visible ? this.scene : { cameras: [], gates: [] };
    const sheds = cameras.filter((c) => c.viewshed !== null);
    this.overlay.setProps({
      layers: [
        new GeoJsonLayer<Props>({
          id: 'security-viewsheds',
          data: {
            type: 'FeatureCollection',
            features: sheds.map((c) => ({
              type: 'Feature',
              geometry: c.viewshed!,
              properties: { id: c.id, system: c.system, status: c.status },
            })),
          } as FeatureCollection<Polygon, Props>,
          filled: true,
          stroked: true,
          getFillColor: (f: Feature<Geometry, Props>) =>
            [
              ...SYSTEM_COLORS[f.properties.system as CameraView['system']],
              f.properties.status === 'active' ? 60 : 20,
            ] as [number, number, number, number],
          getLineColor: (f: Feature<Geometry, Props>) =>
            [...SYSTEM_COLORS[f.properties.system as CameraView['system']], 160] as [
              number,
              number,
              number,
              number,
            ],
          lineWidthUnits: 'pixels',
          getLineWidth: 1,
          pickable: false,
        }),
        new ScatterplotLayer<GateView>({
          id: 'security-gates',
          data: gates,
          getPosition: (g) => g.position,
          getRadius: (g) => (g.kind === 'unit_door' ? 4 : 6),
          radiusUnits: 'pixels',
          getFillColor: (g) => (g.watched ? [34, 160, 80, 230] : [220, 40, 40, 230]),
          getLineColor: [255, 255, 255, 255],
          stroked: true,
          lineWidthUnits: 'pixels',
          getLineWidth: 1.5,
          pickable: true,
          updateTriggers: { getFillColor: gates.map((g) => g.watched).join() },
        }),
        new IconLayer<CameraView>({
          id: 'security-cameras',
          data: cameras,
          getPosition: (c) => c.position,
          getIcon: (c) => cameraIcon(c.system, c.status),
          getSize: 26,
          sizeUnits: 'pixels',
          pickable: true,
        }),
      ],
    });
  }

  destroy() {
    this.abort?.abort();
    this.map.off('moveend', this.onMove);
    this.map.removeControl(this.overlay);
    this.overlay.finalize();
  }
}
