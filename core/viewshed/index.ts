/**
 * Camera viewsheds (摄像机真实可视范围): sectors clipped by building footprints, the ray-casting
 * baseline, DORI bands and the watched-gate test. Plain TypeScript for the client and the server.
 */
export {
  BuildingIndex,
  localPlane,
  toLocal,
  toLonLat,
  M_PER_DEG,
  type Footprint,
  type LocalPlane,
} from './buildings.ts';
export { GATE_TOLERANCE_M, pointSeen, unwatchedGates } from './gates.ts';
export { rayCastPolygon } from './raycast.ts';
export {
  DISTANCE_BANDS,
  cameraViewshed,
  cameraViewshedBands,
  cameraViewshedByRays,
  type DistanceBand,
  type Viewshed,
  type ViewshedCamera,
} from './viewshed.ts';
export {
  ON_WALL_M,
  ringArea,
  sectorAngles,
  visibilityPolygon,
  type Sector,
  type VisibilityOptions,
} from './visibility.ts';
export { SUGGESTED, suggestCameras, type CameraSuggestion, type SuggestInput } from './suggest.ts';
