import { useEffect, useState } from 'react';
import type { UncoveredPage } from '../../../core/coverage.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { usePlaceNames } from '../i18n/places.ts';
import { fetchUncoveredPage } from './dashboard-api.ts';
import type { DashboardT } from './messages.ts';
import { Pager } from './Pager.tsx';

type Bbox = [number, number, number, number];

const PAGE = 10;
/** Typing pauses this long before the list is asked again. */
const SEARCH_PAUSE_MS = 300;

/**
 * 未覆盖三无楼栋: the street's 三无 buildings no service area covers yet, searchable by address, building
 * or compound name and compound code, paged on the server; a click zooms the map to the building.
 */
export function UncoveredList({
  street,
  refreshKey,
  t,
  onZoom,
}: {
  street: string;
  /** Changes when the dashboard is refreshed (an area saved since may cover some). */
  refreshKey: unknown;
  t: DashboardT;
  onZoom?: (bbox: Bbox, maxZoom: number) => void;
}) {
  const { lang } = useI18n();
  const names = usePlaceNames();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ key: string; data: UncoveredPage } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = `${street}|${q}|${offset}`;

  // Back to the first page when the street changes.
  const [shownStreet, setShownStreet] = useState(street);
  if (shownStreet !== street) {
    setShownStreet(street);
    setText('');
    setQ('');
    setOffset(0);
  }

  useEffect(() => {
    if (text === q) return;
    const id = setTimeout(() => {
      setQ(text);
      setOffset(0);
    }, SEARCH_PAUSE_MS);
    return () => clearTimeout(id);
  }, [text, q]);

  useEffect(() => {
    const ac = new AbortController();
    fetchUncoveredPage(street, { q, limit: PAGE, offset }, ac.signal)
      .then((data) => {
        setPage({ key: `${street}|${q}|${offset}`, data });
        setError(null);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e);
      });
    return () => ac.abort();
  }, [street, q, offset, refreshKey]);

  // The page of another street is never shown; one of this street being re-read is greyed.
  const data = page && page.data.street === street ? page.data : null;
  const loading = page?.key !== key;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const n = Math.floor(offset / PAGE);

  return (
    <section
      className={data && loading ? 'stale' : undefined}
      aria-busy={loading}
      data-testid="uncovered-section"
      data-loading={loading ? 'true' : 'false'}
    >
      <h3 data-testid="uncovered-title">
        {data
          ? t(data.q ? 'uncovered.titleFound' : 'uncovered.title', {
              n: data.total,
              compounds: data.compounds,
            })
          : t('uncovered.loading')}
      </h3>
      <input
        type="search"
        className="dash-search"
        value={text}
        placeholder={t('uncovered.search')}
        aria-label={t('uncovered.search')}
        data-testid="uncovered-search"
        onChange={(e) => setText(e.target.value)}
      />
      {error !== null && <div className="dash-error">{errorText(lang, error)}</div>}
      {!data && !error && (
        <p className="dash-loading" role="status">
          <span className="dash-spinner" aria-hidden="true" />
          {t('uncovered.loading')}
        </p>
      )}
      {data && data.items.length === 0 && (
        <p className="muted" data-testid="uncovered-empty">
          {t(data.q ? 'uncovered.noMatch' : 'uncovered.none')}
        </p>
      )}
      {data && data.items.length > 0 && (
        <ol className="worst uncovered" start={data.offset + 1} data-testid="uncovered-list">
          {data.items.map((b) => {
            // Data (addresses, compound and community names) is marked, so it is told from the words.
            const community = b.community_code ? names(b.community_code, lang, '') : '';
            return (
              <li key={b.id} data-testid="uncovered-item" data-id={b.id}>
                <button
                  type="button"
                  className="link"
                  title={t('uncovered.zoom')}
                  onClick={() => onZoom?.(b.bbox, 18)}
                >
                  {b.address || b.name ? (
                    <span data-name="">{b.address || b.name}</span>
                  ) : (
                    t('uncovered.building', { id: b.id })
                  )}
                </button>{' '}
                <span className="muted">
                  {b.compound_name ? <span data-name="">{b.compound_name}</span> : t('uncovered.noCompound')}
                  {community && (
                    <>
                      {' · '}
                      <span data-name="">{community}</span>
                    </>
                  )}
                  {b.households != null && ` · ${t('uncovered.households', { n: b.households })}`}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {data && pages > 1 && (
        <Pager testid="uncovered" page={n} pages={pages} onGo={(to) => setOffset(to * PAGE)} t={t} />
      )}
    </section>
  );
}
