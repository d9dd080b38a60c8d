import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError, importLayer, type ImportOptions } from '../../server/src/importer/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const square = (x: number, y: number, d = 0.0002) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});
const building = (id: string, name: string, x: number) => ({
  type: 'Feature',
  properties: { 编号: id, name },
  geometry: square(x, 30.53),
});

/** Issue 11: idempotent imports with --key and --mode. */
describe('issue 11: imports keyed by source id', () => {
  let t: TestDb;
  const names = async () =>
    (
      await t.db.query<{ source_id: string; name: string }>(
        'SELECT source_id, name FROM buildings ORDER BY source_id',
      )
    ).rows;
  const run = (features: unknown[], more: Partial<ImportOptions> = {}) =>
    importLayer(t.db, { layer: 'buildings', features, key: '编号', ...more });

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const file = [building('B1', '1号楼', 105.59), building('B2', '2号楼', 105.591)];

  it('stores the key, and by default refuses a second import naming the stored ids', async () => {
    expect((await run(file)).inserted).toBe(2);
    let problems: unknown[] = [];
    try {
      await run(file);
    } catch (e) {
      problems = (e as ImportError).problems;
    }
    expect(problems).toEqual([
      {
        index: 0,
        name: '1号楼',
        code: 'source_id_stored',
        params: { key: '编号', value: "'B1'", table: 'buildings', id: expect.any(Number) },
      },
      {
        index: 1,
        name: '2号楼',
        code: 'source_id_stored',
        params: { key: '编号', value: "'B2'", table: 'buildings', id: expect.any(Number) },
      },
    ]);
    expect(await names()).toEqual([
      { source_id: 'B1', name: '1号楼' },
      { source_id: 'B2', name: '2号楼' },
    ]);
  });

  it('upsert of the same file changes nothing; of a changed file updates, inserts and keeps the rest', async () => {
    const same = await run(file, { mode: 'upsert' });
    expect(same).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    const changed = await run(
      [building('B1', '1号楼', 105.59), building('B2', '二号楼', 105.591), building('B3', '3号楼', 105.592)],
      {
        mode: 'upsert',
      },
    );
    expect(changed).toMatchObject({ inserted: 1, updated: 1, unchanged: 1 });
    expect((await names()).map((r) => r.name)).toEqual(['1号楼', '二号楼', '3号楼']);
  });

  it('append skips what is stored; a duplicate key in the file and an empty key are refused', async () => {
    const r = await run([building('B3', 'x', 105.592), building('B4', '4号楼', 105.593)], { mode: 'append' });
    expect(r).toMatchObject({ inserted: 1, skipped: 1 });
    await expect(
      run([building('B9', 'a', 105.6), building('B9', 'b', 105.601)], { mode: 'append' }),
    ).rejects.toMatchObject({
      problems: [
        { index: 0, code: 'duplicate_in_file', params: { column: '编号', value: "'B9'", n: 2 } },
        { index: 1, code: 'duplicate_in_file', params: { column: '编号', value: "'B9'", n: 2 } },
      ],
    });
    await expect(run([building('', 'a', 105.6)], { mode: 'upsert' })).rejects.toMatchObject({
      problems: [{ index: 0, code: 'key_empty', params: { key: '编号' } }],
    });
  });

  it('replace within a bbox deletes the rows there first, and refuses ids stored outside it', async () => {
    const r = await run([building('B5', '5号楼', 105.5905)], {
      mode: 'replace',
      replaceWithin: { bbox: [105.5899, 30.5299, 105.5915, 30.531] },
    });
    expect(r).toMatchObject({ inserted: 1, deleted: 2 });
    expect((await names()).map((x) => x.source_id)).toEqual(['B3', 'B4', 'B5']);
    await expect(
      run([building('B4', '4', 105.5905)], {
        mode: 'replace',
        replaceWithin: { bbox: [105.5899, 30.5299, 105.5915, 30.531] },
      }),
    ).rejects.toMatchObject({
      problems: [
        {
          index: 0,
          code: 'source_id_outside_scope',
          params: { value: "'B4'", table: 'buildings', id: expect.any(Number) },
        },
      ],
    });
    expect((await names()).map((x) => x.source_id)).toEqual(['B3', 'B4', 'B5']);
  });

  it('an upserted gate gets its next version and a history entry', async () => {
    const gate = (name: string) => ({
      type: 'Feature',
      properties: { gid: 'G1', name },
      geometry: { type: 'Point', coordinates: [105.59, 30.53] },
    });
    await importLayer(t.db, { layer: 'gates', features: [gate('东门')], key: 'gid' });
    await importLayer(t.db, { layer: 'gates', features: [gate('东大门')], key: 'gid', mode: 'upsert' });
    const g = await t.db.query<{ name: string; version: number; h: number }>(
      'SELECT name, version, (SELECT count(*)::integer FROM gate_history h WHERE h.gate_id = g.id) AS h FROM gates g',
    );
    expect(g.rows).toEqual([{ name: '东大门', version: 2, h: 2 }]);
  });
});
