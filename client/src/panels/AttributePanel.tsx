import { useEffect, useState, type ReactNode } from 'react';
import { authorName, isAuthorField } from '../../../core/api.ts';
import type { Scorecard } from '../../../core/coverage.ts';
import { fetchFeatures, getJson, type Bbox } from '../api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { errorText } from '../i18n/errors.ts';
import { usePlaceNames } from '../i18n/places.ts';
import type { MessageKey } from '../i18n/messages.ts';
import type { PickedFeature } from '../map/controller.ts';
import { FEATURE_KEY } from '../map/style.ts';
import { CompoundCard } from './compound/CompoundCard.tsx';

export interface Picked {
  features: PickedFeature[];
  /** Which of them is shown. */
  index: number;
  /** Where the click was (lon, lat). */
  at: [number, number];
}

export interface AttributePanelProps {
  picked: Picked;
  onShow(index: number): void;
  onClose(): void;
}

type Details =
  | { state: 'loading' }
  | { state: 'done'; properties: Record<string, unknown> | null }
  | { state: 'failed'; error: unknown };

/** Half the side of the box asked for around a click: points need some slack, areas none. */
function around([lon, lat]: [number, number], layer: PickedFeature['layer']): Bbox {
  const d = layer === 'cameras' || layer === 'gates' ? 0.0003 : 0.00001;
  return [lon - d, lat - d, lon + d, lat + d];
}

/**
 * 属性: the clicked feature's attributes with human labels. Tiles carry a few columns; the panel
 * shows those at once and then every column from `GET /api/<layer>?bbox=<the click>`.
 */
export function AttributePanel({ picked, onShow, onClose }: AttributePanelProps) {
  const { t, lang, attributeLabel, attributeValue } = useI18n();
  const placeName = usePlaceNames();
  const feature = picked.features[picked.index]!;
  const [details, setDetails] = useState<{ for: string; d: Details } | null>(null);
  const id = `${feature.layer}/${feature.key}`;

  useEffect(() => {
    const ac = new AbortController();
    fetchFeatures(feature.layer, around(picked.at, feature.layer), ac.signal)
      .then((fc) => {
        const key = FEATURE_KEY[feature.layer];
        const hit = fc.features.find((f) => String(f.properties?.[key]) === feature.key);
        setDetails({ for: id, d: { state: 'done', properties: hit?.properties ?? null } });
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setDetails({ for: id, d: { state: 'failed', error: e } });
      });
    return () => ac.abort();
  }, [feature.layer, feature.key, picked.at, id]);

  const d: Details = details?.for === id ? details.d : { state: 'loading' };
  const properties = { ...feature.properties, ...(d.state === 'done' ? (d.properties ?? {}) : {}) };
  // A building names its compound by id: its name comes with the compound's scorecard.
  const compoundOf = feature.layer === 'buildings' ? properties.compound_id : null;
  const [compoundName, setCompoundName] = useState<{ id: string; name: string } | null>(null);
  useEffect(() => {
    if (compoundOf === null || compoundOf === undefined) return;
    const ac = new AbortController();
    getJson<Scorecard>(`/api/compounds/${encodeURIComponent(String(compoundOf))}/scorecard`, ac.signal)
      .then((card) => setCompoundName({ id: String(compoundOf), name: card.compound.name }))
      .catch(() => undefined); // the id stays shown
    return () => ac.abort();
  }, [compoundOf]);

  const english = lang === 'en' && typeof properties.name_en === 'string' && properties.name_en;
  const name = english || (typeof properties.name === 'string' && properties.name ? properties.name : null);
  const kind = t(`kind.${feature.layer}` as MessageKey);
  // A compound, or a building of one, shows the compound's 五有 and 问题清单 below its attributes.
  const compoundId =
    feature.layer === 'compounds'
      ? Number(feature.key)
      : feature.layer === 'buildings' && properties.compound_id != null
        ? Number(properties.compound_id)
        : null;

  const showsCard = compoundId !== null && Number.isInteger(compoundId) && compoundId > 0;
  /** A value: places and the compound by name with their code after in grey; the rest as worded. */
  const cell = (k: string, v: unknown): ReactNode => {
    if (
      typeof v === 'string' &&
      v &&
      (k === 'street_code' || k === 'community_code' || k === 'parent_code')
    ) {
      const name = placeName(v, lang);
      return name === v ? v : <Named name={name} code={v} />;
    }
    if (k === 'compound_id' && v != null && compoundName?.id === String(v))
      return <Named name={compoundName.name} code={String(v)} />;
    return attributeValue(k, v);
  };

  return (
    <aside className="panel right" data-testid="attribute-panel" data-layer={feature.layer}>
      <header>
        <div>
          <div className="kind" data-testid="attribute-kind">
            {kind}
          </div>
          <h2 data-testid="attribute-title">{name ?? `${kind} ${feature.key}`}</h2>
        </div>
        <button
          type="button"
          className="close"
          aria-label={t('panel.close')}
          title={t('panel.close')}
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <table className="attributes">
        <tbody>
          {Object.entries(properties)
            .filter(([k]) => k !== 'name' || !name)
            // The 五有 scorecard below is the one source of a compound's targets: the stored columns
            // (survey or import) would contradict what it derives, so they are not listed twice.
            .filter(([k]) => !(showsCard && k.startsWith('wy_')))
            // Who created or edited it: told to signed-in readers only (issue 10), shown when told.
            .filter(([k, v]) => !isAuthorField(k) || authorName(v) !== null)
            .map(([k, v]) => (
              <tr key={k} data-testid={`attr-${k}`}>
                <th>{attributeLabel(k)}</th>
                <td>{cell(k, v)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {d.state === 'loading' && <p className="muted">{t('panel.loading')}</p>}
      {d.state === 'failed' && (
        <p className="error">{t('panel.detailFailed', { message: errorText(lang, d.error) })}</p>
      )}
      {showsCard && <CompoundCard compoundId={compoundId} />}
      {picked.features.length > 1 && (
        <section className="also">
          <h3>{t('panel.alsoHere')}</h3>
          <ul>
            {picked.features.map((f, i) =>
              i === picked.index ? null : (
                <li key={`${f.layer}/${f.key}`}>
                  <button type="button" className="link" onClick={() => onShow(i)}>
                    {t(`kind.${f.layer}` as MessageKey)} ·{' '}
                    {typeof f.properties.name === 'string' ? f.properties.name : f.key}
                  </button>
                </li>
              ),
            )}
          </ul>
        </section>
      )}
    </aside>
  );
}

/** A place or compound by name, its code after it in grey. */
function Named({ name, code }: { name: string; code: string }) {
  return (
    <>
      {name} <span className="muted code">{code}</span>
    </>
  );
}
