import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorRenderer, HttpError, toHttpError } from './errors.ts';

describe('issue 10 #3: no database or PostGIS text reaches a client', () => {
  const leaks = [
    { code: 'XX000', message: 'lwgeom_intersection: GEOS Error: TopologyException at 105.5 30.5' },
    { code: '22023', message: 'ST_GeomFromGeoJSON: unknown GeoJSON type' },
    {
      code: '23505',
      message: 'duplicate key value violates unique constraint "cameras_code_key"',
      detail: 'Key (code)=(x) already exists.',
    },
    { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
    {
      code: '54000',
      message: 'index row size 1048600 exceeds btree version 4 maximum 2704 for index "cameras_code_key"',
    },
    { code: '42P01', message: 'relation "nope" does not exist' },
    new RangeError('Maximum call stack size exceeded'),
  ];
  for (const err of leaks) {
    it(`${(err as { code?: string }).code ?? 'RangeError'} is answered without its text`, () => {
      const e = toHttpError(err, 'req-1');
      const out = JSON.stringify({ code: e.code, message: e.message, details: e.details });
      expect(out).not.toMatch(/GEOS|lwgeom|ST_|Key \(|violates|UTF8|btree|relation|call stack/);
      if (e.status >= 500) expect(e.details).toEqual({ request_id: 'req-1' });
    });
  }
  it('PostGIS and data errors are 4xx with the request id, unknown ones 500 internal', () => {
    expect(toHttpError({ code: 'XX000', message: 'GEOS' }, 'r').status).toBe(400);
    expect(toHttpError({ code: '22021', message: 'x' }, 'r').status).toBe(400);
    expect(toHttpError({ code: '42P01', message: 'x' }, 'r')).toMatchObject({
      status: 500,
      code: 'internal',
    });
    expect(toHttpError({ code: 'XX000', message: 'GEOS' }, 'r').details).toEqual({ request_id: 'r' });
  });
  it('trust10: a write row-level security refuses (42501, the app role) is 403 forbidden, not 500', () => {
    const e = toHttpError(
      { code: '42501', message: 'new row violates row-level security policy for table "compounds"' },
      'r',
    );
    expect(e).toMatchObject({ status: 403, code: 'forbidden', details: { request_id: 'r' } });
    expect(e.message).not.toMatch(/compounds|policy/);
  });
});

// New-user try (2026-12-04): opening a street's dashboard logged the expected first answer to its gaps
// and proposals (503 still_computing, which the page asks again for) at level error with a stack.
describe('the error log', () => {
  const logged: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger = Object.fromEntries(
    ['error', 'warn', 'info'].map((level) => [
      level,
      (obj: Record<string, unknown>, msg: string) => logged.push({ level, obj, msg }),
    ]),
  ) as unknown as Logger;
  const render = (err: unknown) => {
    const res = {
      locals: { requestId: 'r1' },
      headersSent: false,
      statusCode: 0,
      setHeader: () => undefined,
      end: () => undefined,
      destroy: () => undefined,
    } as unknown as Response;
    errorRenderer(logger)(err, { method: 'GET', originalUrl: '/api/x' } as Request, res, () => undefined);
    return res;
  };

  it('logs a still-computing 503 as info without the error, a real 500 as error with it', () => {
    logged.length = 0;
    const res = render(
      new HttpError(503, 'timeout', 'The answer is still being computed; ask again shortly', {
        reason: 'still_computing',
        retry_after_s: 2,
      }),
    );
    expect(res.statusCode).toBe(503);
    expect(logged).toEqual([
      { level: 'info', obj: { request_id: 'r1', url: '/api/x' }, msg: expect.any(String) },
    ]);
    logged.length = 0;
    render(new Error('boom'));
    expect(logged.map((l) => l.level)).toEqual(['error']);
    expect(logged[0]!.obj.err).toBeInstanceOf(Error);
  });
});
