import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { formatLsn, parseLsn } from './db/replica.ts';
import { sessionLsn } from './read-your-writes.ts';

describe('read-your-writes positions (issue 12, read replicas)', () => {
  it('orders WAL positions as PostgreSQL prints them, across the 32-bit halves', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).toBe(true);
    expect(formatLsn(parseLsn('1A/B784C948')!)).toBe('1A/B784C948');
    for (const bad of ['', '16B3748', '1/2/3', 'x/1', '123456789/0', '1/ 2', null, undefined])
      expect(parseLsn(bad)).toBeUndefined();
  });

  it('takes the session’s position from the header first, else the cookie, and ignores garbage', () => {
    expect(sessionLsn({ 'wuyou-lsn': '1/A0' })).toBe(0x1000000a0n);
    expect(sessionLsn({ cookie: 'a=b; wuyou_lsn=2/10; c=d' })).toBe(0x200000010n);
    expect(sessionLsn({ 'wuyou-lsn': '1/A0', cookie: 'wuyou_lsn=2/10' })).toBe(0x1000000a0n);
    expect(sessionLsn({ cookie: 'xwuyou_lsn=2/10' })).toBeUndefined();
    expect(sessionLsn({ cookie: 'wuyou_lsn=drop table' })).toBeUndefined();
    expect(sessionLsn({})).toBeUndefined();
  });

  it('reads DATABASE_READ_URL and its lag bound, refusing what is not a postgres URL', () => {
    expect(loadConfig({}).readReplica).toBeUndefined();
    expect(loadConfig({ DATABASE_READ_URL: 'postgres://r/db' }).readReplica).toEqual({
      url: 'postgres://r/db',
      maxLagMs: 5000,
    });
    expect(
      loadConfig({ DATABASE_READ_URL: 'postgres://r/db', DATABASE_READ_MAX_LAG_MS: '250' }).readReplica
        ?.maxLagMs,
    ).toBe(250);
    expect(() => loadConfig({ DATABASE_READ_URL: 'mysql://r/db' })).toThrow(/DATABASE_READ_URL/);
    expect(() =>
      loadConfig({ DATABASE_READ_URL: 'postgres://r/db', DATABASE_READ_MAX_LAG_MS: 'soon' }),
    ).toThrow(/DATABASE_READ_MAX_LAG_MS/);
  });
});
