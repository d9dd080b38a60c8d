import { describe, expect, it } from 'vitest';
import { isDbUnavailable } from './errors.ts';

describe('issue 10 #1: isDbUnavailable tells an outage from a bad request', () => {
  it('recognises a restart, a refused or broken connection and a full pool', () => {
    expect(
      isDbUnavailable({ code: '57P01', message: 'terminating connection due to administrator command' }),
    ).toBe(true);
    expect(isDbUnavailable({ code: '57P03', message: 'the database system is starting up' })).toBe(true);
    expect(isDbUnavailable({ code: '08006' })).toBe(true);
    expect(
      isDbUnavailable(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isDbUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDbUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(
      isDbUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])),
    ).toBe(true);
  });
  it('leaves ordinary query errors alone', () => {
    expect(isDbUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isDbUnavailable({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(
      false,
    );
    expect(isDbUnavailable(new Error('boom'))).toBe(false);
    expect(isDbUnavailable(undefined)).toBe(false);
  });
});
