import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { bootstrap } from '../../server/src/bootstrap.ts';
import { ConfigError, loadConfig } from '../../server/src/config.ts';
import { loginToken, startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const PASSWORD = 'auth-test-pass-2026';
const SECRET = 'test-secret'; // startApp's AUTH_SECRET
let t: TestDb;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query(
    `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
      ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
      ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326))),
      ('510903002', '镇江寺街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.6, 30.4, 105.7, 30.6, 4326)))`,
  );
  await ensureDemoAccounts(t.db, PASSWORD);
  app = await startApp(t.db);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; details?: { problem?: string } } } & Record<
    string,
    unknown
  >;
  headers: Headers;
}
async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const r = await fetch(app.url + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Answer['body']) : {}, headers: r.headers };
}
const login = (username: string, password: string) =>
  call('POST', '/api/auth/login', undefined, { username, password });
const clearLoginLimit = () => t.db.query('DELETE FROM login_attempts');

/** A token signed with the app's key over any header and payload text: what a forger with the key could not do, a bug might. */
function signed(header: string, payload: string): string {
  const h = Buffer.from(header).toString('base64url');
  const p = Buffer.from(payload).toString('base64url');
  const sig = createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}
const HEADER = JSON.stringify({ alg: 'HS256', typ: 'JWT' });
const userId = async (username: string) =>
  (
    await t.db.query<{ id: number; v: number }>(
      'SELECT id, token_version AS v FROM users WHERE username = $1',
      [username],
    )
  ).rows[0]!;
const now = () => Math.floor(Date.now() / 1000);

describe('issue 10 #6: strict token checks', () => {
  it('accepts a token it signed, of the exact shape', async () => {
    const token = await loginToken(app.url, 'admin', PASSWORD);
    expect(token.split('.')).toHaveLength(3);
    expect((await call('GET', '/api/auth/me', token)).status).toBe(200);
    const { id, v } = await userId('admin');
    const own = signed(HEADER, JSON.stringify({ sub: id, v, iat: now(), exp: now() + 3600 }));
    expect((await call('GET', '/api/auth/me', own)).status).toBe(200);
  });

  it('refuses, with 401, a correctly signed token for a user that does not exist', async () => {
    const r = await call(
      'GET',
      '/api/auth/me',
      signed(HEADER, JSON.stringify({ sub: 999999, v: 1, iat: now(), exp: now() + 60 })),
    );
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('unauthorized');
  });

  it('refuses exp 1e20 and any lifetime over the token lifetime', async () => {
    const { id, v } = await userId('admin');
    for (const claims of [
      { sub: id, v, iat: now(), exp: 1e20 },
      { sub: id, v, iat: now(), exp: now() + 13 * 3600 },
      { sub: id, v, iat: now() + 3600, exp: now() + 7200 }, // issued in the future
      { sub: id, v, iat: now() - 7200, exp: now() - 3600 }, // expired
    ]) {
      expect((await call('GET', '/api/auth/me', signed(HEADER, JSON.stringify(claims)))).status).toBe(401);
    }
  });

  it('refuses an extra segment, a missing one, another header, and payloads of the wrong shape', async () => {
    const token = await loginToken(app.url, 'admin', PASSWORD);
    const { id, v } = await userId('admin');
    const good = { sub: id, v, iat: now(), exp: now() + 60 };
    const bad = [
      `${token}.x`,
      `${token}.`,
      token.split('.').slice(1).join('.'),
      `${token}=`,
      signed(JSON.stringify({ alg: 'none', typ: 'JWT' }), JSON.stringify(good)),
      signed(HEADER, JSON.stringify({ ...good, role: 'city_admin' })),
      signed(HEADER, JSON.stringify({ ...good, sub: String(id) })),
      signed(HEADER, JSON.stringify([good])),
      signed(HEADER, 'null'),
      signed(HEADER, '"admin"'),
    ];
    for (const b of bad) expect((await call('GET', '/api/auth/me', b)).status, b).toBe(401);
  });

  it('answers a correctly signed payload that is not JSON with 401, not 500', async () => {
    for (const payload of ['not json', '{"sub":1,', '\u0000', '{}}']) {
      const r = await call('GET', '/api/auth/me', signed(HEADER, payload));
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe('unauthorized');
    }
  });
});

describe('issue 10 #6: revocation takes effect at once', () => {
  it('a user demoted in the database is refused on the next request (kept writing 12 h before)', async () => {
    await call('POST', '/api/users', await loginToken(app.url, 'admin', PASSWORD), {
      username: 'admin2',
      role: 'city_admin',
      password: 'second-admin-pass-1',
    });
    await clearLoginLimit();
    // must change the first password: do it, then use the new token
    const first = await loginToken(app.url, 'admin2', 'second-admin-pass-1');
    const changed = await call('POST', '/api/auth/password', first, {
      currentPassword: 'second-admin-pass-1',
      newPassword: 'second-admin-pass-2',
    });
    expect(changed.status).toBe(200);
    const token = changed.body.token as string;
    expect((await call('GET', '/api/users', token)).status).toBe(200);
    await t.db.query("UPDATE users SET role = 'viewer' WHERE username = 'admin2'");
    expect((await call('GET', '/api/users', token)).status).toBe(403);
    await t.db.query("UPDATE users SET role = 'city_admin', disabled = true WHERE username = 'admin2'");
    expect((await call('GET', '/api/users', token)).status).toBe(401);
  });

  it('disabling, demoting through the API and signing out revoke every token of the user', async () => {
    const admin = await loginToken(app.url, 'admin', PASSWORD);
    const editor = await loginToken(app.url, 'editor-510903001', PASSWORD);
    expect((await call('GET', '/api/auth/me', editor)).status).toBe(200);
    const { id } = await userId('editor-510903001');
    const moved = await call('PATCH', `/api/users/${id}`, admin, { streetCode: '510903002' });
    expect(moved.status).toBe(200);
    expect(moved.body.user).toMatchObject({ streetCode: '510903002', role: 'street_editor' });
    expect((await call('GET', '/api/auth/me', editor)).status).toBe(401);

    const again = await loginToken(app.url, 'editor-510903001', PASSWORD);
    expect(((await call('GET', '/api/auth/me', again)).body.user as { streetCode: string }).streetCode).toBe(
      '510903002',
    );
    expect((await call('PATCH', `/api/users/${id}`, admin, { disabled: true })).status).toBe(200);
    expect((await call('GET', '/api/auth/me', again)).status).toBe(401);
    expect((await login('editor-510903001', PASSWORD)).status).toBe(401);
    expect((await call('PATCH', `/api/users/${id}`, admin, { disabled: false })).status).toBe(200);

    const viewer = await loginToken(app.url, 'viewer', PASSWORD);
    const other = await loginToken(app.url, 'viewer', PASSWORD);
    expect((await call('POST', '/api/auth/logout', viewer)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', viewer)).status).toBe(401);
    expect((await call('GET', '/api/auth/me', other)).status).toBe(401);
    await clearLoginLimit();
  });
});

describe('issue 10 #6: user management by the city admin', () => {
  it('creates a user who must set a new password at first sign-in', async () => {
    const admin = await loginToken(app.url, 'admin', PASSWORD);
    const r = await call('POST', '/api/users', admin, {
      username: 'li.ming',
      role: 'street_editor',
      streetCode: '510903002',
      password: 'first-pass-for-li',
    });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ username: 'li.ming', mustChangePassword: true, disabled: false });
    const first = await login('li.ming', 'first-pass-for-li');
    expect(first.status).toBe(200);
    expect((first.body.user as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
    const token = first.body.token as string;
    const blocked = await call('GET', '/api/audit', token);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error?.code).toBe('password_change_required');
    const weak = await call('POST', '/api/auth/password', token, {
      currentPassword: 'first-pass-for-li',
      newPassword: 'password123',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error?.details?.problem).toBe('common');
    const ok = await call('POST', '/api/auth/password', token, {
      currentPassword: 'first-pass-for-li',
      newPassword: 'li-ming-new-secret-7',
    });
    expect(ok.status).toBe(200);
    expect((await call('GET', '/api/auth/me', token)).status).toBe(401);
    const me = await call('GET', '/api/auth/me', ok.body.token as string);
    expect(me.body.user).toMatchObject({ username: 'li.ming', mustChangePassword: false });
  });

  it('refuses weak passwords, bad names, taken names, a street for a non-editor, and non-admins', async () => {
    const admin = await loginToken(app.url, 'admin', PASSWORD);
    const create = (b: Record<string, unknown>) =>
      call('POST', '/api/users', admin, {
        username: 'wang',
        role: 'viewer',
        password: 'wang-pass-2026-x',
        ...b,
      });
    expect((await create({ password: 'a' })).body.error?.details?.problem).toBe('too_short');
    expect((await create({ password: 'qwertyuiop123' })).body.error?.details?.problem).toBe('common');
    expect((await create({ password: 'wang-wang-wang' })).body.error?.details?.problem).toBe(
      'same_as_username',
    );
    expect((await create({ username: 'x y' })).status).toBe(400);
    expect((await create({ username: 'admin' })).status).toBe(409);
    expect((await create({ role: 'root' })).status).toBe(400);
    expect((await create({ streetCode: '510903001' })).status).toBe(400);
    expect((await create({ role: 'street_editor' })).status).toBe(400);
    expect((await create({ role: 'street_editor', streetCode: '999' })).status).toBe(400);
    const editor = await loginToken(app.url, 'editor-510903002', PASSWORD);
    expect((await call('GET', '/api/users', editor)).status).toBe(403);
    expect(
      (await call('POST', '/api/users', editor, { username: 'z', role: 'city_admin', password: 'x' })).status,
    ).toBe(403);
    expect((await call('GET', '/api/users')).status).toBe(401);
    const { id } = await userId('admin');
    expect((await call('PATCH', `/api/users/${id}`, admin, { role: 'viewer' })).status).toBe(403);
  });

  it('resets a password: old tokens die, the new one must be changed', async () => {
    const admin = await loginToken(app.url, 'admin', PASSWORD);
    const viewer = await loginToken(app.url, 'viewer', PASSWORD);
    const { id } = await userId('viewer');
    expect((await call('POST', `/api/users/${id}/password`, admin, { password: 'short' })).status).toBe(400);
    const r = await call('POST', `/api/users/${id}/password`, admin, { password: 'reset-pass-for-v-1' });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ mustChangePassword: true });
    expect((await call('GET', '/api/auth/me', viewer)).status).toBe(401);
    expect((await login('viewer', PASSWORD)).status).toBe(401);
    expect((await login('viewer', 'reset-pass-for-v-1')).status).toBe(200);
    await clearLoginLimit();
  });
});

describe('issue 10 #6: audit log', () => {
  it('records who wrote what, when and from where, readable by admins page by page', async () => {
    const admin = await loginToken(app.url, 'admin', PASSWORD);
    await call('POST', '/api/users', admin, {
      username: 'audited',
      role: 'viewer',
      password: 'pass-for-audit-2026',
    });
    const page = await call('GET', '/api/audit?limit=2', admin);
    expect(page.status).toBe(200);
    const entries = page.body.entries as {
      username: string;
      table: string;
      action: string;
      address: string;
      rowId: string;
    }[];
    expect(entries).toHaveLength(2);
    const { id } = await userId('audited');
    expect(entries[0]).toMatchObject({
      username: 'admin',
      table: 'users',
      action: 'insert',
      rowId: String(id),
    });
    expect(entries[0]!.address).toMatch(/127\.0\.0\.1/);
    const next = await call('GET', `/api/audit?limit=2&before=${page.body.next as number}`, admin);
    expect((next.body.entries as { id: number }[])[0]!.id).toBeLessThan(
      (page.body.entries as { id: number }[])[1]!.id + 1,
    );
    // an update names the columns it changed, never their values (no password hash in the log)
    await call('POST', `/api/users/${id}/password`, admin, { password: 'reset-pass-for-a-1' });
    const reset = await call('GET', '/api/audit?limit=1', admin);
    expect((reset.body.entries as { changed: string[] }[])[0]).toMatchObject({
      username: 'admin',
      action: 'update',
      rowId: String(id),
    });
    expect((reset.body.entries as { changed: string[] }[])[0]!.changed).toContain('password_hash');
    expect(JSON.stringify(reset.body)).not.toMatch(/scrypt\$/);
    expect((await call('GET', '/api/audit?limit=0', admin)).status).toBe(400);
    expect(
      (await call('GET', '/api/audit', await loginToken(app.url, 'editor-510903002', PASSWORD))).status,
    ).toBe(403);
  });
});

describe('issue 10 #6: sign-in takes as long for unknown users as for known ones', () => {
  it('unknown vs known username (wrong password): medians within 1.5× (5 ms vs 150 ms before)', async () => {
    const time = async (username: string) => {
      await clearLoginLimit();
      const t0 = performance.now();
      const r = await login(username, 'wrong-password-123');
      expect(r.status).toBe(401);
      return performance.now() - t0;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    await time('nobody-warmup');
    for (let i = 0; i < 9; i++) {
      known.push(await time('admin'));
      unknown.push(await time(`nobody-${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(unknown) / median(known);
    console.log(
      `login timing: known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThan(1 / 1.5);
    expect(ratio).toBeLessThan(1.5);
  });
});

describe('issue 10 #6: password policy at start', () => {
  it('refuses ADMIN_PASSWORD=a with a message naming the variable', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'a' })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'a' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'password1234' })).toThrow(/ADMIN_PASSWORD.*common/);
    expect(loadConfig({ ADMIN_PASSWORD: 'a-long-strong-one-7' }).adminPassword).toBe('a-long-strong-one-7');
  });

  it('the server does not start with ADMIN_PASSWORD=a', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
      env: { ...process.env, ADMIN_PASSWORD: 'a', PORT: '0', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ADMIN_PASSWORD/);
  });
});

describe('issue 9 #14 / issue 10 #6: the demo accounts at first start', () => {
  it('names every account with its role and 街道, and a generated password must be changed', async () => {
    const fresh = await createTestDb();
    try {
      await fresh.db.query(
        `INSERT INTO jurisdictions (code, name, level, parent_code, geom) VALUES
          ('510903', '船山区', 'district', NULL, ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.7, 30.6, 4326))),
          ('510903001', '凯旋路街道', 'street', '510903', ST_Multi(ST_MakeEnvelope(105.5, 30.4, 105.6, 30.6, 4326)))`,
      );
      const lines: string[] = [];
      const spy = vi
        .spyOn(console, 'log')
        .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
      try {
        await bootstrap(
          fresh.db,
          loadConfig({ DEMO_BUILDINGS: '0', LOG_LEVEL: 'silent' }),
          pino({ level: 'silent' }),
        );
      } finally {
        spy.mockRestore();
      }
      const out = lines.join('\n');
      expect(out).toMatch(/admin\s+city_admin/);
      expect(out).toMatch(/viewer\s+viewer/);
      expect(out).toMatch(/editor-510903001\s+street_editor\s+凯旋路街道 \(510903001\)/);
      const password = /Password: (\S+)/.exec(out)![1]!;
      const app2 = await startApp(fresh.db);
      try {
        const r = await fetch(app2.url + '/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
        expect(((await r.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(
          true,
        );
      } finally {
        await app2.close();
      }

      // With ADMIN_PASSWORD set the list is printed too (it named no account before)
      await fresh.db.query("DELETE FROM users WHERE username LIKE 'editor-%'");
      lines.length = 0;
      const spy2 = vi
        .spyOn(console, 'log')
        .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
      try {
        const config = loadConfig({
          DEMO_BUILDINGS: '0',
          LOG_LEVEL: 'silent',
          ADMIN_PASSWORD: 'chosen-admin-pass-1',
        });
        await bootstrap(fresh.db, config, pino({ level: 'silent' }));
      } finally {
        spy2.mockRestore();
      }
      expect(lines.join('\n')).toMatch(/editor-510903001\s+street_editor\s+凯旋路街道/);
      expect(lines.join('\n')).toMatch(/from ADMIN_PASSWORD/);
    } finally {
      await fresh.drop();
    }
  });
});
