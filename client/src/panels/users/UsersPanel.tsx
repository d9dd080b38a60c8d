import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Account, AuditEntry } from '../../../../core/accounts.ts';
import { ROLES, type Role } from '../../../../core/vocabulary.ts';
import {
  createAccount,
  fetchAudit,
  fetchJurisdictions,
  listAccounts,
  onSessionChange,
  resetAccountPassword,
  sessionUser,
  updateAccount,
  type JurisdictionSummary,
} from '../../api.ts';
import { errorText } from '../../i18n/errors.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { attributeKey } from '../../i18n/messages.ts';
import { localName } from '../../i18n/places.ts';
import { roleKey, useUsersText, type UsersMessageKey, type UsersT } from './messages.ts';
import { PasswordField } from './PasswordForm.tsx';
import './users.css';

/** Whether the signed-in user is a city admin (follows sign-in and sign-out). */
export function useIsAdmin(): boolean {
  const admin = () => {
    const u = sessionUser();
    return u?.role === 'city_admin' && !u.mustChangePassword;
  };
  const [is, setIs] = useState(admin);
  useEffect(() => onSessionChange(() => setIs(admin())), []);
  return is;
}

/** The header's 用户 button: shown to city admins only. */
export function UsersButton({ onOpen }: { onOpen(): void }) {
  const { t } = useUsersText();
  if (!useIsAdmin()) return null;
  return (
    <button type="button" className="button" data-testid="users-button" onClick={onOpen}>
      {t('open')}
    </button>
  );
}

/**
 * 用户管理: the city admin's page — accounts (create, role and 街道, disable, reset password) and the
 * audit log of every write. Each change signs the user out everywhere (the server bumps their token
 * version), which the status line says.
 */
export function UsersPanel({ onClose }: { onClose(): void }) {
  const { t, lang } = useUsersText();
  const dialog = useRef<HTMLDialogElement>(null);
  const [tab, setTab] = useState<'users' | 'audit'>('users');
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const admin = useIsAdmin();
  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
  }, []);
  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);
  const fail = useCallback(
    (e: unknown) => say(t('failed', { message: errorText(lang, e) }), true),
    [say, t, lang],
  );
  return (
    <dialog ref={dialog} className="users-page" data-testid="users-page" onClose={onClose} onCancel={onClose}>
      <header>
        <h2>{t('title')}</h2>
        <div className="users-tabs" role="tablist">
          {(['users', 'audit'] as const).map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              className={`button${tab === k ? ' primary' : ''}`}
              data-testid={`users-tab-${k}`}
              onClick={() => setTab(k)}
            >
              {t(`tab.${k}`)}
            </button>
          ))}
        </div>
        <button type="button" className="button" data-testid="users-close" onClick={onClose}>
          {t('close')}
        </button>
      </header>
      {status && (
        <p className={status.error ? 'field-error' : 'users-status'} role="status" data-testid="users-status">
          {status.text}
        </p>
      )}
      {!admin ? (
        <p>{t('adminOnly')}</p>
      ) : tab === 'users' ? (
        <Accounts t={t} say={say} fail={fail} />
      ) : (
        <AuditLog t={t} fail={fail} />
      )}
    </dialog>
  );
}

interface Props {
  t: UsersT;
  say(text: string): void;
  fail(e: unknown): void;
}

function Accounts({ t, say, fail }: Props) {
  const { lang } = useUsersText();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [streets, setStreets] = useState<JurisdictionSummary[]>([]);
  const [resetting, setResetting] = useState<Account | null>(null);
  const me = sessionUser();
  const reload = useCallback(() => listAccounts().then(setAccounts).catch(fail), [fail]);
  useEffect(() => {
    void reload();
    fetchJurisdictions()
      .then((all) => setStreets(all.filter((j) => j.level === 'street')))
      .catch(fail);
  }, [reload, fail]);
  const streetName = (code: string | null) => {
    const s = streets.find((j) => j.code === code);
    return s ? localName(s, lang) : (code ?? t('noStreet'));
  };
  const change = (a: Account, req: Parameters<typeof updateAccount>[1]) =>
    updateAccount(a.id, req)
      .then((u) => {
        setAccounts((list) => list?.map((x) => (x.id === u.id ? u : x)) ?? null);
        say(t('changed.done', { username: u.username }));
      })
      .catch(fail);
  if (!accounts) return <p>{t('loading')}</p>;
  return (
    <>
      <table className="users-table" data-testid="users-table">
        <thead>
          <tr>
            <th>{t('col.username')}</th>
            <th>{t('col.role')}</th>
            <th>{t('col.street')}</th>
            <th>{t('col.state')}</th>
            <th>{t('col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => {
            const self = a.username === me?.username;
            return (
              <tr key={a.id} data-testid={`user-${a.username}`} className={a.disabled ? 'disabled' : ''}>
                <td>{a.username}</td>
                <td>
                  <select
                    value={a.role}
                    disabled={self}
                    data-testid="user-role"
                    aria-label={t('col.role')}
                    onChange={(e) => {
                      const role = e.target.value as Role;
                      // a new street editor needs a 街道: take the first until the admin picks one
                      void change(a, {
                        role,
                        ...(role === 'street_editor' ? { streetCode: a.streetCode ?? streets[0]?.code } : {}),
                      });
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(roleKey(r))}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {a.role === 'street_editor' ? (
                    <select
                      value={a.streetCode ?? ''}
                      data-testid="user-street"
                      aria-label={t('col.street')}
                      onChange={(e) => void change(a, { streetCode: e.target.value })}
                    >
                      {streets.map((s) => (
                        <option key={s.code} value={s.code}>
                          {localName(s, lang)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    streetName(null)
                  )}
                </td>
                <td data-testid="user-state">
                  {t(
                    a.disabled
                      ? 'state.disabled'
                      : a.mustChangePassword
                        ? 'state.mustChange'
                        : 'state.active',
                  )}
                </td>
                <td className="users-actions">
                  <button
                    type="button"
                    className="button"
                    disabled={self}
                    data-testid="user-toggle"
                    onClick={() => void change(a, { disabled: !a.disabled })}
                  >
                    {t(a.disabled ? 'enable' : 'disable')}
                  </button>
                  <button
                    type="button"
                    className="button"
                    data-testid="user-reset"
                    onClick={() => setResetting(a)}
                  >
                    {t('reset')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {resetting && (
        <ResetForm
          t={t}
          account={resetting}
          onDone={(u) => {
            setResetting(null);
            if (!u) return;
            setAccounts((list) => list?.map((x) => (x.id === u.id ? u : x)) ?? null);
            say(t('reset.done', { username: u.username }));
          }}
          fail={fail}
        />
      )}
      <NewAccount
        t={t}
        streets={streets}
        onCreated={(u) => {
          setAccounts((list) => [...(list ?? []), u].sort((x, y) => x.username.localeCompare(y.username)));
          say(t('new.done', { username: u.username }));
        }}
        fail={fail}
      />
    </>
  );
}

function ResetForm({
  t,
  account,
  onDone,
  fail,
}: {
  t: UsersT;
  account: Account;
  onDone(u: Account | null): void;
  fail(e: unknown): void;
}) {
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    resetAccountPassword(account.id, password).then(onDone).catch(fail);
  };
  return (
    <form className="users-form" onSubmit={submit} data-testid="reset-form">
      <PasswordField
        label={t('reset.prompt', { username: account.username })}
        autoComplete="new-password"
        testId="reset-password"
        value={password}
        onChange={setPassword}
      />
      <div className="editor-dialog-actions">
        <button type="submit" className="button primary" data-testid="reset-submit">
          {t('save')}
        </button>
        <button type="button" className="button" onClick={() => onDone(null)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function NewAccount({
  t,
  streets,
  onCreated,
  fail,
}: {
  t: UsersT;
  streets: JurisdictionSummary[];
  onCreated(u: Account): void;
  fail(e: unknown): void;
}) {
  const { lang } = useUsersText();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('street_editor');
  const [streetCode, setStreetCode] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    createAccount({
      username,
      role,
      streetCode: role === 'street_editor' ? streetCode || null : null,
      password,
    })
      .then((u) => {
        onCreated(u);
        setUsername('');
        setPassword('');
      })
      .catch(fail);
  };
  return (
    <form className="users-form" onSubmit={submit} data-testid="new-user">
      <h3>{t('new.title')}</h3>
      <div className="users-form-row">
        <label className="editor-field">
          <span className="editor-label">{t('col.username')}</span>
          <input
            data-testid="new-username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="editor-field">
          <span className="editor-label">{t('col.role')}</span>
          <select data-testid="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(roleKey(r))}
              </option>
            ))}
          </select>
        </label>
        {role === 'street_editor' && (
          <label className="editor-field">
            <span className="editor-label">{t('col.street')}</span>
            <select
              data-testid="new-street"
              value={streetCode}
              onChange={(e) => setStreetCode(e.target.value)}
            >
              <option value="">{t('chooseStreet')}</option>
              {streets.map((s) => (
                <option key={s.code} value={s.code}>
                  {localName(s, lang)}
                </option>
              ))}
            </select>
          </label>
        )}
        <PasswordField
          label={t('new.password')}
          autoComplete="new-password"
          testId="new-password"
          value={password}
          onChange={setPassword}
        />
      </div>
      <div className="editor-dialog-actions">
        <button type="submit" className="button primary" data-testid="new-submit">
          {t('new.create')}
        </button>
      </div>
    </form>
  );
}

const TABLE_KEYS = new Set<string>([
  'service_areas',
  'cameras',
  'gates',
  'compounds',
  'five_target_assessments',
  'ledger_items',
  'survey_imports',
  'users',
]);

/** Bookkeeping columns every write changes: not worth a word in the log. */
const USER_COLUMNS = new Set(['disabled', 'role', 'street_code', 'password_hash', 'must_change_password']);
const BOOKKEEPING = new Set(['version', 'updated_at', 'updated_by', 'created_at', 'token_version']);

function AuditLog({ t, fail }: { t: UsersT; fail(e: unknown): void }) {
  const { lang } = useUsersText();
  const { t: appT } = useI18n();
  /** A changed column in the glossary's words (the column name only where the glossary has none). */
  const column = (c: string) => {
    if (c === 'geom') return t('audit.geom');
    if (USER_COLUMNS.has(c)) return t(`auditcol.${c}` as UsersMessageKey);
    const k = attributeKey(c);
    return k ? appT(k) : c;
  };
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const load = useCallback(
    (before: number | null) =>
      fetchAudit(before)
        .then((page) => {
          setEntries((old) => [...(before ? (old ?? []) : []), ...page.entries]);
          setNext(page.next);
        })
        .catch(fail),
    [fail],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  if (!entries) return <p>{t('loading')}</p>;
  if (!entries.length) return <p>{t('audit.none')}</p>;
  const what = (e: AuditEntry) =>
    `${t(`audit.${e.action}`)} ${TABLE_KEYS.has(e.table) ? t(`table.${e.table}` as UsersMessageKey) : e.table}${
      e.rowId ? ` #${e.rowId}` : ''
    }${
      changed(e).length
        ? t('audit.changed', {
            columns: changed(e)
              .map(column)
              .join(lang === 'en' ? ', ' : '、'),
          })
        : ''
    }`;
  const changed = (e: AuditEntry) => (e.changed ?? []).filter((c) => !BOOKKEEPING.has(c));
  return (
    <>
      <table className="users-table" data-testid="audit-table">
        <thead>
          <tr>
            <th>{t('audit.at')}</th>
            <th>{t('audit.who')}</th>
            <th>{t('audit.address')}</th>
            <th>{t('audit.what')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="audit-entry">
              <td>{new Date(e.at).toLocaleString(lang)}</td>
              <td>{e.username ?? t('audit.cli')}</td>
              <td>{e.address ?? ''}</td>
              <td>{what(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next !== null && (
        <button type="button" className="button" data-testid="audit-more" onClick={() => void load(next)}>
          {t('audit.more')}
        </button>
      )}
    </>
  );
}
