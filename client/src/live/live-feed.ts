import type { ChangeEvent, OutsideEvent } from '../../../core/change-event.ts';
import { call } from '../api.ts';

export interface LiveFeedHandlers {
  change(e: ChangeEvent): void;
  /** A change outside the view: its layer versions, layers and street only. */
  versions?(e: OutsideEvent): void;
  /** The server could not replay what was missed: reload everything shown. */
  reset(): void;
  /** The stream is open (again) and caught up. */
  ready?(): void;
  /** The stream is lost (it is opened again by itself); changes may go unseen until `ready`. */
  down?(): void;
}

/** What the stream is filtered to: a box ([w, s, e, n]) and optionally a street's code. */
export interface LiveView {
  bbox: readonly [number, number, number, number] | null;
  street?: string;
}

/**
 * This tab's stream of GET /api/events. EventSource cannot send the Authorization header, so each
 * (re)connection first asks POST /api/events/ticket for a ticket valid a minute (the bearer token
 * never goes into a URL). EventSource's own retry would reuse an expired ticket, so on an error the
 * stream is closed and opened again here with a new ticket and `lastEventId`, which replays what
 * was missed. A new view (setView) is opened the same way: the new stream resumes from the last id
 * seen, so nothing committed in between is lost and no server keeps a subscription.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private lastId: string | undefined;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay = 1000;
  /** Bumped by every (re)open: an open still waiting for its ticket gives way to a newer one. */
  private generation = 0;

  constructor(
    private readonly handlers: LiveFeedHandlers,
    private view: LiveView = { bbox: null },
  ) {
    void this.open();
  }

  /** Follows another view: the stream is opened again for it, resuming from the last id seen. */
  setView(view: LiveView): void {
    if (
      view.street === this.view.street &&
      (view.bbox === this.view.bbox || view.bbox?.join() === this.view.bbox?.join())
    )
      return;
    this.view = view;
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
    this.source = undefined;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    let ticket: string;
    try {
      ticket = (await call<{ ticket: string }>('POST', '/api/events/ticket')).json.ticket;
    } catch {
      if (generation !== this.generation) return;
      this.handlers.down?.();
      return this.retry();
    }
    if (this.stopped || generation !== this.generation) return;
    const q = new URLSearchParams({ ticket });
    if (this.lastId !== undefined) q.set('lastEventId', this.lastId);
    if (this.view.bbox) q.set('bbox', this.view.bbox.join(','));
    if (this.view.street) q.set('street', this.view.street);
    const es = new EventSource(`/api/events?${q}`);
    this.source = es;
    const remember = (m: MessageEvent) => {
      if (m.lastEventId) this.lastId = m.lastEventId;
    };
    es.addEventListener('ready', (m) => {
      remember(m);
      this.delay = 1000;
      this.handlers.ready?.();
    });
    es.addEventListener('change', (m) => {
      remember(m);
      this.handlers.change(JSON.parse(m.data as string) as ChangeEvent);
    });
    es.addEventListener('versions', (m) => {
      remember(m);
      this.handlers.versions?.(JSON.parse(m.data as string) as OutsideEvent);
    });
    es.addEventListener('reset', (m) => {
      remember(m);
      this.handlers.reset();
    });
    // Signed out, disabled, demoted or the token expired: no new ticket would open it again, and
    // panels that poll while the feed is off (the dashboard) go back to polling.
    es.addEventListener('signed-out', () => {
      this.stop();
      this.handlers.down?.();
    });
    es.onerror = () => {
      es.close();
      if (this.source !== es) return;
      this.handlers.down?.();
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.open(), this.delay);
    this.delay = Math.min(this.delay * 2, 30_000);
  }
}
