import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests beside the code, database/HTTP tests (embedded PGlite, or the server
// named by DATABASE_URL) and browser tests (Debian's Chromium through playwright-core).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'core/**/*.test.ts',
            'server/**/*.test.ts',
            'client/src/**/*.test.ts',
            'data/**/*.test.ts',
          ],
          environment: 'node',
          // A few generate a whole demo city or read files (up to 3.3 s a test here when idle); on a
          // busy two-core machine the default 5 s was too little (a CI check of 2026-12-04 failed so).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'db',
          include: [
            'tests/db/**/*.test.ts',
            'tests/http/**/*.test.ts',
            'tests/cli/**/*.test.ts',
            'tests/fault/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
