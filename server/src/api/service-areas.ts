import { Router } from 'express';
import type { Polygon } from 'geojson';
import type {
  SaveServiceAreaResponse,
  ServiceAreaAttributes,
  ValidateServiceAreaResponse,
  VersionConflictDetails,
} from '../../../core/api.ts';
import {
  OUT_OF_JURISDICTION,
  OVERLAP,
  SELF_INTERSECTION,
  isBlocking,
  type CheckResult,
} from '../../../core/checks/codes.ts';
import {
  validateAreaGeometryFeature,
  validateServiceAreaInput,
  type InputProblem,
} from '../../../core/checks/input.ts';
import type { AppContext } from '../app.ts';
import { assertCanWrite, type User } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { etag, ifMatchVersion, parseBbox, parseId, route } from '../http.ts';
import {
  SQLSTATE_INVALID,
  SQLSTATE_OVERLAP,
  deleteServiceArea,
  getServiceArea,
  insertServiceArea,
  listServiceAreas,
  lockServiceAreas,
  serviceAreaHistory,
  storedAreaInStreet,
  updateServiceArea,
  validateServiceArea,
  type StoredArea,
} from '../service-areas/repository.ts';

/** Most areas one bbox request returns. */
export const AREA_BBOX_LIMIT = 20_000;

function malformed(problems: InputProblem[]): HttpError {
  const first = problems[0]!;
  return new HttpError(400, first.code, first.message, {
    problem: first.problem,
    path: first.path,
    problems,
  });
}

/** A street editor's areas lie in its own 街道; the attribute follows, or must already agree. */
function applyJurisdiction(user: User, attributes: ServiceAreaAttributes): ServiceAreaAttributes {
  if (user.role !== 'street_editor') return attributes;
  if (attributes.street_code && attributes.street_code !== user.streetCode) {
    throw new HttpError(
      403,
      'out_of_jurisdiction',
      `A street editor of ${user.streetCode} cannot save areas of ${attributes.street_code}`,
      {
        street_code: user.streetCode,
      },
    );
  }
  return { ...attributes, street_code: user.streetCode };
}

const streetOf = (user: User | undefined) => (user?.role === 'street_editor' ? user.streetCode : null);

/** The verdict of the checks made under the write lock: 403 outside the street, 422 on a blocking issue. */
function assertSaveable(result: CheckResult, user: User): void {
  const outside = result.issues.find((i) => i.code === OUT_OF_JURISDICTION);
  if (outside) {
    throw new HttpError(403, 'out_of_jurisdiction', `The area is not inside street ${user.streetCode}`, {
      issues: [outside],
    });
  }
  if (!result.valid) {
    const blocking = result.issues.filter((i) => isBlocking(i.code));
    throw new HttpError(
      422,
      'validation_failed',
      `The area fails: ${blocking.map((i) => i.code).join(', ')}`,
      {
        issues: result.issues,
        stats: result.stats,
      },
    );
  }
}

/**
 * The trigger of migrations/0003 is the last line: if it rejects a row (an overlap that slipped past
 * the checks, or an invalid polygon), the answer is the same 422 a failed check gives.
 */
export function fromDatabase(e: unknown): unknown {
  const err = e as { code?: string; detail?: string; message?: string };
  const detail = (() => {
    try {
      return err.detail ? (JSON.parse(err.detail) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  })();
  if (err?.code === SQLSTATE_OVERLAP) {
    return new HttpError(422, 'validation_failed', 'The area overlaps another service area', {
      issues: [{ code: OVERLAP, with: detail.with ?? [], area_m2: detail.area_m2 ?? null, parts: [] }],
    });
  }
  if (err?.code === SQLSTATE_INVALID) {
    return new HttpError(422, 'validation_failed', 'The area is not a valid polygon', {
      issues: [{ code: SELF_INTERSECTION, points: [], reason: detail.reason ?? null }],
    });
  }
  if (err?.code === '23503') {
    return new HttpError(400, 'invalid_attribute', 'street_code or community_code names no known 街道/社区', {
      problem: 'bad_attribute_value',
    });
  }
  return e;
}

function saved(area: StoredArea, result: CheckResult): SaveServiceAreaResponse & { etag: string } {
  return {
    id: area.id,
    version: area.version,
    feature: area.feature,
    warnings: result.issues.filter((i) => !isBlocking(i.code)),
    stats: result.stats,
    etag: etag(area.version),
  };
}

/**
 * /api/service-areas: the authoritative side of the 物业服务区域 editor. Every write takes the
 * service-area lock, checks in PostGIS, writes the row and its history in one transaction; the
 * database trigger re-checks overlap, so no path commits one.
 */
export function serviceAreasRouter(ctx: AppContext): Router {
  const router = Router();
  const { db, auth } = ctx;

  router.get(
    '/',
    route(async (req, res) => {
      const bbox = parseBbox(req.query.bbox)!;
      const out = await listServiceAreas(db, bbox, AREA_BBOX_LIMIT);
      if (out.count > AREA_BBOX_LIMIT) {
        throw new HttpError(
          400,
          'invalid_bbox',
          `More than ${AREA_BBOX_LIMIT} areas in this bbox; ask for a smaller one`,
          {
            limit: AREA_BBOX_LIMIT,
          },
        );
      }
      res.type('application/geo+json').send(out.json);
    }),
  );

  router.post(
    '/validate',
    route(async (req, res) => {
      // Signed in is optional here; a street editor's answer includes its jurisdiction.
      const h = req.headers.authorization;
      const user = h?.startsWith('Bearer ') ? await auth.verify(h.slice(7)) : undefined;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const feature = body.type === 'Feature' ? body : body.feature;
      const rawId = body.type === 'Feature' ? (req.query.id ?? body.id) : body.id;
      const g = validateAreaGeometryFeature(feature);
      if (!g.ok) throw malformed(g.problems);
      let excludeId: number | null = null;
      if (rawId !== undefined && rawId !== null && typeof rawId !== 'string')
        excludeId = parseId(String(rawId));
      else if (typeof rawId === 'string' && /^\d+$/.test(rawId)) excludeId = parseId(rawId);
      const result = await validateServiceArea(db, g.value, { excludeId, streetCode: streetOf(user) });
      const out: ValidateServiceAreaResponse = result;
      res.json(out);
    }),
  );

  router.get(
    '/:id',
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const a = await getServiceArea(db, id);
      if (!a) throw new HttpError(404, 'not_found', `No service area ${id}`);
      res.setHeader('ETag', etag(a.version));
      res.type('application/geo+json').send(JSON.stringify(a.feature));
    }),
  );

  router.get(
    '/:id/history',
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const entries = await serviceAreaHistory(db, id);
      if (!entries.length)
        throw new HttpError(404, 'not_found', `No service area ${id} and no history of one`);
      res.json({ id, entries });
    }),
  );

  router.post(
    '/',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const input = validateServiceAreaInput(req.body);
      if (!input.ok) throw malformed(input.problems);
      const attributes = applyJurisdiction(user, input.value.attributes);
      const geometry: Polygon = input.value.geometry;
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx);
          const result = await validateServiceArea(tx, geometry, { streetCode: streetOf(user) });
          assertSaveable(result, user);
          return saved(await insertServiceArea(tx, attributes, geometry, user.username), result);
        })
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      const { etag: tag, ...body } = out;
      res.status(201).setHeader('ETag', tag).setHeader('Location', `${req.baseUrl}/${out.id}`).json(body);
    }),
  );

  router.put(
    '/:id',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.id);
      const expected = ifMatchVersion(req);
      const input = validateServiceAreaInput(req.body);
      if (!input.ok) throw malformed(input.problems);
      const attributes = applyJurisdiction(user, input.value.attributes);
      const geometry: Polygon = input.value.geometry;
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx);
          const current = await getServiceArea(tx, id, true);
          if (!current) throw new HttpError(404, 'not_found', `No service area ${id}`);
          if (current.version !== expected) {
            const details: VersionConflictDetails = {
              current_version: current.version,
              current: current.feature,
            };
            throw new HttpError(
              409,
              'version_conflict',
              `Service area ${id} is at version ${current.version}, not ${expected}: someone saved first`,
              details,
            );
          }
          if (user.role === 'street_editor' && !(await storedAreaInStreet(tx, id, user.streetCode!))) {
            throw new HttpError(
              403,
              'out_of_jurisdiction',
              `Service area ${id} is not inside street ${user.streetCode}`,
            );
          }
          const result = await validateServiceArea(tx, geometry, {
            excludeId: id,
            streetCode: streetOf(user),
          });
          assertSaveable(result, user);
          // `?operation=restore`: an old version brought back (as a new version), so history says so.
          const op = req.query.operation === 'restore' ? 'restore' : 'update';
          return saved(await updateServiceArea(tx, id, attributes, geometry, user.username, op), result);
        })
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      const { etag: tag, ...body } = out;
      res.status(200).setHeader('ETag', tag).json(body);
    }),
  );

  router.delete(
    '/:id',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.id);
      const expected = ifMatchVersion(req);
      await db.transaction(async (tx) => {
        await lockServiceAreas(tx);
        const current = await getServiceArea(tx, id, true);
        if (!current) throw new HttpError(404, 'not_found', `No service area ${id}`);
        if (current.version !== expected) {
          const details: VersionConflictDetails = {
            current_version: current.version,
            current: current.feature,
          };
          throw new HttpError(
            409,
            'version_conflict',
            `Service area ${id} is at version ${current.version}, not ${expected}`,
            details,
          );
        }
        if (user.role === 'street_editor' && !(await storedAreaInStreet(tx, id, user.streetCode!))) {
          throw new HttpError(
            403,
            'out_of_jurisdiction',
            `Service area ${id} is not inside street ${user.streetCode}`,
          );
        }
        await deleteServiceArea(tx, id, current.version, user.username);
      });
      res.status(204).end();
    }),
  );

  return router;
}
