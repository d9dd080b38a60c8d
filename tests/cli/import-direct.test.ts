import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLayer, type ImportOptions, type ImportProblem } from '../../server/src/importer/index.ts';
import type { SourceFeature } from '../../server/src/importer/features.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';
import { refusedWith, square } from '../helpers/import.ts';

/**
 * The command line's direct load (ImportOptions.direct: COPY straight into buildings, checks over the
 * new rows before commit) must answer exactly as the staged import does: the same problems by
 * feature index, nothing written when one is found, the same rows in the same id order when none is.
 */
const bowtie = (x: number, y: number) => [
  [
    [x, y],
    [x + 0.0002, y + 0.0002],
    [x + 0.0002, y],
    [x, y + 0.0002],
    [x, y],
  ],
];
const feature = (coordinates: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties,
  geometry: { type: 'Polygon', coordinates },
});

describe('importLayer direct (the command-line load of buildings)', () => {
  let t: TestDb;
  const count = async () =>
    (await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM buildings')).rows[0]!.n;
  const problemsOf = (opts: ImportOptions): Promise<ImportProblem[]> => refusedWith(t.db, opts);
  const spatialIndex = async () =>
    (await t.db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'buildings_geom_idx'")).rowCount;

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('refuses invalid polygons and missing compounds by feature index, as the staged import does, and writes nothing', async () => {
    const features = [
      feature(square(105.6, 30.5), { name: '1号楼' }),
      feature(bowtie(105.601, 30.5), { name: 'bow-tie' }),
      feature(square(105.602, 30.5), { name: '3号楼', compound_id: 987654 }),
      feature(square(105.603, 30.5), { name: '4号楼' }),
      feature(square(105.604, 30.5), { name: '5号楼', compound_id: 987655 }),
    ];
    const staged = await problemsOf({ layer: 'buildings', features });
    // Defect guarded: a COPY into buildings fails on the first missing compound (the foreign key)
    // with the database's words, unless the key waits for the per-feature check.
    const direct = await problemsOf({ layer: 'buildings', features, direct: true });
    expect(direct).toEqual(staged);
    expect(direct.map((p) => [p.index, p.code])).toEqual([
      [1, 'invalid_geometry'],
      [2, 'reference_missing'],
      [4, 'reference_missing'],
    ]);
    expect(await count()).toBe(0);
    expect(await spatialIndex()).toBe(1);
    // The view the checks read went with the transaction.
    const view = await t.db.query("SELECT 1 FROM pg_class WHERE relname = 'import_staging'");
    expect(view.rowCount).toBe(0);
  });

  it('names each refused feature by its name, found in the file or in the database, on both paths', async () => {
    // Helper 44: problem rows said "第 7 个要素" only; a street office finds 锦华苑 in its file, not
    // its 7th placemark.
    const features = [
      feature(square(105.6, 30.5), { name: '1号楼' }),
      feature(bowtie(105.601, 30.5), { name: '蝴蝶楼' }),
      { type: 'Feature', properties: { name: '没有形状的楼' }, geometry: null },
      feature(square(105.603, 30.5), { name: '  ', compound_id: 987654 }),
      feature(square(105.604, 30.5), { name: 'x'.repeat(300), compound_id: 987655 }),
    ];
    for (const direct of [false, true]) {
      const problems = await problemsOf({ layer: 'buildings', features, direct });
      expect(problems.map((p) => [p.index, p.code, p.name])).toEqual([
        [1, 'invalid_geometry', '蝴蝶楼'],
        [2, 'no_geometry', '没有形状的楼'],
        [3, 'reference_missing', undefined],
        [4, 'reference_missing', `${'x'.repeat(59)}…`],
      ]);
    }
    expect(await count()).toBe(0);
  });

  it('a big import checks validity with parallel workers on a server, which see its uncommitted rows: every invalid polygon is named', async () => {
    // 12,000 ≥ PARALLEL_CHECK_MIN_ROWS: on PostgreSQL the validity scan is shared by parallel workers,
    // which must see the rows this transaction has just loaded (directly, or into its staging table).
    const many = Array.from({ length: 12_000 }, (_, i) =>
      [3, 11_998].includes(i)
        ? feature(bowtie(106 + (i % 100) * 0.001, 31 + Math.floor(i / 100) * 0.001))
        : feature(square(106 + (i % 100) * 0.001, 31 + Math.floor(i / 100) * 0.001, 0.0005)),
    );
    for (const direct of [false, true]) {
      const problems = await problemsOf({ layer: 'buildings', features: many, direct });
      expect(problems.map((p) => [p.index, p.code])).toEqual([
        [3, 'invalid_geometry'],
        [11_998, 'invalid_geometry'],
      ]);
    }
    expect(await count()).toBe(0);
  });

  it('a file imported twice without a key: each feature already stored is a warning, on both paths', async () => {
    // New-user try (2026-12-04): re-running an import without --key doubled every building silently.
    const three = [0, 1, 2].map((i) => feature(square(107 + i * 0.001, 30.9), { name: `楼${i}` }));
    const first = await importLayer(t.db, { layer: 'buildings', features: three });
    expect(first.warnings).toEqual([]);
    const four = [...three, feature(square(107.01, 30.9), { name: '新楼' })];
    // Direct, then staged (which also finds the fourth, stored by the direct import).
    for (const [direct, stored] of [
      [true, [0, 1, 2]],
      [false, [0, 1, 2, 3]],
    ] as const) {
      const again = await importLayer(t.db, { layer: 'buildings', features: four, direct });
      expect(again.inserted).toBe(4);
      expect(again.warnings.map((w) => [w.index, w.code, w.params])).toEqual(
        stored.map((i) => [i, 'same_as_stored', { layer: 'buildings' }]),
      );
    }
    await t.db.query("DELETE FROM buildings WHERE name IN ('楼0', '楼1', '楼2', '新楼')");
  });

  it('a feature far outside the city is a warning with its place, on both paths (not without a city)', async () => {
    // New-user try (2026-12-05): a building in Beijing went in without a word for an admin; "outside
    // China" catches only a wrong CRS, not a wrong file. Within 0.05° of the city's box is not "far".
    const here = feature(square(105.6, 30.5), { name: '城内楼' });
    const edge = feature(square(105.74, 30.5), { name: '边上楼' });
    const beijing = feature(square(116.4, 39.9), { name: '北京楼' });
    const none = await importLayer(t.db, { layer: 'buildings', features: [beijing] });
    expect(none.warnings).toEqual([]);
    await t.db.query("DELETE FROM buildings WHERE name = '北京楼'");
    await t.db.query(
      `INSERT INTO jurisdictions (code, name, level, geom)
       VALUES ('999999', '测试区', 'district', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326)))`,
    );
    try {
      for (const direct of [true, false]) {
        const r = await importLayer(t.db, { layer: 'buildings', features: [here, beijing, edge], direct });
        expect(r.inserted).toBe(3);
        // (The second import also hears that the first stored all three: same_as_stored.)
        const far = r.warnings.filter((w) => w.code !== 'same_as_stored');
        expect(far.map((w) => [w.index, w.code, w.params])).toEqual([
          [1, 'outside_city', { lon: '116.400000', lat: '39.900000' }],
        ]);
      }
    } finally {
      await t.db.query("DELETE FROM buildings WHERE name IN ('城内楼', '边上楼', '北京楼')");
      await t.db.query("DELETE FROM jurisdictions WHERE code = '999999'");
    }
  });

  it('a file every feature of which is far outside the city is refused, a Gauss-Krüger zone mistake named', async () => {
    // Helper 45: zone-35 data read as zone 34 (EPSG:4543) went in 290 km west of the city, with no
    // street, exit 0 and one warning a feature.
    await t.db.query(
      `INSERT INTO jurisdictions (code, name, level, geom)
       VALUES ('999998', '测试区', 'district', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326)))`,
    );
    try {
      const west = [0, 1, 2].map((i) => feature(square(102.6 + i * 0.001, 30.5), { name: `西移${i}` }));
      const beijing = [feature(square(116.4, 39.9), { name: '北京楼' })];
      for (const direct of [true, false]) {
        expect(await problemsOf({ layer: 'buildings', features: west, direct })).toEqual([
          {
            index: null,
            code: 'all_outside_city_zone',
            params: { n: 3, lon: '102.600000', lat: '30.500000', deg: '3' },
          },
        ]);
        expect(await problemsOf({ layer: 'buildings', features: beijing, direct })).toEqual([
          { index: null, code: 'all_outside_city', params: { n: 1, lon: '116.400000', lat: '39.900000' } },
        ]);
      }
      expect(await count()).toBe(0);
    } finally {
      await t.db.query("DELETE FROM jurisdictions WHERE code = '999998'");
    }
  });

  it('stores the same rows as the staged import, in file order, and the next id follows them', async () => {
    const features = Array.from({ length: 300 }, (_, i) =>
      feature(square(105.61 + (i % 20) * 0.0005, 30.51 + Math.floor(i / 20) * 0.0005), {
        name: `${i + 1}号楼`,
        category: i % 3 === 0 ? 'three_no' : 'self_managed',
        floors: 1 + (i % 30),
        households: i,
        address: i % 7 === 0 ? null : `遂宁市船山区${i}号`,
      }),
    );
    const a = await importLayer(t.db, { layer: 'buildings', features });
    const b = await importLayer(t.db, { layer: 'buildings', features, direct: true });
    // The same file twice: the second import says every feature is already stored (and stores it).
    expect(b.warnings.map((w) => [w.index, w.code])).toEqual(features.map((_, i) => [i, 'same_as_stored']));
    expect({ ...b, warnings: [] }).toEqual(a);
    const rows = await t.db.query<{ id: number; row: string }>(
      `SELECT id, ROW(category, name, address, floors, households, covered, straddling, compound_id,
                      source_id, ST_AsEWKT(geom))::text AS row
       FROM buildings ORDER BY id`,
    );
    expect(rows.rows).toHaveLength(600);
    const first = rows.rows.slice(0, 300);
    const second = rows.rows.slice(300);
    expect(second.map((r) => r.row)).toEqual(first.map((r) => r.row));
    expect(first[0]!.row).toMatch(/^\(three_no,1号楼,,1,0,f,f,,,"SRID=4326;POLYGON\(\(105\.61 30\.51,/);
    // ids in file order, one after another
    const ids = second.map((r) => r.id);
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
    expect(ids[0]).toBeGreaterThan(first[299]!.id);
    // an insert that takes its id from the sequence does not collide with the direct load's ids
    const next = await t.db.query<{ id: number }>(
      `INSERT INTO buildings (geom) VALUES (ST_GeomFromText('POLYGON((105.7 30.6,105.7002 30.6,105.7002 30.6002,105.7 30.6))', 4326)) RETURNING id`,
    );
    expect(next.rows[0]!.id).toBeGreaterThan(ids.at(-1)!);
    await t.db.query('DELETE FROM buildings');
  });

  it('rebuilds the spatial index of a small table and refreshes coverage after a big load', async () => {
    await importLayer(t.db, {
      layer: 'service-areas',
      features: [
        feature(square(106, 30, 0.0105), {
          name: '导入区',
          management_mode: 'resident_self',
          status: 'approved',
          created_by: 'direct-test',
        }),
      ],
    });
    // 12,000 ≥ the 10,000 at which the GiST index is dropped for the load and built again.
    const many = Array.from({ length: 12_000 }, (_, i) =>
      feature(square(106 + (i % 100) * 0.001, 30 + Math.floor(i / 100) * 0.001, 0.0005)),
    );
    const phases: string[] = [];
    const r = await importLayer(t.db, {
      layer: 'buildings',
      features: many,
      direct: true,
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    expect(r.inserted).toBe(12_000);
    expect(phases).toEqual(['loading', 'validating', 'writing']);
    expect(await spatialIndex()).toBe(1);
    // Every building the area covers is marked so, and no other (what 0004's refresh computes).
    const covered = await t.db.query<{ marked: number; inside: number }>(
      `SELECT count(*) FILTER (WHERE b.covered)::integer AS marked,
              count(*) FILTER (WHERE ST_Covers(s.geom, b.geom))::integer AS inside
       FROM buildings b CROSS JOIN service_areas s`,
    );
    expect(covered.rows[0]!.inside).toBeGreaterThanOrEqual(100);
    expect(covered.rows[0]!.marked).toBe(covered.rows[0]!.inside);
    // The index is used again: a box query finds one building without a sequential scan of them all.
    const hit = await t.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM buildings WHERE geom && ST_MakeEnvelope(106.0501, 30.0501, 106.0502, 30.0502, 4326)',
    );
    expect(hit.rows[0]!.n).toBe(1);
  });

  // Only a server has a second connection to look at the locks with.
  it.skipIf(TEST_DB_KIND !== 'postgres')(
    'locks writers out only of a table no larger than the file: a layer in use is loaded through staging',
    async () => {
      /** The lock modes the import holds on buildings while it is still reading its features. */
      const locksWhileReading = async (): Promise<string[]> => {
        let go!: () => void;
        const paused = new Promise<void>((r) => (go = r));
        let reached!: () => void;
        const atPause = new Promise<void>((r) => (reached = r));
        async function* sources(): AsyncGenerator<SourceFeature> {
          yield { feature: feature(square(107, 31)), fromText: false };
          reached();
          await paused;
          yield { feature: feature(square(107.001, 31)), fromText: false };
        }
        const running = importLayer(t.db, { layer: 'buildings', sources: sources(), direct: true });
        await atPause;
        const locks = await t.db.query<{ mode: string }>(
          `SELECT mode FROM pg_locks
           WHERE relation = 'buildings'::regclass AND granted AND pid <> pg_backend_pid() ORDER BY mode`,
        );
        go();
        expect((await running).inserted).toBe(2);
        return locks.rows.map((r) => r.mode);
      };
      await t.db.query('DELETE FROM buildings');
      expect(await locksWhileReading()).toContain('ShareRowExclusiveLock');
      // A city already loaded: an area save (it updates buildings' coverage) must not wait for an import.
      await t.db.query(
        `INSERT INTO buildings (geom)
         SELECT ST_MakeEnvelope(108 + i * 1e-4, 31, 108 + i * 1e-4 + 5e-5, 31.00005, 4326)
         FROM generate_series(1, 10001) i`,
      );
      expect(await locksWhileReading()).toEqual(['AccessShareLock']);
    },
  );
});
