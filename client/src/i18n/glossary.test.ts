import { describe, expect, it } from 'vitest';
import { GLOSSARY } from '../../../core/glossary.ts';
import { DASHBOARD_MESSAGES } from '../dashboard/messages.ts';
import { COMPOUND_MESSAGES } from '../panels/compound/messages.ts';
import { EDITOR_MESSAGES } from '../panels/editor/messages.ts';
import { EXCHANGE_MESSAGES } from '../panels/exchange/messages.ts';
import { SECURITY_MESSAGES } from '../panels/security/messages.ts';
import { ERROR_WORDS } from './errors.ts';
import { MESSAGES } from './messages.ts';

/** Every dictionary of the client, zh-CN beside English, by name. */
const DICTIONARIES: [string, Record<string, string>, Record<string, string>][] = [
  ['shell', MESSAGES['zh-CN'], MESSAGES.en],
  ['card', COMPOUND_MESSAGES['zh-CN'], COMPOUND_MESSAGES.en],
  ['editor', EDITOR_MESSAGES['zh-CN'], EDITOR_MESSAGES.en],
  ['dashboard', DASHBOARD_MESSAGES['zh-CN'], DASHBOARD_MESSAGES.en],
  ['security', SECURITY_MESSAGES['zh-CN'], SECURITY_MESSAGES.en],
  ['exchange', EXCHANGE_MESSAGES['zh-CN'], EXCHANGE_MESSAGES.en],
  ['errors', ERROR_WORDS['zh-CN'], ERROR_WORDS.en],
];

/** A Chinese term and what its English must then say (the glossary's word). */
const RULES: [RegExp, RegExp][] = [
  [/三无/, new RegExp(GLOSSARY.threeNo.en.replace(/[()]/g, '\\$&'), 'i')],
  [/帮扶单位/, new RegExp(GLOSSARY.helperUnit.en, 'i')],
  [/自管/, new RegExp(GLOSSARY.selfManaged.en, 'i')],
  [/专业物业(?!管理)/, new RegExp(GLOSSARY.professional.en, 'i')],
  [/问题(清单|台账)/, new RegExp(GLOSSARY.problemList.en, 'i')],
  [/销号/, /sign(ed|s)?[- ]off|\bopen\b/i],
];

describe('issue 9 #11: one glossary of domain terms for every dictionary', () => {
  it('renders each domain term one way in English', () => {
    const off: string[] = [];
    for (const [name, zh, en] of DICTIONARIES)
      for (const [key, text] of Object.entries(zh))
        for (const [term, english] of RULES)
          if (term.test(text) && !english.test(en[key] ?? '')) off.push(`${name} ${key}: ${en[key]}`);
    expect(off).toEqual([]);
  });

  it('uses no other English word for 三无 or 帮扶单位', () => {
    for (const [name, , en] of DICTIONARIES)
      for (const [key, text] of Object.entries(en))
        expect(text, `${name} ${key}`).not.toMatch(/three-no|helper unit|三无 (?!\))/i);
  });
});
