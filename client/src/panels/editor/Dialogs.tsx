import { useState, type FormEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { authorName } from '../../../../core/api.ts';
import type { Conflict } from '../../editor/types.ts';
import type { ConflictChoice } from '../../editor/actions.ts';
import { login, signOut, type SessionUser } from '../../editor/service-area-client.ts';
import { PasswordForm } from '../users/PasswordForm.tsx';
import { errorText } from '../../i18n/errors.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { EditorT } from './messages.ts';

/**
 * A question of the editor, drawn over the whole page: in the page's body, not inside the panel that
 * asks it, whose stacking context would put it under a panel opened later (the dashboard beside the
 * editor covered the merge choices).
 */
function Dialog({ title, testid, children }: { title: string; testid: string; children: ReactNode }) {
  return createPortal(
    <div className="editor-dialog-backdrop">
      <div className="editor-dialog" role="dialog" aria-modal="true" aria-label={title} data-testid={testid}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>,
    document.body,
  );
}

/** Someone saved first: both versions are on the map; the user chooses, and nothing typed is lost. */
export function ConflictDialog({
  t,
  conflict,
  onChoose,
}: {
  t: EditorT;
  conflict: Conflict;
  onChoose(c: ConflictChoice): void;
}) {
  return (
    <Dialog title={t('conflict.title')} testid="conflict-dialog">
      <p>
        {authorName(conflict.theirs.updated_by)
          ? t('conflict.body', {
              who: authorName(conflict.theirs.updated_by) ?? '',
              v: conflict.theirs.version,
            })
          : t('conflict.bodySomeone', { v: conflict.theirs.version })}
      </p>
      <ul className="conflict-versions">
        <li className="theirs">{t('conflict.theirName', { name: conflict.theirs.attributes.name })}</li>
        <li className="mine">{t('conflict.myName', { name: conflict.mine.attributes.name })}</li>
      </ul>
      <div className="editor-dialog-actions">
        <button
          type="button"
          className="button primary"
          data-testid="conflict-keep-mine"
          onClick={() => onChoose('keep_mine')}
        >
          {t('conflict.keepMine')}
        </button>
        <button
          type="button"
          className="button"
          data-testid="conflict-take-theirs"
          onClick={() => onChoose('take_theirs')}
        >
          {t('conflict.takeTheirs')}
        </button>
        <button
          type="button"
          className="button"
          data-testid="conflict-copy-mine"
          onClick={() => onChoose('copy_mine_as_new')}
        >
          {t('conflict.copyMine')}
        </button>
      </div>
    </Dialog>
  );
}

export function MergeDialog({
  t,
  mine,
  other,
  onChoose,
}: {
  t: EditorT;
  mine: string;
  other: string;
  onChoose(keep: 'mine' | 'theirs' | null): void;
}) {
  return (
    <Dialog title={t('merge.title')} testid="merge-dialog">
      <p>{t('merge.body', { mine, other })}</p>
      <div className="editor-dialog-actions">
        <button
          type="button"
          className="button primary"
          data-testid="merge-keep-mine"
          onClick={() => onChoose('mine')}
        >
          {t('merge.keepMine', { name: mine })}
        </button>
        <button
          type="button"
          className="button"
          data-testid="merge-keep-theirs"
          onClick={() => onChoose('theirs')}
        >
          {t('merge.keepTheirs', { name: other })}
        </button>
        <button type="button" className="button" onClick={() => onChoose(null)}>
          {t('merge.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

export function ConfirmDialog({
  t,
  text,
  onAnswer,
}: {
  t: EditorT;
  text: string;
  onAnswer(yes: boolean): void;
}) {
  return (
    <Dialog title={text} testid="confirm-dialog">
      <div className="editor-dialog-actions">
        <button
          type="button"
          className="button danger"
          data-testid="confirm-yes"
          onClick={() => onAnswer(true)}
        >
          {t('delete.yes')}
        </button>
        <button type="button" className="button" data-testid="confirm-no" onClick={() => onAnswer(false)}>
          {t('delete.no')}
        </button>
      </div>
    </Dialog>
  );
}

/** POST /api/auth/login; the token stays in sessionStorage for this tab. */
export function LoginDialog({ t, onDone }: { t: EditorT; onDone(user: SessionUser | null): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { lang } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // First sign-in or after an admin's reset: a new password before anything else.
  const [mustChange, setMustChange] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    login(username, password)
      .then((u) => (u.mustChangePassword ? setMustChange(true) : onDone(u)))
      .catch((err: unknown) => setError(err))
      .finally(() => setBusy(false));
  };
  if (mustChange)
    return (
      <Dialog title={t('login.title')} testid="login-dialog">
        <PasswordForm
          currentPassword={password}
          onDone={onDone}
          onCancel={() => {
            signOut();
            onDone(null);
          }}
        />
      </Dialog>
    );
  return (
    <Dialog title={t('login.title')} testid="login-dialog">
      <form onSubmit={submit} className="editor-login">
        <label className="editor-field">
          <span className="editor-label">{t('login.username')}</span>
          <input
            data-testid="login-username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="editor-field">
          <span className="editor-label">{t('login.password')}</span>
          <input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error !== null && (
          <p className="field-error" role="alert" data-testid="login-error">
            {t('login.failed', { message: errorText(lang, error) })}
          </p>
        )}
        <div className="editor-dialog-actions">
          <button type="submit" className="button primary" data-testid="login-submit" disabled={busy}>
            {t('login.submit')}
          </button>
          <button type="button" className="button" onClick={() => onDone(null)}>
            {t('login.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
