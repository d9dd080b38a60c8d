import { Router } from 'express';
import { DATA_LAYERS, isOneOf } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { route } from '../http.ts';
import { layerFeatureCollection } from '../layer-features.ts';

/** GET /api/export/<layer>.geojson → every feature of the layer as a downloadable FeatureCollection. */
export function exportRouter(ctx: AppContext): Router {
  const router = Router();
  router.get(
    '/:file',
    route(async (req, res) => {
      const file = String(req.params.file);
      const m = /^(.+)\.geojson$/.exec(file);
      const layer = m?.[1];
      if (!isOneOf(DATA_LAYERS, layer)) {
        throw new HttpError(404, 'unknown_layer', `No export "${file}"; ask for <layer>.geojson`, {
          files: DATA_LAYERS.map((l) => `${l}.geojson`),
        });
      }
      const { json } = await layerFeatureCollection(ctx.db, layer);
      res
        .type('application/geo+json')
        .set('Content-Disposition', `attachment; filename="${layer}.geojson"`)
        .send(json);
    }),
  );
  return router;
}
