import { useEffect, useRef } from 'react';
import type { ChangeEvent } from '../../../core/change-event.ts';
import { LIVE_CHANGE, LIVE_RESET } from './events.ts';

/**
 * Calls `refresh` once, `delayMs` after the first feed event `relevant` accepts (the ones arriving
 * meanwhile are taken in by that same call, so a burst of saves costs one read and a steady stream
 * still reads every `delayMs`), and after a feed reset. The latest `relevant` and `refresh` are used:
 * callers need not memoise them.
 */
export function useLiveRefresh(
  relevant: (e: ChangeEvent) => boolean,
  refresh: () => void,
  delayMs = 300,
): void {
  const latest = useRef({ relevant, refresh });
  latest.current = { relevant, refresh };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        latest.current.refresh();
      }, delayMs);
    };
    const onChange = (ev: Event) => {
      if (latest.current.relevant((ev as CustomEvent<ChangeEvent>).detail)) schedule();
    };
    window.addEventListener(LIVE_CHANGE, onChange);
    window.addEventListener(LIVE_RESET, schedule);
    return () => {
      window.removeEventListener(LIVE_CHANGE, onChange);
      window.removeEventListener(LIVE_RESET, schedule);
      if (timer) clearTimeout(timer);
    };
  }, [delayMs]);
}
