import { Router } from 'express';
import type { Polygon } from 'geojson';
import type {
  MergeServiceAreasRequest,
  SaveServiceAreaResponse,
  ServiceAreaAttributes,
  SplitServiceAreaResponse,
  ValidateServiceAreaResponse,
  VersionConflictDetails,
} from '../../../core/api.ts';
import {
  OUT_OF_JURISDICTION,
  OVERLAP,
  OVERLAP_TOLERANCE_M2,
  SELF_INTERSECTION,
  isBlocking,
  type CheckResult,
} from '../../../core/checks/codes.ts';
import {
  validateAreaGeometryFeature,
  validatePolygonInput,
  validateServiceAreaInput,
  type InputProblem,
} from '../../../core/checks/input.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite, type User } from '../auth.ts';
import type { Queryable } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { featureFor, historyFor } from '../history-authors.ts';
import { etag, ifMatchVersion, parseBbox, parseId, route } from '../http.ts';
import { heavy, heavyQuery, polygonTooBig } from '../limits.ts';
import {
  SQLSTATE_INVALID,
  SQLSTATE_OVERLAP,
  deleteServiceArea,
  getServiceArea,
  insertServiceArea,
  listServiceAreas,
  lockServiceAreas,
  communityStreet,
  mergeMismatch,
  mergeUnion,
  serviceAreaHistory,
  splitMismatch,
  storedAreaInStreet,
  storedAttributes,
  updateServiceArea,
  validateServiceArea,
  type StoredArea,
} from '../service-areas/repository.ts';

/** How far (m², on the spheroid) the union of a split's parts may differ from the area split. */
export const SPLIT_TOLERANCE_M2 = 0.5;
/** How far apart (m) two areas may be and still merge when the client sends the merged polygon. */
export const MERGE_GAP_M = 0.5;
/** Most parts one split makes. */
export const SPLIT_MAX_PARTS = 50;
/** Most areas one bbox request returns. */
export const AREA_BBOX_LIMIT = 20_000;

/** The stored area for a write, or 404 / 409 (stale If-Match) / 403 (outside a street editor's 街道). */
async function writableArea(
  tx: Parameters<typeof getServiceArea>[0],
  id: number,
  expected: number,
  user: User,
): Promise<StoredArea> {
  const current = await getServiceArea(tx, id, true);
  if (!current) {
    // Row-level security hides another street's row from FOR UPDATE (as the app role): it exists,
    // so the answer is the same 403 as where the policies do not bind (a superuser's connection).
    if (await getServiceArea(tx, id, false))
      throw new HttpError(
        403,
        'out_of_jurisdiction',
        `Service area ${id} is not inside street ${user.streetCode}`,
      );
    throw new HttpError(404, 'not_found', `No service area ${id}`);
  }
  if (current.version !== expected) {
    const details: VersionConflictDetails = { current_version: current.version, current: current.feature };
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
  return current;
}

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

/** A street editor's area may name only a 社区 of its own 街道 (403 otherwise; an unknown code is the FK's 400). */
async function assertCommunityInStreet(q: Queryable, user: User, attributes: ServiceAreaAttributes) {
  if (user.role !== 'street_editor' || !attributes.community_code) return;
  const street = await communityStreet(q, attributes.community_code);
  if (street !== undefined && street !== user.streetCode)
    throw new HttpError(
      403,
      'out_of_jurisdiction',
      `社区 ${attributes.community_code} is not in street ${user.streetCode}`,
      { street_code: user.streetCode, community_code: attributes.community_code },
    );
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
  /** 400 when a polygon is over the configured vertex or extent limit. */
  const assertSize = (g: Polygon, path?: string) => {
    const e = polygonTooBig(g, ctx.config.limits, path);
    if (e) throw e;
  };
  /** Writes run with a time limit too (twice the heavy-read one): no save holds its cells for long. */
  const limited = { timeoutMs: 2 * ctx.config.limits.heavyTimeoutMs };

  // Who created and last edited each area: told to signed-in readers only (issue 10).
  router.get(
    '/',
    auth.optional(),
    route(async (req, res) => {
      const bbox = parseBbox(req.query.bbox)!;
      const out = await listServiceAreas(db, bbox, AREA_BBOX_LIMIT, req.user !== undefined);
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

  // A heavy read (issue 10 #5): signed in, rate-limited, bounded in size and time.
  router.post(
    '/validate',
    ...heavy(ctx),
    route(async (req, res) => {
      const user = req.user;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const feature = body.type === 'Feature' ? body : body.feature;
      const rawId = body.type === 'Feature' ? (req.query.id ?? body.id) : body.id;
      const g = validateAreaGeometryFeature(feature);
      if (!g.ok) throw malformed(g.problems);
      assertSize(g.value);
      let excludeId: number | null = null;
      if (rawId !== undefined && rawId !== null && typeof rawId !== 'string')
        excludeId = parseId(String(rawId));
      else if (typeof rawId === 'string' && /^\d+$/.test(rawId)) excludeId = parseId(rawId);
      const result = await heavyQuery(ctx, (q) =>
        validateServiceArea(q, g.value, { excludeId, streetCode: streetOf(user) }),
      );
      const out: ValidateServiceAreaResponse = result;
      res.json(out);
    }),
  );

  router.get(
    '/:id',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const a = await getServiceArea(db, id);
      if (!a) throw new HttpError(404, 'not_found', `No service area ${id}`);
      res.setHeader('ETag', etag(a.version));
      res.type('application/geo+json').send(JSON.stringify(featureFor(a.feature, req.user)));
    }),
  );

  router.get(
    '/:id/history',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const entries = historyFor(await serviceAreaHistory(db, id), req.user);
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
      await assertCommunityInStreet(db, user, attributes);
      const geometry: Polygon = input.value.geometry;
      assertSize(geometry);
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx, { geometries: [geometry] });
          const result = await validateServiceArea(tx, geometry, { streetCode: streetOf(user) });
          assertSaveable(result, user);
          return saved(await insertServiceArea(tx, attributes, geometry, user.username), result);
        }, limited)
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
      await assertCommunityInStreet(db, user, attributes);
      const geometry: Polygon = input.value.geometry;
      assertSize(geometry);
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx, { geometries: [geometry] });
          await writableArea(tx, id, expected, user);
          const result = await validateServiceArea(tx, geometry, {
            excludeId: id,
            streetCode: streetOf(user),
          });
          assertSaveable(result, user);
          // `?operation=restore`: an old version brought back (as a new version), so history says so.
          const op = req.query.operation === 'restore' ? 'restore' : 'update';
          return saved(await updateServiceArea(tx, id, attributes, geometry, user.username, op), result);
        }, limited)
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
        // A delete cannot make an overlap: only the row lock (in writableArea), no cell locks.
        const current = await writableArea(tx, id, expected, user);
        await deleteServiceArea(tx, id, current.version, user.username);
      });
      res.status(204).end();
    }),
  );

  // Split: the area becomes part 1, the other parts new areas with its attributes; all or nothing.
  router.post(
    '/:id/split',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const id = parseId(req.params.id);
      const expected = ifMatchVersion(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const rawParts = body.parts;
      if (!Array.isArray(rawParts) || rawParts.length < 2 || rawParts.length > SPLIT_MAX_PARTS) {
        throw new HttpError(
          400,
          'invalid_geometry',
          `parts must be an array of 2 to ${SPLIT_MAX_PARTS} polygons`,
          { path: 'parts' },
        );
      }
      const parts: Polygon[] = rawParts.map((p, i) => {
        const g = validatePolygonInput(p, `parts[${i}]`);
        if (!g.ok) throw malformed(g.problems);
        assertSize(g.value, `parts[${i}]`);
        return g.value;
      });
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx, { geometries: parts, ids: [id] });
          const current = await writableArea(tx, id, expected, user);
          const results: CheckResult[] = [];
          for (const part of parts) {
            const result = await validateServiceArea(tx, part, { excludeId: id, streetCode: streetOf(user) });
            assertSaveable(result, user);
            results.push(result);
          }
          const m = await splitMismatch(tx, id, parts);
          if (m.mismatch_m2 >= SPLIT_TOLERANCE_M2 || m.overlap_m2 > OVERLAP_TOLERANCE_M2) {
            const code = m.overlap_m2 > OVERLAP_TOLERANCE_M2 ? 'split_overlap' : 'split_mismatch';
            throw new HttpError(
              422,
              'validation_failed',
              code === 'split_overlap'
                ? `The parts overlap each other by ${m.overlap_m2.toFixed(2)} m²`
                : `The parts differ from area ${id} by ${m.mismatch_m2.toFixed(2)} m²`,
              { issues: [{ code, ...m, tolerance_m2: SPLIT_TOLERANCE_M2 }] },
            );
          }
          const attributes = storedAttributes(current);
          const areas = [await updateServiceArea(tx, id, attributes, parts[0]!, user.username, 'split')];
          for (const part of parts.slice(1)) {
            areas.push(await insertServiceArea(tx, attributes, part, user.username, 'split'));
          }
          return { areas, results };
        }, limited)
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      const answer: SplitServiceAreaResponse = {
        areas: out.areas.map((a) => a.feature),
        warnings: out.results.map((r) => r.issues.filter((i) => !isBlocking(i.code))),
      };
      res.status(200).setHeader('ETag', etag(out.areas[0]!.version)).json(answer);
    }),
  );

  // Merge: the other area is deleted, the kept one becomes the union; all or nothing.
  router.post(
    '/merge',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const body = (req.body ?? {}) as Partial<Record<keyof MergeServiceAreasRequest, unknown>>;
      const ids = body.ids;
      const versions = body.versions;
      const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
      if (!Array.isArray(ids) || ids.length !== 2 || !ids.every(isId) || ids[0] === ids[1]) {
        throw new HttpError(400, 'bad_request', 'ids must be two different area ids: [keep, other]', {
          path: 'ids',
        });
      }
      if (!Array.isArray(versions) || versions.length !== 2 || !versions.every(isId)) {
        throw new HttpError(400, 'bad_request', "versions must be the two areas' versions", {
          path: 'versions',
        });
      }
      const [keepId, otherId] = ids as [number, number];
      const [keepVersion, otherVersion] = versions as [number, number];
      const keepOf = body.keep_attributes_of ?? keepId;
      if (keepOf !== keepId && keepOf !== otherId) {
        throw new HttpError(400, 'bad_request', 'keep_attributes_of must be one of ids', {
          path: 'keep_attributes_of',
        });
      }
      let given: Polygon | null = null;
      if (body.geometry !== undefined && body.geometry !== null) {
        const g = validatePolygonInput(body.geometry);
        if (!g.ok) throw malformed(g.problems);
        assertSize(g.value);
        given = g.value;
      }
      const out = await db
        .transaction(async (tx) => {
          await lockServiceAreas(tx, { geometries: given ? [given] : [], ids: [keepId, otherId] });
          const keep = await writableArea(tx, keepId, keepVersion, user);
          const other = await writableArea(tx, otherId, otherVersion, user);
          const u = await mergeUnion(tx, keepId, otherId);
          const adjacent = given ? u.distance_m <= MERGE_GAP_M : u.type === 'POLYGON';
          const notAdjacent = () =>
            new HttpError(
              422,
              'validation_failed',
              `Service areas ${keepId} and ${otherId} do not share an edge: their union is not one polygon`,
              { issues: [{ code: 'not_adjacent', with: [otherId], distance_m: u.distance_m }] },
            );
          if (!adjacent) throw notAdjacent();
          // What is stored is the server's union of the two (on the overlays' grid), never the client's
          // polygon: the editor's copy of a shared edge may differ from the stored one by terra-draw's
          // rounding, and a union made from it can keep a zero-width slit along that edge which leaves
          // a building lying across it uncovered (issue 9 #1). The client's polygon only bridges a gap.
          let geometry = JSON.parse(u.geometry) as Polygon;
          if (given) {
            // The polygon sent must be the union of the two (a gap up to MERGE_GAP_M bridged along
            // their shared edge), not any shape anywhere.
            const m = await mergeMismatch(tx, keepId, otherId, given);
            const tolerance = SPLIT_TOLERANCE_M2 + (MERGE_GAP_M * m.perimeter_m) / 2;
            if (!(m.mismatch_m2 <= tolerance))
              throw new HttpError(
                422,
                'validation_failed',
                `The merged polygon differs from the union of areas ${keepId} and ${otherId} by ${Math.round(m.mismatch_m2)} m²`,
                {
                  issues: [
                    {
                      code: 'merge_mismatch',
                      with: [otherId],
                      mismatch_m2: m.mismatch_m2,
                      tolerance_m2: tolerance,
                    },
                  ],
                },
              );
            if (u.type !== 'POLYGON') {
              if (m.bridged_type !== 'POLYGON') throw notAdjacent();
              geometry = JSON.parse(m.bridged) as Polygon;
            }
          }
          const attributes = applyJurisdiction(user, storedAttributes(keepOf === keepId ? keep : other));
          await deleteServiceArea(tx, otherId, other.version, user.username, 'merge');
          const result = await validateServiceArea(tx, geometry, {
            excludeId: keepId,
            streetCode: streetOf(user),
          });
          assertSaveable(result, user);
          return saved(
            await updateServiceArea(tx, keepId, attributes, geometry, user.username, 'merge'),
            result,
          );
        }, limited)
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      res
        .status(200)
        .setHeader('ETag', out.etag)
        .type('application/geo+json')
        .send(JSON.stringify(out.feature));
    }),
  );

  return router;
}
