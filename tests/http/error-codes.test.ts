import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_REASONS, SURVEY_PROBLEMS } from '../../core/errors.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { loginTokens, startApp, type RunningApp } from '../helpers/app.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/**
 * issue 9 #11: an error answer carries a code and, where the code alone does not say why, a reason
 * with its params in `details`, so the client words it in the user's language; `message` stays an
 * English fallback for API users.
 */
let t: TestDb;
let app: RunningApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb();
  await t.db.exec(readFileSync(new URL('../fixtures/coverage/small-city.sql', import.meta.url), 'utf8'));
  await ensureDemoAccounts(t.db, 'demo-pass-2026');
  app = await startApp(t.db);
  await loginTokens(app.url, ['admin', 'editor-510903002'], 'demo-pass-2026', tokens);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
const send = (
  method: string,
  path: string,
  user: string | undefined,
  body: unknown,
  type = 'application/json',
) =>
  fetch(app.url + path, {
    method,
    headers: { 'content-type': type, ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
async function errorOf(r: Response) {
  const e = ((await r.json()) as ErrorBody).error;
  expect(ERROR_CODES).toContain(e.code);
  expect(e.message, 'an English fallback message').toMatch(/[a-z]/i);
  if (e.details?.reason !== undefined) expect(Object.keys(ERROR_REASONS)).toContain(e.details.reason);
  return e;
}

describe('issue 9 #11: errors carry code + reason + params', () => {
  it('a failed login says wrong_credentials', async () => {
    const r = await send('POST', '/api/auth/login', undefined, { username: 'admin', password: 'nope' });
    expect(r.status).toBe(401);
    const e = await errorOf(r);
    expect(e).toMatchObject({ code: 'unauthorized', details: { reason: 'wrong_credentials' } });
  });

  it('survey rows list their problems as codes with the value read', async () => {
    const csv = [
      '小区编码,小区名称,类别,户数,有业主自治组织',
      ',坏行,三无的,很多,也许',
      ',,三无小区,3,是',
    ].join('\n');
    const r = await send('POST', '/api/compounds/survey', 'admin', csv, 'text/csv');
    expect(r.status).toBe(201);
    const p = (await r.json()) as {
      rows: { problems: { field: string; problem: string; value?: string }[] }[];
    };
    expect(p.rows[0]!.problems).toEqual([
      expect.objectContaining({ field: 'category', problem: 'bad_category', value: '三无的' }),
      expect.objectContaining({ field: 'households', problem: 'bad_households', value: '很多' }),
      expect.objectContaining({ field: 'wy_self_governance', problem: 'bad_target_state', value: '也许' }),
    ]);
    expect(p.rows[1]!.problems).toEqual([expect.objectContaining({ problem: 'missing_name_or_code' })]);
    for (const row of p.rows) for (const x of row.problems) expect(SURVEY_PROBLEMS).toContain(x.problem);
  });

  it('a survey file without headers says survey_no_header', async () => {
    const r = await send('POST', '/api/compounds/survey', 'admin', 'a,b\n1,2', 'text/csv');
    expect(r.status).toBe(400);
    expect((await errorOf(r)).details).toMatchObject({ reason: 'survey_no_header' });
  });

  it('a street editor confirming a compound of another street gets both street codes', async () => {
    const csv = ['小区编码,小区名称,户数', 'XQ001,滨江小区,45'].join('\n');
    const r = await send('POST', '/api/compounds/survey', 'admin', csv, 'text/csv');
    const { import_id } = (await r.json()) as { import_id: number };
    const c = await send('POST', `/api/compounds/survey/${import_id}/confirm`, 'editor-510903002', {});
    expect(c.status).toBe(403);
    const e = await errorOf(c);
    expect(e).toMatchObject({
      code: 'out_of_jurisdiction',
      details: {
        reason: 'compound_other_street',
        street_code: '510903002',
        compound_street_code: '510903001',
      },
    });
    const ok = await send('POST', `/api/compounds/survey/${import_id}/confirm`, 'admin', {});
    expect(ok.status).toBe(200);
    const again = await send('POST', `/api/compounds/survey/${import_id}/confirm`, 'admin', {});
    expect(again.status).toBe(422);
    expect((await errorOf(again)).details).toMatchObject({ reason: 'survey_applied_already', import_id });
  });
});
