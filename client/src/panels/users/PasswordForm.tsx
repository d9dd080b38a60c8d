import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN_LENGTH } from '../../../../core/accounts.ts';
import { changePassword, type SessionUser } from '../../api.ts';
import { errorText } from '../../i18n/errors.ts';
import { useUsersText } from './messages.ts';

/**
 * 设置新密码: the form a user must pass at first sign-in (must_change_password) before anything else;
 * the server checks the policy and words nothing, the refusal's reason is worded here.
 */
export function PasswordForm({
  currentPassword,
  onDone,
  onCancel,
}: {
  /** The password just used to sign in, so the user need not type it again. */
  currentPassword?: string;
  onDone(user: SessionUser): void;
  onCancel(): void;
}) {
  const { t, lang } = useUsersText();
  const [current, setCurrent] = useState(currentPassword ?? '');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return setError(t('password.mismatch'));
    setBusy(true);
    changePassword(current, next)
      .then(onDone)
      .catch((err: unknown) => setError(errorText(lang, err)))
      .finally(() => setBusy(false));
  };
  return (
    <form onSubmit={submit} className="editor-login" data-testid="password-form">
      <h3>{t('password.title')}</h3>
      <p>{t('password.why')}</p>
      {currentPassword === undefined && (
        <PasswordField
          label={t('password.current')}
          autoComplete="current-password"
          testId="password-current"
          value={current}
          onChange={setCurrent}
        />
      )}
      <PasswordField
        label={t('password.new', { min: PASSWORD_MIN_LENGTH })}
        autoComplete="new-password"
        testId="password-new"
        value={next}
        onChange={setNext}
      />
      <PasswordField
        label={t('password.repeat')}
        autoComplete="new-password"
        testId="password-repeat"
        value={repeat}
        onChange={setRepeat}
      />
      {error && (
        <p className="field-error" role="alert" data-testid="password-error">
          {error}
        </p>
      )}
      <div className="editor-dialog-actions">
        <button type="submit" className="button primary" data-testid="password-submit" disabled={busy}>
          {t('password.submit')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('password.signOut')}
        </button>
      </div>
    </form>
  );
}

/** One labelled password input, as the sign-in, new-user and reset forms all use it. */
export function PasswordField({
  label,
  autoComplete,
  testId,
  value,
  onChange,
}: {
  label: string;
  autoComplete: 'current-password' | 'new-password';
  testId: string;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <label className="editor-field">
      <span className="editor-label">{label}</span>
      <input
        type="password"
        autoComplete={autoComplete}
        data-testid={testId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
