import { useState, type ChangeEvent } from 'react';
import { sessionUser, type SessionUser } from '../../api.ts';
import { errorText, surveyProblemText } from '../../i18n/errors.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { LoginDialog } from '../editor/Dialogs.tsx';
import { useEditorText } from '../editor/messages.ts';
import type { SurveyPreview, SurveyRow } from '../../../../core/survey.ts';
import { confirmSurvey, uploadSurvey } from './compound-client.ts';
import { useCompoundText, type CompoundMessageKey } from './messages.ts';
import './compound.css';

/** What the user decided for a row: import it (with this compound) or skip it. */
interface Choice {
  compoundId: number | null;
  skip: boolean;
}

function initialChoice(r: SurveyRow): Choice {
  // Matched rows go in unless unticked; a fuzzy row waits for the user to pick its compound.
  return { compoundId: r.status === 'matched' ? r.match!.compound_id : null, skip: r.status !== 'matched' };
}

/**
 * 摸排表导入: the street office's survey spreadsheet, uploaded as it is. The server matches each row
 * to a compound (by code, exact name, or a likely name to confirm) and answers a preview; nothing
 * changes until the user confirms here, choosing the compound of every fuzzy row and leaving out
 * any row. Unmatched and invalid rows are listed with their reasons and cannot be imported.
 */
export function SurveyDialog({ onClose, street }: { onClose(): void; street?: string | null }) {
  const { t, lang } = useCompoundText();
  const { t: appT, attributeValue } = useI18n();
  const { t: editorT } = useEditorText();
  const [user, setUser] = useState<SessionUser | null>(sessionUser);
  const [preview, setPreview] = useState<SurveyPreview | null>(null);
  const [choices, setChoices] = useState<Map<number, Choice>>(new Map());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [applied, setApplied] = useState<number | null>(null);

  const label = (field: string) => appT(`attr.${field}` as MessageKey);

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    setApplied(null);
    uploadSurvey(file)
      .then((p) => {
        setPreview(p);
        setChoices(new Map(p.rows.map((r) => [r.row, initialChoice(r)])));
      })
      .catch((err: unknown) => setError(err))
      .finally(() => setBusy(false));
  };

  const choose = (row: number, c: Partial<Choice>) =>
    setChoices((m) => new Map(m).set(row, { ...m.get(row)!, ...c }));

  const importable = preview
    ? preview.rows.filter((r) => {
        const c = choices.get(r.row);
        return c && !c.skip && c.compoundId !== null && (r.status === 'matched' || r.status === 'fuzzy');
      })
    : [];

  const apply = () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    const confirm = importable
      .filter((r) => r.status === 'fuzzy')
      .map((r) => ({ row: r.row, compound_id: choices.get(r.row)!.compoundId! }));
    const skip = preview.rows
      .filter((r) => r.status === 'matched' && choices.get(r.row)!.skip)
      .map((r) => r.row);
    confirmSurvey(preview.import_id, confirm, skip)
      .then((res) => {
        setApplied(res.applied.length);
        setPreview(null);
      })
      .catch((err: unknown) => setError(err))
      .finally(() => setBusy(false));
  };

  if (!user) {
    return (
      <LoginDialog
        t={editorT}
        onDone={(u) => {
          if (u) setUser(u);
          else onClose();
        }}
      />
    );
  }

  const exportUrl = `/api/compounds/survey.xlsx${street ? `?street=${encodeURIComponent(street)}` : ''}`;

  return (
    <div className="editor-dialog-backdrop">
      <div
        className="editor-dialog survey-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={t('survey.title')}
        data-testid="survey-dialog"
      >
        <h2>{t('survey.title')}</h2>
        <p className="muted small">{t('survey.intro')}</p>
        <div className="survey-file">
          <label className="button small">
            {t('survey.file')}
            <input
              type="file"
              accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              data-testid="survey-file"
              onChange={onFile}
              hidden
            />
          </label>
          <a href={exportUrl} data-testid="survey-export">
            {t('survey.export')}
          </a>
        </div>
        {busy && <p className="muted">{t('survey.reading')}</p>}
        {error !== null && (
          <p className="field-error" role="alert" data-testid="survey-error">
            {t('error.failed', { message: errorText(lang, error) })}
          </p>
        )}
        {applied !== null && (
          <p className="survey-applied" data-testid="survey-applied">
            {t('survey.applied', { n: applied })}
          </p>
        )}
        {preview && (
          <>
            <p data-testid="survey-summary">{t('survey.summary', preview.summary)}</p>
            <div className="survey-table-wrap">
              <table className="survey-table">
                <thead>
                  <tr>
                    <th>{t('survey.row')}</th>
                    <th>{t('survey.inSheet')}</th>
                    <th>{t('survey.match')}</th>
                    <th>{t('survey.changes')}</th>
                    <th>{t('survey.apply')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r) => {
                    const c = choices.get(r.row)!;
                    const canImport = r.status === 'matched' || r.status === 'fuzzy';
                    return (
                      <tr key={r.row} data-testid={`survey-row-${r.row}`} data-status={r.status}>
                        <td>{r.row}</td>
                        <td>
                          {String(r.values.name ?? r.values.code ?? '—')}
                          <div>
                            <span className={`badge survey-${r.status}`}>
                              {t(`survey.status.${r.status}` as CompoundMessageKey)}
                            </span>
                          </div>
                        </td>
                        <td>
                          {r.status === 'matched' && (
                            <>
                              {r.match!.name}
                              {r.how && r.how !== 'fuzzy' && (
                                <span className="muted"> · {t(`survey.how.${r.how}`)}</span>
                              )}
                            </>
                          )}
                          {r.status === 'fuzzy' && (
                            <select
                              data-testid={`survey-choose-${r.row}`}
                              value={c.compoundId ?? ''}
                              onChange={(e) =>
                                choose(r.row, {
                                  compoundId: e.target.value ? Number(e.target.value) : null,
                                  skip: !e.target.value,
                                })
                              }
                            >
                              <option value="">{t('survey.chooseMatch')}</option>
                              {[r.match!, ...r.candidates]
                                .filter(
                                  (m, i, all) => all.findIndex((x) => x.compound_id === m.compound_id) === i,
                                )
                                .map((m) => (
                                  <option key={m.compound_id} value={m.compound_id}>
                                    {m.name}
                                    {m.code ? `（${m.code}）` : ''} · {Math.round(m.score * 100)}%
                                  </option>
                                ))}
                            </select>
                          )}
                          {r.status === 'invalid' && (
                            <ul className="survey-problems">
                              {r.problems.map((p, i) => (
                                <li key={i}>
                                  {label(p.field)}：{surveyProblemText(lang, p)}
                                </li>
                              ))}
                            </ul>
                          )}
                          {r.status === 'unmatched' && '—'}
                        </td>
                        <td>
                          {Object.keys(r.changes).length === 0 ? (
                            <span className="muted">{canImport ? t('survey.noChange') : ''}</span>
                          ) : (
                            <ul className="survey-changes">
                              {Object.entries(r.changes).map(([field, ch]) => (
                                <li key={field}>
                                  {label(field)}：{attributeValue(field, ch.from)} →{' '}
                                  {attributeValue(field, ch.to)}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                        <td>
                          {canImport && (
                            <input
                              type="checkbox"
                              data-testid={`survey-take-${r.row}`}
                              aria-label={t('survey.skipRow')}
                              disabled={c.compoundId === null}
                              checked={!c.skip && c.compoundId !== null}
                              onChange={(e) => choose(r.row, { skip: !e.target.checked })}
                            />
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
        <div className="editor-dialog-actions">
          {preview && (
            <button
              type="button"
              className="button primary"
              data-testid="survey-confirm"
              disabled={busy || importable.length === 0}
              onClick={apply}
            >
              {t('survey.confirm', { n: importable.length })}
            </button>
          )}
          <button type="button" className="button" data-testid="survey-close" onClick={onClose}>
            {t('survey.close')}
          </button>
        </div>
      </div>
    </div>
  );
}
