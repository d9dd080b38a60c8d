import type { Logger } from 'pino';
import type { ChangeActor, ChangeEvent } from '../../../core/change-event.ts';
import type { Db, Listening } from '../db/index.ts';
import { LayerVersions } from '../tiles/layer-versions.ts';
import { sqlFiles } from '../sql-files.ts';

export const CHANGE_CHANNEL = 'wuyou_changes';
/** events-after.sql's LIMIT. */
const MAX_REPLAY = 5000;

const sql = sqlFiles(new URL('.', import.meta.url), { event_json: 'event-json.sql' });
const EVENT_BY_ID = sql('event-by-id.sql');
const EVENTS_AFTER = sql('events-after.sql');
const FEED_POSITION = sql('feed-position.sql');

/** A short notification: the event was too long for NOTIFY and is read from change_events. */
interface ShortPayload {
  id: number;
  layers: ChangeEvent['layers'];
  more: true;
}

/**
 * An event as NOTIFY and the log (event-json.sql) carry it inside the server: the stream's
 * ChangeEvent with the writer's user id as well, which GET /api/events never sends (forClient).
 */
export interface FeedEvent extends Omit<ChangeEvent, 'actor'> {
  actor: ChangeActor & { userId: number | null };
}

export type FeedListener = (e: FeedEvent) => void;

/**
 * The change feed of one app process: LISTENs on `wuyou_changes` (migration 0016 notifies at every
 * commit that changed something), keeps the tile layer versions in memory from it, and hands every
 * event, in commit order and once, to the subscribers (the `/api/events` streams). When the listening
 * connection comes back after a loss, the events committed meanwhile are read from the log
 * (`change_events`) and delivered before any new one.
 *
 * @example
 *   const feed = new ChangeFeed(db, logger);
 *   feed.start();
 *   const stop = feed.subscribe((e) => console.log(e.kind, e.changes));
 */
export class ChangeFeed {
  readonly versions: LayerVersions;
  private readonly listeners = new Set<FeedListener>();
  private listening: Promise<Listening> | undefined;
  /** The id of the last event delivered; undefined until the feed first listened. */
  private delivered: number | undefined;
  /** Deliveries in order: a long event read from the log must not be overtaken by a later short one. */
  private chain: Promise<void> = Promise.resolve();
  private stopLocal: () => void;
  private readonly held = new Set<() => void>();
  private closed = false;

  /** Times the listening connection was lost (health reports it). */
  losses = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly opts: { retryMs?: number } = {},
  ) {
    this.versions = LayerVersions.fromDb(db.light);
    this.stopLocal = db.onLocalChange(() => this.versions.invalidate());
  }

  /** Starts listening (idempotent); until the LISTEN took effect, tiles read versions per request. */
  start(): void {
    if (this.listening || this.closed) return;
    this.listening = this.db.listen(
      CHANGE_CHANNEL,
      { notify: (payload) => this.onPayload(payload), state: (up) => this.onState(up) },
      { retryMs: this.opts.retryMs },
    );
    this.listening.catch((err: unknown) => this.logger.error({ err }, 'change feed: LISTEN failed'));
  }

  /** Whether the feed is listening and the versions are served from memory. */
  get isLive(): boolean {
    return this.versions.isLive;
  }

  /** The id of the last event this process delivered (its versions are applied by then). */
  get lastEventId(): number | undefined {
    return this.delivered;
  }

  subscribe(fn: FeedListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Events after `id` still in the log, oldest first; `reset` when some of them were pruned already. */
  async since(id: number): Promise<{ reset: boolean; events: FeedEvent[] }> {
    const pos = await this.db.light.query<{ through: number; last: number | null }>(FEED_POSITION);
    const { through, last } = pos.rows[0]!;
    if (id < through || id > (last ?? 0)) return { reset: true, events: [] };
    const r = await this.db.light.query<{ e: FeedEvent }>(EVENTS_AFTER, [id]);
    // More than one read's worth missed: cheaper to start afresh than to replay.
    if (r.rows.length >= MAX_REPLAY) return { reset: true, events: [] };
    return { reset: false, events: r.rows.map((x) => x.e) };
  }

  /** The id of the newest event in the log (0 when none). */
  async lastId(): Promise<number> {
    const r = await this.db.light.query<{ last: number | null }>(FEED_POSITION);
    return r.rows[0]!.last ?? 0;
  }

  /** Registers how to end a long-lived response (an event stream) at shutdown; returns the release. */
  holdOpen(end: () => void): () => void {
    this.held.add(end);
    return () => this.held.delete(end);
  }

  /** Ends every event stream (graceful shutdown: the server cannot close while they are open). */
  endStreams(): void {
    for (const end of [...this.held]) end();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.endStreams();
    this.closed = true;
    this.stopLocal();
    this.listeners.clear();
    const l = await this.listening?.catch(() => undefined);
    await l?.close();
  }

  private onState(up: boolean): void {
    if (!up) {
      this.losses++;
      this.logger.warn('change feed: listening connection lost, reading tile versions per request');
      this.versions.feedDown();
      return;
    }
    this.versions
      .feedUp()
      .catch((err: unknown) => this.logger.warn({ err }, 'change feed: catch-up read failed'));
    // Events committed while nobody listened come from the log, before any new one.
    this.enqueue(async () => {
      if (this.delivered === undefined) {
        this.delivered = await this.lastId();
        return;
      }
      const { reset, events } = await this.since(this.delivered);
      if (reset) {
        this.delivered = await this.lastId();
        return;
      }
      for (const e of events) this.deliver(e);
    });
  }

  private onPayload(payload: string): void {
    let parsed: FeedEvent | ShortPayload;
    try {
      parsed = JSON.parse(payload) as FeedEvent | ShortPayload;
    } catch {
      return;
    }
    this.versions.apply(parsed.layers ?? {});
    this.enqueue(async () => {
      if ('more' in parsed) {
        const r = await this.db.light.query<{ e: FeedEvent }>(EVENT_BY_ID, [parsed.id]);
        if (r.rows[0]) this.deliver(r.rows[0].e);
      } else this.deliver(parsed);
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.logger.warn({ err }, 'change feed: delivering an event failed');
    });
  }

  private deliver(e: FeedEvent): void {
    if (this.delivered !== undefined && e.id <= this.delivered) return;
    this.delivered = e.id;
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        this.logger.warn({ err }, 'change feed: a subscriber failed');
      }
    }
  }
}
