import { MANAGEMENT_MODES, AREA_STATUSES } from '../../../../core/vocabulary.ts';
import { REQUIRED_FIELDS, type FieldError } from '../../editor/attributes.ts';
import type { AreaAttributes, AttributeField } from '../../editor/types.ts';
import type { EditorMessageKey, EditorT } from './messages.ts';

export interface AttributeFormProps {
  t: EditorT;
  attributes: AreaAttributes;
  errors: Partial<Record<AttributeField, FieldError>>;
  /** Show errors of untouched fields too (after a save attempt). */
  showAll: boolean;
  touched: ReadonlySet<AttributeField>;
  streets: { code: string; name: string }[];
  communities: { code: string; name: string; parent_code: string | null }[];
  /** A street editor's street is fixed. */
  lockedStreet: string | null;
  onChange(field: AttributeField, value: string): void;
}

const LABELS: Record<AttributeField, EditorMessageKey> = {
  name: 'form.name',
  street_code: 'form.street',
  community_code: 'form.community',
  management_mode: 'form.mode',
  provider: 'form.provider',
  helper_unit: 'form.helperUnit',
  grid_worker: 'form.gridWorker',
  status: 'form.status',
  notes: 'form.notes',
};

/** The area's attributes; required fields are marked and a bad value is explained beside its field. */
export function AttributeForm(p: AttributeFormProps) {
  const { t, attributes: a } = p;
  const field = (f: AttributeField, input: React.ReactNode) => {
    const err = p.errors[f];
    const shown = err && (p.showAll || p.touched.has(f));
    const required = REQUIRED_FIELDS.includes(f);
    return (
      <label className={`editor-field${shown ? ' invalid' : ''}`} key={f}>
        <span className="editor-label">
          {t(LABELS[f])}
          {required && (
            <abbr className="required" title={t('form.required')}>
              *
            </abbr>
          )}
        </span>
        {input}
        {shown && (
          <span className="field-error" role="alert" data-testid={`field-error-${f}`}>
            {t(`field_error.${err}` as EditorMessageKey)}
          </span>
        )}
      </label>
    );
  };
  const text = (f: AttributeField, multiline = false) =>
    multiline ? (
      <textarea
        data-testid={`field-${f}`}
        value={a[f]}
        rows={2}
        onChange={(e) => p.onChange(f, e.target.value)}
      />
    ) : (
      <input data-testid={`field-${f}`} value={a[f]} onChange={(e) => p.onChange(f, e.target.value)} />
    );
  /** A 街道 or 社区 chosen by name; a stored code the list does not hold stays choosable as itself. */
  const place = (
    f: 'street_code' | 'community_code',
    places: readonly { code: string; name: string }[],
    disabled = false,
  ) => (
    <select
      data-testid={`field-${f}`}
      value={a[f]}
      disabled={disabled}
      onChange={(e) => p.onChange(f, e.target.value)}
    >
      <option value="">{t('form.choose')}</option>
      {places.map((j) => (
        <option key={j.code} value={j.code}>
          {j.name}
        </option>
      ))}
      {a[f] && !places.some((j) => j.code === a[f]) && <option value={a[f]}>{a[f]}</option>}
    </select>
  );
  // A street editor is offered their own street only (issue 9 #10), not all of the city's.
  const streets = p.lockedStreet ? p.streets.filter((s) => s.code === p.lockedStreet) : p.streets;
  const communities = p.communities.filter((c) => !a.street_code || c.parent_code === a.street_code);
  return (
    <section className="editor-section editor-form" data-testid="editor-form">
      <h3>{t('form.title')}</h3>
      {field('name', text('name'))}
      {field('street_code', place('street_code', streets, !!p.lockedStreet))}
      {field('community_code', place('community_code', communities))}
      {field(
        'management_mode',
        <select
          data-testid="field-management_mode"
          value={a.management_mode}
          onChange={(e) => p.onChange('management_mode', e.target.value)}
        >
          <option value="">{t('form.choose')}</option>
          {MANAGEMENT_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`mode.${m}`)}
            </option>
          ))}
        </select>,
      )}
      {field('provider', text('provider'))}
      {field('helper_unit', text('helper_unit'))}
      {field('grid_worker', text('grid_worker'))}
      {field(
        'status',
        <select
          data-testid="field-status"
          value={a.status}
          onChange={(e) => p.onChange('status', e.target.value)}
        >
          {AREA_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>,
      )}
      {field('notes', text('notes', true))}
    </section>
  );
}
