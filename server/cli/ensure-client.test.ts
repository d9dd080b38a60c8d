import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureClient, staleReason } from './ensure-client.ts';

describe('ensure-client (issue 9 #14: npm start rebuilt the client on every start)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A project tree with sources at t=1000 s and, when `built`, client/dist at t=2000 s. */
  function project(built: boolean): string {
    const root = mkdtempSync(join(tmpdir(), 'ensure-client-'));
    dirs.push(root);
    const file = (p: string, t: number) => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), 'x');
      utimesSync(join(root, p), t, t);
    };
    file('client/src/main.tsx', 1000);
    file('client/vite.config.ts', 1000);
    file('core/checks/clip.ts', 1000);
    file('package-lock.json', 1000);
    if (built) file('client/dist/index.html', 2000);
    return root;
  }
  const touch = (root: string, p: string) => utimesSync(join(root, p), 3000, 3000);

  it('builds when client/dist is missing', () => {
    expect(staleReason(project(false))).toMatch(/missing/);
  });

  it('does not rebuild a client newer than all its sources', () => {
    expect(staleReason(project(true))).toBeNull();
  });

  it.each(['client/src/main.tsx', 'core/checks/clip.ts', 'client/vite.config.ts', 'package-lock.json'])(
    'rebuilds when %s changed after the build',
    (p) => {
      const root = project(true);
      touch(root, p);
      expect(staleReason(root)).toContain(p);
    },
  );

  it("ignores the client's test files, which the build does not read (a start rebuilt for one)", () => {
    const root = project(true);
    for (const p of ['client/src/map/camera.test.ts', 'client/src/App.test.tsx']) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), 'x');
      touch(root, p);
    }
    expect(staleReason(root)).toBeNull();
  });

  it('ignores files the build itself writes', () => {
    const root = project(true);
    writeFileSync(join(root, 'client/dist/app.js'), 'x');
    utimesSync(join(root, 'client/dist/app.js'), 3000, 3000);
    expect(staleReason(root)).toBeNull();
  });

  describe('trust10 #8: two starts at once', () => {
    /** A build that writes its files one by one, yielding between them, and counts its runs. */
    const slowBuild = (runs: string[], tag: string) => async (outDir: string) => {
      runs.push(tag);
      mkdirSync(outDir, { recursive: true });
      for (const f of ['a.js', 'b.js', 'c.css']) {
        writeFileSync(join(outDir, f), tag);
        await new Promise<void>((r) => setImmediate(r));
      }
      writeFileSync(join(outDir, 'index.html'), tag);
    };

    it('build client/dist once, never half-written: the second waits on the lock and finds it fresh', async () => {
      const root = project(false);
      const runs: string[] = [];
      const seen: string[][] = [];
      // While the builds run, client/dist is either absent or whole (all four files of one build).
      let watching = true;
      const watch = (async () => {
        while (watching) {
          const dist = join(root, 'client/dist');
          if (existsSync(dist)) {
            try {
              seen.push(readdirSync(dist).sort());
            } catch {
              // renamed away between the check and the read
            }
          }
          await new Promise<void>((r) => setImmediate(r));
        }
      })();
      const built = await Promise.all([
        ensureClient({ root, build: slowBuild(runs, 'one'), log: () => {}, pollMs: 5 }),
        ensureClient({ root, build: slowBuild(runs, 'two'), log: () => {}, pollMs: 5 }),
      ]);
      watching = false;
      await watch;
      expect(runs).toHaveLength(1);
      expect(built.sort()).toEqual([false, true]);
      expect(readdirSync(join(root, 'client/dist')).sort()).toEqual(['a.js', 'b.js', 'c.css', 'index.html']);
      for (const files of seen) expect(files).toEqual(['a.js', 'b.js', 'c.css', 'index.html']);
      // nothing left behind: no lock, no temporary folder
      expect(readdirSync(join(root, 'client')).filter((f) => f.startsWith('.dist'))).toEqual([]);
      expect(staleReason(root)).toBeNull();
    });

    it('takes over the lock of a start that died, and a failed build leaves the old client/dist in place', async () => {
      const root = project(true);
      touch(root, 'client/src/main.tsx');
      writeFileSync(join(root, 'client/.dist.lock'), '999999999'); // no such process
      const failing = async (outDir: string) => {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(join(outDir, 'a.js'), 'half');
        throw new Error('syntax error');
      };
      await expect(ensureClient({ root, build: failing, log: () => {}, pollMs: 5 })).rejects.toThrow(
        'syntax error',
      );
      expect(readFileSync(join(root, 'client/dist/index.html'), 'utf8')).toBe('x');
      expect(readdirSync(join(root, 'client')).filter((f) => f.startsWith('.dist'))).toEqual([]);
      const runs: string[] = [];
      expect(await ensureClient({ root, build: slowBuild(runs, 'new'), log: () => {}, pollMs: 5 })).toBe(
        true,
      );
      expect(readFileSync(join(root, 'client/dist/index.html'), 'utf8')).toBe('new');
    });
  });
});
