import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeometryEngineError, answersWithColumns } from '../../server/src/db/embedded.ts';
import { toHttpError } from '../../server/src/errors.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

// A union of a polygon with a copy of itself moved by 1e-13° and turned by 1e-10 rad: nearly
// coincident edges everywhere. GEOS's floating-point noding fails on it; PostgreSQL's GEOS catches
// that and retries with snap-rounding, but inside PGlite (PostGIS 3.6, GEOS 3.14 in WebAssembly) the
// statement ends with no fields, no rows and no error — code reading rows[0]! then answered 500 with a
// TypeError, and code reading rows answered "nothing" (issue 9 #3: 0 gaps for a whole street).
const NEAR = `WITH a AS (
  SELECT ST_Segmentize(ST_Buffer(ST_SetSRID(ST_Point(116.31, 39.9), 4326), 0.001, 6), 0.00005) AS g
), b AS (
  SELECT a.g, ST_Rotate(ST_Translate(a.g, 0, 1e-13), 9.999999999999999e-11, ST_Centroid(a.g)) AS h FROM a
)`;
const UNION = `${NEAR} SELECT ST_Area(ST_Union(g, h)::geography) AS m2 FROM b`;
const UNION_ON_GRID = `${NEAR} SELECT ST_Area(ST_Union(g, h, 1e-9)::geography) AS m2 FROM b`;

describe('a statement PGlite ends silently is an error, not an empty answer', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('embedded');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('throws geometry_engine_failed, naming the statement, instead of returning rows: []', async () => {
    const err = await t.db.query(UNION).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GeometryEngineError);
    expect((err as GeometryEngineError).code).toBe('geometry_engine_failed');
    expect((err as Error).message).toContain('ST_Segmentize');
    // …inside a transaction too, and the connection goes on answering.
    await expect(t.db.transaction((tx) => tx.query(UNION))).rejects.toBeInstanceOf(GeometryEngineError);
    expect((await t.db.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  it('is answered 500 internal with the request id and no database text', () => {
    const e = toHttpError(new GeometryEngineError(UNION), 'r1');
    expect([e.status, e.code, e.message, e.details]).toEqual([
      500,
      'internal',
      'Internal error',
      { request_id: 'r1' },
    ]);
  });

  it('leaves real empty answers, writes and the same overlay on a grid alone', async () => {
    expect(
      (await t.db.query('SELECT ST_Union(geom, geom) AS u FROM service_areas WHERE false')).rows,
    ).toEqual([]);
    expect((await t.db.query('SELECT id FROM service_areas WHERE id < 0')).rows).toEqual([]);
    await t.db.query("UPDATE service_areas SET name = 'x' WHERE id < 0");
    await t.db.query('WITH d AS (DELETE FROM service_areas WHERE id < 0) SELECT 1 AS one');
    const r = await t.db.query<{ m2: number }>(UNION_ON_GRID);
    expect(r.rows[0]!.m2).toBeCloseTo(29491, -1);
  });

  it('knows which statements answer with columns', () => {
    expect(answersWithColumns('-- a file\nSELECT 1')).toBe(true);
    expect(answersWithColumns("/* x */ WITH a AS (SELECT 'delete') SELECT * FROM a")).toBe(true);
    expect(answersWithColumns('WITH a AS (SELECT 1) UPDATE t SET x = 1')).toBe(false);
    expect(answersWithColumns('WITH a AS (SELECT 1) UPDATE t SET x = 1 RETURNING id')).toBe(true);
    expect(answersWithColumns('INSERT INTO t VALUES (1) RETURNING id')).toBe(true);
    expect(answersWithColumns('INSERT INTO t VALUES (1)')).toBe(false);
    expect(answersWithColumns('SET LOCAL statement_timeout = 10')).toBe(false);
    // The importer's statement: RETURNING inside a CTE, none on the INSERT that is the statement.
    // Reading it as "answers with columns" made every import on the embedded database fail.
    expect(
      answersWithColumns(
        'WITH ins AS (INSERT INTO gates (name) SELECT name FROM s RETURNING id, name) INSERT INTO gate_history (gate_id, name) SELECT id, name FROM ins',
      ),
    ).toBe(false);
    expect(
      answersWithColumns(
        'WITH RECURSIVE a(x) AS (SELECT 1), b AS MATERIALIZED (INSERT INTO t VALUES (1) RETURNING id) SELECT * FROM b',
      ),
    ).toBe(true);
    expect(
      answersWithColumns('WITH a AS (UPDATE t SET x = 1 RETURNING id) DELETE FROM u RETURNING u.id'),
    ).toBe(true);
    expect(answersWithColumns('(SELECT 1) UNION (SELECT 2)')).toBe(true);
    expect(answersWithColumns('SELECT id FROM t FOR UPDATE')).toBe(true);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('the same statement on PostgreSQL', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    await t?.drop();
  });
  it('answers with the area, as the gridded overlay does on PGlite', async () => {
    const r = await t.db.query<{ m2: number }>(UNION);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.m2).toBeCloseTo(29491, -1);
  });
});
