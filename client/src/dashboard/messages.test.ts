import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../i18n/messages.ts';
import { DASHBOARD_MESSAGES } from './messages.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const hasHan = (s: string) => /\p{Script=Han}/u.test(s.replace(/三无/g, ''));

describe('dashboard messages', () => {
  const zh = DASHBOARD_MESSAGES['zh-CN'];

  it('has every Chinese key in every language, and no other, none empty', () => {
    for (const lang of LANGUAGES) {
      const dict = DASHBOARD_MESSAGES[lang];
      expect(Object.keys(dict).sort(), lang).toEqual(Object.keys(zh).sort());
      for (const [key, text] of Object.entries(dict)) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    }
  });

  it('fills the same {placeholders} in every language', () => {
    for (const lang of LANGUAGES)
      for (const [key, text] of Object.entries(DASHBOARD_MESSAGES[lang]))
        expect(placeholders(text), `${lang} ${key}`).toEqual(placeholders(zh[key as keyof typeof zh]));
  });

  it('speaks English in English (三无 kept as the term of art)', () => {
    const chinese = Object.entries(DASHBOARD_MESSAGES.en).filter(([, text]) => hasHan(text));
    expect(chinese).toEqual([]);
  });
});
