/**
 * `npm run walk -- --seed N --steps 2000`: one long random walk through the editor (see driver.ts) on
 * a fresh test database (embedded, or on DATABASE_URL's server), in headless Chromium. Needs the built
 * client (`npm run build`). Prints each step with --verbose; exits 1 on the first broken invariant.
 */
import { parseArgs } from 'node:util';
import { launchBrowser } from '../helpers/browser.ts';
import { startWalkWorld, walk, WalkError } from './driver.ts';
import { KNOWN_FAILING } from './known-failing.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '2000' },
    verbose: { type: 'boolean', default: false },
    // A time budget: stop after this many minutes and report the steps done.
    minutes: { type: 'string' },
  },
});
const seed = Number(values.seed);
const steps = Number(values.steps);
if (!Number.isInteger(seed) || !Number.isInteger(steps) || steps < 1) {
  console.error('usage: npm run walk -- --seed N --steps M [--minutes T] [--verbose]');
  process.exit(2);
}

const world = await startWalkWorld();
const browser = await launchBrowser();
const t0 = Date.now();
let code = 0;
try {
  const r = await walk(browser, world, {
    seed,
    steps,
    deadline: values.minutes ? t0 + Number(values.minutes) * 60_000 : undefined,
    knownFailing: KNOWN_FAILING,
    log: values.verbose ? (l) => console.log(l) : undefined,
  });
  console.log(
    `walk seed ${seed}: ${r.steps} steps in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${r.saves} saves sent; ` +
      `${r.savesAcknowledged} acknowledged, ${r.shownSaves} verified (stored exactly as the editor shows), ` +
      `refused by the server ${JSON.stringify(r.savesRefused)}, ${r.savesRefusedInClient} refused in the client ` +
      `(${r.refusalsChecked} refusals checked: worded, nothing written); ` +
      `${r.acknowledgedWrites} acknowledged writes, ${r.checkedSaves} of them found in the database as answered, ` +
      `${r.unanswered} writes without an answer`,
  );
  console.log(r.actions);
} catch (e) {
  console.error(e instanceof WalkError ? e.message : e);
  code = 1;
} finally {
  await browser.close();
  await world.close();
}
process.exit(code);
