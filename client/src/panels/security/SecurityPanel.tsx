import { useState, type FormEvent } from 'react';
import { useSessionUser } from '../../use-session.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { attributeKey } from '../../i18n/messages.ts';
import {
  CameraFields,
  cameraPreview,
  cameraProblems,
  cameraProperties,
  cameraValues,
  type CameraPreview,
  type CameraValues,
} from './CameraForm.tsx';
import { GateFields, gateProperties, gateValues, type GateValues } from './GateForm.tsx';
import { errorText, problemText, theirChanges as changesOf } from './form-errors.ts';
import { useSecurityText } from './messages.ts';
import { PointHistory } from './PointHistory.tsx';
import {
  deletePoint,
  PointApiError,
  savePoint,
  versionOf,
  type PointFeature,
  type PointLayer,
} from './point-client.ts';
import './security.css';

export interface SecurityPanelProps {
  selection: { layer: PointLayer; feature: PointFeature; unsaved?: PointFeature; error?: PointApiError };
  /** A camera's numbers as typed (valid ones only), for the live viewshed. */
  onPreview(id: number, values: CameraPreview): void;
  onSaved(layer: PointLayer, feature: PointFeature): void;
  onDeleted(layer: PointLayer, id: number): void;
  onClose(): void;
}

type Values = { layer: 'gates'; v: GateValues } | { layer: 'cameras'; v: CameraValues };

const valuesOf = (layer: PointLayer, p: Record<string, unknown>): Values =>
  layer === 'gates' ? { layer, v: gateValues(p) } : { layer, v: cameraValues(p) };

const propertiesOf = (x: Values) => (x.layer === 'gates' ? gateProperties(x.v) : cameraProperties(x.v));

/**
 * The form of the camera or gate selected on the map: its attributes saved with PUT + If-Match, its
 * deletion (DELETE + If-Match), its history. A refusal is shown with the server's reason and leaves
 * the typed values in place; a 409 offers the other version or overwriting it with these values.
 */
export function SecurityPanel({ selection, onPreview, onSaved, onDeleted, onClose }: SecurityPanelProps) {
  const { t, lang } = useSecurityText();
  const shell = useI18n().t;
  const user = useSessionUser();
  const { layer } = selection;
  // The stored version the form started from: the next write claims it (If-Match).
  const [base, setBase] = useState<PointFeature>(selection.feature);
  const [values, setValues] = useState<Values>(() =>
    valuesOf(layer, (selection.unsaved ?? selection.feature).properties),
  );
  // A position moved on the map whose save failed is kept until saved or dropped.
  const [geometry, setGeometry] = useState(selection.unsaved?.geometry ?? selection.feature.geometry);
  const [error, setError] = useState<PointApiError | null>(selection.error ?? null);
  // What the refused request was: a 409 on a delete offers to delete the other version, not to save.
  const [refused, setRefused] = useState<'save' | 'delete'>('save');
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const id = Number(base.properties.id ?? base.id);
  const claimed = versionOf(base);

  const problems = values.layer === 'cameras' ? cameraProblems(values.v) : [];
  const badField = error?.field ?? problems[0]?.field ?? null;

  const change = (next: Values) => {
    setValues(next);
    setStatus('idle');
    if (next.layer === 'cameras' && cameraProblems(next.v).length === 0) onPreview(id, cameraPreview(next.v));
  };

  const fail = (e: unknown) => {
    setStatus('idle');
    setError(e instanceof PointApiError ? e : new PointApiError(0, 'internal', (e as Error).message));
  };

  /** PUT these values over `over` (the stored version, or the other one after a 409). */
  const save = async (version: number, over: PointFeature = base, at = geometry) => {
    setStatus('saving');
    setError(null);
    setRefused('save');
    try {
      const feature: PointFeature = {
        ...over,
        geometry: at,
        properties: { ...over.properties, ...propertiesOf(values) },
      };
      const saved = await savePoint(layer, feature, version);
      setBase(saved);
      setGeometry(saved.geometry);
      setStatus('saved');
      onSaved(layer, saved);
    } catch (e) {
      fail(e);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (problems.length === 0) void save(claimed);
  };

  /** 409: take the other version and drop what was typed. */
  const reload = () => {
    const current = error?.current;
    if (!current) return;
    setBase(current);
    setValues(valuesOf(layer, current.properties));
    setGeometry(current.geometry);
    setError(null);
    onSaved(layer, current);
  };

  /** 409: write these values over the other version, knowingly (with its version). */
  const overwrite = () => {
    const current = error?.current;
    if (!current) return;
    // A point this form did not move keeps the other version's position.
    const movedHere = JSON.stringify(geometry.coordinates) !== JSON.stringify(base.geometry.coordinates);
    void save(versionOf(current), current, movedHere ? geometry : current.geometry);
  };

  const remove = async (version = claimed) => {
    setStatus('saving');
    setError(null);
    setRefused('delete');
    try {
      await deletePoint(layer, id, version);
      onDeleted(layer, id);
    } catch (e) {
      setConfirmDelete(false);
      fail(e);
    }
  };

  // What the other version changed (shown with a 409, so the user knows what an overwrite replaces).
  const theirs = error?.status === 409 && error.current ? changesOf(error.current, base) : [];
  const fieldLabel = (k: string) => {
    if (k === 'access_control') return t('gate.access_control');
    if (k === 'geometry') return t('field.geometry');
    const key = attributeKey(k);
    return key ? shell(key) : k;
  };

  const name = typeof base.properties.name === 'string' && base.properties.name ? base.properties.name : null;
  const title =
    name ?? shell(layer === 'cameras' ? 'security.cameraTitle' : 'security.gateTitle', { id: String(id) });
  const formId = layer === 'cameras' ? 'camera-form' : 'gate-form';
  // Saving and deleting are for those who may write (the server checks again, per street); a reader
  // is told to sign in instead of meeting a 401 worded as an expired sign-in.
  const mayWrite = user?.role === 'city_admin' || user?.role === 'street_editor';

  return (
    <aside
      className="panel right security-panel"
      data-testid="security-panel"
      data-layer={layer}
      data-id={id}
      data-version={claimed}
    >
      <header>
        <div>
          <div className="kind">
            {shell(layer === 'cameras' ? 'kind.cameras' : 'kind.gates')} · {t('form.version', { v: claimed })}
          </div>
          <h2>{title}</h2>
        </div>
        <button
          type="button"
          className="close"
          data-testid="security-close"
          aria-label={shell('panel.close')}
          title={shell('panel.close')}
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <form data-testid={formId} className="security-form" onSubmit={onSubmit}>
        {/* A reader sees the values but cannot type changes that could never be saved. */}
        <fieldset className="security-fields" disabled={!mayWrite}>
          {values.layer === 'gates' ? (
            <GateFields
              values={values.v}
              at={geometry.coordinates}
              badField={badField}
              t={t}
              onChange={(v) => change({ layer: 'gates', v })}
            />
          ) : (
            <CameraFields
              values={values.v}
              at={geometry.coordinates}
              badField={badField}
              t={t}
              onChange={(v) => change({ layer: 'cameras', v })}
            />
          )}
        </fieldset>
        {values.layer === 'cameras' && (
          <div className="field-error" data-testid="camera-form-message">
            {problems.map((p) => problemText(p, t)).join(lang === 'en' ? '; ' : '；')}
          </div>
        )}
        {!user && <p className="security-note">{t('form.signIn')}</p>}
        {error && (
          <div
            className="security-error"
            role="alert"
            data-testid="security-form-error"
            data-status={error.status}
            data-code={error.code}
          >
            <p>{errorText(error, t, lang)}</p>
            {theirs.length > 0 && (
              <p>{t('error.conflictFields', { fields: theirs.map(fieldLabel).join('、') })}</p>
            )}
            {error.status === 409 && error.current && (
              <div className="security-actions">
                <button type="button" className="btn" data-testid="security-reload" onClick={reload}>
                  {t('error.reload')}
                </button>
                {refused === 'delete' ? (
                  <button
                    type="button"
                    className="btn danger"
                    data-testid="security-delete-anyway"
                    onClick={() => void remove(versionOf(error.current!))}
                  >
                    {t('error.deleteAnyway')}
                  </button>
                ) : (
                  <button type="button" className="btn" data-testid="security-overwrite" onClick={overwrite}>
                    {t('error.overwrite')}
                  </button>
                )}
              </div>
            )}
          </div>
        )}
        {status !== 'idle' && (
          <p className="security-status" data-testid="security-form-status" data-status={status}>
            {status === 'saving' ? t('form.saving') : t('form.saved', { v: claimed })}
          </p>
        )}
        <div className="security-actions">
          <button
            type="submit"
            className="btn primary"
            disabled={!mayWrite || problems.length > 0 || status === 'saving'}
          >
            {shell('security.save')}
          </button>
          {confirmDelete ? (
            <>
              <button
                type="button"
                className="btn danger"
                data-testid="security-delete-confirm"
                onClick={() => void remove()}
              >
                {t('form.deleteConfirm')}
              </button>
              <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                {t('form.cancel')}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="btn"
              data-testid="security-delete"
              disabled={!mayWrite}
              onClick={() => setConfirmDelete(true)}
            >
              {t('form.delete')}
            </button>
          )}
          <button
            type="button"
            className="btn"
            data-testid="security-history-toggle"
            aria-pressed={showHistory}
            onClick={() => setShowHistory((s) => !s)}
          >
            {t('form.history')}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            {shell('security.close')}
          </button>
        </div>
      </form>
      {showHistory && <PointHistory layer={layer} id={id} version={claimed} t={t} />}
    </aside>
  );
}
