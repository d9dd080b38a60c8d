import { describe, expect, it } from 'vitest';
import { nameSimilarity, normalizeName, parseSurvey, SurveyFileError } from './survey.ts';

describe('normalizeName', () => {
  it('drops spaces, brackets and the words that vary between spellings', () => {
    expect(normalizeName(' 东方花园小区 ')).toBe('东方花园');
    expect(normalizeName('市二医院（家属院）')).toBe('市二医院');
    expect(normalizeName('ＡＢＣ宿舍')).toBe('abc');
  });
});

describe('nameSimilarity', () => {
  it('is 1 for the same compound written two ways, low for different ones', () => {
    expect(nameSimilarity('东方花园小区', '东方花园')).toBe(1);
    expect(nameSimilarity('滨江小区一期', '滨江小区')).toBeGreaterThanOrEqual(0.5);
    expect(nameSimilarity('滨江小区', '南津小区')).toBeLessThan(0.5);
    expect(nameSimilarity('', '南津')).toBe(0);
  });
});

describe('parseSurvey', () => {
  it('reads Chinese headers and words, and lists bad values per row', () => {
    const rows = parseSurvey([
      ['小区名称', '类别', '户数', '有业主自治组织', '网格员'],
      ['滨江小区', '三无小区', '40', '部分', '张三'],
      ['', '', '', '', ''],
      ['南津小区', '别墅', '-1', '也许', ''],
    ]);
    expect(rows).toEqual([
      {
        row: 2,
        values: {
          name: '滨江小区',
          category: 'three_no',
          households: 40,
          wy_self_governance: 'partly',
          grid_worker: '张三',
        },
        problems: [],
      },
      {
        row: 4,
        values: { name: '南津小区' },
        problems: [
          {
            field: 'category',
            problem: 'bad_category',
            value: '别墅',
            message: expect.stringContaining('别墅'),
          },
          {
            field: 'households',
            problem: 'bad_households',
            value: '-1',
            message: expect.stringContaining('-1'),
          },
          {
            field: 'wy_self_governance',
            problem: 'bad_target_state',
            value: '也许',
            message: expect.stringContaining('也许'),
          },
        ],
      },
    ]);
  });

  it('refuses a sheet without a name or code column', () => {
    expect(() => parseSurvey([['a', 'b']])).toThrow(SurveyFileError);
  });
});
