import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  LEDGER_CATEGORIES,
  PLAN_PHASES,
  type LedgerCategory,
  type LedgerItem,
  type PlanPhase,
  type Scorecard,
  type TargetScore,
} from '../../../../core/coverage.ts';
import { authorName, historyAuthor } from '../../../../core/api.ts';
import { TARGET_STATES, type FiveTarget, type TargetState } from '../../../../core/vocabulary.ts';
import { ApiError, sessionUser, type SessionUser } from '../../api.ts';
import { errorText } from '../../i18n/errors.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { changesCompound } from '../../live/relevance.ts';
import { useLiveRefresh } from '../../live/use-live-refresh.ts';
import { useSessionToken } from '../../use-session.ts';
import { LoginDialog } from '../editor/Dialogs.tsx';
import { useEditorText } from '../editor/messages.ts';
import {
  assess,
  createLedgerItem,
  fetchLedger,
  fetchLedgerHistory,
  fetchScorecard,
  setLedgerStatus,
  type LedgerHistoryEntry,
} from './compound-client.ts';
import { useCompoundText, type CompoundMessageKey, type CompoundT } from './messages.ts';
import './compound.css';

const today = () => new Date().toISOString().slice(0, 10);

/** What the card shows of a compound: its scorecard and its problems. */
const fetchCard = (compoundId: number) => Promise.all([fetchScorecard(compoundId), fetchLedger(compoundId)]);

/** A scorecard reason in the user's language, from its key and values (core/coverage.ts). */
export function reasonText(t: CompoundT, s: TargetScore): string {
  const v = s.reason_vars;
  switch (s.reason_key) {
    case 'basic_service.buildings':
      return (
        t('reason.basic_service.buildings', v) +
        (v.providers ? t('reason.basic_service.providers', v) : '') +
        (Number(v.covered_unserved) > 0 ? t('reason.basic_service.unserved', { n: v.covered_unserved! }) : '')
      );
    case 'basic_service.outline_served':
      return (
        t('reason.basic_service.outline_served') + (v.providers ? t('reason.basic_service.providers', v) : '')
      );
    case 'assessment':
      // Who assessed: told to signed-in readers only (issue 10); without it, when.
      return (
        t(authorName(v.by) ? 'reason.assessment' : 'reason.assessmentOn', v) +
        (v.note ? t('reason.assessment.note', v) : '')
      );
    default:
      return t(`reason.${s.reason_key}` as CompoundMessageKey, v);
  }
}

function canWrite(user: SessionUser | null, streetCode: string | null): boolean {
  if (!user) return false;
  if (user.role === 'city_admin') return true;
  return user.role === 'street_editor' && user.streetCode === streetCode;
}

type Pending =
  null | { kind: 'assess'; target: FiveTarget } | { kind: 'add' } | { kind: 'status'; item: LedgerItem };

/**
 * 五有 and 问题清单 of one compound, under its attributes: each target met / partly / not met with
 * why (derived from the map's data where it can be, else the latest staff assessment or the survey),
 * an assessment form (date, note, who is the signed-in user), and the compound's problems with
 * 登记, 销号 and reopening — each write against the version the user saw.
 */
export function CompoundCard({ compoundId }: { compoundId: number }) {
  const { t, lang } = useCompoundText();
  const { t: appT } = useI18n();
  const { t: editorT } = useEditorText();
  const [card, setCard] = useState<Scorecard | null>(null);
  const [items, setItems] = useState<LedgerItem[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  // kept as a key and values, so a language switch re-words it
  // A failed write: the message key, and the error it words (in the language shown, from its code).
  const [error, setError] = useState<{ key: CompoundMessageKey; cause?: unknown } | null>(null);
  const [user, setUser] = useState<SessionUser | null>(sessionUser);
  const [signIn, setSignIn] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [history, setHistory] = useState<{ id: number; entries: LedgerHistoryEntry[] } | null>(null);

  // A read the live feed asked for: shown as 更新中 over the card kept as it was; one for a compound
  // left meanwhile (or overtaken by a newer read) is dropped.
  const [updating, setUpdating] = useState(false);
  const reads = useRef(0);
  const reread = () => {
    const n = ++reads.current;
    setUpdating(true);
    fetchCard(compoundId)
      .then(([c, l]) => {
        if (reads.current !== n) return;
        setCard(c);
        setItems(l);
      })
      .catch(() => undefined) // the card shown stays; the next change or a write reads again
      .finally(() => reads.current === n && setUpdating(false));
  };
  useLiveRefresh((e) => card !== null && changesCompound(e, compoundId, card.compound.street_code), reread);

  // A sign-in or sign-out (here or in another panel) changes what the card may say: who recorded,
  // closed and assessed is told to signed-in readers only. The card and an open history are read again.
  const session = useSessionToken();
  const sessionSeen = useRef(session);
  useEffect(() => {
    if (sessionSeen.current === session) return;
    sessionSeen.current = session;
    setUser(sessionUser());
    reread();
    const open = history?.id;
    if (open !== undefined)
      fetchLedgerHistory(open)
        .then((entries) => setHistory((h) => (h?.id === open ? { id: open, entries } : h)))
        .catch(() => undefined); // the list shown stays
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session]);

  const reload = useCallback(async () => {
    const [c, l] = await fetchCard(compoundId);
    setCard(c);
    setItems(l);
    setHistory(null);
  }, [compoundId]);

  useEffect(() => {
    let live = true;
    reads.current++;
    setUpdating(false);
    setCard(null);
    setItems(null);
    setLoadError(null);
    setError(null);
    setPending(null);
    setHistory(null);
    fetchCard(compoundId)
      .then(([c, l]) => {
        if (!live) return;
        setCard(c);
        setItems(l);
      })
      .catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [compoundId]);

  const targetLabel = (target: FiveTarget) => appT(`attr.${target}` as MessageKey);
  const categoryLabel = (c: LedgerCategory) => (c === 'other' ? t('category.other') : targetLabel(c));
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(lang) : '—');

  /** Runs a write; 409 reloads and says so, 403 names the reason, other errors show their message. */
  const write = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      setPending(null);
      await reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setError({ key: 'error.conflict' });
        setPending(null);
        await reload().catch(() => undefined);
      } else if (e instanceof ApiError && e.status === 401) {
        setUser(null);
        setSignIn(true);
      } else if (e instanceof ApiError && e.status === 403) {
        setError({ key: 'error.forbidden', cause: e });
      } else {
        setError({ key: 'error.failed', cause: e });
      }
    }
  };

  if (loadError) return <p className="error">{t('card.failed', { message: errorText(lang, loadError) })}</p>;
  if (!card || !items) return <p className="muted">{t('card.loading')}</p>;

  const writable = canWrite(user, card.compound.street_code);
  const open = items.filter((i) => i.status === 'open').length;

  return (
    <div className="compound-card" data-testid="compound-card">
      <section>
        <h3>
          {t('card.fiveHave')} <span data-testid="five-have-met">{t('card.met', { met: card.met })}</span>
          {card.five_have && <span className="badge met">{t('card.isFiveHave')}</span>}
        </h3>
        <ul className="scorecard">
          {card.targets.map((s) => (
            <li key={s.target} data-testid={`target-${s.target}`} data-state={s.state}>
              <div className="target-head">
                <span className="target-name">{targetLabel(s.target)}</span>
                <span className={`badge ${s.state}`}>{t(`state.${s.state}`)}</span>
                {writable && (
                  <button
                    type="button"
                    className="link"
                    data-testid={`assess-${s.target}`}
                    onClick={() => setPending({ kind: 'assess', target: s.target })}
                  >
                    {t('assess.button')}
                  </button>
                )}
              </div>
              <div className="target-reason muted">
                <span className="source">{t(`source.${s.source}`)}</span>
                {/* a survey's reason is its source: said once */}
                {s.reason_key !== 'survey' && <> · {reasonText(t, s)}</>}
              </div>
              {pending?.kind === 'assess' && pending.target === s.target && (
                <AssessForm
                  t={t}
                  score={s}
                  title={t('assess.title', { target: targetLabel(s.target) })}
                  onCancel={() => setPending(null)}
                  onSave={(a) => write(() => assess(compoundId, { target: s.target, ...a }))}
                />
              )}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h3>
          {t('ledger.title')}{' '}
          <span className="muted" data-testid="ledger-counts">
            {t('ledger.counts', { open, closed: items.length - open })}
          </span>
          {updating && (
            <span className="muted small" data-testid="compound-updating">
              {' '}
              {t('card.updating')}
            </span>
          )}
        </h3>
        {error && (
          <p className="field-error" role="alert" data-testid="compound-error">
            {t(error.key, { message: errorText(lang, error.cause) })}
          </p>
        )}
        {!user && (
          <button
            type="button"
            className="link"
            data-testid="compound-sign-in"
            onClick={() => setSignIn(true)}
          >
            {t('action.signIn')}
          </button>
        )}
        {items.length === 0 && <p className="muted">{t('ledger.empty')}</p>}
        <ul className="ledger-items">
          {items.map((i) => (
            <li key={i.id} data-testid={`ledger-item-${i.id}`} data-status={i.status}>
              <div className="ledger-head">
                <span className={`badge ${i.status === 'open' ? 'not_met' : 'met'}`}>
                  {t(i.status === 'open' ? 'ledger.open' : 'ledger.closed')}
                </span>
                {i.overdue && <span className="badge overdue">{t('ledger.overdue')}</span>}
                <span className="ledger-description">{i.description}</span>
              </div>
              <div className="muted small">
                {categoryLabel(i.category)} · {t(`phase.${i.phase}`)}
                {i.responsible_unit ? ` · ${i.responsible_unit}` : ''}
                {i.deadline ? ` · ${t('ledger.deadline')} ${i.deadline}` : ''}
              </div>
              {i.status === 'closed' && (
                <div className="muted small">
                  {/* who: told to signed-in readers only (core/api.ts isAuthorField) */}
                  {authorName(i.closed_by)
                    ? t('ledger.closedBy', { by: authorName(i.closed_by) ?? '', at: time(i.closed_at) })
                    : t('ledger.closedAt', { at: time(i.closed_at) })}
                  {i.close_note ? `：${i.close_note}` : ''}
                </div>
              )}
              <div className="ledger-actions">
                {writable && (
                  <button
                    type="button"
                    className="button small"
                    data-testid={`ledger-${i.status === 'open' ? 'close' : 'reopen'}-${i.id}`}
                    onClick={() => setPending({ kind: 'status', item: i })}
                  >
                    {t(i.status === 'open' ? 'ledger.close' : 'ledger.reopen')}
                  </button>
                )}
                <button
                  type="button"
                  className="link"
                  data-testid={`ledger-history-${i.id}`}
                  onClick={() =>
                    history?.id === i.id
                      ? setHistory(null)
                      : fetchLedgerHistory(i.id)
                          .then((entries) => setHistory({ id: i.id, entries }))
                          .catch((e: unknown) => setError({ key: 'error.failed', cause: e }))
                  }
                >
                  {t('ledger.history')}
                </button>
              </div>
              {pending?.kind === 'status' && pending.item.id === i.id && (
                // What the user set out to do, on the item as they saw it: a change someone else made
                // meanwhile (shown live) makes the save a conflict, not a different action.
                <NoteForm
                  t={t}
                  label={t(pending.item.status === 'open' ? 'ledger.closeNote' : 'ledger.reopenNote')}
                  testid={`ledger-note-${i.id}`}
                  required={pending.item.status === 'open'}
                  onCancel={() => setPending(null)}
                  onSave={(note) =>
                    write(() =>
                      setLedgerStatus(
                        pending.item,
                        pending.item.status === 'open' ? 'close' : 'reopen',
                        note,
                      ),
                    )
                  }
                />
              )}
              {history?.id === i.id && (
                <ol className="ledger-history" data-testid={`ledger-history-list-${i.id}`}>
                  {history.entries.map((h) => (
                    <li key={h.version}>
                      v{h.version} · {t(`ledger.op.${h.operation}`)} ·{' '}
                      {/* who: told to signed-in readers only (core/api.ts isAuthorField) */}
                      {historyAuthor(h) ? `${historyAuthor(h)} · ` : ''}
                      {time(h.changed_at)}
                      {h.note ? ` · ${h.note}` : ''}
                    </li>
                  ))}
                </ol>
              )}
            </li>
          ))}
        </ul>
        {writable &&
          (pending?.kind === 'add' ? (
            <AddForm
              t={t}
              categoryLabel={categoryLabel}
              onCancel={() => setPending(null)}
              onSave={(x) => write(() => createLedgerItem({ compound_id: compoundId, ...x }))}
            />
          ) : (
            <button
              type="button"
              className="button small"
              data-testid="ledger-add"
              onClick={() => setPending({ kind: 'add' })}
            >
              {t('ledger.add')}
            </button>
          ))}
      </section>
      {signIn && (
        <LoginDialog
          t={editorT}
          onDone={(u) => {
            setSignIn(false);
            if (u) setUser(u);
          }}
        />
      )}
    </div>
  );
}

/** A small form of the card: its fields, then submit and cancel; busy while the write runs. */
function CardForm({
  t,
  testid,
  label,
  submitLabel,
  submitTestid,
  submitDisabled = false,
  onSubmit,
  onCancel,
  children,
}: {
  t: CompoundT;
  testid: string;
  label?: string;
  submitLabel: string;
  submitTestid: string;
  /** The form is not complete yet (the submit button stays off and Enter sends nothing). */
  submitDisabled?: boolean;
  onSubmit(): Promise<void>;
  onCancel(): void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (submitDisabled) return;
    setBusy(true);
    void onSubmit().finally(() => setBusy(false));
  };
  return (
    <form className="compound-form" onSubmit={submit} aria-label={label} data-testid={testid}>
      {children}
      <div className="compound-form-actions">
        <button
          type="submit"
          className="button small primary"
          data-testid={submitTestid}
          disabled={busy || submitDisabled}
        >
          {submitLabel}
        </button>
        <button type="button" className="button small" onClick={onCancel}>
          {t('action.cancel')}
        </button>
      </div>
    </form>
  );
}

function AssessForm({
  t,
  score,
  title,
  onCancel,
  onSave,
}: {
  t: CompoundT;
  score: TargetScore;
  title: string;
  onCancel(): void;
  onSave(a: { state: TargetState; assessed_on: string; note: string | null }): Promise<void>;
}) {
  const [state, setState] = useState<TargetState>(score.assessment?.state ?? score.state);
  const [date, setDate] = useState(today());
  const [note, setNote] = useState('');
  return (
    <CardForm
      t={t}
      testid="assess-form"
      label={title}
      submitLabel={t('assess.save')}
      submitTestid="assess-save"
      onCancel={onCancel}
      onSubmit={() => onSave({ state, assessed_on: date, note: note.trim() || null })}
    >
      {score.source === 'derived' && <p className="muted small">{t('assess.derivedHint')}</p>}
      <label>
        <span>{t('assess.state')}</span>
        <select
          data-testid="assess-state"
          value={state}
          onChange={(e) => setState(e.target.value as TargetState)}
        >
          {TARGET_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`state.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('assess.date')}</span>
        <input
          type="date"
          data-testid="assess-date"
          required
          value={date}
          onChange={(e) => setDate(e.target.value)}
        />
      </label>
      <label>
        <span>{t('assess.note')}</span>
        <input
          data-testid="assess-note"
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
    </CardForm>
  );
}

function NoteForm({
  t,
  label,
  testid,
  required = false,
  onCancel,
  onSave,
}: {
  t: CompoundT;
  label: string;
  testid: string;
  /** 销号 needs a note: the form cannot be sent while it is blank (the server refuses it too). */
  required?: boolean;
  onCancel(): void;
  onSave(note: string | null): Promise<void>;
}) {
  const [note, setNote] = useState('');
  const missing = required && note.trim() === '';
  return (
    <CardForm
      t={t}
      testid={testid}
      submitLabel={t('ledger.confirm')}
      submitTestid={`${testid}-confirm`}
      submitDisabled={missing}
      onCancel={onCancel}
      onSubmit={() => onSave(note.trim() || null)}
    >
      <label>
        <span>{label}</span>
        <input
          data-testid={`${testid}-input`}
          maxLength={2000}
          required={required}
          aria-invalid={missing || undefined}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      {missing && (
        <p className="muted" data-testid={`${testid}-required`}>
          {t('ledger.closeNoteRequired')}
        </p>
      )}
    </CardForm>
  );
}

function AddForm({
  t,
  categoryLabel,
  onCancel,
  onSave,
}: {
  t: CompoundT;
  categoryLabel(c: LedgerCategory): string;
  onCancel(): void;
  onSave(x: {
    description: string;
    category: LedgerCategory;
    responsible_unit: string | null;
    deadline: string | null;
    phase: PlanPhase;
  }): Promise<void>;
}) {
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<LedgerCategory>('wy_security');
  const [unit, setUnit] = useState('');
  const [deadline, setDeadline] = useState('');
  const [phase, setPhase] = useState<PlanPhase>('survey');
  return (
    <CardForm
      t={t}
      testid="ledger-add-form"
      submitLabel={t('ledger.create')}
      submitTestid="ledger-create"
      onCancel={onCancel}
      onSubmit={() =>
        onSave({
          description: description.trim(),
          category,
          responsible_unit: unit.trim() || null,
          deadline: deadline || null,
          phase,
        })
      }
    >
      <label>
        <span>{t('ledger.description')}</span>
        <textarea
          data-testid="ledger-description"
          required
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <label>
        <span>{t('ledger.category')}</span>
        <select
          data-testid="ledger-category"
          value={category}
          onChange={(e) => setCategory(e.target.value as LedgerCategory)}
        >
          {LEDGER_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {categoryLabel(c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('ledger.unit')}</span>
        <input
          data-testid="ledger-unit"
          maxLength={200}
          value={unit}
          onChange={(e) => setUnit(e.target.value)}
        />
      </label>
      <label>
        <span>{t('ledger.deadline')}</span>
        <input
          type="date"
          data-testid="ledger-deadline"
          value={deadline}
          onChange={(e) => setDeadline(e.target.value)}
        />
      </label>
      <label>
        <span>{t('ledger.phase')}</span>
        <select
          data-testid="ledger-phase"
          value={phase}
          onChange={(e) => setPhase(e.target.value as PlanPhase)}
        >
          {PLAN_PHASES.map((p) => (
            <option key={p} value={p}>
              {t(`phase.${p}`)}
            </option>
          ))}
        </select>
      </label>
    </CardForm>
  );
}
