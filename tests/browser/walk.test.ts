import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser } from '../helpers/browser.ts';
import { startWalkWorld, walk, type WalkWorld } from '../walk/driver.ts';
import { KNOWN_FAILING } from '../walk/known-failing.ts';

// Issue 9: a seeded random walk through the editor (tests/walk/driver.ts). After every step: no page
// error, the app is not blank, only service areas were written, and every save stored what the editor
// shows. Fixed seeds, so a failure replays with `npm run walk -- --seed N --steps M --verbose`. CI runs
// this on both databases (npm test on the embedded one, then with DATABASE_URL).
const SEEDS = [14, 23];
// 100 steps a seed: 200 steps a database in CI, in about the time 50 a seed took the old driver.
const STEPS = Number(process.env.WALK_STEPS ?? 100);
/**
 * The walk must check its main invariant often: at least one save in ten steps acknowledged by the
 * server and found stored exactly as the editor shows it. The old walk drew into one small free patch
 * and dragged vertices anywhere, so nearly every save after the first few was refused (seed 101 on
 * PostgreSQL: 727 steps, 93 saves, 4 acknowledged).
 */
const MIN_VERIFIED_SAVES = Math.ceil(STEPS / 10);
/**
 * The walk must also walk the error path: 'draw-refused' draws across the street's edge (or over a
 * stored area) and saves, and one drag in eight aims past the edge or into a neighbour, so saves are
 * refused by the server (out_of_jurisdiction) or the editor (overlap); after each one the driver checks
 * the editor said why in the glossary's words and nothing was written. The old walk drew only where the
 * database said a shape was free: seed 11, 100 steps, 0 refusals. The bound is on the refusals
 * checked, server's and editor's together. Seed 11 (CI's until the editor and the dashboard shared one
 * dock, which changed which steps a seed takes) then walked to 1 refusal; seeds 12 / 13 / 14 gave
 * 2 / 1 / 10. Measured (seed 14 / 23), embedded: refused by the server 9 / 7, refusals checked 10 / 8,
 * verified saves 12 / 12. In CI (busy machine) seed 23 took another course and met 1 (8 here): from
 * half way on, a walk short of the bound aims at refusals more often (`minRefusals`).
 */
const MIN_REFUSED_SAVES = 2;

describeInBrowser('issue 9: model-based random walk through the editor', () => {
  let world: WalkWorld;
  let browser: Browser;

  beforeAll(async () => {
    [world, browser] = await Promise.all([startWalkWorld(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  for (const seed of SEEDS) {
    it(
      `seed ${seed}: ${STEPS} steps keep the page sound and write only service areas`,
      { timeout: 3_600_000 },
      async () => {
        const r = await walk(browser, world, {
          seed,
          steps: STEPS,
          knownFailing: KNOWN_FAILING,
          minRefusals: MIN_REFUSED_SAVES,
        });
        console.info(`walk seed ${seed}: ${JSON.stringify(r)}`);
        expect(r.steps).toBe(STEPS);
        // The walk did real work, not only refused steps.
        expect(Object.keys(r.actions).length).toBeGreaterThanOrEqual(6);
        expect(r.shownSaves).toBeGreaterThanOrEqual(MIN_VERIFIED_SAVES);
        // Refused saves (out of the street, overlap) test the error path, each one checked, as a minority.
        expect(r.refusalsChecked).toBeGreaterThanOrEqual(MIN_REFUSED_SAVES);
        expect(r.saves - r.shownSaves).toBeLessThan(r.shownSaves);
      },
    );
  }
});
