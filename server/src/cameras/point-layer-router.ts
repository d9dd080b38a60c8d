import { Router } from 'express';
import type { Point } from 'geojson';
import {
  type CameraAttributes,
  type PointInputProblem,
  type PointInputResult,
} from '../../../core/cameras/index.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite, type User } from '../auth.ts';
import type { Queryable } from '../db/index.ts';
import { HttpError } from '../errors.ts';
import { featureFor, historyFor } from '../history-authors.ts';
import { etag, ifMatchVersion, parseBbox, parseId, route } from '../http.ts';
import { assertCompoundInJurisdiction } from '../ledger/access.ts';
import { compoundStreet } from '../ledger/repository.ts';
import {
  buildingsHolding,
  deletePoint,
  getPoint,
  insertPoint,
  listPoints,
  pointHistory,
  pointInStreet,
  updatePoint,
  type PointAttributes,
  type PointLayer,
  type StoredPoint,
} from './repository.ts';

/** Most points one bbox request returns. */
export const POINT_BBOX_LIMIT = 50_000;

const NAMES: Record<PointLayer, string> = { cameras: 'camera', gates: 'gate' };

function malformed(problems: PointInputProblem[]): HttpError {
  const first = problems[0]!;
  return new HttpError(400, first.code, first.message, { path: first.path, field: first.field, problems });
}

function conflict(layer: PointLayer, current: StoredPoint, expected: number): HttpError {
  return new HttpError(
    409,
    'version_conflict',
    `${NAMES[layer]} ${current.id} is at version ${current.version}, not ${expected}: someone saved first`,
    { current_version: current.version, current: current.feature },
  );
}

/** A street editor writes only points inside its own 街道. */
async function assertInStreet(q: Queryable, user: User, lon: number, lat: number, what: string) {
  if (user.role !== 'street_editor') return;
  if (!(await pointInStreet(q, lon, lat, user.streetCode!)))
    throw new HttpError(403, 'out_of_jurisdiction', `${what} is not inside street ${user.streetCode}`, {
      street_code: user.streetCode,
    });
}

/**
 * A street editor links a point only to a compound of its own 街道: a compound elsewhere would change
 * that street's 五有 scorecard. An unknown id is left to the foreign key (400).
 */
async function assertCompoundInStreet(q: Queryable, user: User, compoundId: number | null) {
  if (user.role !== 'street_editor' || compoundId === null) return;
  const c = await compoundStreet(q, compoundId);
  if (c) assertCompoundInJurisdiction(user, c.street_code, `Compound ${compoundId}`);
}

/** A camera inside a building footprint must be marked indoor (422 otherwise). */
async function assertPlacement(q: Queryable, a: CameraAttributes, p: Point) {
  if (a.indoor) return;
  const inside = await buildingsHolding(q, p.coordinates[0]!, p.coordinates[1]!);
  if (inside.length)
    throw new HttpError(
      422,
      'validation_failed',
      `The camera stands inside building ${inside.join(', ')}; set indoor: true or move it outside`,
      { issues: [{ code: 'inside_building', buildings: inside }], field: 'indoor' },
    );
}

function fromDatabase(e: unknown): unknown {
  const err = e as { code?: string };
  if (err?.code === '23505')
    return new HttpError(409, 'validation_failed', 'Another camera already has this code', {
      field: 'code',
    });
  if (err?.code === '23503')
    return new HttpError(400, 'invalid_attribute', 'compound_id names no known compound', {
      field: 'compound_id',
    });
  if (err?.code === '23514') return new HttpError(400, 'invalid_attribute', 'A value is out of range');
  return e;
}

/**
 * /api/cameras and /api/gates: the same editing rules as service areas — bbox GET, GET one with
 * its ETag, POST 201, PUT/DELETE with If-Match (428 without, 409 stale with the current feature),
 * history written in the same transaction (who made each version told to signed-in readers only:
 * history-authors.ts), viewers read only, street editors in their street.
 */
export function pointLayerRouter<L extends PointLayer>(
  ctx: AppContext,
  layer: L,
  validate: (body: unknown) => PointInputResult<PointAttributes<L>>,
): Router {
  const router = Router();
  const { db, auth } = ctx;
  const name = NAMES[layer];
  const check = async (q: Queryable, a: PointAttributes<L>, p: Point) => {
    if (layer === 'cameras') await assertPlacement(q, a as CameraAttributes, p);
  };
  const answer = async (q: Queryable, id: number) => (await getPoint(q, layer, id))!;
  /** The stored point for a write, locked: 404, 409 (stale If-Match, with it), 403 outside the street. */
  const writablePoint = async (q: Queryable, id: number, expected: number, user: User) => {
    const current = await getPoint(q, layer, id, true);
    if (!current) throw new HttpError(404, 'not_found', `No ${name} ${id}`);
    if (current.version !== expected) throw conflict(layer, current, expected);
    await assertInStreet(q, user, current.lon, current.lat, `${name} ${id}`);
    return current;
  };

  // Who last edited each point: told to signed-in readers only (issue 10).
  router.get(
    '/',
    auth.optional(),
    route(async (req, res) => {
      const bbox = parseBbox(req.query.bbox)!;
      const out = await listPoints(db, layer, bbox, POINT_BBOX_LIMIT, req.user !== undefined);
      if (out.count > POINT_BBOX_LIMIT)
        throw new HttpError(
          400,
          'invalid_bbox',
          `More than ${POINT_BBOX_LIMIT} ${layer} in this bbox; ask for a smaller one`,
          {
            limit: POINT_BBOX_LIMIT,
          },
        );
      res.type('application/geo+json').send(out.json);
    }),
  );

  router.get(
    '/:id',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const p = await getPoint(db, layer, id);
      if (!p) throw new HttpError(404, 'not_found', `No ${name} ${id}`);
      res.setHeader('ETag', etag(p.version));
      res.type('application/geo+json').send(JSON.stringify(featureFor(p.feature, req.user)));
    }),
  );

  router.get(
    '/:id/history',
    auth.optional(),
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const entries = historyFor(await pointHistory(db, layer, id), req.user);
      // Rows loaded by an import or the seed have no history yet: an empty list, not a 404.
      if (!entries.length && !(await getPoint(db, layer, id)))
        throw new HttpError(404, 'not_found', `No ${name} ${id} and no history of one`);
      res.json({ id, entries });
    }),
  );

  router.post(
    '/',
    auth.required(),
    route(async (req, res) => {
      const user = req.user;
      assertCanWrite(user);
      const input = validate(req.body);
      if (!input.ok) throw malformed(input.problems);
      const { attributes, geometry } = input.value;
      const [lon, lat] = geometry.coordinates as [number, number];
      const stored = await db
        .transaction(async (tx) => {
          await assertInStreet(tx, user, lon, lat, `The ${name}`);
          await assertCompoundInStreet(tx, user, attributes.compound_id);
          await check(tx, attributes, geometry);
          const id = await insertPoint(tx, layer, attributes, geometry, user.username);
          return answer(tx, id);
        })
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      res
        .status(201)
        .setHeader('ETag', etag(stored.version))
        .setHeader('Location', `${req.baseUrl}/${stored.id}`)
        .json({ id: stored.id, version: stored.version, feature: stored.feature });
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
      const input = validate(req.body);
      if (!input.ok) throw malformed(input.problems);
      const { attributes, geometry } = input.value;
      const [lon, lat] = geometry.coordinates as [number, number];
      const stored = await db
        .transaction(async (tx) => {
          await writablePoint(tx, id, expected, user);
          await assertInStreet(tx, user, lon, lat, `The new place of ${name} ${id}`);
          await assertCompoundInStreet(tx, user, attributes.compound_id);
          await check(tx, attributes, geometry);
          await updatePoint(tx, layer, id, attributes, geometry, user.username);
          return answer(tx, id);
        })
        .catch((e: unknown) => {
          throw fromDatabase(e);
        });
      res
        .setHeader('ETag', etag(stored.version))
        .json({ id, version: stored.version, feature: stored.feature });
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
        const current = await writablePoint(tx, id, expected, user);
        await deletePoint(tx, layer, id, current.version, user.username);
      });
      res.status(204).end();
    }),
  );
  return router;
}
