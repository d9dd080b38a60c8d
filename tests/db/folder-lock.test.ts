import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedDb } from '../../server/src/db/embedded.ts';
import { TEST_DB_KIND } from '../helpers/db.ts';

// Found by a try-out (2026-12-04): `npm run backup` beside a running embedded app that was writing
// aborted, or wrote a file whose restore failed with "Aborted()" and left a half-written PGLITE_DIR
// that no app could start on. PGlite is single-user: one process per folder. The folder's lock
// refuses a second process with a message naming the first, a lock left by a killed process is taken
// over, and a restore that fails leaves PGLITE_DIR as it was. (The embedded pass only: it is about
// PGlite's folders, whatever DATABASE_URL says.)

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wuyou-lock-'));
let holder: ChildProcess | undefined;
afterAll(() => {
  holder?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function cli(script: 'backup' | 'restore', file: string, pgliteDir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, file], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      MIGRATION_DATABASE_URL: '',
      PGLITE_DIR: pgliteDir,
      LOG_LEVEL: 'silent',
    },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** Another process that opens the folder and keeps it open until killed. */
function holdIn(folder: string): Promise<ChildProcess> {
  const code = `
    const { createEmbeddedDb } = await import(${JSON.stringify(join(ROOT, 'server/src/db/embedded.ts'))});
    await createEmbeddedDb({ dataDir: ${JSON.stringify(folder)} });
    console.log('held');
    setInterval(() => {}, 1 << 30);`;
  const script = join(dir, 'hold.mjs');
  writeFileSync(script, code);
  const p = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('held')) resolve(p);
    });
    p.on('exit', (c) => reject(new Error(`the holding process ended (${c}) before it held the folder`)));
  });
}

describe.skipIf(TEST_DB_KIND !== 'embedded')(
  'one process per embedded database folder',
  { timeout: 600_000 },
  () => {
    it('refuses a second process (backup beside a running app), naming the first; a killed holder’s lock is taken over', async () => {
      const folder = join(dir, 'pglite');
      holder = await holdIn(folder);
      await expect(createEmbeddedDb({ dataDir: folder })).rejects.toThrow(`in use by process ${holder.pid}`);
      const file = join(dir, 'beside.backup');
      const b = cli('backup', file, folder);
      expect(b.status).toBe(1);
      expect(b.stderr).toContain(`in use by process ${holder.pid}`);
      expect(existsSync(file)).toBe(false);

      const exited = new Promise((resolve) => holder!.once('exit', resolve));
      holder.kill('SIGKILL'); // its lock stays behind
      await exited;
      expect(existsSync(`${folder}.lock`)).toBe(true);
      const db = await createEmbeddedDb({ dataDir: folder });
      await db.close();
      expect(existsSync(`${folder}.lock`)).toBe(false);
      const again = cli('backup', file, folder);
      expect(again.status, again.stderr).toBe(0);
    });

    it('a restore that fails leaves PGLITE_DIR as it was, so it can be tried again', async () => {
      const source = join(dir, 'source');
      await (await createEmbeddedDb({ dataDir: source })).close();
      const backup = join(dir, 'source.backup');
      const b = cli('backup', backup, source);
      expect(b.status, b.stderr).toBe(0);
      // the first half of a good backup: a file cut off in a copy
      const whole = readFileSync(backup);
      const broken = join(dir, 'broken.backup');
      writeFileSync(broken, whole.subarray(0, whole.length >> 1));
      const target = join(dir, 'restored');
      const r = cli('restore', broken, target);
      expect(r.status).toBe(1);
      expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
      expect(readdirSync(dir).filter((f) => f.startsWith('restored'))).toEqual(
        existsSync(target) ? ['restored'] : [],
      );
      const good = cli('restore', backup, target);
      expect(good.status, good.stderr).toBe(0);
      expect(readdirSync(target)).toContain('PG_VERSION');
    });
  },
);
