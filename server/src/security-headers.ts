import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Config } from './config.ts';

/** The 天地图 tile hosts (t0 … t7), allowed only when a key is set. */
const TIANDITU = Array.from({ length: 8 }, (_, n) => `https://t${n}.tianditu.gov.cn`);

/**
 * helmet's headers: a CSP that allows only the app's own origin (plus 天地图 with a key), blob:
 * workers and data:/blob: images as MapLibre needs, no framing (frame-ancestors 'none'), nosniff and
 * a referrer policy that sends no path to other sites.
 */
export function securityHeaders(config: Config): RequestHandler {
  const tiles = config.tiandituKey ? TIANDITU : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...tiles],
        connectSrc: ["'self'", 'data:', 'blob:', ...tiles],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
}

/**
 * CORS closed unless CORS_ORIGINS names the calling origin: then that origin (never `*`) may call
 * with a token and If-Match, and a preflight is answered here.
 */
export function cors(config: Config): RequestHandler {
  const allowed = new Set(config.corsOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Location, Retry-After, X-Request-Id, Wuyou-LSN');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match, Wuyou-LSN');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * The headers a middleware sets on every response, found once by running it against a stand-in
 * response (helmet's are the same for every request: no nonce). The tile fast path sets these itself.
 */
export function headersOf(middleware: RequestHandler): Record<string, string> {
  const headers: Record<string, string> = {};
  let called = false;
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = String(value);
      return res;
    },
    removeHeader(name: string) {
      delete headers[name];
    },
    getHeader: (name: string) => headers[name],
  };
  void middleware({ headers: {}, method: 'GET', url: '/' } as Request, res as unknown as Response, () => {
    called = true;
  });
  if (!called) throw new Error('the security headers middleware did not finish at once');
  return headers;
}
