import { withReadScope, type Db } from '../db/index.ts';
import { sqlFiles } from '../sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url), { refilled: 'refilled.sql' });
const TAKE = sql('take.sql');
const PRUNE = sql('prune.sql');

/** One bucket a request takes a token from: `perMin` tokens a minute, holding at most `perMin`. */
export interface RateRule {
  key: string;
  perMin: number;
}

/** Seconds until a bucket left with `tokens` (< 1) holds a whole token again, at least 1. */
export function retryAfterS(tokens: number, perMin: number): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 60) / perMin));
}

/** Thrown inside the transaction to roll back the tokens already taken when another bucket refuses. */
class Refused extends Error {
  constructor(readonly waitS: number) {
    super('rate limited');
  }
}

/**
 * Token buckets kept in the database (migration 0021), so every app process on one database counts
 * the same requests: with two processes a user gets the rate, not twice it. A request takes one
 * token from each of its buckets (say, its user's and its address's) in one transaction, all or
 * none: a refused request uses up nothing, so a caller that waits out `Retry-After` gets through.
 *
 * @example
 *   const limits = new RateLimits(db, 'heavy');
 *   const wait = await limits.take([{ key: 'user:ann', perMin: 30 }, { key: 'addr:10.0.0.7', perMin: 120 }]);
 *   if (wait > 0) // 429 with Retry-After: wait
 */
export class RateLimits {
  /**
   * When this process next forgets the buckets that filled up again. Only a schedule for the
   * clean-up: the processes may disagree on it without anyone being counted differently.
   */
  private pruneAfter = 0;

  /**
   * `opts.timeoutMs`: how long a take (and the clean-up before it) may wait for the database; past it
   * the take fails with 57014 and uses up nothing (the embedded database may be busy for seconds
   * with one statement).
   */
  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  /**
   * Takes a token from every bucket: 0 when granted, else the seconds until all of them could grant.
   * Always on the primary, even inside a request whose reads go to a read replica (a heavy GET): the
   * take is a write, and the table is UNLOGGED, which a standby cannot even read. Its own read scope
   * keeps the request's reads where they were.
   */
  take(rules: readonly RateRule[]): Promise<number> {
    return withReadScope({ onReplica: false }, () => this.takeOnPrimary(rules));
  }

  private async takeOnPrimary(rules: readonly RateRule[]): Promise<number> {
    await this.pruneNowAndThen();
    try {
      await this.db.transaction(async (tx) => {
        let waitS = 0;
        // Always in the order given, so two requests never wait on each other's rows crosswise.
        for (const r of rules) {
          const res = await tx.query<{ tokens: number; granted: boolean }>(TAKE, [
            this.scope,
            r.key,
            r.perMin,
            r.perMin / 60,
          ]);
          const b = res.rows[0]!;
          if (!b.granted) waitS = Math.max(waitS, retryAfterS(b.tokens, r.perMin));
        }
        if (waitS > 0) throw new Refused(waitS);
      }, this.opts);
      return 0;
    } catch (e) {
      if (e instanceof Refused) return e.waitS;
      throw e;
    }
  }

  /**
   * About once a minute per process. A bucket holds a minute's tokens, so one untouched for a minute
   * is full again, the same as no row; two minutes leave room for clocks and changed rates.
   */
  private async pruneNowAndThen(): Promise<void> {
    const now = Date.now();
    if (now < this.pruneAfter) return;
    this.pruneAfter = now + 60_000;
    await this.db.transaction((tx) => tx.query(PRUNE, [120]), this.opts);
  }
}
