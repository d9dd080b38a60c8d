import type { Polygon } from 'geojson';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppContext } from './context.ts';
import type { WorkLimits } from './config.ts';
import type { Queryable } from './db/index.ts';
import { HttpError } from './errors.ts';
import { RateLimits } from './rate-limits/rate-limits.ts';

/**
 * Work limits (issue 10 #5): one request must not stall everyone.
 *
 * - Geometry: a service-area polygon has at most `areaMaxVertices` vertices and a bbox at most
 *   `areaMaxSpanM` wide (which also refuses a polygon across the antimeridian) → 400.
 * - Heavy reads (validate, coverage gaps and proposals, camera suggestions) go through `heavy()`:
 *   a rate limit per user and per address (429 + Retry-After), at most `heavyConcurrency` at once
 *   per process (the others wait up to 2 s, then 503 + Retry-After), and `heavyQuery()` runs them
 *   in a transaction with `SET LOCAL statement_timeout` (503 timeout when over; embedded, where a
 *   statement cannot be interrupted, a deadline: see TransactionOptions).
 *
 * The rate limits live in the database (server/src/rate-limits, migration 0021), so every app process
 * counts the same requests: with N processes a user still gets the rate, not N × it. The concurrency
 * gate stays in memory on purpose: it protects this one process's event loop and main pool, a
 * resource no other process shares, so there is nothing for two processes to disagree on. Health and
 * tiles use a pool of their own (Db.light), so they answer while heavy requests run.
 */

/** Metres per degree (WGS84, near enough for a limit). */
const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQ = 111_320;

/** Why a polygon is too big for a service area, or null. */
export function polygonTooBig(
  geometry: Polygon,
  limits: Pick<WorkLimits, 'areaMaxVertices' | 'areaMaxSpanM'>,
  path = 'geometry',
): HttpError | null {
  let vertices = 0;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of geometry.coordinates) {
    vertices += Math.max(0, ring.length - 1);
    for (const [x, y] of ring) {
      if (x! < w) w = x!;
      if (x! > e) e = x!;
      if (y! < s) s = y!;
      if (y! > n) n = y!;
    }
  }
  if (vertices > limits.areaMaxVertices) {
    return new HttpError(
      400,
      'invalid_geometry',
      `The polygon has ${vertices} vertices; at most ${limits.areaMaxVertices}`,
      { problem: 'too_many_vertices', path: `${path}.coordinates`, vertices, limit: limits.areaMaxVertices },
    );
  }
  const midLat = ((s + n) / 2) * (Math.PI / 180);
  const spanM = Math.max((e - w) * M_PER_DEG_LON_EQ * Math.cos(midLat), (n - s) * M_PER_DEG_LAT);
  if (spanM > limits.areaMaxSpanM) {
    return new HttpError(
      400,
      'invalid_geometry',
      `The polygon spans ${Math.round(spanM)} m; a service area spans at most ${limits.areaMaxSpanM} m`,
      { problem: 'too_large', path, span_m: Math.round(spanM), limit_m: limits.areaMaxSpanM },
    );
  }
  return null;
}

/** At most `max` holders at once; a waiter gives up after `waitMs`. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly max: number,
    private readonly waitMs: number,
  ) {}

  /** Resolves to a release function, or null when no place came free in time. */
  async enter(): Promise<(() => void) | null> {
    if (this.running < this.max) {
      this.running++;
      return this.releaser();
    }
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        this.running++;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      }, this.waitMs);
      this.waiting.push(go);
    });
  }

  private releaser() {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      const next = this.waiting.shift();
      if (next) next();
    };
  }
}

interface HeavyState {
  rates: RateLimits;
  gate: Gate;
}
const states = new WeakMap<AppContext, HeavyState>();
const stateOf = (ctx: AppContext): HeavyState => {
  let st = states.get(ctx);
  if (!st) {
    st = {
      rates: new RateLimits(ctx.db, 'heavy', { timeoutMs: ctx.config.limits.heavyTimeoutMs }),
      gate: new Gate(ctx.config.limits.heavyConcurrency, 2000),
    };
    states.set(ctx, st);
  }
  return st;
};

/** The name of heavy()'s limiting middleware, by which tests find every heavy route in the app. */
export const HEAVY_LIMIT = 'heavyLimit';

/**
 * Middleware for a heavy endpoint: a signed-in user (401 without: anonymous callers must not be able
 * to spend the server's time), within the rate limits, and a place among the heavy requests running
 * now (held until the answer is sent).
 */
export function heavy(ctx: AppContext): RequestHandler[] {
  const limit: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const st = stateOf(ctx);
    const perMin = ctx.config.limits.heavyRatePerMin;
    st.rates
      .take([
        { key: `user:${req.user!.username}`, perMin },
        { key: `addr:${req.ip ?? req.socket.remoteAddress ?? '?'}`, perMin: perMin * 4 },
      ])
      .then((wait) => {
        if (wait > 0) {
          res.setHeader('Retry-After', String(wait));
          throw new HttpError(429, 'rate_limited', `Too many heavy requests; try again in ${wait} s`, {
            retry_after_s: wait,
          });
        }
        return st.gate.enter();
      })
      .then((release) => {
        if (!release) {
          res.setHeader('Retry-After', '2');
          return next(
            new HttpError(503, 'unavailable', 'The server is busy with heavy requests; try again shortly'),
          );
        }
        res.once('close', release);
        next();
      }, next);
  };
  Object.defineProperty(limit, 'name', { value: HEAVY_LIMIT });
  // The sign-in check waits for the database no longer than the heavy read itself may: embedded, a
  // statement running in the database's thread would otherwise hold it for all of its seconds.
  return [ctx.auth.required({ timeoutMs: ctx.config.limits.heavyTimeoutMs }), limit];
}

/**
 * Runs a heavy read with the per-statement time limit (503 timeout when a statement is over it; on
 * the embedded database a deadline, see TransactionOptions). `keeps`: the read stores its answer
 * (street results), so embedded it runs on to its end past the deadline and the next request finds it.
 */
export function heavyQuery<T>(
  ctx: AppContext,
  fn: (q: Queryable) => Promise<T>,
  opts: { keeps?: boolean } = {},
): Promise<T> {
  return ctx.db.transaction(fn, {
    timeoutMs: ctx.config.limits.heavyTimeoutMs,
    finishAfterDeadline: opts.keeps,
  });
}

/** Keys of kept reads this process is finishing in the background (so it starts each once). */
const finishing = new WeakMap<AppContext, Set<string>>();

/** How long a caller told "still computing" should wait before asking again (Retry-After). */
export const STILL_COMPUTING_RETRY_S = 2;

/**
 * A heavy read that keeps its answer (a street's gaps or proposals): run under the time limit like
 * heavyQuery; past it the caller gets 503 `timeout` with details.reason `still_computing` and
 * Retry-After, and the answer is finished anyway so that asking again soon finds it kept. Embedded
 * the statement runs on to its end by itself (finishAfterDeadline); on a server it was cancelled, so
 * this process computes it once more in the background under BACKGROUND_TIMEOUT_MS (the background
 * refresh's limit). Without this, a street whose answer takes longer than the limit could never be shown.
 * `key` names the answer (street, kind, options); the set only stops one process starting the same
 * work twice — another process that does too merely stores the same answer.
 */
export async function keptHeavyQuery<T>(
  ctx: AppContext,
  key: string,
  fn: (q: Queryable) => Promise<T>,
): Promise<T> {
  const stillComputing = () =>
    new HttpError(503, 'timeout', 'The answer is still being computed; ask again shortly', {
      reason: 'still_computing',
      retry_after_s: STILL_COMPUTING_RETRY_S,
    });
  // While this process finishes it, asking again answers at once: trying within the limit again would
  // cost the database the limit's seconds of the same work on every poll (the client asks every 2 s;
  // at 2,000,000 buildings each try was 4 s of GEOS beside the run that finishes it).
  if (finishing.get(ctx)?.has(key)) throw stillComputing();
  try {
    return await heavyQuery(ctx, fn, { keeps: true });
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code !== '57014') throw e;
    if (ctx.db.kind === 'postgres') {
      let set = finishing.get(ctx);
      if (!set) finishing.set(ctx, (set = new Set()));
      if (!set.has(key)) {
        set.add(key);
        ctx.db
          .transaction(fn, { timeoutMs: ctx.config.limits.backgroundTimeoutMs })
          .catch((err: Error) => ctx.logger.warn({ err: err.message, key }, 'finishing a kept read failed'))
          .finally(() => set.delete(key));
      }
    }
    throw stillComputing();
  }
}
