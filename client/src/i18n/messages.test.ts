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
