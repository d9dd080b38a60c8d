import { Router } from 'express';
import {
  EXPORT_ENCODINGS,
  EXPORT_FORMATS,
  EXPORT_LAYERS,
  EXPORT_SRS,
  EXPORT_VALUES,
  type ExportSrs,
} from '../../../core/exchange.ts';
import { isOneOf } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import { HttpError, badRequest } from '../errors.ts';
import {
  CONTENT_TYPES,
  CellTooLong,
  NotInEncoding,
  EXPORT_SOURCES,
  exportFileName,
  exportLayer,
  isPlace,
  type ExportWhere,
} from '../exporter/index.ts';
import { route } from '../http.ts';
import { placeFilter, queryCategory, queryString } from '../input/query.ts';

/**
 * GET /api/export/<layer>.<format>?street=CODE&encoding=utf-8|gbk&srs=4326|4490|4544|4523&values=codes|words → the layer as a
 * download (Shapefile as a zip). Open like the read API it mirrors: whoever may read a layer may take
 * it away as a file (who edited each row only when signed in: issue 10); the export dialog starts a street editor on their own street.
 */
export function exportRouter(ctx: AppContext): Router {
  const router = Router();
  // Open to all; who created or edited each row is in the file for signed-in readers only (issue 10).
  router.get(
    '/:file',
    ctx.auth.optional(),
    route(async (req, res) => {
      const file = String(req.params.file);
      const m = /^(.+)\.([a-z]+)$/.exec(file);
      const [layer, format] = [m?.[1], m?.[2]];
      if (!isOneOf(EXPORT_LAYERS, layer) || !isOneOf(EXPORT_FORMATS, format)) {
        throw new HttpError(404, 'unknown_layer', `No export "${file}"; ask for <layer>.<format>`, {
          layers: EXPORT_LAYERS,
          formats: EXPORT_FORMATS,
          files: EXPORT_LAYERS.map((l) => `${l}.geojson`),
        });
      }
      const where: ExportWhere = { ...placeFilter(req), category: queryCategory(req) };
      const encoding = queryString(req, 'encoding')?.toLowerCase() ?? 'utf-8';
      const srsText = queryString(req, 'srs') ?? '4326';
      const srs = Number(srsText);
      const values = queryString(req, 'values') ?? 'codes';
      if (!isOneOf(EXPORT_VALUES, values)) {
        throw badRequest('bad_request', `values must be one of ${EXPORT_VALUES.join(', ')}`, {
          reason: 'unknown_values',
          values,
        });
      }
      if (!isOneOf(EXPORT_ENCODINGS, encoding)) {
        throw badRequest('bad_request', `encoding must be one of ${EXPORT_ENCODINGS.join(', ')}`, {
          reason: 'unknown_encoding',
          encoding,
        });
      }
      if (!(EXPORT_SRS as readonly number[]).includes(srs)) {
        throw badRequest('bad_request', `srs must be one of ${EXPORT_SRS.join(', ')}`, {
          reason: 'unknown_srs',
          srs: srsText,
        });
      }
      const narrows: readonly string[] = EXPORT_SOURCES[layer].narrows;
      for (const [k, v] of Object.entries(where)) {
        if (v === undefined) continue;
        if (!narrows.includes(k))
          throw badRequest('bad_request', `${layer} cannot be narrowed by ${k}`, {
            reason: 'filter_not_supported',
            filter: k,
            layer,
          });
        if (k !== 'category' && !(await isPlace(ctx.db, k as 'street' | 'community' | 'district', v)))
          throw badRequest('bad_request', `No ${k} ${v}`, { reason: `unknown_${k}`, [k]: v });
      }
      const opts = {
        layer,
        format,
        ...where,
        encoding,
        srs: srs as ExportSrs,
        values,
        authors: req.user !== undefined,
      };
      const name = exportFileName(opts);
      try {
        await exportLayer(ctx.db, opts, res, () => {
          res
            .status(200)
            .type(CONTENT_TYPES[format])
            .set('Content-Disposition', `attachment; filename="${name}"`);
        });
      } catch (e) {
        if (e instanceof NotInEncoding && !res.headersSent) {
          throw new HttpError(422, 'validation_failed', e.message, {
            reason: 'not_in_encoding',
            column: e.column,
            feature: e.feature,
            feature_name: e.featureName,
            char: e.char,
          });
        }
        if (e instanceof CellTooLong && !res.headersSent) {
          throw new HttpError(422, 'validation_failed', e.message, {
            reason: 'cell_too_long',
            column: e.column,
            feature: e.feature,
            feature_name: e.featureName,
          });
        }
        throw e;
      }
    }),
  );
  return router;
}
