import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { processAlive } from '../process-alive.ts';

/**
 * One process at a time in an embedded database's folder. PGlite is a single-user PostgreSQL: two
 * processes on one folder (a second `npm start`, or `npm run backup` beside a running app) each
 * believe they own its files, and a backup taken that way could not be restored ("Aborted()"). The
 * lock is a file beside the folder (`<folder>.lock`, holding the process id), so a dump of the
 * folder never carries it; a lock left by a process that is gone (killed) is taken over.
 */
export class FolderInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database ${folder} is in use by process ${pid} (a running app or command): ` +
        `stop it first (or, if no such process is ours, delete ${folder}.lock)`,
    );
    this.name = 'FolderInUseError';
  }
}

/** Folders this process holds, with how many opens of each (a test may open one twice). */
const held = new Map<string, number>();

function release(folder: string): void {
  const lock = `${folder}.lock`;
  try {
    if (Number(readFileSync(lock, 'utf8')) === process.pid) unlinkSync(lock);
  } catch {
    /* gone already */
  }
}

process.on('exit', () => {
  for (const folder of held.keys()) release(folder);
});

/** Takes the folder's lock for this process; the function returned gives it back. */
export function lockFolder(dir: string): () => void {
  const folder = resolve(dir);
  const lock = `${folder}.lock`;
  const opens = held.get(folder);
  if (opens === undefined) {
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let pid = NaN;
        try {
          pid = Number(readFileSync(lock, 'utf8'));
        } catch {
          /* removed meanwhile: try again */
        }
        const owned = Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid);
        if (owned || attempt >= 2) throw new FolderInUseError(folder, pid);
        try {
          unlinkSync(lock); // left by a process that is gone
        } catch {
          /* another process took it over first: the next attempt finds it */
        }
      }
    }
  }
  held.set(folder, (opens ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (held.get(folder) ?? 1) - 1;
    if (n > 0) {
      held.set(folder, n);
      return;
    }
    held.delete(folder);
    release(folder);
  };
}
