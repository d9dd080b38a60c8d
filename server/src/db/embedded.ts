import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db, Listening, Queryable, QueryResult, TransactionOptions } from './db.ts';
import { lockFolder } from './folder-lock.ts';
import { postgisBundle } from './postgis-bundle.ts';

/**
 * A statement that must answer with columns came back with none, and no error. PGlite (PostGIS 3.6,
 * GEOS 3.14 in WebAssembly) ends a statement that way when a GEOS call fails inside, e.g. an overlay
 * whose floating-point noding hits a topology error (PostgreSQL's GEOS retries and answers). It is a
 * fault of the engine, not an empty answer and not the caller's input (the same geometry is fine on
 * PostgreSQL), so it is answered 500 internal, logged with the statement's opening (its file comment).
 */
export class GeometryEngineError extends Error {
  readonly code = 'geometry_engine_failed';
  constructor(readonly statement: string) {
    super(`The embedded database returned no result and no error for: ${statement}`);
    this.name = 'GeometryEngineError';
  }
}

/**
 * A transaction's deadline (`TransactionOptions.timeoutMs`) passed on the embedded database: the same
 * SQLSTATE and message PostgreSQL gives a statement its `statement_timeout` cancelled, so it is
 * answered the same (503 `timeout`). Unlike PostgreSQL's, the statement was not stopped: it runs on
 * to its end in the database's thread (nothing can interrupt it), and its transaction is then rolled
 * back.
 */
export class StatementDeadlineError extends Error {
  readonly code = '57014';
  constructor(readonly timeoutMs: number) {
    super('canceling statement due to statement timeout');
    this.name = 'StatementDeadlineError';
  }
}

/**
 * Does `sql` answer with columns whatever happens (a SELECT, a WITH whose main statement is a SELECT,
 * a DML with RETURNING)? Only the top level counts: a RETURNING inside a CTE feeds the statement and
 * does not make it answer with columns.
 */
export function answersWithColumns(sql: string): boolean {
  let s = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim();
  // Leading parentheses belong to the statement ("(SELECT 1) UNION …"); every other group is nested.
  s = s.replace(/^\(+/, ' ').trim();
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, '[]'); // a collapsed group has no parentheses left to match
  }
  // The main statement of a WITH follows its CTE list: name [(cols)] AS [[NOT] MATERIALIZED] (…), …
  s = s.replace(
    /^with\s+(recursive\s+)?(\w+\s*(\[\])?\s*as\s+((not\s+)?materialized\s+)?\[\]\s*,?\s*)+/i,
    '',
  );
  const first = /^(\w+)/.exec(s)?.[1]?.toLowerCase();
  if (first === 'select' || first === 'values' || first === 'table') return true;
  if (first === 'insert' || first === 'update' || first === 'delete' || first === 'merge')
    return /\breturning\b/i.test(s);
  return false;
}

export interface EmbeddedOptions {
  /** Folder the database persists in; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** A data directory dumped earlier (PGlite dumpDataDir) to start from instead of a new cluster. */
  loadDataDir?: Blob;
  /**
   * Called when the database's thread ends by itself after it started (a crash): every call then
   * fails. Default: log to stderr and exit the process with status 1, so a supervisor restarts it
   * instead of a server that hangs on every request.
   */
  onFatal?: (err: Error) => void;
}

/** What the worker answers a query with (server/src/db/embedded-worker.mjs). */
interface WorkerRows {
  rows: Record<string, unknown>[];
  fields: number;
  affectedRows: number;
}

type Message =
  | { ready: true }
  | { notify: number; payload: string }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: Record<string, unknown> & { message: string } };

/** An error the worker sent as plain data, with its fields (code, detail, …) as PGlite had them. */
function revive(e: Record<string, unknown> & { message: string }): Error {
  const err = new Error(e.message) as Error & Record<string, unknown>;
  for (const [k, v] of Object.entries(e)) if (k !== 'message') err[k] = v;
  return err;
}

const noop = () => undefined;

const threads = new WeakMap<Db, Worker>();

/** The worker thread an embedded Db runs in (tests end it to see a crash handled). */
export function embeddedThread(db: Db): Worker | undefined {
  return threads.get(db);
}

/** PGlite's shared buffers (issue 12, memory): see the start parameters below. */
const START_PARAMS = ['-c', 'shared_buffers=32MB'];

/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) with its PostGIS extension,
 * in a worker thread of its own (issue 10 #5): a statement that takes seconds holds that thread, and
 * the server's thread goes on answering health, static files, cached tiles and everything that does
 * not wait for the database. One connection, serialised by PGlite as before; one app process owns the
 * folder. A transaction's `timeoutMs` is a deadline here (see TransactionOptions).
 */
export async function createEmbeddedDb(opts: EmbeddedOptions = {}): Promise<Db> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const unlock = opts.dataDir ? lockFolder(opts.dataDir) : () => undefined;
  try {
    return await start(opts, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function start(opts: EmbeddedOptions, unlock: () => void): Promise<Db> {
  const load = opts.loadDataDir ? await opts.loadDataDir.arrayBuffer() : undefined;
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), {
    // Issue 12 (memory): PGlite's 128 MB of shared buffers live in its WebAssembly heap, which never
    // shrinks; with 32 MB the server holds about 180 MB less (bench/memory.bench.ts), and the pages
    // beyond them are one read of the data folder away (the operating system caches it).
    // Issue 11 (memory): PostGIS alone, not the raster and topology libraries PGlite would
    // otherwise compile at start (server/src/db/postgis-bundle.ts).
    workerData: {
      dataDir: opts.dataDir,
      loadDataDir: load,
      startParams: START_PARAMS,
      postgisBundle: await postgisBundle(),
    },
    transferList: load ? [load] : [],
  });

  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  const notifyTo = new Map<number, (payload: string) => void>();
  let seq = 0;
  let started = false;
  let closing = false;
  let dead: Error | undefined;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: Message) => {
      if ('ready' in m) {
        started = true;
        worker.unref(); // only calls in flight keep the process alive, as PGlite in the thread did
        resolve();
      } else if ('notify' in m) notifyTo.get(m.notify)?.(m.payload);
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (pending.size === 0) worker.unref();
        if (m.ok) p?.resolve(m.value);
        else p?.reject(revive(m.error));
      }
    });
    worker.on('error', (err) => {
      failure = err;
      if (!started) reject(err);
    });
    worker.on('exit', (code) => {
      dead = new Error(
        `The embedded database's thread ended (exit code ${code})${failure ? `: ${failure.message}` : ''}`,
        { cause: failure },
      );
      for (const p of pending.values()) p.reject(dead);
      pending.clear();
      if (!started) reject(dead);
      else if (!closing) {
        if (opts.onFatal) opts.onFatal(dead);
        else {
          console.error(dead);
          process.exit(1);
        }
      }
    });
  });

  const call = <T>(msg: Record<string, unknown>): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = ++seq;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (pending.size === 1) worker.ref();
      try {
        worker.postMessage({ ...msg, id });
      } catch (e) {
        // A parameter structured clone refuses (a function, a symbol): fails like a bad parameter.
        pending.delete(id);
        if (pending.size === 0) worker.unref();
        reject(e);
      }
    });
  };

  const answer = <T>(sql: string, r: WorkerRows): QueryResult<T> => {
    if (r.fields === 0 && answersWithColumns(sql)) throw new GeometryEngineError(sql.trim().slice(0, 300));
    return { rows: r.rows as T[], rowCount: r.rows.length > 0 ? r.rows.length : r.affectedRows };
  };
  const on = (tx?: () => number | Promise<never>, guard = <R>(p: Promise<R>) => p): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await guard(call<WorkerRows>({ op: 'query', sql, params, tx: await tx?.() }));
      return answer<T>(sql, r);
    },
    async exec(sql: string) {
      await guard(call({ op: 'exec', sql, tx: await tx?.() }));
    },
  });

  /**
   * BEGIN … COMMIT through messages, one transaction at a time (PGlite serialises them in the
   * worker). With `timeoutMs`, a deadline counted from the call: when it passes before the COMMIT was
   * sent, the caller gets StatementDeadlineError (57014) at once; the statement running then finishes
   * in the worker and the transaction is rolled back (a transaction not begun by then never begins).
   * With `finishAfterDeadline`, one that has begun runs on to its end and commits instead.
   */
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>, topts: TransactionOptions = {}): Promise<T> => {
    const ms = topts.timeoutMs;
    const abortOnDeadline = ms !== undefined && !topts.finishAfterDeadline;
    let expired: StatementDeadlineError | undefined;
    let begun = false;
    let committing = false;
    const inFlight = new Set<(e: unknown) => void>();
    /** `p`, rejected at once when the deadline passes (the worker still finishes it). */
    const guard = <R>(p: Promise<R>, always = false): Promise<R> => {
      if (!always && !abortOnDeadline) return p;
      if (expired) {
        p.catch(noop);
        return Promise.reject(expired);
      }
      return new Promise<R>((resolve, reject) => {
        inFlight.add(reject);
        p.then(
          (v) => {
            inFlight.delete(reject);
            resolve(v);
          },
          (e) => {
            inFlight.delete(reject);
            reject(e);
          },
        );
      });
    };

    const work = (async () => {
      const began = call<number>({ op: 'begin' });
      // Began after its deadline: ended at once, nothing of it runs.
      began.then((id) => {
        if (expired && !begun) call({ op: 'rollback', tx: id }).catch(noop);
      }, noop);
      const id = await guard(began, true);
      begun = true;
      let closed = false;
      const txId = () => (closed ? Promise.reject(new Error('Transaction is closed')) : id);
      try {
        const value = await fn(on(txId, guard));
        if (expired && abortOnDeadline) throw expired;
        closed = true;
        committing = true;
        await call({ op: 'commit', tx: id });
        return value;
      } catch (e) {
        if (!closed) {
          closed = true;
          const rollback = call({ op: 'rollback', tx: id }).catch(noop);
          if (!expired) await rollback; // after a deadline the caller does not wait for the statement
        }
        throw e;
      }
    })();
    if (ms === undefined) return work;

    work.catch(noop); // answered by the deadline below, or it is the caller's
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          if (committing) return; // the COMMIT's outcome is the answer, whatever it takes
          expired = new StatementDeadlineError(ms);
          for (const r of inFlight) r(expired);
          inFlight.clear();
          reject(expired);
        },
        Math.max(1, ms),
      );
      work.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  };

  const db = on();
  const embedded: Db = {
    kind: 'embedded',
    ...db,
    transaction,
    // One connection serves everything: light is the same database (its thread is not the server's).
    light: { ...db, transaction },
    // A notification is sent from the worker before the answer of the statement that committed it,
    // and messages keep their order: it reaches its callback before that statement's promise
    // resolves, so there is nothing to catch up on and the connection is never lost.
    async listen(channel, handlers): Promise<Listening> {
      const listener = await call<number>({ op: 'listen', channel });
      notifyTo.set(listener, (payload) => handlers.notify(payload));
      handlers.state(true);
      return {
        async close() {
          notifyTo.delete(listener);
          if (!closing && !dead) await call({ op: 'unlisten', listener });
        },
      };
    },
    onLocalChange() {
      return () => undefined;
    },
    async close() {
      if (closing || dead) return;
      closing = true;
      try {
        await call({ op: 'close' });
      } finally {
        await worker.terminate();
        unlock();
      }
    },
    async dumpDataDir() {
      return new Blob([await call<ArrayBuffer>({ op: 'dump' })]);
    },
  };
  threads.set(embedded, worker);
  return embedded;
}
