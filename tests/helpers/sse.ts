/** One Server-Sent Events frame as a client sees it. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * A Server-Sent Events stream read with fetch (tests run in Node, where there is no EventSource):
 * frames in arrival order; `next(pred)` waits for the first unread one that matches.
 */
export interface SseStream {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  /** The next frame (after those already taken by next) for which `pred` holds. */
  next(pred?: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const r = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const frames: SseFrame[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let done = false;
  const ended = (async () => {
    if (!r.body || !r.headers.get('content-type')?.startsWith('text/event-stream')) {
      done = true;
      return;
    }
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const f: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) f.comment = line.slice(1).trim();
            else {
              const k = line.slice(0, line.indexOf(':'));
              const v = line.slice(line.indexOf(':') + 1).replace(/^ /, '');
              if (k === 'id' || k === 'event') f[k] = v;
              else if (k === 'data') f.data = f.data === undefined ? v : `${f.data}\n${v}`;
            }
          }
          frames.push(f);
          wake?.();
        }
      }
    } catch {
      /* aborted */
    } finally {
      done = true;
      wake?.();
    }
  })();
  return {
    status: r.status,
    headers: r.headers,
    frames,
    ended,
    async next(pred = () => true, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        while (taken < frames.length) {
          const f = frames[taken++]!;
          if (pred(f)) return f;
        }
        if (done) throw new Error(`stream ended; frames: ${JSON.stringify(frames)}`);
        const left = until - Date.now();
        if (left <= 0)
          throw new Error(`no matching frame within ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    },
    close: () => abort.abort(),
  };
}
