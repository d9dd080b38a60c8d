import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleReason } from './ensure-client.ts';

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

  it('ignores files the build itself writes', () => {
    const root = project(true);
    writeFileSync(join(root, 'client/dist/app.js'), 'x');
    utimesSync(join(root, 'client/dist/app.js'), 3000, 3000);
    expect(staleReason(root)).toBeNull();
  });
});
