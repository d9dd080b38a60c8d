import { historyAuthor } from '../../../../core/api.ts';
import { errorText } from '../../i18n/errors.ts';
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/I18n.tsx';
import { useSessionToken } from '../../use-session.ts';
import { attributeKey } from '../../i18n/messages.ts';
import { changedFields, pointHistory, type PointHistoryEntry, type PointLayer } from './point-client.ts';
import type { SecurityMessageKey, SecurityT } from './messages.ts';

export interface PointHistoryProps {
  layer: PointLayer;
  id: number;
  /** Changes after a save, so the list reloads. */
  version: number;
  t: SecurityT;
}

/**
 * Every recorded version of a camera or gate, newest first: when, what changed, and who for a
 * signed-in reader (the request carries the session's token; an anonymous reader is not told who).
 */
export function PointHistory({ layer, id, version, t }: PointHistoryProps) {
  const shell = useI18n();
  const [entries, setEntries] = useState<{ for: string; list: PointHistoryEntry[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Read again after a save, and after a sign-in or sign-out (who edited is told to signed-in readers).
  const session = useSessionToken();
  const key = `${layer}/${id}/${version}/${session ?? ''}`;

  useEffect(() => {
    let live = true;
    pointHistory(layer, id)
      .then((list) => live && setEntries({ for: key, list }))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [layer, id, key]);

  const fieldName = (f: string) => {
    const k = attributeKey(f);
    if (f === 'geometry') return t('field.geometry');
    if (f === 'access_control') return t('gate.access_control');
    return k ? shell.t(k) : f;
  };
  const list = entries?.for === key ? entries.list : null;
  const sorted = [...(list ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section className="security-history" data-testid="security-history">
      <h3>{t('history.title')}</h3>
      {error !== null && <p className="field-error">{errorText(shell.lang, error)}</p>}
      {!list && error === null && <p className="muted">{t('history.loading')}</p>}
      {list && !list.length && <p className="muted">{t('history.empty')}</p>}
      <ol>
        {sorted.map((h) => {
          const prev = sorted.find((x) => x.version === h.version - 1) ?? null;
          const fields = changedFields(prev, h).map(fieldName);
          // Who: told to signed-in readers only (core/api.ts isAuthorField); shown when told.
          const who = historyAuthor(h);
          const when = new Date(h.changed_at).toLocaleString(shell.lang);
          const op = t(`op.${h.operation}` as SecurityMessageKey);
          return (
            <li key={h.version} data-version={h.version} data-operation={h.operation}>
              {who
                ? t('history.entryBy', { v: h.version, op, who, when })
                : t('history.entry', { v: h.version, op, when })}
              {fields.length > 0 && (
                <div className="muted">{t('history.changed', { fields: fields.join('、') })}</div>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
