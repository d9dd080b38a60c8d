import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run seed` as the package script starts it (tsx), on a database of its own. */
describe('npm run seed (spawned)', { timeout: 300_000 }, () => {
  let t: TestDb | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'server/cli/seed.ts', ...args], {
        cwd: ROOT,
        env: { ...env, ...extra },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wuyou-seed-'));
    env = { ...process.env, LOG_LEVEL: 'silent', ADMIN_PASSWORD: '' };
    if (TEST_DB_KIND === 'postgres') {
      t = await createTestDb();
      env.DATABASE_URL = t.url;
    } else {
      env.DATABASE_URL = '';
      env.PGLITE_DIR = join(dir, 'pglite');
    }
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad size with exit 2 and the usage', async () => {
    const r = await run(['--buildings', '2000001']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--buildings must be a whole number from 1 to 2000000, got "2000001"');
    expect(r.stderr).toContain('usage: npm run seed');
  });

  it('loads the city, prints counts and progress, and creates the demo accounts with a printed password', async () => {
    const r = await run(['--buildings', '600', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/buildings [\d,]+ \/ ~600 \([\d,]+\/s\)/);
    expect(r.stdout).toMatch(/^ {2}buildings +6\d\d$/m);
    // issue 9 #14: each account with its role and 街道
    expect(r.stdout).toMatch(/Demo accounts:\n\s+admin\s+city_admin/);
    expect(r.stdout).toMatch(/editor-510903001\s+street_editor\s+\S+街道 \(510903001\)/);
    expect(r.stdout).toMatch(/Password, shown once: \S{8,}/);
    if (t) {
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      const n = (await c.query("SELECT count(*)::int AS n FROM users WHERE role = 'street_editor'")).rows[0]
        .n;
      await c.end();
      expect(n).toBeGreaterThanOrEqual(6);
    }
  });

  it('reloads at another size, using ADMIN_PASSWORD when set', async () => {
    const r = await run(['--buildings', '300'], { ADMIN_PASSWORD: 'demo-pass-123' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}buildings +3\d\d$/m);
    expect(r.stdout).toContain('(password from ADMIN_PASSWORD)');
    expect(r.stdout).toMatch(/editor-510903001\s+street_editor/);
    expect(r.stdout).not.toContain('demo-pass-123');
  });
});
