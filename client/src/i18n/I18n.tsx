import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  attributeKey,
  format,
  formatAttributeValue,
  LANGUAGES,
  MESSAGES,
  type Language,
  type MessageKey,
} from './messages.ts';
import { loadPlaces } from './places.ts';

const STORAGE_KEY = 'wuyou.lang';

export interface I18n {
  lang: Language;
  setLang(lang: Language): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** A feature attribute's human label, or the raw name when the dictionary has none. */
  attributeLabel(attribute: string): string;
  /** A feature attribute's value for display: enums translated, booleans as yes/no, empty as a dash. */
  attributeValue(attribute: string, value: unknown): string;
}

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): Language {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && (LANGUAGES as readonly string[]).includes(v)) return v as Language;
  } catch {
    // storage blocked (private mode, sandboxed frame): the default language it is
  }
  return 'zh-CN';
}

/** Chinese by default; the choice of language survives a reload (localStorage). */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(storedLanguage);

  // Place names for messages that carry only codes (errors, attributes), read once per page.
  useEffect(() => {
    void loadPlaces();
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = MESSAGES[lang]['app.title'];
  }, [lang]);

  const setLang = useCallback((next: Language) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not persisted; the switch still works for this page
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const dict = MESSAGES[lang];
    const t = (key: MessageKey, vars?: Record<string, string | number>) => format(dict[key], vars);
    return {
      lang,
      setLang,
      t,
      attributeLabel: (attribute) => {
        const key = attributeKey(attribute);
        return key ? dict[key] : attribute;
      },
      attributeValue: (attribute, v) => formatAttributeValue(lang, attribute, v),
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside <I18nProvider>');
  return v;
}
