import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createHttpServer } from '../../server/src/http-server.ts';
import type { Db } from '../../server/src/db/index.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** The real app on an ephemeral port over `db`, quiet logs. */
export async function startApp(db: Db, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_SECRET: 'test-secret', ...env });
  const app = createApp({ db, config, logger: pino({ level: 'silent' }) });
  // The server index.ts makes, so what Node refuses before Express (431) is tested as it runs.
  const server: Server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Signs `username` in through POST /api/auth/login and returns its bearer token. */
export async function loginToken(baseUrl: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login of ${username} answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** The bearer tokens of several accounts, by username, filled into `into`. */
export async function loginTokens(
  baseUrl: string,
  usernames: readonly string[],
  password: string,
  into: Record<string, string>,
): Promise<void> {
  for (const u of usernames) into[u] = await loginToken(baseUrl, u, password);
}

/**
 * A viewer's bearer token for the app at `url` over `db` (the demo accounts are made if missing):
 * heavy reads (gaps, proposals, camera suggestions, validate) need a login.
 */
export async function viewerToken(db: Db, url: string): Promise<string> {
  const password = 'viewer-pass-2026';
  await db.query("DELETE FROM users WHERE username = 'viewer'");
  await ensureDemoAccounts(db, password);
  return loginToken(url, 'viewer', password);
}
