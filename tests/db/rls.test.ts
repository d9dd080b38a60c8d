import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leastPrivilege } from '../../server/src/db/roles.ts';
import type { Queryable } from '../../server/src/db/index.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// issue 10 #7: the app's role (wuyou_app) is no superuser, owns nothing, and row-level security keyed
// to the per-transaction settings app.role / app.street_code keeps a street editor's SQL inside its
// 街道 even when the app's own checks are bypassed: SQL run directly as the app role.

let t: TestDb;
const A = '510903001';
const B = '510903002';
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(`
    INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('${A}', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326))),
      ('${B}', '镇江寺街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.6, 30.4, 105.7, 30.6, 4326)));`);
  for (const [k, street, x] of [
    ['a', A, 105.55],
    ['b', B, 105.65],
  ] as const) {
    ids[`area_${k}`] = (
      await t.db.query<{ id: number }>(
        `INSERT INTO service_areas (name, street_code, management_mode, geom)
         VALUES ($1, $2, 'professional', ST_MakeEnvelope($3::float8, 30.5, $3::float8 + 0.001, 30.501, 4326)) RETURNING id`,
        [`area ${k}`, street, x],
      )
    ).rows[0]!.id;
    ids[`camera_${k}`] = (
      await t.db.query<{ id: number }>(
        `INSERT INTO cameras (name, geom) VALUES ($1, ST_SetSRID(ST_MakePoint($2::float8, 30.52), 4326)) RETURNING id`,
        [`camera ${k}`, x],
      )
    ).rows[0]!.id;
    ids[`compound_${k}`] = (
      await t.db.query<{ id: number }>(
        `INSERT INTO compounds (name, category, street_code) VALUES ($1, 'three_no', $2) RETURNING id`,
        [`compound ${k}`, street],
      )
    ).rows[0]!.id;
  }
});
afterAll(async () => {
  await t?.drop();
});

/** Runs `fn` as the app role with the settings a signed-in request would set; rolls back after. */
async function asApp<T>(
  settings: { role?: string; street?: string },
  fn: (q: Queryable) => Promise<T>,
): Promise<T | { error: string; code: string }> {
  let out: T | { error: string; code: string } = { error: 'not run', code: '' };
  await t.db
    .transaction(async (q) => {
      await q.query('SET LOCAL ROLE wuyou_app');
      await q.query("SELECT set_config('app.role', $1, true), set_config('app.street_code', $2, true)", [
        settings.role ?? '',
        settings.street ?? '',
      ]);
      try {
        out = await fn(q);
      } catch (e) {
        const err = e as { message: string; code?: string };
        out = { error: err.message, code: err.code ?? '' };
      }
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  return out;
}
const rows = (r: { rowCount: number }) => r.rowCount;
const editorOfA = { role: 'street_editor', street: A };

describe(`issue 10 #7: row-level security as the app role (${TEST_DB_KIND})`, () => {
  it('the app role is no superuser and owns nothing', async () => {
    const r = await t.db.query<{ super: boolean; owned: number }>(
      `SELECT r.rolsuper AS super,
              (SELECT count(*)::integer FROM pg_class c WHERE c.relowner = r.oid) AS owned
         FROM pg_roles r WHERE r.rolname = 'wuyou_app'`,
    );
    expect(r.rows[0]).toEqual({ super: false, owned: 0 });
  });

  it("street A's editor cannot change, delete or move anything into street B", async () => {
    const b = (k: string) => ids[k]!;
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query("UPDATE service_areas SET name = 'x' WHERE street_code = $1", [B])),
      ),
    ).toBe(0);
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query('DELETE FROM service_areas WHERE id = $1', [b('area_b')])),
      ),
    ).toBe(0);
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query("UPDATE cameras SET name = 'x' WHERE id = $1", [b('camera_b')])),
      ),
    ).toBe(0);
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query('DELETE FROM cameras WHERE id = $1', [b('camera_b')])),
      ),
    ).toBe(0);
    // moving its own rows into B, or creating rows in B, is refused by the policies' WITH CHECK
    const moved = await asApp(editorOfA, (q) =>
      q.query('UPDATE service_areas SET street_code = $1 WHERE id = $2', [B, b('area_a')]),
    );
    expect(moved).toMatchObject({ code: '42501' });
    const cam = await asApp(editorOfA, (q) =>
      q.query('UPDATE cameras SET geom = ST_SetSRID(ST_MakePoint(105.65, 30.53), 4326) WHERE id = $1', [
        b('camera_a'),
      ]),
    );
    expect(cam).toMatchObject({ code: '42501' });
    const created = await asApp(editorOfA, (q) =>
      q.query(
        `INSERT INTO service_areas (name, street_code, management_mode, geom)
         VALUES ('sneaky', $1, 'professional', ST_MakeEnvelope(105.68, 30.5, 105.681, 30.501, 4326))`,
        [B],
      ),
    );
    expect(created).toMatchObject({ code: '42501' });
    const ledger = await asApp(editorOfA, (q) =>
      q.query("INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, 'x', 'other')", [
        b('compound_b'),
      ]),
    );
    expect(ledger).toMatchObject({ code: '42501' });
    const gate = await asApp(editorOfA, (q) =>
      q.query("INSERT INTO gates (name, geom) VALUES ('g', ST_SetSRID(ST_MakePoint(105.65, 30.53), 4326))"),
    );
    expect(gate).toMatchObject({ code: '42501' });
    // B's rows are untouched
    const r = await t.db.query<{ name: string }>('SELECT name FROM service_areas WHERE id = $1', [
      b('area_b'),
    ]);
    expect(r.rows[0]!.name).toBe('area b');
  });

  it('its own street it may write; the city admin anywhere; a viewer and a session without settings nowhere', async () => {
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query("UPDATE service_areas SET name = 'mine' WHERE street_code = $1", [A])),
      ),
    ).toBe(1);
    expect(
      await asApp(editorOfA, async (q) =>
        rows(
          await q.query(
            "INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, 'x', 'other')",
            [ids.compound_a],
          ),
        ),
      ),
    ).toBe(1);
    expect(
      await asApp({ role: 'city_admin' }, async (q) =>
        rows(await q.query("UPDATE service_areas SET name = 'city'")),
      ),
    ).toBe(2);
    expect(
      await asApp({ role: 'viewer' }, async (q) =>
        rows(await q.query("UPDATE service_areas SET name = 'v'")),
      ),
    ).toBe(0);
    expect(await asApp({}, async (q) => rows(await q.query("UPDATE cameras SET name = 'none'")))).toBe(0);
    // reading stays open to all
    expect(await asApp({}, async (q) => rows(await q.query('SELECT id FROM service_areas')))).toBe(2);
  });

  it('the app role may read the audit log but not write it, and may not change the schema', async () => {
    expect(
      await asApp(editorOfA, async (q) => rows(await q.query('SELECT id FROM audit_log'))),
    ).toBeGreaterThanOrEqual(0);
    expect(
      await asApp(editorOfA, (q) =>
        q.query("INSERT INTO audit_log (action, table_name) VALUES ('insert', 'x')"),
      ),
    ).toMatchObject({ code: '42501' });
    expect(await asApp(editorOfA, (q) => q.query('DELETE FROM audit_log'))).toMatchObject({ code: '42501' });
    expect(await asApp({ role: 'city_admin' }, (q) => q.query('DROP TABLE service_areas'))).toMatchObject({
      code: '42501',
    });
    // its writes are still audited (the trigger writes the log as the owner)
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM audit_log')).rows[0]!
      .n;
    await t.db.transaction(async (q) => {
      await q.query('SET LOCAL ROLE wuyou_app');
      await q.query(
        "SELECT set_config('app.role', 'street_editor', true), set_config('app.street_code', $1, true), set_config('app.user', 'editor-a', true)",
        [A],
      );
      await q.query("UPDATE cameras SET name = 'audited' WHERE id = $1", [ids.camera_a]);
    });
    const after = await t.db.query<{ n: number; username: string }>(
      'SELECT count(*) OVER ()::integer AS n, username FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    expect(after.rows[0]!.n).toBe(before + 1);
    expect(after.rows[0]!.username).toBe('editor-a');
  });
});

describe('issue 10 #7: the app drops its privileges at start', () => {
  it(
    TEST_DB_KIND === 'embedded'
      ? 'embedded: runs as wuyou_app after the migrations'
      : 'server: warns when DATABASE_URL is a superuser',
    async () => {
      const lines: { level: number; msg: string }[] = [];
      const logger = pino(
        { level: 'info' },
        { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) },
      );
      await leastPrivilege(t.db, logger);
      if (TEST_DB_KIND === 'embedded') {
        const r = await t.db.query<{ u: string }>('SELECT current_user AS u');
        expect(r.rows[0]!.u).toBe('wuyou_app');
        // and from now on this very connection is bound by the policies
        const n = await t.db.query("UPDATE service_areas SET name = 'no session'");
        expect(n.rowCount).toBe(0);
      } else {
        expect(lines.some((l) => l.level === 40 && /superuser/.test(l.msg))).toBe(true);
      }
    },
  );
});

describe(`issue 10 (trust10 #3): row-level security on histories, compounds and survey imports (${TEST_DB_KIND})`, () => {
  // The test above left the embedded connection as wuyou_app (as the app runs): back to the owner.
  beforeAll(async () => {
    if (TEST_DB_KIND === 'embedded') await t.db.exec('RESET ROLE');
  });
  const history = async (table: string, cols: string, values: string, params: unknown[]) =>
    asApp(editorOfA, async (q) =>
      rows(await q.query(`INSERT INTO ${table} (${cols}) VALUES (${values})`, params)),
    );

  it("street A's editor cannot change street B's compound, nor move its own into B", async () => {
    expect(
      await asApp(editorOfA, async (q) =>
        rows(
          await q.query("UPDATE compounds SET name = 'x', wy_security = 'met' WHERE id = $1", [
            ids.compound_b,
          ]),
        ),
      ),
    ).toBe(0);
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query('DELETE FROM compounds WHERE id = $1', [ids.compound_b])),
      ),
    ).toBe(0); // no DELETE policy lets it: nothing deleted
    expect(
      await asApp(editorOfA, (q) =>
        q.query('UPDATE compounds SET street_code = $1 WHERE id = $2', [B, ids.compound_a]),
      ),
    ).toMatchObject({ code: '42501' });
    expect(
      await asApp(editorOfA, (q) =>
        q.query("INSERT INTO compounds (name, category, street_code) VALUES ('x', 'three_no', $1)", [A]),
      ),
    ).toMatchObject({ code: '42501' });
    // its own it may update; B's name is untouched
    expect(
      await asApp(editorOfA, async (q) =>
        rows(await q.query("UPDATE compounds SET name = 'mine' WHERE id = $1", [ids.compound_a])),
      ),
    ).toBe(1);
    const r = await t.db.query<{ name: string }>('SELECT name FROM compounds WHERE id = $1', [
      ids.compound_b,
    ]);
    expect(r.rows[0]!.name).toBe('compound b');
  });

  it("street A's editor cannot write history of street B's areas, cameras, gates or ledger items, nor change any history", async () => {
    const item = (
      await t.db.query<{ id: number }>(
        "INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, 'b', 'other') RETURNING id",
        [ids.compound_b],
      )
    ).rows[0]!.id;
    const inB = 'ST_SetSRID(ST_MakePoint(105.65, 30.52), 4326)';
    const inA = 'ST_SetSRID(ST_MakePoint(105.55, 30.52), 4326)';
    const refused = { code: '42501' };
    expect(
      await history(
        'service_area_history',
        'area_id, version, operation, attributes',
        `$1, 99, 'update', $2::jsonb`,
        [ids.area_b, JSON.stringify({ street_code: B })],
      ),
    ).toMatchObject(refused);
    expect(
      await history(
        'camera_history',
        'camera_id, version, operation, attributes, geom',
        `$1, 99, 'update', '{}', ${inB}`,
        [ids.camera_b],
      ),
    ).toMatchObject(refused);
    expect(
      await history(
        'gate_history',
        'gate_id, version, operation, attributes, geom',
        `1, 99, 'update', '{}', ${inB}`,
        [],
      ),
    ).toMatchObject(refused);
    expect(
      await history('ledger_history', 'item_id, version, operation, attributes', `$1, 99, 'update', '{}'`, [
        item,
      ]),
    ).toMatchObject(refused);
    // in its own street it may add history
    expect(
      await history(
        'camera_history',
        'camera_id, version, operation, attributes, geom',
        `$1, 99, 'update', '{}', ${inA}`,
        [ids.camera_a],
      ),
    ).toBe(1);
    // history is never changed by the app, not even its own street's or by the city admin
    await t.db.query(
      `INSERT INTO service_area_history (area_id, version, operation, attributes) VALUES ($1, 1, 'create', $2::jsonb)`,
      [ids.area_a, JSON.stringify({ street_code: A })],
    );
    for (const who of [editorOfA, { role: 'city_admin' }]) {
      expect(
        await asApp(who, (q) => q.query("UPDATE service_area_history SET changed_by = 'x'")),
      ).toMatchObject(refused);
      expect(await asApp(who, (q) => q.query('DELETE FROM ledger_history'))).toMatchObject(refused);
    }
  });

  it('survey imports: only a session that may write adds one, as itself; a viewer or no session changes none', async () => {
    const add = (settings: { role?: string; street?: string }, by: string) =>
      asApp(settings, async (q) => {
        await q.query("SELECT set_config('app.user', 'editor-a', true)");
        return rows(await q.query("INSERT INTO survey_imports (rows, created_by) VALUES ('[]', $1)", [by]));
      });
    expect(await add(editorOfA, 'editor-a')).toBe(1);
    expect(await add(editorOfA, 'someone-else')).toMatchObject({ code: '42501' });
    expect(await add({ role: 'viewer' }, 'editor-a')).toMatchObject({ code: '42501' });
    await t.db.query("INSERT INTO survey_imports (rows, created_by) VALUES ('[]', 'editor-b')");
    for (const s of [{ role: 'viewer' }, {}])
      expect(
        await asApp(s, async (q) => rows(await q.query("UPDATE survey_imports SET status = 'applied'"))),
      ).toBe(0);
  });
});

describe(`issue 10 (trust10 #6): field lengths hold in the database itself (${TEST_DB_KIND})`, () => {
  const long = (n: number) => 'x'.repeat(n);
  const refused = async (sql: string, params: unknown[]) => {
    const e = await t.db.query(sql, params).then(
      () => null,
      (err: { code?: string }) => err.code,
    );
    expect(e, sql).toBe('23514'); // check_violation
  };
  it('a 1 MiB name, code or text is refused even by SQL that bypasses the app (as the owner)', async () => {
    const mib = long(1 << 20);
    await refused(
      'INSERT INTO cameras (name, geom) VALUES ($1, ST_SetSRID(ST_MakePoint(105.55, 30.52), 4326))',
      [mib],
    );
    await refused(
      'INSERT INTO cameras (code, geom) VALUES ($1, ST_SetSRID(ST_MakePoint(105.55, 30.52), 4326))',
      [long(65)],
    );
    await refused(
      'INSERT INTO gates (name, geom) VALUES ($1, ST_SetSRID(ST_MakePoint(105.55, 30.52), 4326))',
      [long(201)],
    );
    await refused('UPDATE service_areas SET name = $1 WHERE id = $2', [long(201), ids.area_a]);
    await refused('UPDATE service_areas SET notes = $1 WHERE id = $2', [long(4001), ids.area_a]);
    await refused('UPDATE compounds SET name = $1 WHERE id = $2', [mib, ids.compound_a]);
    await refused("INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, $2, 'other')", [
      ids.compound_a,
      long(2001),
    ]);
    await refused(
      "INSERT INTO five_target_assessments (compound_id, target, state, note) VALUES ($1, 'wy_security', 'met', $2)",
      [ids.compound_a, long(2001)],
    );
    await refused("INSERT INTO users (username, password_hash, role) VALUES ($1, 'x', 'viewer')", [long(65)]);
  });
  it('the longest values the app accepts still fit', async () => {
    await t.db.query('UPDATE service_areas SET name = $1, notes = $2 WHERE id = $3', [
      long(200),
      long(4000),
      ids.area_a,
    ]);
    await t.db.query('UPDATE cameras SET name = $1, code = $2 WHERE id = $3', [
      long(200),
      long(64),
      ids.camera_a,
    ]);
    await t.db.query(
      "INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, $2, 'other')",
      [ids.compound_a, long(2000)],
    );
  });
});
