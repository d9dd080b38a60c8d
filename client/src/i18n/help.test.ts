import { describe, expect, it } from 'vitest';
import { DASHBOARD_MESSAGES } from '../dashboard/messages.ts';
import { EDITOR_MESSAGES } from '../panels/editor/messages.ts';
import { SECURITY_MESSAGES } from '../panels/security/messages.ts';
import { helpText } from './help.ts';
import { LANGUAGES, MESSAGES } from './messages.ts';

describe('issue 9: the 帮助 page walks through the three jobs', () => {
  it('has the same three jobs and steps in Chinese and English', () => {
    const shape = (lang: (typeof LANGUAGES)[number]) =>
      helpText(lang).jobs.map((j) => [j.id, j.steps.length]);
    expect(shape('zh-CN').map(([id]) => id)).toEqual(['draw', 'dashboard', 'cameras']);
    expect(shape('en')).toEqual(shape('zh-CN'));
    for (const lang of LANGUAGES)
      for (const j of helpText(lang).jobs) for (const s of j.steps) expect(s.trim()).not.toBe('');
  });

  it('names every button with the words the UI shows', () => {
    for (const lang of LANGUAGES) {
      const labels = new Set<string>(
        [MESSAGES, EDITOR_MESSAGES, DASHBOARD_MESSAGES, SECURITY_MESSAGES].flatMap((d) =>
          Object.values(d[lang] as Record<string, string>),
        ),
      );
      const quoted = helpText(lang)
        .jobs.flatMap((j) => j.steps)
        .flatMap((s) => [...s.matchAll(/“([^”]+)”/g)].map((m) => m[1]!));
      expect(quoted.length).toBeGreaterThan(8);
      for (const q of quoted) expect(labels, `${lang}: “${q}”`).toContain(q);
    }
  });

  it('speaks English in English (terms of art in brackets)', () => {
    const text = JSON.stringify(helpText('en')).replace(/\([^)]*\)/g, '');
    expect(text).not.toMatch(/\p{Script=Han}/u);
  });
});
