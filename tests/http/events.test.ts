import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../core/change-event.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { startApp, loginTokens, type RunningApp } from '../helpers/app.ts';
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
    headers: { authorization: `Bearer ${tokens[user]}` },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { ticket: string }).ticket;
};
const stream = async (user: string, query = '', headers: Record<string, string> = {}) => {
  const s = await openSse(`${app.url}/api/events?ticket=${await ticketFor(user)}${query}`, headers);
  open.push(s);
  return s;
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
    ] as const) {
      const r = await fetch(`${app.url}/api/events?ticket=${await ticketFor('viewer')}${q}`, { headers: h });
      expect(r.status).toBe(400);
    }
  });

  it('streams a change in the view with who made it, an id line only for one outside, and heartbeats', async () => {
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
    expect(
      s.frames.some((f) => f.id !== undefined && Number(f.id) === e.id - 1 && f.data === undefined),
    ).toBe(true);
    await s.next((f) => f.comment === 'heartbeat');
    s.close();
  });

  it('resumes with Last-Event-ID: replays what was missed; past the log it says reset', async () => {
    const first = await stream('viewer');
    const ready = await first.next((f) => f.event === 'ready');
    first.close();
    await first.ended;
    const a = await addCamera(105.591, 30.531);
    const b = await addCamera(105.592, 30.532);
    const again = await stream('viewer', '', { 'last-event-id': ready.id! });
    const got = [eventOf(await again.next(change)), eventOf(await again.next(change))];
    expect(got.map((e) => e.changes.cameras?.insert?.[0])).toEqual([a, b]);
    again.close();
    // An id from before the pruned part of the log (or from another database) cannot be resumed.
    const future = await stream('viewer', `&lastEventId=${got[1]!.id + 1000}`);
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

  it('ends the stream when its user signs out', async () => {
    const s = await stream(`editor-${STREET}`);
    await s.next((f) => f.event === 'ready');
    const r = await fetch(`${app.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[`editor-${STREET}`]}` },
    });
    expect(r.status).toBeLessThan(300);
    await s.next((f) => f.event === 'signed-out');
    await s.ended;
  });
});
