import { readFileSync } from 'node:fs';
import { cameraViewshed, pointSeen } from '../../../core/viewshed/index.ts';
import { buildingsAround } from '../cameras/security.ts';
import type { Queryable } from '../db/index.ts';

const WATCHED_GATES_SQL = readFileSync(new URL('./watched-gates.sql', import.meta.url), 'utf8');

interface PairRow {
  gate_id: string | number;
  gate_lon: number;
  gate_lat: number;
  camera_id: string | number;
  lon: number;
  lat: number;
  direction_deg: number | null;
  fov_deg: number;
  range_m: number;
}

/**
 * The gates among `gateIds` that at least one active camera really sees: the gate lies in the
 * camera's viewshed (its sector clipped by the building footprints, core/viewshed), the same test
 * as GET /api/security-coverage. Only the cameras whose range reaches a gate are computed.
 */
export async function watchedGates(q: Queryable, gateIds: readonly number[]): Promise<Set<number>> {
  const watched = new Set<number>();
  if (!gateIds.length) return watched;
  const pairs = (await q.query<PairRow>(WATCHED_GATES_SQL, [gateIds])).rows;
  if (!pairs.length) return watched;
  const cameras = new Map<number, { camera: PairRow; gates: PairRow[] }>();
  for (const p of pairs) {
    const id = Number(p.camera_id);
    const c = cameras.get(id) ?? { camera: p, gates: [] };
    c.gates.push(p);
    cameras.set(id, c);
  }
  const all = [...cameras.values()];
  const index = await buildingsAround(
    q,
    all.map((c) => c.camera),
    Math.max(...all.map((c) => c.camera.range_m)),
  );
  for (const { camera, gates } of all) {
    if (gates.every((g) => watched.has(Number(g.gate_id)))) continue;
    const v = cameraViewshed(
      {
        lon: camera.lon,
        lat: camera.lat,
        directionDeg: camera.direction_deg,
        fovDeg: camera.fov_deg,
        rangeM: camera.range_m,
      },
      index,
    ).geometry;
    for (const g of gates) if (pointSeen(g.gate_lon, g.gate_lat, v)) watched.add(Number(g.gate_id));
  }
  return watched;
}
