import { describe, expect, it } from 'vitest';
import { errorText as appErrorText, fieldLabel } from '../../i18n/errors.ts';
import { format } from '../../i18n/messages.ts';
import { cameraProblems } from './CameraForm.tsx';
import { errorText, problemText, theirChanges } from './form-errors.ts';
import { SECURITY_MESSAGES, type SecurityMessageKey } from './messages.ts';
import { PointApiError, type PointFeature } from './point-client.ts';

const zh = (key: SecurityMessageKey, vars?: Record<string, string | number>) =>
  format(SECURITY_MESSAGES['zh-CN'][key], vars);
const en = (key: SecurityMessageKey, vars?: Record<string, string | number>) =>
  format(SECURITY_MESSAGES.en[key], vars);

const gate = (props: Record<string, unknown>, at: [number, number] = [105.59, 30.53]): PointFeature => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: at },
  properties: { id: 7, kind: 'vehicle', access_control: false, name: null, version: 3, ...props },
});

describe('errorText', () => {
  it('names the version that won a 409', () => {
    const e = new PointApiError(409, 'version_conflict', 'gate 7 is at version 4, not 3', {
      current_version: 4,
      current: gate({ version: 4 }),
    });
    expect(zh('error.conflict', { v: 4 })).toContain('版本 4');
    expect(errorText(e, zh, 'zh-CN')).toBe(zh('error.conflict', { v: 4 }));
    expect(errorText(e, en, 'en')).toContain('version 4');
  });

  it('tells a street editor outside their street apart from a viewer (both 403)', () => {
    const out = new PointApiError(403, 'out_of_jurisdiction', 'gate 7 is not inside street 510903001', {
      street_code: '510903001',
    });
    expect(errorText(out, zh, 'zh-CN')).toContain('510903001');
    expect(errorText(out, zh, 'zh-CN')).toContain('管辖范围');
    expect(errorText(new PointApiError(403, 'forbidden', 'viewers cannot write'), en, 'en')).toBe(
      en('error.forbidden'),
    );
  });

  it('says what to do with a camera inside a building (422)', () => {
    const inside = new PointApiError(422, 'validation_failed', 'The camera stands inside building 12', {
      issues: [{ code: 'inside_building', buildings: [12] }],
      field: 'indoor',
    });
    expect(inside.field).toBe('indoor');
    expect(errorText(inside, zh, 'zh-CN')).toBe('摄像机位于楼栋 12 内：请勾选“室内”或移到室外');
  });

  // Issue 9 #7 (ed9): other 400/422 and 5xx answers showed the server's English message
  // ("Not accepted: kind "tunnel" must be …", "Failed (500): boom") in both languages.
  it('issue 9 #7: words other refusals from their code and details, never the server’s message', () => {
    const bad = new PointApiError(
      400,
      'invalid_attribute',
      'kind "tunnel" must be vehicle, pedestrian or unit_door',
      { field: 'kind' },
    );
    for (const [lang, t] of [
      ['zh-CN', zh],
      ['en', en],
    ] as const) {
      expect(errorText(bad, t, lang)).toBe(t('error.validation', { message: appErrorText(lang, bad) }));
      expect(errorText(bad, t, lang)).not.toContain('tunnel');
      const boom = new PointApiError(500, 'internal', 'boom');
      expect(errorText(boom, t, lang)).toBe(
        t('error.generic', { status: 500, message: appErrorText(lang, boom) }),
      );
      expect(errorText(boom, t, lang)).not.toContain('boom');
    }
    expect(errorText(bad, zh, 'zh-CN')).toBe(
      `数据不符合要求：“${fieldLabel('zh-CN', 'kind')}”的值不符合要求`,
    );
  });
});

// Issue 9 #7 (ed9): the camera form's own check printed core's English ("range_m 0 must be > 0 and
// ≤ 1000 metres") in the Chinese UI too.
describe('issue 9 #7: the camera form words its own checks', () => {
  it('names the field and its limits in the user’s language', () => {
    const [range] = cameraProblems({
      direction_deg: '90',
      fov_deg: '60',
      range_m: '0',
      height_m: '',
    } as never);
    expect(problemText(range!, zh)).toBe('射程须大于 0 米、不超过 1000 米');
    expect(problemText(range!, en)).toBe('Range must be more than 0 m and at most 1000 m');
    expect(
      problemText({ field: 'height_m', message: 'height_m 900 must be from 0 to 500 metres' }, zh),
    ).not.toMatch(/height_m|metres/);
  });
});

describe('theirChanges', () => {
  it('lists the attributes and the move of the other version, not its book-keeping', () => {
    const base = gate({});
    const current = gate(
      { version: 4, name: '北门', updated_at: 'now', updated_by: 'other' },
      [105.6, 30.53],
    );
    expect(theirChanges(current, base)).toEqual(['name', 'geometry']);
    expect(theirChanges(gate({ version: 4 }), base)).toEqual([]);
  });
});

describe('SECURITY_MESSAGES', () => {
  it('has every Chinese key in English, none empty', () => {
    const keys = Object.keys(SECURITY_MESSAGES['zh-CN']).sort();
    expect(Object.keys(SECURITY_MESSAGES.en).sort()).toEqual(keys);
    for (const k of keys) expect(SECURITY_MESSAGES.en[k as SecurityMessageKey].trim()).not.toBe('');
  });
});
