import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable, TransactionOptions } from './db.ts';
import { isDbUnavailable } from './errors.ts';

/**
 * A WAL position as PostgreSQL prints it (`16/B374D848`), as a number that orders positions; undefined
 * for anything else (a client's cookie is not trusted to be one).
 */
export function parseLsn(text: string | null | undefined): bigint | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text ?? '');
  if (!m) return undefined;
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  const hex = (n: bigint) => n.toString(16).toUpperCase();
  return `${hex(lsn >> 32n)}/${hex(lsn & 0xffffffffn)}`;
}

/**
 * Where the replica stands: `up` (reads may go there), `starting` (not asked yet), `down` (not
 * reachable), `lagging` (has not replayed, within the lag bound, what the primary had written),
 * `not_standby` (DATABASE_READ_URL names a server that is not replaying anything: never read from).
 */
export type ReplicaState = 'starting' | 'up' | 'down' | 'lagging' | 'not_standby';

export interface ReadReplicaOptions {
  /** Reads stay on the primary while the replica has not replayed a position the primary had flushed this long ago. Default 5000. */
  maxLagMs?: number;
  /** How often the replica's replay position and the primary's flush position are read in the background. Default 1000. */
  pollMs?: number;
  /** A session whose own write the known replay position does not cover asks the replica again at most this often. Default 2. */
  refreshMs?: number;
}

/** What the request being served says about its reads (set per request by the HTTP layer). */
export interface ReadScope {
  /** Its reads go to the replica; turned off by a write or a failure on the replica. */
  onReplica: boolean;
  /** Told the WAL position after each commit this request made that wrote. */
  committed?(lsn: string): void;
}

const scope = new AsyncLocalStorage<ReadScope>();

/** Runs `fn` (and everything it awaits) with `s` as its read scope. */
export function withReadScope<T>(s: ReadScope, fn: () => T): T {
  return scope.run(s, fn);
}

const MAX_SAMPLES = 1000;
const REPLAYED_SQL = `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed`;
const FLUSHED_SQL = `SELECT pg_current_wal_flush_lsn()::text AS flushed`;

/**
 * A streaming replica (DATABASE_READ_URL) and what is known of its progress, for read-your-writes by
 * WAL position: a session that wrote carries the position after its commit
 * (`pg_current_wal_insert_lsn()`, read in the COMMIT's round trip), and its reads go to the replica
 * only once `pg_last_wal_replay_lsn()` there is at or past it.
 *
 * The known replay position only grows, and is a lower bound of the replica's true one, so a session
 * it covers is sent there without asking; a session ahead of it makes one coalesced read of the
 * replica's position (at most every `refreshMs`), and is sent to the primary if that does not cover
 * it either. In the background (`pollMs`) the replica's position is compared with the primary's
 * flushed one: a replica that has not replayed, `maxLagMs` after, what the primary had flushed is
 * `lagging` and gets no reads; one that does not answer is `down`. Reads then go to the primary, so
 * the app never fails because its replica is gone.
 */
export class ReadReplica {
  private replayed = 0n;
  private current: ReplicaState = 'starting';
  /** Primary flush positions not yet replayed, oldest first, with when they were seen. */
  private samples: { lsn: bigint; at: number }[] = [];
  private refreshing: Promise<void> | undefined;
  private lastRefresh = -Infinity;
  private polling = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly stateListeners = new Set<(state: ReplicaState, err?: Error) => void>();
  private readonly maxLagMs: number;
  private readonly pollMs: number;
  private readonly refreshMs: number;

  constructor(
    /** The replica's own pools. */
    readonly db: Db,
    /** The primary, for its flush position. */
    private readonly primary: Queryable,
    opts: ReadReplicaOptions = {},
    /**
     * Where the replica's replay position is read: its own connection, so the poll neither waits
     * behind requests for a pooled one (a busy pool is not a replica that is down) nor takes the
     * connection a request just used. Closed with the replica.
     */
    private readonly probe: Queryable & { close(): Promise<void> },
  ) {
    this.maxLagMs = opts.maxLagMs ?? 5000;
    this.pollMs = opts.pollMs ?? 1000;
    this.refreshMs = opts.refreshMs ?? 2;
  }

  /** Polls now and then every `pollMs` until closed. */
  start(): void {
    if (this.timer || this.closed) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  get state(): ReplicaState {
    return this.current;
  }

  /** The replay position known to have been reached (a lower bound). */
  get replayedLsn(): string {
    return formatLsn(this.replayed);
  }

  /** Calls `fn` at every change of state (the app logs them); returns the unsubscribe function. */
  onState(fn: (state: ReplicaState, err?: Error) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /**
   * May a read of a session that last wrote at `sessionLsn` (none: never wrote, or long ago) go to the
   * replica? Synchronous when the known state answers it; a promise when the replica is asked.
   */
  choose(sessionLsn: bigint | undefined): boolean | Promise<boolean> {
    if (this.current !== 'up') return false;
    if (sessionLsn === undefined || sessionLsn <= this.replayed) return true;
    return this.refresh().then(() => this.current === 'up' && sessionLsn <= this.replayed);
  }

  /** The read scope of the request being served, if any. */
  get scope(): ReadScope | undefined {
    return scope.getStore();
  }

  /** Called by the primary's Db after a commit that wrote, with the position after it. */
  committed(lsn: string): void {
    const s = scope.getStore();
    if (!s) return;
    // The rest of a request that wrote reads what it wrote.
    s.onReplica = false;
    s.committed?.(lsn);
  }

  /**
   * A statement on the replica failed with `err`: should it run again on the primary? Yes when the
   * replica is unreachable (it is then `down` until a poll reaches it), when a standby query was
   * cancelled by replay (recovery conflict), or when it tried to write (a read route that keeps a
   * result, e.g. a dashboard answer: the write belongs on the primary).
   */
  failedOver(err: unknown): boolean {
    if (isDbUnavailable(err)) {
      this.setState('down', err as Error);
      return true;
    }
    const code = (err as { code?: unknown } | null)?.code;
    return code === '25006' || code === '40001' || code === '40P01' || code === '57P04';
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.db.close();
    await this.probe.close();
  }

  private refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (performance.now() - this.lastRefresh < this.refreshMs) return Promise.resolve();
    const p = this.readReplica()
      .then(() => undefined)
      .finally(() => {
        this.lastRefresh = performance.now();
        this.refreshing = undefined;
      });
    this.refreshing = p;
    return p;
  }

  /** Reads the replica's replay position; false when it is not a standby or not reachable. */
  private async readReplica(): Promise<boolean> {
    try {
      const r = await this.probe.query<{ standby: boolean; replayed: string | null }>(REPLAYED_SQL);
      const row = r.rows[0]!;
      if (!row.standby) {
        this.setState('not_standby');
        return false;
      }
      const lsn = parseLsn(row.replayed);
      if (lsn !== undefined && lsn > this.replayed) this.replayed = lsn;
      if (this.current === 'starting' || this.current === 'down' || this.current === 'not_standby')
        this.judgeLag();
      return true;
    } catch (e) {
      if (!this.closed) this.setState('down', e as Error);
      return false;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const flushed = await this.primary
        .query<{ flushed: string }>(FLUSHED_SQL)
        .then((r) => parseLsn(r.rows[0]?.flushed))
        .catch(() => undefined);
      const at = performance.now();
      if (!(await this.readReplica())) return;
      const last = this.samples[this.samples.length - 1];
      if (flushed !== undefined && (!last || flushed > last.lsn)) {
        // A replica stuck for hours: keep the oldest positions (they decide) and the newest, not every second.
        if (this.samples.length >= MAX_SAMPLES) this.samples.pop();
        this.samples.push({ lsn: flushed, at });
      }
      this.judgeLag();
    } finally {
      this.polling = false;
    }
  }

  private judgeLag(): void {
    while (this.samples.length > 0 && this.samples[0]!.lsn <= this.replayed) this.samples.shift();
    const oldest = this.samples[0];
    this.setState(oldest && performance.now() - oldest.at > this.maxLagMs ? 'lagging' : 'up');
  }

  private setState(state: ReplicaState, err?: Error): void {
    if (state === this.current || this.closed) return;
    this.current = state;
    for (const fn of this.stateListeners) fn(state, err);
  }
}

/**
 * The app's Db with reads routed: inside a request whose read scope says `onReplica`, `query`,
 * `transaction` and the light pool go to the replica; a statement the replica refuses or cannot
 * answer (see `failedOver`) runs again on the primary, and so does the rest of that request.
 * Everything else — writes, LISTEN, COPY, requests outside a read scope — is the primary's.
 */
export function routeReads(primary: Db, replica: ReadReplica): Db {
  const onReplica = () => scope.getStore()?.onReplica === true;
  const fallBack = () => {
    const s = scope.getStore();
    if (s) s.onReplica = false;
  };
  type Tx = <T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions) => Promise<T>;

  const routed = (p: Queryable & { transaction: Tx }, r: Queryable & { transaction: Tx }) => ({
    async query<T>(...args: Parameters<Queryable['query']>) {
      if (!onReplica()) return p.query<T>(...args);
      try {
        return await r.query<T>(...args);
      } catch (e) {
        if (!replica.failedOver(e)) throw e;
        fallBack();
        return p.query<T>(...args);
      }
    },
    async exec(sql: string) {
      if (!onReplica()) return p.exec(sql);
      try {
        return await r.exec(sql);
      } catch (e) {
        if (!replica.failedOver(e)) throw e;
        fallBack();
        return p.exec(sql);
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T> {
      if (!onReplica()) return p.transaction(fn, opts);
      // A failure the code inside caught still means the transaction belongs on the primary.
      let refused: unknown;
      try {
        const out = await r.transaction(
          (tx) =>
            fn({
              query: <R>(...args: Parameters<Queryable['query']>) =>
                tx.query<R>(...args).catch((e: unknown) => {
                  if (replica.failedOver(e)) refused ??= e;
                  throw e;
                }),
              exec: (sql) =>
                tx.exec(sql).catch((e: unknown) => {
                  if (replica.failedOver(e)) refused ??= e;
                  throw e;
                }),
            }),
          opts,
        );
        if (refused === undefined) return out;
      } catch (e) {
        if (refused === undefined && !replica.failedOver(e)) throw e;
      }
      fallBack();
      return p.transaction(fn, opts);
    },
  });

  const main = routed(primary, replica.db);
  const light = routed(primary.light, replica.db.light);
  return new Proxy(primary, {
    get(target, prop, receiver) {
      if (prop === 'query' || prop === 'exec' || prop === 'transaction') return main[prop];
      if (prop === 'light') return light;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
