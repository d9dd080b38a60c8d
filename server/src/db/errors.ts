/**
 * Which database errors mean "the database is not there right now" (restart, crash, network, a full
 * pool) rather than "this request is wrong": those are answered 503 with Retry-After, never 500, and
 * the pool heals by itself once the server is back.
 */

/** SQLSTATEs of a connection that ended or could not start. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown (pg_ctl stop/restart -m fast)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
]);

/** Node socket errors of a connection that could not be made or broke. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages node-postgres gives a connection it lost or could not get (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Connection ended unexpectedly/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Cannot use a pool after calling end/i,
];

/** True when `err` says the database is unreachable or restarting, so the request may be retried. */
export function isDbUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  if (/^08/.test(code) && code.length === 5) return true; // class 08: connection exception
  const message = typeof e.message === 'string' ? e.message : '';
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  // AggregateError (several addresses refused) and errors wrapping a cause.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDbUnavailable(x))) return true;
  return e.cause !== undefined && e.cause !== err && isDbUnavailable(e.cause);
}

/** Seconds a client is asked to wait before it tries again during an outage. */
export const RETRY_AFTER_S = 2;
