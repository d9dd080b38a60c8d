import { isBlocking, type LiveIssue, type LiveResult } from '../../editor/live-checks.ts';
import type { EditorT } from './messages.ts';

function m2(v: number, lang: string): string {
  return v.toLocaleString(lang, { maximumFractionDigits: v < 10 ? 2 : 0 });
}

export function issueText(t: EditorT, i: LiveIssue, lang: string): string {
  switch (i.code) {
    case 'self_intersection':
      return t('check.self_intersection', { n: i.points.length });
    case 'overlap':
      return i.parts.length
        ? i.parts
            .map((p) => t('check.overlap', { name: p.name || `#${p.id}`, m2: m2(p.area_m2, lang) }))
            .join('；')
        : t('check.overlap', { name: i.with.map((w) => `#${w}`).join(', '), m2: m2(i.area_m2, lang) });
    case 'cut_building':
      return t('check.cut_building', { n: i.buildings.length });
    case 'empty':
      return t('check.empty');
    case 'too_small':
      return t('check.too_small', { m2: m2(i.area_m2, lang), min: i.min_m2 });
    case 'out_of_jurisdiction':
      return t('check.out_of_jurisdiction');
  }
}

export interface ChecksPanelProps {
  t: EditorT;
  lang: string;
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
            {isBlocking(i.code) ? t('checks.blocking') : t('checks.warning')}
          </span>
          <code>{i.code}</code> {issueText(t, i, lang)}
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
            <dd data-testid="stat-area">{t('stats.m2', { v: m2(result.stats.area_m2, lang) })}</dd>
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
