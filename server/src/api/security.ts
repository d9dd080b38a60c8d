import { heavy, heavyQuery } from '../limits.ts';
import { Router, type Request } from 'express';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseId, route } from '../http.ts';
import {
  cameraSuggestions,
  securityCoverage,
  viewshedFeature,
  type RegionKind,
} from '../cameras/security.ts';

/** Most suggestions one request may ask for. */
export const MAX_SUGGESTIONS = 20;

/** `?service_area=<id>` or `?compound=<id>`, exactly one. */
function regionOf(req: Request): { kind: RegionKind; id: number } {
  const sa = req.query.service_area;
  const co = req.query.compound;
  if ((sa === undefined) === (co === undefined))
    throw new HttpError(400, 'bad_request', 'Give exactly one of ?service_area=<id> or ?compound=<id>');
  const raw = sa ?? co;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw new HttpError(
      400,
      'bad_request',
      `${sa !== undefined ? 'service_area' : 'compound'} must be an id`,
    );
  return { kind: sa !== undefined ? 'service_area' : 'compound', id: parseId(raw) };
}

const what = (kind: RegionKind, id: number) =>
  `No ${kind === 'service_area' ? 'service area' : 'compound with an outline'} ${id}`;

/**
 * 技防 coverage: a camera's true viewshed, the security coverage of a service area or compound,
 * and where to add cameras. Mounted at /api.
 */
export function securityRouter(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  router.get(
    '/cameras/:id/viewshed',
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const bands = req.query.bands === '1' || req.query.bands === 'true';
      const out = await viewshedFeature(db, id, bands);
      if (!out) throw new HttpError(404, 'not_found', `No camera ${id}`);
      res.setHeader('Cache-Control', 'no-cache');
      res.type('application/geo+json').send(JSON.stringify(out.feature));
    }),
  );

  router.get(
    '/security-coverage',
    route(async (req, res) => {
      const { kind, id } = regionOf(req);
      const out = await securityCoverage(db, kind, id);
      if (!out) throw new HttpError(404, 'not_found', what(kind, id));
      res.json(out);
    }),
  );

  router.get(
    '/security-coverage/suggestions',
    ...heavy(ctx),
    route(async (req, res) => {
      const { kind, id } = regionOf(req);
      const rawK = req.query.k ?? '3';
      const k = typeof rawK === 'string' && /^\d{1,3}$/.test(rawK) ? Number(rawK) : NaN;
      if (!(k >= 1 && k <= MAX_SUGGESTIONS))
        throw new HttpError(400, 'bad_request', `k must be an integer from 1 to ${MAX_SUGGESTIONS}`, {
          k: rawK,
        });
      const out = await heavyQuery(ctx, (q) => cameraSuggestions(q, kind, id, k));
      if (!out) throw new HttpError(404, 'not_found', what(kind, id));
      res.json({
        [kind]: id,
        k,
        suggestions: out.map((s) => ({
          lon: s.lon,
          lat: s.lat,
          type: s.type,
          direction_deg: s.directionDeg === null ? null : Math.round(s.directionDeg * 10) / 10,
          fov_deg: s.fovDeg,
          range_m: s.rangeM,
          placement: s.placement,
          near_gate: s.near_gate,
          watches_gates: s.watches_gates,
          new_seen_m2: s.new_seen_m2,
          viewshed: s.viewshed,
        })),
      });
    }),
  );
  return router;
}
