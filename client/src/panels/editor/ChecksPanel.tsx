import { isBlocking, type LiveIssue, type LiveResult } from '../../editor/live-checks.ts';
import { checkText, formatM2 } from '../../i18n/errors.ts';
import type { Language } from '../../i18n/messages.ts';
import type { EditorT } from './messages.ts';

/** A live or server issue in the user's words (one wording for both, from the check's code). */
export function issueText(i: LiveIssue, lang: Language): string {
  return checkText(lang, i as unknown as { code: string } & Record<string, unknown>);
}

export interface ChecksPanelProps {
  t: EditorT;
  lang: Language;
  result: LiveResult | null;
  /** Issues the server answered with on the last save (they may see beyond the view). */
  serverIssues: LiveIssue[];
  /** 避免重叠 is on: a save first cuts the outline back to the neighbours, so an overlap is no bar. */
  clipsOverlap?: boolean;
}

/** Live problems by code and the area's figures, recomputed on every drag. */
export function ChecksPanel({ t, lang, result, serverIssues, clipsOverlap = false }: ChecksPanelProps) {
  const list = (issues: LiveIssue[], testid: string, live: boolean) => (
    <ul className="editor-issues" data-testid={testid}>
      {issues.map((i, k) => {
        // A try-out (2026-12-04): with 避免重叠 on, a red 须修正 overlap stood beside a save that then
        // clipped and succeeded. It is a 提示 saying what the save will do.
        const clipped = live && clipsOverlap && i.code === 'overlap';
        const blocking = isBlocking(i.code) && !clipped;
        return (
          <li
            key={`${i.code}-${k}`}
            className={blocking ? 'issue blocking' : 'issue warning'}
            data-code={i.code}
            data-testid={`issue-${i.code}`}
          >
            <span className="issue-badge">
              {t('checks.badge', { badge: blocking ? t('checks.blocking') : t('checks.warning') })}
            </span>
            {issueText(i, lang)}
            {clipped && ` ${t('checks.clipOnSave')}`}
          </li>
        );
      })}
    </ul>
  );
  return (
    <section className="editor-section" data-testid="editor-checks">
      <h3>{t('checks.title')}</h3>
      {!result ? (
        <p className="muted">{t('checks.noShape')}</p>
      ) : (
        <>
          <dl className="editor-stats" data-testid="editor-stats">
            <dt>{t('stats.area')}</dt>
            <dd data-testid="stat-area">{t('stats.m2', { v: formatM2(result.stats.area_m2, lang) })}</dd>
            <dt>{t('stats.buildings')}</dt>
            <dd data-testid="stat-buildings">{result.stats.buildings}</dd>
            <dt>{t('stats.threeNo')}</dt>
            <dd data-testid="stat-three-no">{result.stats.three_no_buildings}</dd>
            <dt>{t('stats.households')}</dt>
            <dd data-testid="stat-households">{result.stats.households}</dd>
          </dl>
          {result.issues.length === 0 ? (
            <p className="ok" data-testid="checks-ok">
              {t('checks.none')}
            </p>
          ) : (
            list(result.issues, 'editor-issue-list', true)
          )}
        </>
      )}
      {serverIssues.length > 0 && (
        <>
          <h4>{t('checks.fromServer')}</h4>
          {list(serverIssues, 'editor-server-issues', false)}
        </>
      )}
    </section>
  );
}
