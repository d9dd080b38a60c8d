import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootstrap } from '../../server/src/bootstrap.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

describe('issue 9 #14: with ADMIN_PASSWORD set, every start names the demo accounts and their 街道', () => {
  let t: TestDb;
  const config = loadConfig({
    ADMIN_PASSWORD: 'startup-bench-pass',
    DEMO_BUILDINGS: '0',
    LOG_LEVEL: 'silent',
  });
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    t = await createTestDb();
    await t.db.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
        ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
        ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326))),
        ('510903002', '南津路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.6, 30.4, 105.7, 30.6, 4326)))`,
    );
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.drop();
  });

  async function startLog(): Promise<string> {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await bootstrap(t.db, config, logger);
      return log.mock.calls.map((c) => c.join(' ')).join('\n');
    } finally {
      log.mockRestore();
    }
  }

  it('the first start creates them and lists each with role and street', async () => {
    const out = await startLog();
    expect(out).toMatch(/Demo accounts:\n\s+admin\s+city_admin\s+whole city/);
    expect(out).toMatch(/editor-510903001\s+street_editor\s+凯旋路街道 \(510903001\)/);
    expect(out).toMatch(/editor-510903002\s+street_editor\s+南津路街道 \(510903002\)/);
    expect(out).toContain('Password: from ADMIN_PASSWORD');
    expect(out).not.toContain('startup-bench-pass');
  });

  it('a later start lists them again without touching them', async () => {
    const before = await t.db.query('SELECT username, password_hash FROM users ORDER BY username');
    const out = await startLog();
    expect(out).toMatch(/editor-510903001\s+street_editor\s+凯旋路街道 \(510903001\)/);
    expect(out).toContain('those from an earlier start keep theirs');
    expect((await t.db.query('SELECT username, password_hash FROM users ORDER BY username')).rows).toEqual(
      before.rows,
    );
  });
});
