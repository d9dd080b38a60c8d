import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent, OutsideEvent } from '../../core/change-event.ts';
import { Auth, ensureDemoAccounts, hashPassword } from '../../server/src/auth.ts';
import { loginToken, startApp, loginTokens, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { openSse, type SseFrame, type SseStream } from '../helpers/sse.ts';

// issue 12 (live map): GET /api/events streams the change feed as Server-Sent Events — opened with a
// short-lived ticket (never a bearer token), filtered to the client's bbox, resumable with
// Last-Event-ID, with heartbeats, a limit of open streams, and an end when the user signs out.

const STREET = '510903001';
let t: TestDb;
let app: RunningApp;
const tokens: Record<string, string> = {};
const open: SseStream[] = [];
// The view: a box around 105.59 E, 30.53 N; "far" cameras stand outside it.
const VIEW = '105.58,30.52,105.60,30.54';

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(`
    INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('${STREET}', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326)));`);
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db, { EVENTS_PER_USER: '2', EVENTS_HEARTBEAT_S: '1' });
  await loginTokens(app.url, ['admin', 'viewer', `editor-${STREET}`], 'demo-pass-2026', tokens);
});
afterAll(async () => {
  for (const s of open) s.close();
  await Promise.all(open.map((s) => s.ended));
  await app?.close();
  await t?.drop();
});

const ticketFor = async (user: string): Promise<string> => {
  const r = await fetch(`${app.url}/api/events/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[user] ?? user}` },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { ticket: string }).ticket;
};
const stream = async (user: string, query = '', headers: Record<string, string> = {}) => {
  const s = await openSse(`${app.url}/api/events?ticket=${await ticketFor(user)}${query}`, headers);
  open.push(s);
  return s;
};
/** A stream once the server has freed a slot of `user`'s (a closed stream is freed when noticed). */
const streamWhenFree = async (user: string, query = '', headers: Record<string, string> = {}) => {
  for (let i = 0; ; i++) {
    const s = await stream(user, query, headers);
    if (s.status !== 429 || i >= 100) return s;
    await new Promise((res) => setTimeout(res, 50));
  }
};
const addCamera = async (lon: number, lat: number): Promise<number> => {
  const r = await fetch(`${app.url}/api/cameras`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[`editor-${STREET}`]}` },
    body: JSON.stringify({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: {
        name: '东门',
        system: 'xueliang',
        type: 'fixed',
        direction_deg: 90,
        fov_deg: 85,
        range_m: 40,
      },
    }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: number }).id;
};
const change = (f: SseFrame) => f.event === 'change';
const versions = (f: SseFrame) => f.event === 'versions';
const eventOf = (f: SseFrame) => JSON.parse(f.data!) as ChangeEvent;

describe('GET /api/events', () => {
  it('refuses without a ticket, with a bearer token instead of one, and with a forged ticket (401 JSON)', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['', {}],
      ['', { authorization: `Bearer ${tokens.admin}` }],
      [`?ticket=${tokens.admin}`, {}],
      // the signature's last character with its spare bits changed, and one with a changed bit
      [`?ticket=${(await ticketFor('admin')).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`, {}],
      [
        `?ticket=${(await ticketFor('admin')).replace(/(.)(.{10})$/, (_, c: string, rest: string) => `${c === 'A' ? 'B' : 'A'}${rest}`)}`,
        {},
      ],
    ];
    for (const [q, headers] of cases) {
      const r = await fetch(`${app.url}/api/events${q}`, { headers });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    // …and a ticket is no bearer token.
    const r = await fetch(`${app.url}/api/cameras`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ticketFor('admin')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(401);
    const anon = await fetch(`${app.url}/api/events/ticket`, { method: 'POST' });
    expect(anon.status).toBe(401);
  });

  it('answers a bad bbox or Last-Event-ID with 400, before any stream opens', async () => {
    for (const [q, h] of [
      ['&bbox=1,2,3', {}],
      ['', { 'last-event-id': 'x' }],
      ['&lastEventId=-1', {}],
      ['&bbox=a,b,c,d', {}],
      ['&bbox=105.6,30.5,105.5,30.6', {}],
      ['&bbox=105.5,30.5,105.6,91', {}],
      ['&bbox=105.5,30.5,105.6,30.6&bbox=1,2,3,4', {}],
      ['&bbox=105.5,30.5,105.6,30.6&street=x', {}],
    ] as const) {
      const r = await fetch(`${app.url}/api/events?ticket=${await ticketFor('viewer')}${q}`, { headers: h });
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(['invalid_bbox', 'bad_request']).toContain(body.error.code);
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('streams a change in the view with who made it, only the layer versions of one outside, and heartbeats', async () => {
    const s = await stream('viewer', `&bbox=${VIEW}`);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await s.next((f) => f.event === 'ready');
    const far = await addCamera(105.65, 30.45);
    const near = await addCamera(105.59, 30.53);
    const e = eventOf(await s.next(change));
    expect(e.changes).toEqual({ cameras: { insert: [near] } });
    expect(e.kind).toBe('create');
    expect(e.actor).toMatchObject({
      username: `editor-${STREET}`,
      streetCode: STREET,
      streetName: '凯旋路街道',
    });
    expect(s.frames.filter(change).some((f) => eventOf(f).changes.cameras?.insert?.includes(far))).toBe(
      false,
    );
    // The far one comes as its layer versions alone (see the next test).
    expect(s.frames.some((f) => versions(f) && Number(f.id) === e.id - 1)).toBe(true);
    await s.next((f) => f.comment === 'heartbeat');
    s.close();
  });

  it('issue 12 view filter: a stream over one place gets an edit there in full, and of an edit far away only the new layer versions', async () => {
    const s = await streamWhenFree('viewer', `&bbox=${VIEW}`);
    await s.next((f) => f.event === 'ready');
    const near = await addCamera(105.591, 30.533);
    const far = await addCamera(105.66, 30.44);
    const e = eventOf(await s.next(change));
    expect(e.changes.cameras?.insert).toEqual([near]);
    const v = await s.next(versions);
    expect(Number(v.id)).toBe(e.id + 1);
    const slim = JSON.parse(v.data!) as OutsideEvent;
    // what a tile cache and a panel need (the camera layer's new version, one past the near edit's;
    // that cameras changed, in which street) and no more: no ids, no box, no one's name
    expect(slim).toEqual({
      id: e.id + 1,
      layers: { cameras: [e.layers.cameras![0] + 1, expect.any(Number)] },
      changed: ['cameras'],
      street: STREET,
    });
    expect(s.frames.filter(change).some((f) => eventOf(f).changes.cameras?.insert?.includes(far))).toBe(
      false,
    );
    s.close();
  });

  it('issue 12 view filter: the view moved — a stream opened again with the new bbox and Last-Event-ID loses nothing in between', async () => {
    const FAR_VIEW = '105.65,30.43,105.67,30.45';
    const s = await streamWhenFree('viewer', `&bbox=${VIEW}`);
    const ready = await s.next((f) => f.event === 'ready');
    s.close();
    await s.ended;
    const there = await addCamera(105.661, 30.441);
    const here = await addCamera(105.592, 30.534);
    const again = await streamWhenFree('viewer', `&bbox=${FAR_VIEW}`, { 'last-event-id': ready.id! });
    const e = eventOf(await again.next(change));
    expect(e.changes.cameras?.insert).toEqual([there]);
    const v = await again.next(versions);
    expect(Number(v.id)).toBe(e.id + 1);
    expect(Object.keys((JSON.parse(v.data!) as { layers: object }).layers)).toContain('cameras');
    await again.next((f) => f.event === 'ready');
    expect(again.frames.filter(change).some((f) => eventOf(f).changes.cameras?.insert?.includes(here))).toBe(
      false,
    );
    again.close();
  });

  it("issue 12 view filter: ?street= also gets its street's edits outside the box in full", async () => {
    const s = await streamWhenFree('viewer', `&bbox=105.0,30.0,105.01,30.01&street=${STREET}`);
    await s.next((f) => f.event === 'ready');
    const id = await addCamera(105.593, 30.535);
    expect(eventOf(await s.next(change)).changes.cameras?.insert).toEqual([id]);
    s.close();
  });

  it('issue 12: a 五有 assessment written through the API reaches a stream over its compound (migration 0022)', async () => {
    const r = await t.db.query<{ id: number }>(
      `INSERT INTO compounds (name, category, street_code, geom)
       VALUES ('东苑', 'three_no', $1, ST_Multi(ST_MakeEnvelope(105.594, 30.536, 105.595, 30.537, 4326)))
       RETURNING id`,
      [STREET],
    );
    const compound = Number(r.rows[0]!.id);
    const s = await streamWhenFree('viewer', `&bbox=${VIEW}`);
    await s.next((f) => f.event === 'ready');
    const w = await fetch(`${app.url}/api/compounds/${compound}/assessments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[`editor-${STREET}`]}` },
      body: JSON.stringify({ target: 'wy_security', state: 'met' }),
    });
    expect(w.status).toBe(201);
    const e = eventOf(await s.next((f) => change(f) && 'assessments' in eventOf(f).changes));
    expect(e.changes.assessments).toEqual({ insert: [compound] });
    expect(e.actor).toMatchObject({ username: `editor-${STREET}`, streetCode: STREET });
    expect(e.bbox![0]).toBeCloseTo(105.594, 6);
    expect(e.bbox![3]).toBeCloseTo(30.537, 6);
    s.close();
  });

  it('resumes with Last-Event-ID: replays what was missed; past the log it says reset', async () => {
    const first = await streamWhenFree('viewer');
    const ready = await first.next((f) => f.event === 'ready');
    first.close();
    await first.ended;
    const a = await addCamera(105.591, 30.531);
    const b = await addCamera(105.592, 30.532);
    const again = await streamWhenFree('viewer', '', { 'last-event-id': ready.id! });
    const got = [eventOf(await again.next(change)), eventOf(await again.next(change))];
    expect(got.map((e) => e.changes.cameras?.insert?.[0])).toEqual([a, b]);
    again.close();
    // An id from before the pruned part of the log (or from another database) cannot be resumed.
    const future = await streamWhenFree('viewer', `&lastEventId=${got[1]!.id + 1000}`);
    await future.next((f) => f.event === 'reset');
    future.close();
  });

  it('holds at most EVENTS_PER_USER open streams (429 too_many_streams), and frees one when it closes', async () => {
    await Promise.all(open.map((s) => (s.close(), s.ended)));
    const one = await stream('admin');
    const two = await stream('admin');
    await Promise.all([one.next((f) => f.event === 'ready'), two.next((f) => f.event === 'ready')]);
    const r = await fetch(`${app.url}/api/events?ticket=${await ticketFor('admin')}`);
    expect(r.status).toBe(429);
    expect(((await r.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'too_many_streams',
    );
    one.close();
    await one.ended;
    // The server frees it when it notices the client went; wait for that, then one more opens.
    let three: SseStream | undefined;
    for (let i = 0; i < 100 && !three; i++) {
      const s = await stream('admin');
      if (s.status === 200) three = s;
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(three?.status).toBe(200);
    two.close();
    three!.close();
  });

  it('issue 12 rights: a change comes with who made it as the client shows it (name, 街道), never the internal user id', async () => {
    const s = await streamWhenFree('viewer', `&bbox=${VIEW}`);
    await s.next((f) => f.event === 'ready');
    const id = await addCamera(105.5935, 30.5355);
    const f = await s.next((x) => change(x) && eventOf(x).changes.cameras?.insert?.includes(id) === true);
    const e = JSON.parse(f.data!) as { actor: Record<string, unknown> };
    expect(e.actor).toEqual({ username: `editor-${STREET}`, streetCode: STREET, streetName: '凯旋路街道' });
    expect(f.data).not.toMatch(/userId|user_id/);
    // …nor does a replay from the log (Last-Event-ID) carry it.
    const again = await streamWhenFree('viewer', `&bbox=${VIEW}`, {
      'last-event-id': String(Number(f.id) - 1),
    });
    const replayed = await again.next(change);
    expect(replayed.id).toBe(f.id);
    expect(replayed.data).toBe(f.data);
    s.close();
    again.close();
  });

  it('issue 12 rights: a user disabled while the stream is open gets no change committed after that, and the stream ends', async () => {
    await t.db.query(
      "INSERT INTO users (username, password_hash, role) VALUES ('watcher', $1, 'viewer') ON CONFLICT DO NOTHING",
      [await hashPassword('watcher-pass-2026')],
    );
    const token = await loginToken(app.url, 'watcher', 'watcher-pass-2026');
    const s = await stream(token, `&bbox=${VIEW}`);
    expect(s.status).toBe(200);
    await s.next((f) => f.event === 'ready');
    const uid = (await t.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'watcher'")).rows[0]!
      .id;
    const r = await fetch(`${app.url}/api/users/${uid}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify({ disabled: true }),
    });
    expect(r.status).toBe(200);
    // Committed after the disable, in the stream's view: it must not reach the disabled user.
    const after = await addCamera(105.5936, 30.5356);
    const out = await s.next((f) => f.event === 'signed-out');
    await s.ended;
    expect(s.frames.filter(change).some((f) => eventOf(f).changes.cameras?.insert?.includes(after))).toBe(
      false,
    );
    expect(JSON.parse(out.data!)).toEqual({ reason: 'revoked' });
  });

  it('issue 12 rights: the stream ends when the token that asked for its ticket expires (a ticket never outlives its token)', async () => {
    const row = (
      await t.db.query<{ id: number; token_version: number }>(
        "SELECT id, token_version FROM users WHERE username = 'viewer'",
      )
    ).rows[0]!;
    const shortToken = await new Auth(t.db, 'test-secret').sign(row.id, row.token_version, 5);
    const s = await streamWhenFree(shortToken, `&bbox=${VIEW}`);
    expect(s.status).toBe(200);
    await s.next((f) => f.event === 'ready');
    const out = await s.next((f) => f.event === 'signed-out', 20_000);
    expect(JSON.parse(out.data!)).toEqual({ reason: 'expired' });
    await s.ended;
    // …and a ticket of an expired token opens nothing.
    const r = await fetch(`${app.url}/api/events/ticket`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shortToken}` },
    });
    expect(r.status).toBe(401);
  });

  it('ends the stream when its user signs out', async () => {
    const s = await stream(`editor-${STREET}`);
    await s.next((f) => f.event === 'ready');
    const r = await fetch(`${app.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[`editor-${STREET}`]}` },
    });
    expect(r.status).toBeLessThan(300);
    const out = await s.next((f) => f.event === 'signed-out');
    expect(JSON.parse(out.data!)).toEqual({ reason: 'revoked' });
    await s.ended;
  });
});
