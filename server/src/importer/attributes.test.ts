import { describe, expect, it } from 'vitest';
import { readAttributes } from './attributes.ts';
import { IMPORT_SPECS } from './spec.ts';

const value = (
  layer: keyof typeof IMPORT_SPECS,
  props: Record<string, unknown>,
  col: string,
  fromText = false,
) => {
  const spec = IMPORT_SPECS[layer];
  const r = readAttributes(spec, props, fromText);
  return { value: r.values[spec.columns.findIndex((c) => c.name === col)], problems: r.problems };
};

describe('readAttributes', () => {
  it('maps properties named like columns and ignores the rest', () => {
    const r = readAttributes(IMPORT_SPECS.buildings, {
      category: 'three_no',
      floors: 6,
      height: 23,
      kind: 'building',
    });
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual([null, 'three_no', null, null, 6, null]);
  });

  it('reads 是/否 and the words the map uses for coded values (车行出入口, 雪亮 …) from a text file', () => {
    // New-user try (2026-12-05): 是 was refused with a message asking for 是/否, and 车行出入口 (the
    // legend's own word) was not one of vehicle, pedestrian, unit_door.
    expect(value('gates', { access_control: '是' }, 'access_control', true).value).toBe(true);
    expect(value('gates', { access_control: '否' }, 'access_control', true).value).toBe(false);
    expect(value('gates', { access_control: '有' }, 'access_control', true).value).toBe(true);
    expect(value('gates', { access_control: '无' }, 'access_control', true).value).toBe(false);
    expect(value('gates', { kind: '车行出入口' }, 'kind', true).value).toBe('vehicle');
    expect(value('gates', { kind: '人行' }, 'kind', true).value).toBe('pedestrian');
    expect(value('gates', { kind: 'Unit_Door' }, 'kind', true).value).toBe('unit_door');
    expect(value('cameras', { system: '雪亮' }, 'system').value).toBe('xueliang');
    expect(value('cameras', { type: '球机' }, 'type').value).toBe('dome');
    expect(value('buildings', { category: '三无小区' }, 'category').value).toBe('three_no');
    const bad = value('gates', { kind: '后门' }, 'kind', true);
    expect(bad.problems).toEqual([
      {
        code: 'value_not_allowed',
        params: { field: 'kind', value: '"后门"', allowed: 'vehicle, pedestrian, unit_door' },
      },
    ]);
    expect(value('gates', { access_control: '也许' }, 'access_control', true).problems[0]?.code).toBe(
      'not_boolean',
    );
  });

  it('names the field of every wrong type or value', () => {
    const r = readAttributes(IMPORT_SPECS.buildings, {
      category: 'slum',
      floors: 0,
      households: 2.5,
      name: { zh: '楼' },
    });
    expect(r.problems).toEqual([
      {
        code: 'value_not_allowed',
        params: { field: 'category', value: '"slum"', allowed: 'professional, self_managed, three_no' },
      },
      { code: 'not_text', params: { field: 'name', value: '{"zh":"楼"}' } },
      { code: 'out_of_range', params: { field: 'floors', value: 0, range: '[1, 200]' } },
      { code: 'not_whole_number', params: { field: 'households', value: '2.5' } },
    ]);
  });

  it('refuses a NUL character in text by field (PostgreSQL text cannot hold one: the COPY failed with database words)', () => {
    expect(value('buildings', { name: '1号\u0000楼' }, 'name').problems).toEqual([
      { code: 'text_has_nul', params: { field: 'name' } },
    ]);
    expect(value('buildings', { address: ' a\u0000 ' }, 'address', true).problems).toEqual([
      { code: 'text_has_nul', params: { field: 'address' } },
    ]);
  });

  it('keeps the CHECK ranges of the schema, exclusive bounds included', () => {
    expect(value('cameras', { direction_deg: 360.5 }, 'direction_deg').problems).toEqual([
      { code: 'out_of_range', params: { field: 'direction_deg', value: 360.5, range: '[0, 360)' } },
    ]);
    // …but north written 360, as camera lists often do, is 0 (helper 45: it was refused).
    expect(value('cameras', { direction_deg: 360 }, 'direction_deg')).toEqual({ value: 0, problems: [] });
    expect(value('cameras', { direction_deg: '360' }, 'direction_deg', true)).toEqual({
      value: 0,
      problems: [],
    });
    expect(value('cameras', { range_m: 0 }, 'range_m').problems).toEqual([
      { code: 'out_of_range', params: { field: 'range_m', value: 0, range: '(0, 1000]' } },
    ]);
    expect(value('cameras', { fov_deg: 360 }, 'fov_deg')).toEqual({ value: 360, problems: [] });
    expect(
      value('compounds', { name: 'a', category: 'three_no', year_built: 1899 }, 'year_built').problems,
    ).toEqual([
      { code: 'out_of_range', params: { field: 'year_built', value: 1899, range: '[1900, 2100]' } },
    ]);
  });

  it('fills the schema defaults and requires what the schema requires', () => {
    expect(value('cameras', {}, 'system')).toEqual({ value: 'other', problems: [] });
    expect(value('cameras', {}, 'fov_deg').value).toBe(85);
    expect(value('compounds', { name: '上港小区' }, 'wy_security').value).toBe('not_met');
    expect(readAttributes(IMPORT_SPECS.compounds, { name: '上港小区' }).problems).toEqual([
      { code: 'required', params: { field: 'category' } },
    ]);
    expect(readAttributes(IMPORT_SPECS['service-areas'], { name: '' }).problems).toEqual([
      { code: 'required', params: { field: 'name' } },
      { code: 'required', params: { field: 'management_mode' } },
    ]);
  });

  it('requires a parent for streets and communities but not for a district', () => {
    const j = IMPORT_SPECS.jurisdictions;
    expect(readAttributes(j, { code: '510903', name: '船山区', level: 'district' }).problems).toEqual([]);
    expect(readAttributes(j, { code: '510903001', name: '凯旋路街道', level: 'street' }).problems).toEqual([
      { code: 'parent_required', params: { level: 'street' } },
    ]);
    // codes often come as JSON numbers
    expect(value('jurisdictions', { code: 510903, name: 'x', level: 'district' }, 'code').value).toBe(
      '510903',
    );
  });

  it('reads numbers and booleans from CSV text, and strictly from GeoJSON', () => {
    expect(value('cameras', { range_m: ' 50 ' }, 'range_m', true).value).toBe(50);
    expect(value('cameras', { indoor: 'yes' }, 'indoor', true).value).toBe(true);
    expect(value('cameras', { indoor: '' }, 'indoor', true).value).toBe(false);
    expect(value('cameras', { range_m: '50' }, 'range_m').problems).toEqual([
      { code: 'not_number', params: { field: 'range_m', value: '"50"' } },
    ]);
    expect(value('cameras', { range_m: 'far' }, 'range_m', true).problems).toEqual([
      { code: 'not_number', params: { field: 'range_m', value: '"far"' } },
    ]);
    expect(value('gates', { access_control: 'maybe' }, 'access_control', true).problems).toEqual([
      { code: 'not_boolean', params: { field: 'access_control', value: '"maybe"' } },
    ]);
  });
});

describe('text longer than its field holds (a new user saw only "填写的内容不符合要求")', () => {
  const sa = IMPORT_SPECS['service-areas'];
  it('is refused by field, with its length and the most it holds, counted as the database counts', () => {
    const long = readAttributes(sa, { name: '区'.repeat(300), management_mode: 'resident_self' });
    expect(long.problems).toEqual([
      { code: 'text_too_long', params: { field: 'name', max: 200, length: 300 } },
    ]);
    // 200 characters outside the BMP are 400 UTF-16 units in JS, 200 for PostgreSQL: they fit.
    expect(readAttributes(sa, { name: '𠀀'.repeat(200), management_mode: 'resident_self' }).problems).toEqual(
      [],
    );
    expect(
      readAttributes(IMPORT_SPECS.cameras, { code: 'C'.repeat(65) }).problems.map((p) => p.code),
    ).toContain('text_too_long');
  });
});

describe("a camera's direction as a compass word (a new user's list said 东北 and was refused)", () => {
  it('reads 东北, 正南, 西北方向 and NE as bearings', () => {
    const cam = IMPORT_SPECS.cameras;
    const dir = (v: string) => readAttributes(cam, { direction_deg: v }, true);
    expect(dir('东北').problems).toEqual([]);
    const at = cam.columns.findIndex((c) => c.name === 'direction_deg');
    expect(['东北', '正南', '西北方向', 'NE', '90'].map((v) => dir(v).values[at])).toEqual([
      45, 180, 315, 45, 90,
    ]);
    expect(dir('上面').problems.map((p) => p.code)).toEqual(['not_number']);
  });
});
