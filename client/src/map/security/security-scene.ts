import type { FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import { MAX_RANGE_M } from '../../../../core/cameras/index.ts';
import {
  BuildingIndex,
  cameraViewshed,
  DISTANCE_BANDS,
  type DistanceBand,
  localPlane,
  pointSeen,
  toLocal,
} from '../../../../core/viewshed/index.ts';
import type { CameraStatus, CameraSystem, GateKind } from '../../../../core/vocabulary.ts';

/** A camera as the map draws it, with its viewshed clipped by the buildings in view. */
export interface CameraView {
  id: number;
  position: [number, number];
  system: CameraSystem;
  status: CameraStatus;
  directionDeg: number | null;
  fovDeg: number;
  rangeM: number;
  viewshed: Polygon | null;
}

/** A gate, green when some active camera's viewshed holds it. */
export interface GateView {
  id: number;
  position: [number, number];
  kind: GateKind;
  /** 门禁: the gate has access control. */
  accessControl: boolean;
  watched: boolean;
}

export interface SecurityScene {
  cameras: CameraView[];
  gates: GateView[];
}

type Props = Record<string, unknown>;

/**
 * Viewsheds and gate colours for what is in view, with the same core code the server answers
 * /api/security-coverage with: a moved camera recolours gates without a round trip. Offline and
 * planned cameras are drawn but watch nothing.
 */
export function buildSecurityScene(
  cameras: FeatureCollection<Point, Props>,
  gates: FeatureCollection<Point, Props>,
  buildings: FeatureCollection<Polygon | MultiPolygon, Props> | BuildingIndex,
): SecurityScene {
  const index =
    buildings instanceof BuildingIndex
      ? buildings
      : new BuildingIndex(buildings.features.map((f) => f.geometry));
  const cams: CameraView[] = cameras.features.map((f) => {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const view = {
      lon,
      lat,
      directionDeg: typeof p.direction_deg === 'number' ? p.direction_deg : null,
      fovDeg: Number(p.fov_deg ?? 85),
      rangeM: Number(p.range_m ?? 30),
    };
    return {
      id: Number(p.id ?? f.id),
      position: [lon, lat],
      system: (p.system ?? 'other') as CameraSystem,
      status: (p.status ?? 'active') as CameraStatus,
      directionDeg: view.directionDeg,
      fovDeg: view.fovDeg,
      rangeM: view.rangeM,
      viewshed: cameraViewshed(view, index).geometry,
    };
  });
  const watching = cams.filter((c) => c.status === 'active').map((c) => c.viewshed);
  const gateViews: GateView[] = gates.features.map((f) => {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    return {
      id: Number(f.properties.id ?? f.id),
      position: [lon, lat],
      kind: (f.properties.kind ?? 'pedestrian') as GateKind,
      accessControl: f.properties.access_control === true,
      watched: watching.some((v) => pointSeen(lon, lat, v)),
    };
  });
  return { cameras: cams, gates: gateViews };
}

/** The camera moved or turned, its viewshed recomputed and the gates recoloured (while dragging). */
export function moveCamera(
  scene: SecurityScene,
  index: BuildingIndex,
  id: number,
  change: Partial<Pick<CameraView, 'position' | 'directionDeg' | 'fovDeg' | 'rangeM' | 'status' | 'system'>>,
): SecurityScene {
  const cameras = scene.cameras.map((c) => {
    if (c.id !== id) return c;
    const n = { ...c, ...change };
    const [lon, lat] = n.position;
    return {
      ...n,
      viewshed: cameraViewshed(
        { lon, lat, directionDeg: n.directionDeg, fovDeg: n.fovDeg, rangeM: n.rangeM },
        index,
      ).geometry,
    };
  });
  const watching = cameras.filter((c) => c.status === 'active').map((c) => c.viewshed);
  return {
    cameras,
    gates: scene.gates.map((g) => ({
      ...g,
      watched: watching.some((v) => pointSeen(g.position[0], g.position[1], v)),
    })),
  };
}

/**
 * Dragging a camera's sector: it turns to face the pointer and its range reaches it (1 m … 1 km);
 * a 360° camera only changes range.
 */
export function aimAt(
  camera: CameraView,
  lon: number,
  lat: number,
): Pick<CameraView, 'directionDeg' | 'rangeM'> {
  const [x, y] = toLocal(localPlane(camera.position[0], camera.position[1]), lon, lat);
  const rangeM = Math.min(MAX_RANGE_M, Math.max(1, Math.round(Math.hypot(x, y) * 10) / 10));
  if (camera.fovDeg >= 360) return { directionDeg: camera.directionDeg, rangeM };
  const directionDeg = (Math.round((((Math.atan2(x, y) * 180) / Math.PI + 360) % 360) * 10) / 10) % 360;
  return { directionDeg, rangeM };
}

/** One DORI distance band of one camera, as the map draws it. */
export interface BandView {
  cameraId: number;
  band: DistanceBand;
  geometry: Polygon;
}

/**
 * The identify / recognise / observe bands of a camera: its viewshed with the range cut to each
 * band's fraction (core's DISTANCE_BANDS, the same cut GET /api/cameras/:id/viewshed?bands=1 makes).
 * The observe band is the whole viewshed, so it is reused rather than computed again.
 */
export function cameraBands(camera: CameraView, index: BuildingIndex): BandView[] {
  const out: BandView[] = [];
  const [lon, lat] = camera.position;
  for (const [band, f] of Object.entries(DISTANCE_BANDS) as [DistanceBand, number][]) {
    const geometry =
      f >= 1
        ? camera.viewshed
        : cameraViewshed(
            { lon, lat, directionDeg: camera.directionDeg, fovDeg: camera.fovDeg, rangeM: camera.rangeM * f },
            index,
          ).geometry;
    if (geometry) out.push({ cameraId: camera.id, band, geometry });
  }
  return out;
}

/** A gate moved or re-kinded, its colour recomputed from the active cameras' viewsheds. */
export function updateGate(
  scene: SecurityScene,
  id: number,
  change: Partial<Pick<GateView, 'position' | 'kind' | 'accessControl'>>,
): SecurityScene {
  const watching = scene.cameras.filter((c) => c.status === 'active').map((c) => c.viewshed);
  return {
    ...scene,
    gates: scene.gates.map((g) => {
      if (g.id !== id) return g;
      const n = { ...g, ...change };
      return { ...n, watched: watching.some((v) => pointSeen(n.position[0], n.position[1], v)) };
    }),
  };
}

/** The scene without one camera or gate (after a delete). */
export function withoutPoint(scene: SecurityScene, layer: 'cameras' | 'gates', id: number): SecurityScene {
  if (layer === 'gates') return { ...scene, gates: scene.gates.filter((g) => g.id !== id) };
  const cameras = scene.cameras.filter((c) => c.id !== id);
  const watching = cameras.filter((c) => c.status === 'active').map((c) => c.viewshed);
  return {
    cameras,
    gates: scene.gates.map((g) => ({
      ...g,
      watched: watching.some((v) => pointSeen(g.position[0], g.position[1], v)),
    })),
  };
}
