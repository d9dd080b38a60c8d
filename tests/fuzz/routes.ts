import type { Express } from 'express';
import { HEAVY_LIMIT } from '../../server/src/limits.ts';

/** One route of the app: an HTTP method and its path template (`/api/cameras/:id`). */
export interface AppRoute {
  method: string;
  path: string;
  /** Goes through heavy() (server/src/limits.ts): a login, rate and concurrency limits. */
  heavy: boolean;
}

interface StackLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean>; stack?: StackLayer[] };
  handle?: { stack?: StackLayer[]; name?: string };
}

const join = (a: string, b: string) =>
  `${a.replace(/\/$/, '')}/${b.replace(/^\//, '')}`.replace(/\/$/, '') || '/';

/**
 * Every route createApp registered, read from Express 5's router stack (sub-routers included), so a
 * route added tomorrow is fuzzed without anyone listing it. Routes mounted on a regular expression
 * (the client's fallback page) are named by an example path.
 */
export function enumerateRoutes(app: Express): AppRoute[] {
  const out: AppRoute[] = [];
  const walk = (stack: StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as unknown[]).concat(layer.route.path);
        const heavy = (layer.route.stack ?? []).some((l) => l.handle?.name === HEAVY_LIMIT);
        for (const p of paths) {
          const path = typeof p === 'string' ? join(prefix, p) : join(prefix, '/some/page');
          for (const m of Object.keys(layer.route.methods))
            if (m !== '_all') out.push({ method: m.toUpperCase(), path, heavy });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, typeof layer.rawPath === 'string' ? join(prefix, layer.rawPath) : prefix);
      }
    }
  };
  const router = (app as unknown as { router: { stack: StackLayer[] } }).router;
  walk(router.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.method} ${r.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
