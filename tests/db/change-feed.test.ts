import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Listening } from '../../server/src/db/index.ts';
import { applySession } from '../../server/src/accounts/session.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../helpers/db.ts';

// issue 12 (one change feed): every committed write publishes on 'wuyou_changes', from the commit-time
// trigger of migration 0016, with the layer versions, the changed ids, the kind and who did it; a
// rolled-back write publishes nothing; the log keeps the same event for resuming readers.

interface Event {
  id: number;
  kind: string;
  layers: Record<string, [number, number]>;
  changes: Record<string, Record<string, number[]>>;
  truncated: boolean;
  bbox: number[] | null;
  actor: {
    username: string | null;
    userId: number | null;
    streetCode: string | null;
    streetName: string | null;
  };
}

let t: TestDb;
let listening: Listening;
const events: Event[] = [];
let up = false;
const A = '510903001';

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(`
    INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('${A}', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326)));
    INSERT INTO users (username, password_hash, role, street_code) VALUES ('zhangsan', 'x', 'street_editor', '${A}');`);
  listening = await t.db.listen('wuyou_changes', {
    notify: (p) => events.push(JSON.parse(p) as Event),
    state: (s) => {
      up = s;
    },
  });
  await vi.waitFor(() => expect(up).toBe(true), { timeout: 20_000 });
});
afterAll(async () => {
  await listening?.close();
  await t?.drop();
});

/** The events that arrive after `fn` until one satisfies `done`. */
async function eventsOf(
  fn: () => Promise<unknown>,
  done: (e: Event) => boolean = () => true,
): Promise<Event[]> {
  const from = events.length;
  await fn();
  await expect.poll(() => events.slice(from).some(done), { timeout: 20_000 }).toBe(true);
  return events.slice(from);
}

const session = { username: 'zhangsan', role: 'street_editor' as const, streetCode: A, address: '127.0.0.1' };

describe(`change feed on ${TEST_DB_KIND}`, () => {
  it('an area created by a signed-in editor: one event with its id, kind create, versions, actor and box', async () => {
    let id = 0;
    const got = await eventsOf(() =>
      t.db.transaction(async (tx) => {
        await applySession(tx, session);
        id = (
          await tx.query<{ id: number }>(
            `INSERT INTO service_areas (name, street_code, management_mode, geom)
             VALUES ('a', $1, 'professional', ST_MakeEnvelope(105.51, 30.51, 105.52, 30.52, 4326)) RETURNING id`,
            [A],
          )
        ).rows[0]!.id;
      }),
    );
    expect(got).toHaveLength(1);
    const e = got[0]!;
    expect(e.kind).toBe('create');
    expect(e.changes).toEqual({ 'service-areas': { insert: [id] } });
    expect(Object.keys(e.layers).sort()).toEqual(['buildings', 'service-areas']);
    expect(e.actor).toMatchObject({ username: 'zhangsan', streetCode: A, streetName: '凯旋路街道' });
    expect(e.actor.userId).toBeGreaterThan(0);
    expect(e.bbox).toEqual([105.51, 30.51, 105.52, 30.52]);
    const versions = await t.db.query<{ layer: string; version: number }>(
      `SELECT layer, version FROM layer_versions WHERE layer IN ('buildings', 'service-areas')`,
    );
    for (const r of versions.rows) expect(e.layers[r.layer]![0]).toBe(r.version);
    const logged = await t.db.query<{ id: number; kind: string }>(
      'SELECT id, kind FROM change_events WHERE id = $1',
      [e.id],
    );
    expect(logged.rows[0]?.kind).toBe('create');
  });

  it('a split (update + insert) and a merge (update + delete) are told apart', async () => {
    const ids = (
      await t.db.query<{ id: number }>(
        `INSERT INTO service_areas (name, street_code, management_mode, geom) VALUES
           ('w', $1, 'professional', ST_MakeEnvelope(105.53, 30.51, 105.54, 30.52, 4326)),
           ('e', $1, 'professional', ST_MakeEnvelope(105.54, 30.51, 105.55, 30.52, 4326)) RETURNING id`,
        [A],
      )
    ).rows.map((r) => r.id);
    const merged = await eventsOf(
      () =>
        t.db.transaction(async (tx) => {
          await tx.query('DELETE FROM service_areas WHERE id = $1', [ids[1]]);
          await tx.query(
            `UPDATE service_areas SET geom = ST_MakeEnvelope(105.53, 30.51, 105.55, 30.52, 4326) WHERE id = $1`,
            [ids[0]],
          );
        }),
      (e) => e.kind === 'merge',
    );
    const m = merged.find((e) => e.kind === 'merge')!;
    expect(m.changes['service-areas']).toEqual({ update: [ids[0]], delete: [ids[1]] });
    expect(m.actor.username).toBeNull();
    expect(m.actor.streetCode).toBe(A); // no session: the street of the changed area
  });

  it('a ledger item is reported under ledger by its compound; a rolled-back write publishes nothing', async () => {
    const compound = (
      await t.db.query<{ id: number }>(
        `INSERT INTO compounds (name, category, street_code, geom)
         VALUES ('c', 'three_no', $1, ST_Multi(ST_MakeEnvelope(105.56, 30.51, 105.57, 30.52, 4326))) RETURNING id`,
        [A],
      )
    ).rows[0]!.id;
    const before = events.length;
    await t.db
      .transaction(async (tx) => {
        await tx.query(
          `INSERT INTO cameras (name, geom) VALUES ('x', ST_SetSRID(ST_MakePoint(105.5, 30.5), 4326))`,
        );
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const got = await eventsOf(() =>
      t.db.query(`INSERT INTO ledger_items (compound_id, description, category) VALUES ($1, 'd', 'other')`, [
        compound,
      ]),
    );
    expect(events.slice(before).some((e) => 'cameras' in e.changes)).toBe(false);
    expect(got.at(-1)!.changes).toEqual({ ledger: { insert: [compound] } });
    expect(got.at(-1)!.bbox).toEqual([105.56, 30.51, 105.57, 30.52]);
  });
});
