import { useEffect, useState } from 'react';
import { fetchFeatures } from '../../api.ts';
import type { SecurityT } from './messages.ts';

/** How far around the point compounds are offered (a gate sits on its compound's edge). */
const NEAR_M = 150;

interface Choice {
  id: number;
  name: string;
}

export interface CompoundFieldProps {
  /** Prefix of the select's id (`gate-form` → `gate-form-compound_id`). */
  idPrefix: string;
  at: number[];
  value: number | null;
  onChange(value: number | null): void;
  invalid: boolean;
  t: SecurityT;
}

/**
 * The compound (小区) a camera or gate belongs to, chosen by name among the compounds around it
 * rather than typed as an id; the stored one stays offered even when it lies farther away.
 */
export function CompoundField({ idPrefix, at, value, onChange, invalid, t }: CompoundFieldProps) {
  const [choices, setChoices] = useState<Choice[]>([]);
  const [lon, lat] = at as [number, number];
  useEffect(() => {
    const ac = new AbortController();
    const dLat = NEAR_M / 111_000;
    const dLon = dLat / Math.cos((lat * Math.PI) / 180);
    fetchFeatures('compounds', [lon - dLon, lat - dLat, lon + dLon, lat + dLat], ac.signal)
      .then((fc) =>
        setChoices(
          fc.features
            .map((f) => ({ id: Number(f.properties?.id ?? f.id), name: String(f.properties?.name ?? '') }))
            .filter((c) => Number.isSafeInteger(c.id))
            .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
        ),
      )
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('compounds near the point:', e.message);
      });
    return () => ac.abort();
  }, [lon, lat]);
  const listed = value === null || choices.some((c) => c.id === value);
  return (
    <>
      <label htmlFor={`${idPrefix}-compound_id`}>{t('field.compound')}</label>
      <select
        id={`${idPrefix}-compound_id`}
        name="compound_id"
        value={value === null ? '' : String(value)}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      >
        <option value="">{t('field.compoundNone')}</option>
        {!listed && <option value={String(value)}>{t('field.compoundId', { id: String(value) })}</option>}
        {choices.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {c.name || t('field.compoundId', { id: String(c.id) })}
          </option>
        ))}
      </select>
    </>
  );
}
