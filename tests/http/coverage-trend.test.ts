import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageSnapshot } from '../../core/coverage.ts';
import { startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(readFileSync(new URL('../fixtures/coverage/small-city.sql', import.meta.url), 'utf8'));
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const trend = async (query = 'level=city') => {
  const r = await fetch(`${app.url}/api/coverage/trend?${query}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { snapshots: CoverageSnapshot[] }).snapshots;
};
const snapshotTimes = async () =>
  (
    await t.db.query<{ taken_at: string }>(
      "SELECT DISTINCT taken_at::text AS taken_at FROM coverage_snapshots WHERE level = 'city' ORDER BY 1",
    )
  ).rows.map((r) => r.taken_at);

describe('GET /api/coverage/trend fills itself once a day', () => {
  it('takes today’s snapshot on the first read, of every node, and none on later reads', async () => {
    expect(await snapshotTimes()).toEqual([]);
    const first = await trend();
    expect(first.map((s) => s.category).sort()).toEqual(['all', 'professional', 'self_managed', 'three_no']);
    expect(first.find((s) => s.category === 'all')?.buildings).toBe(9);
    const street = (await t.db.query("SELECT code FROM jurisdictions WHERE level = 'street' LIMIT 1"))
      .rows[0]!.code as string;
    expect((await trend(`level=street&code=${street}`)).length).toBeGreaterThan(0);
    expect(await trend()).toEqual(first);
    expect(await snapshotTimes()).toHaveLength(1);
  });

  it('writes one snapshot when many reads race for a new day', async () => {
    // Move what exists to yesterday (Asia/Shanghai), so today has none again.
    await t.db.query(
      `UPDATE coverage_snapshots SET taken_at = date_trunc('day', now(), 'Asia/Shanghai') - interval '1 hour'`,
    );
    const before = await snapshotTimes();
    expect(before).toHaveLength(1);
    const answers = await Promise.all(Array.from({ length: 8 }, () => trend()));
    const times = await snapshotTimes();
    expect(times).toHaveLength(2);
    expect(times[0]).toBe(before[0]);
    for (const a of answers) expect(a.filter((s) => s.category === 'all')).toHaveLength(2);
    const rows = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM coverage_snapshots WHERE level = 'city' AND code = ''",
    );
    expect(rows.rows[0]!.n).toBe(8); // 2 days × 4 categories
  });
});
