/**
 * issue 10: the soak's short variant (`npm run soak` runs 60 s): two app processes, 20 clients, 10 s
 * of creates, edits, deletes, deliberate conflicts and overlaps. No 5xx, no acknowledged write lost,
 * no overlapping areas. Runs with the server tests (needs PostgreSQL 15 binaries; its own cluster).
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak.ts';

describe.skipIf(!process.env.DATABASE_URL)('soak (10 s, 20 clients, 2 processes)', () => {
  it('answers no 5xx, loses no acknowledged write and leaves no overlap', async () => {
    const r = await runSoak({ seconds: 10, clients: 20, log: () => undefined });
    console.log('soak', JSON.stringify(r));
    expect(r.serverErrors).toBe(0);
    expect(r.lostWrites).toBe(0);
    expect(r.overlaps).toBe(0);
    expect(r.statuses['201']).toBeGreaterThan(0);
    expect(r.conflicts + r.overlapsRefused).toBeGreaterThan(0);
  });
});
