import { describe, expect, it } from 'vitest';
import { CHECK_CODES } from '../../../core/checks/codes.ts';
import { INPUT_PROBLEMS } from '../../../core/checks/input.ts';
import { ERROR_CODES, ERROR_REASONS, SURVEY_PROBLEMS } from '../../../core/errors.ts';
import { ApiError } from '../api.ts';
import { checkText, ERROR_WORDS, errorText, surveyProblemText } from './errors.ts';
import { LANGUAGES } from './messages.ts';
import { rememberPlaces } from './places.ts';

/** Latin words (not acronyms such as XLSX): what an English server message leaves in a Chinese sentence. */
const latinWords = (s: string) =>
  s
    .replace(/\{\w+\}/g, '')
    .match(/[a-z]{2,}/gi)
    ?.filter((w) => /[a-z]/.test(w)) ?? [];

describe('issue 9 #11: errors travel as codes and are worded by the client', () => {
  it('has words in both languages for every ErrorCode, reason, check code and input/survey problem', () => {
    const keys = [
      ...ERROR_CODES.map((c) => `code.${c}`),
      ...Object.keys(ERROR_REASONS).map((r) => `reason.${r}`),
      ...CHECK_CODES.map((c) => `check.${c}`),
      ...Object.keys(INPUT_PROBLEMS).map((p) => `input.${p}`),
      ...SURVEY_PROBLEMS.map((p) => `survey.${p}`),
    ];
    for (const lang of LANGUAGES)
      for (const key of keys) {
        const text = (ERROR_WORDS[lang] as Record<string, string>)[key];
        expect(text?.trim(), `${lang} ${key}`).toBeTruthy();
      }
    for (const key of keys)
      expect(latinWords((ERROR_WORDS['zh-CN'] as Record<string, string>)[key]!), `zh ${key}`).toEqual([]);
  });

  it('words a login failure from its reason, not from the server message', () => {
    const e = new ApiError(401, 'unauthorized', 'Wrong username or password', {
      reason: 'wrong_credentials',
    });
    expect(errorText('zh-CN', e)).toBe('用户名或密码错误');
    expect(errorText('en', e)).toBe('Wrong username or password');
  });

  it('words an export refused for text GBK cannot store, with the field’s name and the character', () => {
    const err = new ApiError(422, 'validation_failed', 'name of feature 7 holds "𠀀" …', {
      reason: 'not_in_encoding',
      column: 'name',
      feature: 7,
      char: '𠀀',
    });
    expect(errorText('zh-CN', err)).toBe('要素 7 的“名称”含有 GBK 无法存放的字符“𠀀”，请改用 UTF-8 编码导出');
    expect(errorText('en', err)).toBe(
      '“Name” of feature 7 holds “𠀀”, which GBK cannot store: export in UTF-8 instead',
    );
    // With the feature's name, which the user knows it by (7 is the database's id).
    const named = new ApiError(422, 'validation_failed', '…', {
      reason: 'not_in_encoding',
      column: 'address',
      feature: 7,
      feature_name: '凯旋路3号门',
      char: '𠀀',
    });
    expect(errorText('zh-CN', named)).toBe(
      '要素 7（凯旋路3号门）的“地址”含有 GBK 无法存放的字符“𠀀”，请改用 UTF-8 编码导出',
    );
    expect(errorText('en', named)).toBe(
      '“Address” of feature 7 (凯旋路3号门) holds “𠀀”, which GBK cannot store: export in UTF-8 instead',
    );
  });

  it('words a compound of another street with both streets’ names in the language', () => {
    rememberPlaces([
      { code: '510903001', name: '南津路街道', name_en: 'Nanjin Road', level: 'street', parent_code: null },
      { code: '510903002', name: '育才路街道', name_en: 'Yucai Road', level: 'street', parent_code: null },
    ]);
    const e = new ApiError(403, 'out_of_jurisdiction', 'Compound 1042 (row 2) belongs to street 510903002', {
      reason: 'compound_other_street',
      street_code: '510903001',
      compound_street_code: '510903002',
    });
    const zh = errorText('zh-CN', e);
    expect(zh).toContain('育才路街道');
    expect(zh).toContain('南津路街道');
    expect(latinWords(zh)).toEqual([]);
    expect(errorText('en', e)).toContain('Yucai Road');
  });

  it('never shows an English server message in Chinese, whatever the code', () => {
    for (const code of ERROR_CODES) {
      const e = new ApiError(400, code, 'Some English words from the server', { field: 'households' });
      expect(latinWords(errorText('zh-CN', e)), code).toEqual([]);
    }
    expect(latinWords(errorText('zh-CN', new ApiError(500, 'mystery', 'Boom')))).toEqual([]);
    expect(errorText('zh-CN', new TypeError('Failed to fetch'))).toContain('服务器');
  });

  it('words a 422 by its check issues and a 400 by its input problem and field', () => {
    const overlap = new ApiError(422, 'validation_failed', 'The area fails: overlap', {
      issues: [
        { code: 'overlap', with: [7], area_m2: 120, parts: [{ id: 7, name: '华兴街38号院', area_m2: 120 }] },
      ],
    });
    expect(errorText('zh-CN', overlap)).toBe('与“华兴街38号院”重叠 120 平方米');
    const bad = new ApiError(400, 'invalid_attribute', 'properties.management_mode: …', {
      problem: 'bad_attribute_value',
      problems: [{ problem: 'bad_attribute_value', field: 'management_mode' }],
    });
    expect(errorText('zh-CN', bad)).toBe('“管理模式”的值不符合要求');
    expect(checkText('en', { code: 'empty' })).toBe('No building inside the area');
  });

  it('words a 销号 without a note by its field', () => {
    const e = new ApiError(400, 'invalid_attribute', 'note: a 销号 needs a note', {
      field: 'note',
      reason: 'required',
    });
    expect(errorText('zh-CN', e)).toBe('“说明”为必填项');
  });

  it('words a survey row problem from its code and value', () => {
    const p = { field: 'households', problem: 'bad_households', value: 'abc', message: 'x' };
    expect(surveyProblemText('zh-CN', p)).toBe('“abc”应为非负整数');
    expect(surveyProblemText('en', p)).toContain('whole number');
  });

  it('issue 11: an import refused or unreadable says its first problems in the user’s words', () => {
    const refused = new ApiError(422, 'validation_failed', 'x', {
      reason: 'import_refused',
      problems: [{ index: 1, row: 3, code: 'cell_not_number', params: { field: '经度', value: '东经105' } }],
    });
    expect(errorText('zh-CN', refused)).toBe(
      '有要素未通过检查，没有写入任何数据：第 2 个要素（第 3 行）：“经度”的值“东经105”不是数字',
    );
    expect(errorText('en', refused)).toBe(
      'Some features failed the check; nothing was written: feature #2 (row 3): “经度” "东经105" is not a number',
    );
    const unreadable = new ApiError(400, 'bad_request', 'x', {
      reason: 'import_unreadable',
      problems: [{ index: null, code: 'crs_missing' }],
    });
    expect(errorText('zh-CN', unreadable)).toMatch(
      /^无法读取这个文件：文件没有注明坐标系；请指定坐标系，例如 EPSG:4544/,
    );
  });
});
