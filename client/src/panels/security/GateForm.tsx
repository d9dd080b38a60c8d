import { GATE_KINDS, type GateKind } from '../../../../core/vocabulary.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { CompoundField } from './CompoundField.tsx';
import type { SecurityT } from './messages.ts';

/** A gate's attributes as its form holds them (the columns of `gates` the API takes). */
export interface GateValues {
  name: string;
  kind: GateKind;
  /** 门禁: card reader, face recognition or a guarded barrier. */
  access_control: boolean;
  compound_id: number | null;
}

export function gateValues(p: Record<string, unknown>): GateValues {
  return {
    name: typeof p.name === 'string' ? p.name : '',
    kind: (p.kind ?? 'pedestrian') as GateKind,
    access_control: p.access_control === true,
    compound_id: typeof p.compound_id === 'number' ? p.compound_id : null,
  };
}

export function gateProperties(v: GateValues): Record<string, unknown> {
  return {
    name: v.name.trim() === '' ? null : v.name.trim(),
    kind: v.kind,
    access_control: v.access_control,
    compound_id: v.compound_id,
  };
}

export interface GateFieldsProps {
  values: GateValues;
  /** Where the gate stands (compounds around it are offered). */
  at: number[];
  onChange(values: GateValues): void;
  badField: string | null;
  t: SecurityT;
}

/** Kind (车行 / 人行 / 单元门), access control (门禁), name and compound. */
export function GateFields({ values, at, onChange, badField, t }: GateFieldsProps) {
  const shell = useI18n().t;
  return (
    <div className="security-fields">
      <label htmlFor="gate-form-kind">{t('field.kind')}</label>
      <select
        id="gate-form-kind"
        name="kind"
        value={values.kind}
        aria-invalid={badField === 'kind' || undefined}
        onChange={(e) => onChange({ ...values, kind: e.target.value as GateKind })}
      >
        {GATE_KINDS.map((k) => (
          <option key={k} value={k}>
            {shell(`enum.kind.${k}`)}
          </option>
        ))}
      </select>
      <label htmlFor="gate-form-access_control" title={t('gate.access_control.hint')}>
        {t('gate.access_control')}
      </label>
      <input
        id="gate-form-access_control"
        name="access_control"
        type="checkbox"
        checked={values.access_control}
        aria-invalid={badField === 'access_control' || undefined}
        onChange={(e) => onChange({ ...values, access_control: e.target.checked })}
      />
      <label htmlFor="gate-form-name">{t('field.name')}</label>
      <input
        id="gate-form-name"
        name="name"
        value={values.name}
        aria-invalid={badField === 'name' || undefined}
        onChange={(e) => onChange({ ...values, name: e.target.value })}
      />
      <CompoundField
        idPrefix="gate-form"
        at={at}
        value={values.compound_id}
        invalid={badField === 'compound_id'}
        onChange={(compound_id) => onChange({ ...values, compound_id })}
        t={t}
      />
    </div>
  );
}
