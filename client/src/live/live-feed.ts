import type { ChangeEvent } from '../../../core/change-event.ts';
import { call } from '../api.ts';

export interface LiveFeedHandlers {
  change(e: ChangeEvent): void;
  /** The server could not replay what was missed: reload everything shown. */
  reset(): void;
  /** The stream is open (again) and caught up. */
  ready?(): void;
  /** The stream is lost (it is opened again by itself); changes may go unseen until `ready`. */
  down?(): void;
}

/**
 * This tab's stream of GET /api/events. EventSource cannot send the Authorization header, so each
 * (re)connection first asks POST /api/events/ticket for a ticket valid a minute (the bearer token
 * never goes into a URL). EventSource's own retry would reuse an expired ticket, so on an error the
 * stream is closed and opened again here with a new ticket and `lastEventId`, which replays what
 * was missed.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private lastId: string | undefined;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay = 1000;

  constructor(private readonly handlers: LiveFeedHandlers) {
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    let ticket: string;
    try {
      ticket = (await call<{ ticket: string }>('POST', '/api/events/ticket')).json.ticket;
    } catch {
      this.handlers.down?.();
      return this.retry();
    }
    if (this.stopped) return;
    const q = new URLSearchParams({ ticket });
    if (this.lastId !== undefined) q.set('lastEventId', this.lastId);
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
    es.addEventListener('reset', (m) => {
      remember(m);
      this.handlers.reset();
    });
    es.addEventListener('signed-out', () => this.stop());
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
