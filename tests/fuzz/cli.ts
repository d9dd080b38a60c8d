/**
 * npm run fuzz -- [--requests N] [--seed N]
 *
 * The CI fuzzer (tests/http/fuzz.test.ts) for long runs: the same world, generator and checks, on
 * the database DATABASE_URL names (a throwaway database made and dropped) or embedded PGlite.
 * Prints progress, the answers by status and every failure; exits 1 when there is one.
 */
import { parseArgs } from 'node:util';
import { buildTrustWorld } from '../helpers/trust-world.ts';
import { TEST_DB_KIND } from '../helpers/db.ts';
import { runFuzz } from './run.ts';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '100000' }, seed: { type: 'string', default: '20261201' } },
});
const requests = Number(values.requests);
const seed = Number(values.seed);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- [--requests N] [--seed N]');
  process.exit(2);
}
const w = await buildTrustWorld();
let last = Date.now();
const report = await runFuzz(w, {
  requests,
  seed,
  onProgress: (done, r) => {
    const now = Date.now();
    if (now - last > 5000 || done === requests) {
      last = now;
      console.log(
        `${done}/${requests} sent, ${r.failures.length} failures, by status ${JSON.stringify(r.byStatus)}`,
      );
    }
  },
  onSlow: (ms, req) => console.log(`slow (${ms} ms): ${req.method} ${req.url.slice(0, 150)}`),
});
await w.close();
for (const f of report.failures)
  console.log(
    `FAIL ${f.why}: ${f.request.method} ${f.request.url.slice(0, 200)} → ${f.status} ${f.answer.slice(0, 200)}`,
  );
console.log(
  `fuzz on ${TEST_DB_KIND}, seed ${seed}: ${report.sent} requests over ${report.routes} routes in ${report.ms} ms, ` +
    `${report.acknowledgedWrites} acknowledged writes, ${report.signedInAgain} sign-ins again, ${report.failures.length} failures, by status ${JSON.stringify(report.byStatus)}`,
);
process.exit(report.failures.length ? 1 : 0);
