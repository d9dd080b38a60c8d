import type { ChangeEvent } from '../../core/change-event.ts';
import type { Db, Listening } from '../../server/src/db/index.ts';

/**
 * A listener of the test's own on the change feed (channel wuyou_changes), to wait until a commit has
 * been published: an app process serves tile versions from its feed, so a commit made around it
 * (straight through another Db) is "seen" once its notification is out, not at the COMMIT's return.
 */
export async function watchFeed(db: Db): Promise<{
  /** Runs `write`, then resolves with the first event published after it. */
  heard(write: () => Promise<unknown>): Promise<ChangeEvent>;
  close(): Promise<void>;
}> {
  const events: ChangeEvent[] = [];
  let up!: () => void;
  const listening = new Promise<void>((r) => (up = r));
  let wake: (() => void) | undefined;
  const l: Listening = await db.listen('wuyou_changes', {
    notify(p) {
      events.push(JSON.parse(p) as ChangeEvent);
      wake?.();
    },
    state(s) {
      if (s) up();
    },
  });
  await listening;
  return {
    async heard(write) {
      const from = events.length;
      await write();
      while (events.length <= from) await new Promise<void>((r) => (wake = r));
      return events[from]!;
    },
    close: () => l.close(),
  };
}

/** Waits until the app process at `url` has taken in change event `id` (GET /api/health's feed). */
export async function appHeard(url: string, id: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = (await (await fetch(`${url}/api/health`)).json()) as {
      feed?: { live: boolean; lastEventId: number | null };
    };
    if ((h.feed?.lastEventId ?? 0) >= id) return;
    if (Date.now() > until) throw new Error(`${url} had not heard event ${id} after ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}
