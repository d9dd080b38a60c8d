import fc from 'fast-check';
import { loginToken } from '../helpers/app.ts';
import { PASSWORD, type TrustWorld } from '../helpers/trust-world.ts';
import { fuzzRequest, type FuzzRequest } from './generator.ts';
import { enumerateRoutes } from './routes.ts';

/**
 * Tables a refused request may still change: failed sign-ins are counted (login limit), a heavy
 * request takes a token before its input is checked (rate_limits), reading the trend records the
 * day's snapshot, the signing key is made on first use.
 */
const VOLATILE = new Set([
  'login_attempts',
  'rate_limits',
  'coverage_snapshots',
  'settings',
  'layer_version_flush',
]);
/** PostGIS's own table (read-only, 8,500 rows): not ours to checksum. */
const NOT_OURS = new Set(['spatial_ref_sys']);

export interface FuzzFailure {
  request: FuzzRequest;
  status: number;
  why: string;
  answer: string;
}
export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  /** 2xx answers to POST/PUT/PATCH/DELETE: the writes the database may show. */
  acknowledgedWrites: number;
  /** Sign-ins again after a fuzzed write signed a user out (keepSignedIn). */
  signedInAgain: number;
  routes: number;
  failures: FuzzFailure[];
  ms: number;
}

/**
 * After an acknowledged write, every user of the world is still signed in: a fuzzed sign-out revokes
 * all of that user's tokens (issue 10), and every later request as them would be a plain 401, so the
 * rest of the run would fuzz nothing behind their login. Signs in again; a user who can no longer
 * sign in (a write disabled them) is a failure to look at, not to run on past.
 */
async function keepSignedIn(w: TrustWorld, after: FuzzRequest, report: FuzzReport): Promise<void> {
  for (const [user, token] of Object.entries(w.tokens)) {
    const me = await fetch(`${w.app.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    if (me.ok) continue;
    try {
      w.tokens[user] = await loginToken(w.app.url, user, PASSWORD);
      report.signedInAgain++;
    } catch (e) {
      report.failures.push({
        request: { ...after, body: after.body?.slice(0, 300) },
        status: me.status,
        why: `${user} can no longer sign in: ${String(e)}`,
        answer: '',
      });
    }
  }
}

/** Row count and an order-free checksum of every row (geometry included) of every table, by table. */
async function tableStates(w: TrustWorld, tables: string[]): Promise<Map<string, string>> {
  const sql = tables
    .map(
      (t) =>
        `SELECT '${t}' AS t, count(*)::text || ':' || COALESCE(sum(hashtext(x::text)::bigint), 0)::text AS s FROM ${t} x`,
    )
    .join(' UNION ALL ');
  const r = await w.t.db.query<{ t: string; s: string }>(sql);
  return new Map(r.rows.map((row) => [row.t, row.s]));
}

const LEAK = /Key \(|violates|lwgeom|GEOS|SQLSTATE|\bat .+\.(ts|js):\d+|node_modules|\/work\//;

/**
 * Sends `requests` generated requests (fixed `seed`) to the world's app one at a time and checks each
 * answer: never a 5xx; a 4xx is JSON of the error shape without server insides; and a request that
 * was not acknowledged with a 2xx changed no table.
 */
export async function runFuzz(
  w: TrustWorld,
  opts: {
    requests: number;
    seed: number;
    onProgress?: (done: number, report: FuzzReport) => void;
    onSlow?: (ms: number, request: FuzzRequest) => void;
  },
): Promise<FuzzReport> {
  const t0 = Date.now();
  const routes = enumerateRoutes(w.express);
  const tables = (
    await w.t.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
  ).rows
    .map((r) => r.table_name)
    .filter((t) => !VOLATILE.has(t) && !NOT_OURS.has(t) && /^[a-z_0-9]+$/.test(t));
  const report: FuzzReport = {
    sent: 0,
    byStatus: {},
    acknowledgedWrites: 0,
    signedInAgain: 0,
    routes: routes.length,
    failures: [],
    ms: 0,
  };
  const samples = fc.sample(fuzzRequest(routes), { seed: opts.seed, numRuns: opts.requests });
  let baseline = await tableStates(w, tables);
  for (const req of samples) {
    const headers = { ...req.headers };
    if (req.as && 'user' in req.as) headers.authorization = `Bearer ${w.tokens[req.as.user]}`;
    if (req.as && 'token' in req.as) headers.authorization = `Bearer ${req.as.token}`;
    let status = 0;
    let text = '';
    let type: string;
    const started = Date.now();
    try {
      const r = await fetch(`${w.app.url}${req.url}`, {
        method: req.method,
        headers,
        body: req.body,
        signal: AbortSignal.timeout(60_000),
      });
      status = r.status;
      type = r.headers.get('content-type') ?? '';
      text = await r.text();
    } catch (e) {
      report.failures.push({ request: req, status: 0, why: `no answer: ${String(e)}`, answer: '' });
      continue;
    } finally {
      report.sent++;
      if (Date.now() - started > 1000) opts.onSlow?.(Date.now() - started, req);
    }
    report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
    const fail = (why: string) =>
      report.failures.push({
        request: { ...req, body: req.body?.slice(0, 300) },
        status,
        why,
        answer: text.slice(0, 300),
      });
    if (status >= 500) fail('5xx');
    if (status >= 400) {
      let shaped: boolean;
      try {
        const b = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
        // {"error":{"code","message","details"}}: details always present (an object, maybe empty).
        shaped =
          typeof b.error?.code === 'string' &&
          typeof b.error.message === 'string' &&
          typeof b.error.details === 'object' &&
          b.error.details !== null;
      } catch {
        shaped = false;
      }
      if (!type.startsWith('application/json') || !shaped) fail('not the JSON error shape');
      if (LEAK.test(text)) fail('server insides in the answer');
    }
    const ok = status >= 200 && status < 300;
    if (ok && req.method !== 'GET') {
      report.acknowledgedWrites++;
      await keepSignedIn(w, req, report);
    }
    // A GET writes nothing we keep: the next write's check would see it, so only writes are checked.
    if (req.method !== 'GET') {
      const now = await tableStates(w, tables);
      if (!ok) {
        const changed = tables.filter((t) => now.get(t) !== baseline.get(t));
        if (changed.length) fail(`refused (${status}) but changed ${changed.join(', ')}`);
      }
      baseline = now;
    }
    opts.onProgress?.(report.sent, report);
  }
  report.ms = Date.now() - t0;
  return report;
}
