import { historyAuthor } from '../../../../core/api.ts';
import { errorText } from '../../i18n/errors.ts';
import type { Language } from '../../i18n/messages.ts';
import { useEffect, useState } from 'react';
import { changedFields, fetchHistory, type HistoryEntry } from '../../editor/service-area-client.ts';
import { useSessionToken } from '../../use-session.ts';
import type { EditorMessageKey, EditorT } from './messages.ts';

export interface HistoryPanelProps {
  t: EditorT;
  lang: string;
  areaId: number | null;
  /** Changes when the area is saved, so the list reloads. */
  version: number | null;
  shownVersion: number | null;
  onShow(entry: HistoryEntry | null): void;
  onRestore(entry: HistoryEntry): void;
}

/** Every version of the area: who, when, what changed; show one on the map or restore it. */
export function HistoryPanel({
  t,
  lang,
  areaId,
  version,
  shownVersion,
  onShow,
  onRestore,
}: HistoryPanelProps) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Read again after a save, and after a sign-in or sign-out (who edited is told to signed-in readers).
  const session = useSessionToken();

  useEffect(() => {
    if (areaId === null) return;
    let live = true;
    fetchHistory(areaId)
      .then((e) => live && (setEntries(e), setError(null)))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [areaId, version, session]);

  if (areaId === null) {
    return (
      <section className="editor-section" data-testid="editor-history">
        <h3>{t('history.title')}</h3>
        <p className="muted">{t('history.empty')}</p>
      </section>
    );
  }
  const sorted = [...(entries ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section className="editor-section" data-testid="editor-history">
      <h3>{t('history.title')}</h3>
      {error !== null && (
        <p className="field-error">{t('error.generic', { message: errorText(lang as Language, error) })}</p>
      )}
      {!entries && error === null && <p className="muted">{t('history.loading')}</p>}
      <ol className="editor-history">
        {sorted.map((h) => {
          const prev = sorted.find((x) => x.version === h.version - 1) ?? null;
          const fields = changedFields(prev?.attributes ?? null, h.attributes).map((f) =>
            t(
              `form.${{ street_code: 'street', community_code: 'community', management_mode: 'mode', helper_unit: 'helperUnit', grid_worker: 'gridWorker' }[f as string] ?? f}` as EditorMessageKey,
            ),
          );
          if (prev && JSON.stringify(prev.geometry) !== JSON.stringify(h.geometry))
            fields.unshift(t('history.geometry'));
          const op = `op.${h.operation}` as EditorMessageKey;
          // Who: told to signed-in readers only (core/api.ts isAuthorField); shown when told.
          const who = historyAuthor(h);
          const when = new Date(h.changed_at).toLocaleString(lang);
          return (
            <li key={h.version} data-testid={`history-${h.version}`}>
              <div>
                <strong>{t('history.version', { v: h.version })}</strong> {t(op)}
              </div>
              <div className="muted">{who ? t('history.by', { who, when }) : when}</div>
              {fields.length > 0 && <div>{t('history.changed', { fields: fields.join('、') })}</div>}
              {h.geometry && (
                <div className="editor-history-actions">
                  <button
                    type="button"
                    className="button small"
                    data-testid={`history-show-${h.version}`}
                    onClick={() => onShow(shownVersion === h.version ? null : h)}
                  >
                    {shownVersion === h.version ? t('history.hide') : t('history.show')}
                  </button>
                  {h.version !== version && (
                    <button
                      type="button"
                      className="button small"
                      data-testid={`history-restore-${h.version}`}
                      onClick={() => onRestore(h)}
                    >
                      {t('history.restore')}
                    </button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
