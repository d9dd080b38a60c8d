import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLayer } from '../../server/src/importer/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { refusedWith, square } from '../helpers/import.ts';

const area = (name: string, x: number, y = 30.53, d = 0.001, props: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties: { name, management_mode: 'resident_self', ...props },
  geometry: { type: 'Polygon', coordinates: square(x, y, d) },
});

/**
 * A new user's try (2026-12-05): importing the same service areas twice hit the table's overlap
 * trigger, which answered the page "服务器内部错误" (500) and the CLI a stack trace. Overlaps are
 * import problems, by feature, before anything is written.
 */
describe('service areas that overlap, by feature', () => {
  let t: TestDb;
  const count = async () =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM service_areas')).rows[0]!.n;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses a file imported twice by each area it overlaps, naming the stored one', async () => {
    const file = [area('东区', 105.6), area('西区', 105.61)];
    expect((await importLayer(t.db, { layer: 'service-areas', features: file })).inserted).toBe(2);
    const ids = (
      await t.db.query<{ id: number; name: string }>('SELECT id, name FROM service_areas ORDER BY id')
    ).rows;
    const problems = await refusedWith(t.db, { layer: 'service-areas', features: file });
    expect(problems.map((p) => [p.index, p.code, p.params?.id, p.params?.name])).toEqual([
      [0, 'overlaps_stored', ids[0]!.id, '东区'],
      [1, 'overlaps_stored', ids[1]!.id, '西区'],
    ]);
    expect(Number(problems[0]!.params!.area)).toBeGreaterThan(10_000);
    expect(await count()).toBe(2);
  });

  it('refuses two areas of one file over each other, the later by the earlier (counted from 1)', async () => {
    const problems = await refusedWith(t.db, {
      layer: 'service-areas',
      features: [area('甲', 105.7), area('乙', 105.72), area('丙', 105.7005)],
    });
    expect(problems.map((p) => [p.index, p.code, p.params?.other])).toEqual([[2, 'overlaps_in_file', 1]]);
    expect(await count()).toBe(2);
  });

  it('lets an upsert put a stored area back where it is, and refuses moving it onto another', async () => {
    const keyed = [
      area('北区', 105.8, 30.53, 0.001, { ref: 'N' }),
      area('南区', 105.8, 30.52, 0.001, { ref: 'S' }),
    ];
    await importLayer(t.db, { layer: 'service-areas', features: keyed, key: 'ref', mode: 'upsert' });
    const again = await importLayer(t.db, {
      layer: 'service-areas',
      features: keyed,
      key: 'ref',
      mode: 'upsert',
    });
    expect(again.unchanged).toBe(2);
    // 南区 moved onto 北区: the update itself meets the trigger, which is still a problem, not a crash.
    const moved = [keyed[0]!, area('南区', 105.8005, 30.5305, 0.001, { ref: 'S' })];
    const problems = await refusedWith(t.db, {
      layer: 'service-areas',
      features: moved,
      key: 'ref',
      mode: 'upsert',
    });
    expect(problems.map((p) => p.code)).toEqual(['overlaps_stored']);
    expect(await count()).toBe(4);
  });
});
