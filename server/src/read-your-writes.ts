import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { parseLsn, withReadScope, type ReadReplica, type ReadScope } from './db/index.ts';

/** The response header (and the request header a client may echo) carrying a session's last write position. */
export const LSN_HEADER = 'Wuyou-LSN';
/** The cookie browsers echo by themselves (tiles included), so the client needs no code for it. */
export const LSN_COOKIE = 'wuyou_lsn';
/** Long enough for any replica within the lag bound; a stale value only costs a comparison. */
const COOKIE_MAX_AGE_S = 300;

const COOKIE = new RegExp(`(?:^|;\\s*)${LSN_COOKIE}=([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})(?:;|$)`);

/**
 * The WAL position a request's session last wrote at: the `Wuyou-LSN` header, else the `wuyou_lsn`
 * cookie; undefined when neither holds one (never wrote, or it expired, or garbage).
 */
export function sessionLsn(headers: IncomingHttpHeaders): bigint | undefined {
  const h = headers['wuyou-lsn'];
  if (typeof h === 'string') return parseLsn(h.trim());
  const c = headers.cookie;
  if (!c) return undefined;
  const m = COOKIE.exec(c);
  return m ? parseLsn(m[1]) : undefined;
}

/** Requests that read the primary whatever their method: health checks the primary, event streams follow its feed. */
const PRIMARY_ONLY = /^\/api\/(health|events)(\/|$)/;

/**
 * Read-your-writes across app processes with no state in any of them (issue 12, read replicas):
 * every commit that wrote tells its response the WAL position after it (`Wuyou-LSN` header and
 * `wuyou_lsn` cookie); a GET or HEAD reads the replica when it has replayed the position the request
 * carries (or the request carries none), else the primary. Writes always go to the primary.
 */
export function readYourWrites(replica: ReadReplica): RequestHandler {
  return (req, res, next) => {
    const s: ReadScope = { onReplica: false, committed: (lsn) => tell(res, lsn) };
    const run = () => withReadScope(s, next);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || PRIMARY_ONLY.test(req.path)) return run();
    const ok = replica.choose(sessionLsn(req.headers));
    if (typeof ok === 'boolean') {
      s.onReplica = ok;
      return run();
    }
    ok.then((yes) => {
      s.onReplica = yes;
      run();
    }, next);
  };
}

/** The position after a write, for the client to send back (the newest one of the request wins). */
function tell(res: Response, lsn: string): void {
  if (res.headersSent || parseLsn(lsn) === undefined) return;
  const had = parseLsn(res.getHeader(LSN_HEADER) as string | undefined);
  if (had !== undefined && had >= parseLsn(lsn)!) return;
  res.setHeader(LSN_HEADER, lsn);
  const cookies = ([] as string[])
    .concat((res.getHeader('Set-Cookie') as string[] | string | undefined) ?? [])
    .filter((c) => !c.startsWith(`${LSN_COOKIE}=`));
  cookies.push(`${LSN_COOKIE}=${lsn}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax`);
  res.setHeader('Set-Cookie', cookies);
}
