import { sectorProblems } from '../../../../core/cameras/index.ts';
import {
  CAMERA_STATUSES,
  CAMERA_SYSTEMS,
  CAMERA_TYPES,
  type CameraStatus,
  type CameraSystem,
  type CameraType,
} from '../../../../core/vocabulary.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { CompoundField } from './CompoundField.tsx';
import type { SecurityT } from './messages.ts';

/** A camera's attributes as its form holds them (numbers as typed, so a half-typed value is kept). */
export interface CameraValues {
  name: string;
  system: CameraSystem;
  type: CameraType;
  direction_deg: string;
  fov_deg: string;
  range_m: string;
  height_m: string;
  indoor: boolean;
  status: CameraStatus;
  compound_id: number | null;
}

/** What the map redraws live while the form is edited. */
export interface CameraPreview {
  directionDeg: number | null;
  fovDeg: number;
  rangeM: number;
  status: CameraStatus;
  system: CameraSystem;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export function cameraValues(p: Record<string, unknown>): CameraValues {
  return {
    name: text(p.name),
    system: (p.system ?? 'other') as CameraSystem,
    type: (p.type ?? 'fixed') as CameraType,
    direction_deg: text(p.direction_deg),
    fov_deg: text(p.fov_deg),
    range_m: text(p.range_m),
    height_m: text(p.height_m),
    indoor: p.indoor === true,
    status: (p.status ?? 'active') as CameraStatus,
    compound_id: typeof p.compound_id === 'number' ? p.compound_id : null,
  };
}

const num = (s: string): number | null => (s.trim() === '' ? null : Number(s));

/** The properties to PUT: the form's values over what is stored. */
export function cameraProperties(v: CameraValues): Record<string, unknown> {
  return {
    name: v.name.trim() === '' ? null : v.name.trim(),
    system: v.system,
    type: v.type,
    direction_deg: num(v.direction_deg),
    fov_deg: num(v.fov_deg),
    range_m: num(v.range_m),
    height_m: num(v.height_m),
    indoor: v.indoor,
    status: v.status,
    compound_id: v.compound_id,
  };
}

/**
 * What is wrong with the values, in the server's words (core's sectorProblems is what the API runs),
 * so the message the form shows is the one a PUT would answer with.
 */
export function cameraProblems(v: CameraValues): { field: string; message: string }[] {
  const fov = num(v.fov_deg);
  const range = num(v.range_m);
  const out = sectorProblems({
    direction_deg: num(v.direction_deg),
    fov_deg: fov ?? NaN,
    range_m: range ?? NaN,
  }).map((p) => ({ field: p.field, message: p.message }));
  const h = num(v.height_m);
  if (h !== null && !(h >= 0 && h <= 500))
    out.push({ field: 'height_m', message: `height_m ${v.height_m} must be from 0 to 500 metres` });
  return out;
}

export function cameraPreview(v: CameraValues): CameraPreview {
  return {
    directionDeg: num(v.direction_deg),
    fovDeg: Number(v.fov_deg),
    rangeM: Number(v.range_m),
    status: v.status,
    system: v.system,
  };
}

export interface CameraFieldsProps {
  values: CameraValues;
  /** Where the camera stands (compounds around it are offered). */
  at: number[];
  onChange(values: CameraValues): void;
  /** The field the server blamed, outlined. */
  badField: string | null;
  t: SecurityT;
}

/** The camera's fields: name, programme, type, the sector's numbers, height, indoor, status, compound. */
export function CameraFields({ values, at, onChange, badField, t }: CameraFieldsProps) {
  const shell = useI18n().t;
  const set = <K extends keyof CameraValues>(k: K, v: CameraValues[K]) => onChange({ ...values, [k]: v });
  const numberField = (name: 'direction_deg' | 'fov_deg' | 'range_m' | 'height_m', label: string) => (
    <>
      <label htmlFor={`camera-${name}`}>{label}</label>
      <input
        id={`camera-${name}`}
        name={name}
        type="number"
        step="any"
        value={values[name]}
        aria-invalid={badField === name || undefined}
        onChange={(e) => set(name, e.target.value)}
      />
    </>
  );
  const select = <K extends 'system' | 'type' | 'status'>(
    name: K,
    label: string,
    options: readonly CameraValues[K][],
  ) => (
    <>
      <label htmlFor={`camera-${name}`}>{label}</label>
      <select
        id={`camera-${name}`}
        name={name}
        value={values[name]}
        aria-invalid={badField === name || undefined}
        onChange={(e) => set(name, e.target.value as CameraValues[K])}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {shell(`enum.${name}.${o}` as MessageKey)}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <div className="security-fields">
      <label htmlFor="camera-name">{t('field.name')}</label>
      <input id="camera-name" name="name" value={values.name} onChange={(e) => set('name', e.target.value)} />
      {select('system', t('field.system'), CAMERA_SYSTEMS)}
      {select('type', t('field.type'), CAMERA_TYPES)}
      {numberField('direction_deg', shell('security.direction'))}
      {numberField('fov_deg', shell('security.fov'))}
      {numberField('range_m', shell('security.range'))}
      {numberField('height_m', t('field.height'))}
      <label htmlFor="camera-indoor">{t('field.indoor')}</label>
      <input
        id="camera-indoor"
        name="indoor"
        type="checkbox"
        checked={values.indoor}
        aria-invalid={badField === 'indoor' || undefined}
        onChange={(e) => set('indoor', e.target.checked)}
      />
      {select('status', shell('security.status'), CAMERA_STATUSES)}
      <CompoundField
        idPrefix="camera"
        at={at}
        value={values.compound_id}
        invalid={badField === 'compound_id'}
        onChange={(compound_id) => onChange({ ...values, compound_id })}
        t={t}
      />
    </div>
  );
}
