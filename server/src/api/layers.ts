import { Router } from 'express';
import { DATA_LAYERS, isOneOf } from '../../../core/vocabulary.ts';
import type { Db } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { parseBbox, route } from '../http.ts';
import { BBOX_FEATURE_LIMIT, layerFeatureCollection } from '../layer-features.ts';

export function layersRouter(db: Db): Router {
  const router = Router();

  // GET /api/<layer>?bbox=… → FeatureCollection. /api/jurisdictions without bbox lists codes and names.
  router.get(
    '/:layer',
    route(async (req, res) => {
      const layer = req.params.layer;
      if (!isOneOf(DATA_LAYERS, layer)) {
        throw new HttpError(404, 'unknown_layer', `Unknown layer "${layer}"`, { layers: DATA_LAYERS });
      }
      if (layer === 'jurisdictions' && req.query.bbox === undefined) {
        const r = await db.query(
          'SELECT code, name, name_en, level, parent_code FROM jurisdictions ORDER BY code',
        );
        res.json({ jurisdictions: r.rows });
        return;
      }
      const bbox = parseBbox(req.query.bbox);
      const out = await layerFeatureCollection(db, layer, { bbox, limit: BBOX_FEATURE_LIMIT });
      if (out.count > BBOX_FEATURE_LIMIT) {
        throw new HttpError(
          400,
          'invalid_bbox',
          `More than ${BBOX_FEATURE_LIMIT} features in this bbox; ask for a smaller one or use the tiles`,
          { limit: BBOX_FEATURE_LIMIT },
        );
      }
      res.type('application/geo+json').send(out.json);
    }),
  );

  return router;
}
