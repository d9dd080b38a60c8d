import { readFileSync } from 'node:fs';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import {
  BuildingIndex,
  GATE_TOLERANCE_M,
  M_PER_DEG,
  cameraViewshed,
  cameraViewshedBands,
  pointSeen,
  suggestCameras,
  type CameraSuggestion,
  type ViewshedCamera,
} from '../../../core/viewshed/index.ts';
import type { Queryable } from '../db/index.ts';

const sql = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const REGION_SQL = sql('region.sql');
const REGION_CAMERAS_SQL = sql('region-cameras.sql');
const REGION_GATES_SQL = sql('region-gates.sql');
const BUILDINGS_BOX_SQL = sql('buildings-box.sql');
const SEEN_AREA_SQL = sql('seen-area.sql');

export type RegionKind = 'service_area' | 'compound';

interface CameraRow {
  id: number;
  lon: number;
  lat: number;
  direction_deg: number | null;
  fov_deg: number;
  range_m: number;
}

const asCamera = (c: CameraRow): ViewshedCamera => ({
  lon: c.lon,
  lat: c.lat,
  directionDeg: c.direction_deg,
  fovDeg: c.fov_deg,
  rangeM: c.range_m,
});

/** The footprints within `rangeM` (by box) of any of the points, indexed for viewsheds. */
export async function buildingsAround(
  q: Queryable,
  points: readonly { lon: number; lat: number }[],
  rangeM: number,
): Promise<BuildingIndex> {
  if (!points.length) return new BuildingIndex([]);
  const lat = Math.max(...points.map((p) => Math.abs(p.lat)));
  const dLat = (rangeM * 1.02) / M_PER_DEG,
    dLon = (rangeM * 1.02) / (M_PER_DEG * Math.cos((Math.min(lat, 89) * Math.PI) / 180));
  const r = await q.query<{ geometry: string }>(BUILDINGS_BOX_SQL, [
    Math.min(...points.map((p) => p.lon)) - dLon,
    Math.min(...points.map((p) => p.lat)) - dLat,
    Math.max(...points.map((p) => p.lon)) + dLon,
    Math.max(...points.map((p) => p.lat)) + dLat,
  ]);
  return new BuildingIndex(r.rows.map((x) => JSON.parse(x.geometry) as Polygon | MultiPolygon));
}

/** One camera's viewshed as a Feature (geometry null when it sees nothing), or null if no camera. */
export async function viewshedFeature(
  q: Queryable,
  id: number,
  bands: boolean,
): Promise<{ feature: Feature<Polygon | null>; version: number } | null> {
  const r = await q.query<CameraRow & { version: number; indoor: boolean; status: string }>(
    `SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat, direction_deg, fov_deg, range_m, version, indoor, status
     FROM cameras WHERE id = $1`,
    [id],
  );
  const c = r.rows[0];
  if (!c) return null;
  const cam = asCamera(c);
  const index = await buildingsAround(q, [cam], cam.rangeM);
  const v = cameraViewshed(cam, index);
  const properties: Record<string, unknown> = {
    camera_id: Number(c.id),
    version: c.version,
    status: c.status,
    direction_deg: c.direction_deg,
    fov_deg: c.fov_deg,
    range_m: c.range_m,
    area_m2: Math.round(v.area_m2 * 10) / 10,
    ...(v.geometry ? {} : { reason: c.direction_deg === null ? 'direction_unknown' : 'nothing_visible' }),
  };
  if (bands) {
    const b = cameraViewshedBands(cam, index);
    properties.bands = Object.fromEntries(Object.entries(b).map(([k, x]) => [k, x.geometry]));
  }
  return {
    version: c.version,
    feature: { type: 'Feature', id: Number(c.id), geometry: v.geometry, properties },
  };
}

interface Region {
  geometry: Polygon | MultiPolygon;
  area_m2: number;
  open_m2: number;
  margin_deg: number;
}

async function region(q: Queryable, kind: RegionKind, id: number): Promise<Region | null> {
  const r = await q.query<{ geometry: string; area_m2: number; open_m2: number; margin_deg: number }>(
    REGION_SQL,
    [kind, id],
  );
  const row = r.rows[0];
  if (!row) return null;
  return { ...row, geometry: JSON.parse(row.geometry) as Polygon | MultiPolygon };
}

interface GateRow {
  id: number;
  kind: 'vehicle' | 'pedestrian' | 'unit_door';
  access_control: boolean;
  lon: number;
  lat: number;
}

/** The answer of GET /api/security-coverage. */
export interface SecurityCoverage {
  service_area?: number;
  compound?: number;
  area_m2: number;
  /** The area's ground outside building footprints: what cameras could see at most. */
  open_m2: number;
  seen_m2: number;
  /** seen_m2 / area_m2 × 100. */
  seen_pct: number;
  cameras: number;
  gates: { total: number; watched: number };
  unit_doors: { total: number; with_access_control: number };
  unwatched_gates: number[];
}

interface Scene {
  region: Region;
  cameras: CameraRow[];
  index: BuildingIndex;
  viewsheds: (Polygon | null)[];
  gates: GateRow[];
}

async function scene(q: Queryable, kind: RegionKind, id: number): Promise<Scene | null> {
  const reg = await region(q, kind, id);
  if (!reg) return null;
  const geo = JSON.stringify(reg.geometry);
  const cams = (await q.query<CameraRow>(REGION_CAMERAS_SQL, [geo, reg.margin_deg])).rows;
  const gates = (
    await q.query<GateRow>(REGION_GATES_SQL, [
      geo,
      reg.margin_deg,
      GATE_TOLERANCE_M,
      kind === 'compound' ? id : null,
    ])
  ).rows.map((g) => ({ ...g, id: Number(g.id) }));
  // Buildings around the cameras and around the area (suggested cameras stand at its gates).
  const ring =
    reg.geometry.type === 'Polygon' ? reg.geometry.coordinates[0]! : reg.geometry.coordinates[0]![0]!;
  const pts = [
    ...cams.map((c) => ({ lon: c.lon, lat: c.lat })),
    ...ring.map((p) => ({ lon: p[0]!, lat: p[1]! })),
  ];
  const maxRange = Math.max(30, ...cams.map((c) => c.range_m));
  const index = await buildingsAround(q, pts, maxRange);
  const viewsheds = cams.map((c) => cameraViewshed(asCamera(c), index).geometry);
  return { region: reg, cameras: cams, index, viewsheds, gates };
}

/**
 * Security coverage of a service area or compound: how much of it active cameras see (viewsheds
 * clipped by buildings, unioned in PostGIS), gates watched, unit doors with access control (门禁).
 */
export async function securityCoverage(
  q: Queryable,
  kind: RegionKind,
  id: number,
): Promise<SecurityCoverage | null> {
  const s = await scene(q, kind, id);
  if (!s) return null;
  const polys = s.viewsheds.filter((v): v is Polygon => v !== null);
  const seen = (
    await q.query<{ seen_m2: number }>(SEEN_AREA_SQL, [
      JSON.stringify(s.region.geometry),
      JSON.stringify(polys),
    ])
  ).rows[0]!.seen_m2;
  const gates = s.gates.filter((g) => g.kind !== 'unit_door');
  const doors = s.gates.filter((g) => g.kind === 'unit_door');
  const unwatched = gates.filter((g) => !polys.some((v) => pointSeen(g.lon, g.lat, v))).map((g) => g.id);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    [kind]: id,
    area_m2: r1(s.region.area_m2),
    open_m2: r1(s.region.open_m2),
    seen_m2: r1(seen),
    seen_pct: s.region.area_m2 > 0 ? Math.round((1000 * seen) / s.region.area_m2) / 10 : 0,
    cameras: s.cameras.length,
    gates: { total: gates.length, watched: gates.length - unwatched.length },
    unit_doors: { total: doors.length, with_access_control: doors.filter((d) => d.access_control).length },
    unwatched_gates: unwatched,
  };
}

/** Up to k new camera positions for a service area or compound (see core's suggestCameras). */
export async function cameraSuggestions(
  q: Queryable,
  kind: RegionKind,
  id: number,
  k: number,
): Promise<CameraSuggestion[] | null> {
  const s = await scene(q, kind, id);
  if (!s) return null;
  return suggestCameras({
    region: s.region.geometry,
    buildings: s.index,
    existing: s.viewsheds,
    gates: s.gates.filter((g) => g.kind !== 'unit_door'),
    k,
  });
}
