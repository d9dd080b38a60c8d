import { describe, expect, it } from 'vitest';
import {
  AREA_STATUSES,
  CAMERA_STATUSES,
  CAMERA_SYSTEMS,
  CAMERA_TYPES,
  COMPOUND_CATEGORIES,
  FIVE_TARGETS,
  GATE_KINDS,
  JURISDICTION_LEVELS,
  MANAGEMENT_MODES,
  TARGET_STATES,
} from '../../../core/vocabulary.ts';
import { LAYERS } from '../../../server/src/layers.ts';
import { attributeKey, enumKey, format, formatAttributeValue, LANGUAGES, MESSAGES } from './messages.ts';
import { ERROR_WORDS } from './errors.ts';
import { DASHBOARD_MESSAGES } from '../dashboard/messages.ts';
import { COMPOUND_MESSAGES } from '../panels/compound/messages.ts';
import { EDITOR_MESSAGES } from '../panels/editor/messages.ts';
import { EXCHANGE_MESSAGES } from '../panels/exchange/messages.ts';
import { SECURITY_MESSAGES } from '../panels/security/messages.ts';
import { USERS_MESSAGES } from '../panels/users/messages.ts';

describe('UI messages', () => {
  it('has a label in both languages for every value of the vocabulary the map shows', () => {
    const enums: [string, readonly string[]][] = [
      ['category', COMPOUND_CATEGORIES],
      ['management_mode', MANAGEMENT_MODES],
      ['status', [...AREA_STATUSES, ...CAMERA_STATUSES]],
      ['level', JURISDICTION_LEVELS],
      ['system', CAMERA_SYSTEMS],
      ['type', CAMERA_TYPES],
      ['kind', GATE_KINDS],
      ...FIVE_TARGETS.map((t): [string, readonly string[]] => [t, TARGET_STATES]),
    ];
    for (const [attribute, values] of enums) {
      for (const v of values) {
        const key = enumKey(attribute, v);
        expect(key, `${attribute}=${v}`).toBeDefined();
        for (const lang of LANGUAGES) expect(MESSAGES[lang][key!], `${lang} ${key}`).toBeTruthy();
      }
    }
  });

  it('labels every column the server sends for a feature', () => {
    for (const layer of Object.values(LAYERS)) {
      for (const part of layer.parts) {
        if (layer.name === 'basemap') continue;
        for (const column of part.columns)
          expect(attributeKey(column), `${part.name}.${column}`).toBeDefined();
      }
    }
  });

  it('fills {placeholders} and leaves unknown ones visible', () => {
    expect(format(MESSAGES['zh-CN']['search.none'], { q: '凯旋' })).toBe('没有找到“凯旋”');
    expect(format('{a} {b}', { a: 1 })).toBe('1 {b}');
  });

  it('issue 9 #10: writes ids, codes and years as they are, other numbers grouped', () => {
    for (const lang of LANGUAGES) {
      expect(formatAttributeValue(lang, 'year_built', 1980)).toBe('1980');
      expect(formatAttributeValue(lang, 'id', 1489)).toBe('1489');
      expect(formatAttributeValue(lang, 'compound_id', 1464)).toBe('1464');
      expect(formatAttributeValue(lang, 'version', 1200)).toBe('1200');
      expect(formatAttributeValue(lang, 'households', 1234)).toBe('1,234');
    }
    expect(formatAttributeValue('zh-CN', 'category', 'three_no')).toBe('三无');
    expect(formatAttributeValue('en', 'category', 'three_no')).toBe('Unmanaged (三无)');
  });
});

describe('counts in English (a try-out read "cuts through 1 buildings")', () => {
  it('picks the word for the count, also when the count comes grouped as text', () => {
    const t = '{n} {n|building|buildings}';
    expect(format(t, { n: 1 })).toBe('1 building');
    expect(format(t, { n: 0 })).toBe('0 buildings');
    expect(format(t, { n: 2 })).toBe('2 buildings');
    expect(format(t, { n: '1,234' })).toBe('1,234 buildings');
    expect(format(t, {})).toBe(t);
  });

  it('no English message with a count writes a plural noun after a bare count of 1', () => {
    const en = [
      ...Object.values(MESSAGES.en),
      ...Object.values(ERROR_WORDS.en),
      ...Object.values(DASHBOARD_MESSAGES.en),
      ...Object.values(COMPOUND_MESSAGES.en),
      ...Object.values(EXCHANGE_MESSAGES.en),
      ...Object.values(SECURITY_MESSAGES.en),
      ...Object.values(EDITOR_MESSAGES.en),
      ...Object.values(USERS_MESSAGES.en),
    ];
    const nouns =
      /\{\w+\} (buildings|households|compounds|gaps|proposed new areas|rows|features|entrances|cameras|gates|crossing points)\b/;
    const wrong = en.filter((m) => nouns.test(m.replace(/\{(\w+)\|[^|{}]*\|[^|{}]*\}/g, '')));
    expect(wrong).toEqual([]);
  });
});
