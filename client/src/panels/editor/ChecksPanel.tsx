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
}

/** Live problems by code and the area's figures, recomputed on every drag. */
export function ChecksPanel({ t, lang, result, serverIssues }: ChecksPanelProps) {
  const list = (issues: LiveIssue[], testid: string) => (
    <ul className="editor-issues" data-testid={testid}>
      {issues.map((i, k) => (
        <li
          key={`${i.code}-${k}`}
          className={isBlocking(i.code) ? 'issue blocking' : 'issue warning'}
          data-code={i.code}
          data-testid={`issue-${i.code}`}
        >
          <span className="issue-badge">
            {t('checks.badge', { badge: isBlocking(i.code) ? t('checks.blocking') : t('checks.warning') })}
          </span>
          {issueText(i, lang)}
        </li>
      ))}
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
            list(result.issues, 'editor-issue-list')
          )}
        </>
      )}
      {serverIssues.length > 0 && (
        <>
          <h4>{t('checks.fromServer')}</h4>
          {list(serverIssues, 'editor-server-issues')}
        </>
      )}
    </section>
  );
}
