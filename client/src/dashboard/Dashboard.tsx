import type { Polygon } from 'geojson';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, isPassing, needsSignIn, onSessionChange, sessionToken } from '../api.ts';
import { errorText } from '../i18n/errors.ts';
import {
  type CompoundCoverage,
  type CoverageCounts,
  type CoverageNode,
  type CoverageResponse,
  type CoverageGap,
  type CoverageProposal,
  type CoverageSnapshot,
  type LedgerStats,
  type ScorecardSummary,
} from '../../../core/coverage.ts';
import { FIVE_TARGETS, type CompoundCategory, type ManagementMode } from '../../../core/vocabulary.ts';
import {
  canRecordSnapshot,
  exportLinks,
  recordSnapshot,
  fetchCoverage,
  fetchGaps,
  fetchLedgerStats,
  fetchProposals,
  polygonBbox,
  fetchScorecardSummary,
  fetchTrend,
  fetchWorstCompounds,
  type Place,
} from './dashboard-api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { usePlaceNames } from '../i18n/places.ts';
import { OVERLAY_COLOURS, type DashboardOverlay } from '../map/dashboard-overlay.ts';
import { mapViewPng, type MapImageSource } from './map-png.ts';
import { proposalDrafts, type ProposalDraft } from './draft-names.ts';
import { categoryKey, phaseKey, useDashboardText, type DashboardT } from './messages.ts';
import { Pager } from './Pager.tsx';
import { useRemembered } from './remembered.ts';
import { UncoveredList } from './UncoveredList.tsx';
import { liveFeedOn } from '../live/events.ts';
import { changesAreaLists, changesFigures } from '../live/relevance.ts';
import { useLiveRefresh } from '../live/use-live-refresh.ts';
import './dashboard.css';

type Bbox = [number, number, number, number];

export interface DashboardProps {
  /** Zooms the map to a place the user clicked. */
  onZoom?: (bbox: Bbox, maxZoom: number) => void;
  onClose: () => void;
  /** The map, for the report image of the current view. */
  mapImage?: MapImageSource | null;
  /**
   * Seconds between refreshes while open and the tab does not follow the live feed (signed out, or
   * the stream lost); while it does, a change in the place shown is read again within a second.
   */
  refreshSeconds?: number;
  /** 填补 / 采纳为草稿: hands a gap's or proposal's polygon to the editor as a new draft area. */
  onDraft?: (
    geometry: Polygon,
    attributes: { street_code: string; name: string; management_mode?: ManagementMode },
  ) => void;
  /** The gaps and proposals of the street shown (empty when none or left), for the map to draw. */
  onOverlay?: (overlay: DashboardOverlay) => void;
}

const CATEGORIES: CompoundCategory[] = ['three_no', 'self_managed', 'professional'];
const NEXT_LEVEL: Record<Place['level'], Place['level'] | null> = {
  city: 'district',
  district: 'street',
  street: 'community',
  community: null,
};

/** What the dashboard read for one place, tagged with that place so it is never shown under another. */
interface Figures {
  key: string;
  cov: CoverageResponse;
  trend: CoverageSnapshot[];
  worst: CompoundCoverage[];
  five: ScorecardSummary | null;
  ledger: LedgerStats;
}
/** The gaps and proposals of one street, most buildings first. */
interface AreaLists {
  street: string;
  gaps: CoverageGap[];
  proposals: CoverageProposal[];
}
const placeKey = (p: Place) => `${p.level}/${p.code ?? ''}`;

/** Gaps by the buildings they touch, most first (a gap with no building last), then by size. */
export const byBuildings = (gaps: CoverageGap[]) =>
  [...gaps].sort((a, b) => b.buildings - a.buildings || b.area_m2 - a.area_m2);
/** Proposals by the uncovered 三无 buildings they would cover, most first. */
export const byCovers = (proposals: CoverageProposal[]) =>
  [...proposals].sort(
    (a, b) => b.covers - a.covers || b.building_ids.length - a.building_ids.length || b.area_m2 - a.area_m2,
  );

const PAGE = 8;
/**
 * Children listed a page at a time, read a page at a time: a 社区 holds a few hundred compounds in
 * the demo city and tens of thousands in the 2,000,000-building one (issue 12).
 */
const CHILD_PAGE = 50;

const pct = (c: CoverageCounts) => (c.buildings ? (100 * c.covered) / c.buildings : null);
const fmtPct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)}%`);
/** YYYY-MM-DD, for the report image. */
const today = () => new Date().toISOString().slice(0, 10);

/**
 * 看板: coverage of 三无 buildings from the city down to a street, bars per child stacked by category,
 * the trend from the snapshots, 五有 at street level, the worst compounds, and the exports.
 */
export function Dashboard({
  onZoom,
  onClose,
  mapImage,
  refreshSeconds = 15,
  onDraft,
  onOverlay,
}: DashboardProps) {
  const { attributeLabel, lang } = useI18n();
  const { t: d } = useDashboardText();
  const names = usePlaceNames();
  // The city's crumb has no name of its own: it is shown as 全市 / Whole city in the current language.
  const [path, setPath] = useState<Place[]>([{ level: 'city', name: '' }]);
  const placeName = (p: Place) => (p.level === 'city' ? d('city') : names(p.code!, lang, p.name));
  const place = path[path.length - 1]!;
  const [figures, setFigures] = useState<Figures | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  // The page of children shown, for the visit of the place it was chosen in: another place, or the
  // same one reached again through the crumbs, starts at page 1.
  const [childPage, setChildPage] = useState<{ path: Place[] | null; n: number }>({ path: null, n: 0 });
  const childPageN = childPage.path === path ? childPage.n : 0;
  useLiveRefresh(
    (e) => changesFigures(e, place),
    () => setFiguresDirty(true),
  );
  // Bumped by ↻ and by the live feed (a change in the street): too heavy for the timed refresh.
  const [gapsTick, setGapsTick] = useState(0);
  // Feed events that changed what is shown since it was last read: read again once the read under
  // way is done (a new read would abort it, and a steady stream of saves would starve the panel).
  const [figuresDirty, setFiguresDirty] = useState(false);
  const [listsDirty, setListsDirty] = useState(false);
  // A read the feed asked for: when it fails (say 429 on the heavy lists) the figures shown stay.
  const quietLists = useRef(false);

  useEffect(() => {
    const ac = new AbortController();
    const key = placeKey(place);
    const street = place.level === 'street' ? place.code : undefined;
    setLoading(true);
    Promise.all([
      fetchCoverage(place, { limit: CHILD_PAGE, offset: childPageN * CHILD_PAGE }, ac.signal),
      fetchTrend(place, ac.signal),
      fetchWorstCompounds(place, ac.signal),
      street ? fetchScorecardSummary(street, ac.signal) : Promise.resolve(null),
      fetchLedgerStats(place, ac.signal),
    ])
      .then(([cov, trend, worst, five, ledger]) => {
        setFigures({ key, cov, trend, worst, five, ledger });
        setLoading(false);
        setError(null);
      })
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setLoading(false);
        setError(e);
      });
    return () => ac.abort();
  }, [place, tick, childPageN]);

  // Gaps and draft proposals of a street: heavier, so only on entering the street or on ↻.
  const street = place.level === 'street' ? place.code : undefined;
  // They need a login: signed out, the section asks for one instead of failing, and a sign-in
  // (or sign-out) in the editor reads them again.
  const [areaLists, setAreaLists] = useState<AreaLists | null>(null);
  const [listsLoading, setListsLoading] = useState(false);
  const [listsNeedSignIn, setListsNeedSignIn] = useState(() => !sessionToken());
  const [session, setSession] = useState(0);
  useEffect(() => onSessionChange(() => setSession((n) => n + 1)), []);
  useEffect(() => {
    if (!street) {
      setListsLoading(false);
      return;
    }
    if (!sessionToken()) {
      setAreaLists(null);
      setListsNeedSignIn(true);
      setListsLoading(false);
      return;
    }
    const ac = new AbortController();
    setListsNeedSignIn(false);
    setListsLoading(true);
    const quiet = quietLists.current;
    quietLists.current = false;
    Promise.all([fetchGaps(street, ac.signal), fetchProposals(street, ac.signal)])
      .then(([gaps, proposals]) => {
        setAreaLists({ street, gaps: byBuildings(gaps), proposals: byCovers(proposals) });
        setListsLoading(false);
      })

      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setListsLoading(false);
        if (quiet && !needsSignIn(e)) return;
        if (needsSignIn(e)) {
          setAreaLists(null);
          setListsNeedSignIn(true);
        } else setError(e);
      });
    return () => ac.abort();
  }, [street, gapsTick, session]);

  // Only what belongs to the place shown: a parent's figures never stand under a child's title.
  const current = figures?.key === placeKey(place) ? figures : null;
  const lists = street && areaLists?.street === street ? areaLists : null;
  const gaps = useMemo(() => lists?.gaps ?? [], [lists]);
  const proposals = useMemo(() => lists?.proposals ?? [], [lists]);

  useEffect(() => {
    onOverlay?.({ gaps: gaps.map((g) => g.geometry), proposals: proposals.map((p) => p.geometry) });
  }, [gaps, proposals, onOverlay]);
  useEffect(() => () => onOverlay?.({ gaps: [], proposals: [] }), [onOverlay]);

  const draft = (geometry: Polygon, attributes?: ProposalDraft) => {
    if (!street) return;
    onZoom?.(polygonBbox(geometry), 18);
    onDraft?.(
      geometry,
      attributes ?? { street_code: street, name: d('draft.draftName', { street: placeName(place) }) },
    );
  };
  // What each proposal opens with when adopted: a name of its own and a 管理模式 (issue 9 #3).
  const streetName = street ? placeName(place) : '';
  const proposalAttributes = useMemo(
    () => (street ? proposalDrafts(proposals, street, streetName, d) : []),
    [proposals, street, streetName, d],
  );

  useEffect(() => {
    const id = setInterval(() => {
      if (!liveFeedOn()) setTick((x) => x + 1);
    }, refreshSeconds * 1000);
    return () => clearInterval(id);
  }, [refreshSeconds]);
  // A read that failed in passing (the database restarting, a busy server, the network) is read
  // again by itself after the answer's Retry-After, else the refresh interval: with the live feed on
  // nothing else would, and a wall display would keep the error until someone pressed ↻.
  useEffect(() => {
    if (error === null || !isPassing(error)) return;
    const s = error instanceof ApiError && error.retryAfterS ? error.retryAfterS : refreshSeconds;
    const id = setTimeout(() => {
      setTick((x) => x + 1);
      setGapsTick((x) => x + 1);
    }, s * 1000);
    return () => clearTimeout(id);
  }, [error, refreshSeconds]);
  useEffect(() => {
    if (!figuresDirty || loading) return;
    setFiguresDirty(false);
    setTick((x) => x + 1);
  }, [figuresDirty, loading]);
  useLiveRefresh(
    (e) => street !== undefined && changesAreaLists(e, street),
    () => setListsDirty(true),
    1000,
  );
  useEffect(() => {
    if (!listsDirty || listsLoading) return;
    setListsDirty(false);
    quietLists.current = true;
    setGapsTick((x) => x + 1);
  }, [listsDirty, listsLoading]);

  const drill = useCallback(
    (child: CoverageNode) => {
      const next = NEXT_LEVEL[place.level];
      if (child.bbox) onZoom?.(child.bbox, next === 'community' ? 16 : 15);
      if (!next || !child.code || child.level === 'compound') return;
      setPath((p) => [...p, { level: next, code: child.code!, name: child.name }]);
    },
    [place.level, onZoom],
  );

  const links = exportLinks(place);
  const cov = current?.cov ?? null;
  const maxBuildings = Math.max(1, ...(cov?.children ?? []).map((c) => c.all.buildings));
  // Figures of this place being read again: kept, but greyed until the new ones arrive.
  const stale = loading && current !== null;
  const trend = current?.trend ?? [];
  const worst = current?.worst ?? [];
  const five = current?.five ?? null;
  const ledger = current?.ledger ?? null;

  const [collapsed, setCollapsed] = useRemembered('wuyou.dashboard.collapsed');
  return (
    <aside
      className={collapsed ? 'dashboard collapsed' : 'dashboard'}
      data-testid="dashboard"
      data-collapsed={collapsed ? 'true' : 'false'}
    >
      <header>
        <nav className="crumbs">
          {path.map((p, i) => (
            <button
              key={`${p.level}-${p.code ?? ''}`}
              type="button"
              className="link"
              disabled={i === path.length - 1}
              onClick={() => setPath(path.slice(0, i + 1))}
            >
              {placeName(p)}
            </button>
          ))}
        </nav>
        {(loading || listsLoading) && (
          <span
            className="dash-spinner"
            role="status"
            title={d('loading.busy')}
            aria-label={d('loading.busy')}
            data-testid="dashboard-busy"
          />
        )}
        {(stale || (lists !== null && listsLoading)) && (
          <span className="dash-updating muted" data-testid="dashboard-updating">
            {d('loading.updating')}
          </span>
        )}
        <button
          type="button"
          className="button"
          onClick={() => {
            setTick((x) => x + 1);
            setGapsTick((x) => x + 1);
          }}
          title={d('refresh')}
          aria-label={d('refresh')}
          data-testid="dashboard-refresh"
        >
          ↻
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={!collapsed}
          title={d(collapsed ? 'expand' : 'collapse')}
          aria-label={d(collapsed ? 'expand' : 'collapse')}
          data-testid="dashboard-collapse"
          onClick={() => setCollapsed(!collapsed)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
        <button
          type="button"
          className="button"
          onClick={onClose}
          title={d('close')}
          aria-label={d('close')}
          data-testid="dashboard-close"
        >
          ×
        </button>
      </header>
      {!collapsed && error !== null && <div className="dash-error">{errorText(lang, error)}</div>}
      {!collapsed && !current && loading && (
        <p className="dash-loading" role="status" data-testid="dashboard-loading">
          <span className="dash-spinner" aria-hidden="true" />
          {d('loading.place', { place: placeName(place) })}
        </p>
      )}
      {!collapsed && cov && (
        <div
          className={stale ? 'dash-body stale' : 'dash-body'}
          aria-busy={stale}
          data-testid="dashboard-body"
          data-stale={stale ? 'true' : 'false'}
        >
          <section className="kpis">
            <div>
              <span className="kpi" data-testid="uncovered-three-no">
                {cov.three_no.uncovered}
              </span>
              <span>{d('kpi.uncoveredThreeNo')}</span>
            </div>
            <div>
              <span className="kpi" data-testid="three-no-coverage">
                {fmtPct(pct(cov.three_no))}
              </span>
              <span>{d('kpi.threeNoCoverage')}</span>
            </div>
            <div>
              <span className="kpi">{fmtPct(pct(cov.all))}</span>
              <span>{d('kpi.allCoverage')}</span>
            </div>
            <div>
              <span className="kpi">{cov.all.straddling}</span>
              <span>{d('kpi.straddling')}</span>
            </div>
            {five && (
              <div>
                <span className="kpi" data-testid="five-have">
                  {fmtPct(five.compounds ? (100 * five.five_have) / five.compounds : null)}
                </span>
                <span>{d('kpi.fiveHave', { met: five.five_have, all: five.compounds })}</span>
              </div>
            )}
          </section>

          <section>
            <h3 data-testid="dashboard-children-title">{d('children.title')}</h3>
            <div className="legend">
              {CATEGORIES.map((k) => (
                <span key={k}>
                  <i className={`sw ${k}`} />
                  {d(categoryKey(k))}
                </span>
              ))}
            </div>
            <table className="bars">
              <tbody>
                {cov.children.map((c) => (
                  <tr key={c.code ?? 'none'} data-testid="dashboard-child">
                    <td>
                      <button type="button" className="link" onClick={() => drill(c)}>
                        {c.code === null
                          ? d('children.unassigned')
                          : c.level === 'compound'
                            ? c.name
                            : names(c.code, lang, c.name)}
                      </button>
                    </td>
                    <td className="bar">
                      {CATEGORIES.map((k) => (
                        <span
                          key={k}
                          className={`seg ${k}`}
                          style={{ width: `${(100 * c[k].buildings) / maxBuildings}%` }}
                          title={d('children.bar', {
                            category: d(categoryKey(k)),
                            buildings: c[k].buildings,
                            covered: c[k].covered,
                          })}
                        />
                      ))}
                    </td>
                    <td className="num">{fmtPct(pct(c.three_no))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cov.children_total > CHILD_PAGE && (
              <Pager
                testid="dashboard-children"
                page={Math.floor(cov.children_offset / CHILD_PAGE)}
                pages={Math.ceil(cov.children_total / CHILD_PAGE)}
                onGo={(n) => setChildPage({ path, n })}
                t={d}
              />
            )}
          </section>

          <section>
            <h3 data-testid="dashboard-trend-title">{d('trend.title')}</h3>
            <Trend snapshots={trend} t={d} />
            {canRecordSnapshot() && (
              <button
                type="button"
                className="button"
                onClick={() =>
                  recordSnapshot()
                    .then(() => setTick((x) => x + 1))
                    .catch((e: unknown) => setError(e))
                }
              >
                {d('trend.record')}
              </button>
            )}
          </section>

          {five && (
            <section>
              <h3>{d('targets.title')}</h3>
              <table className="targets">
                <tbody>
                  {FIVE_TARGETS.map((target) => (
                    <tr key={target}>
                      <td>{attributeLabel(target)}</td>
                      <td className="num">{five.by_target[target].met}</td>
                      <td className="num muted">
                        {d('targets.partly', { n: five.by_target[target].partly })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          {ledger && (
            <section>
              <h3>
                {d('ledger.title', { open: ledger.total.open, closed: ledger.total.closed })}{' '}
                <span data-testid="ledger-overdue">{ledger.total.overdue}</span>
              </h3>
              <table className="targets">
                <tbody>
                  {ledger.phases.map((p) => (
                    <tr key={p.phase}>
                      <td>{d(phaseKey(p.phase))}</td>
                      <td className="num">{d('ledger.open', { n: p.open })}</td>
                      <td className="num">{d('ledger.closed', { n: p.closed })}</td>
                      <td className="num muted">{d('ledger.overdue', { n: p.overdue })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          <section>
            <h3>{d('worst.title')}</h3>
            <ol className="worst" data-testid="worst-compounds">
              {worst
                .filter((w) => w.uncovered > 0)
                .map((w) => (
                  <li key={w.id}>
                    <button
                      type="button"
                      className="link"
                      disabled={!w.bbox}
                      onClick={() => w.bbox && onZoom?.(w.bbox, 17)}
                    >
                      {w.name}
                    </button>
                    <span className="muted">
                      {d('worst.uncovered', { uncovered: w.uncovered, buildings: w.buildings })}
                    </span>
                  </li>
                ))}
            </ol>
          </section>

          {street && <UncoveredList street={street} refreshKey={tick} t={d} onZoom={onZoom} />}

          {street && (
            <section
              className={lists && listsLoading ? 'stale' : undefined}
              aria-busy={listsLoading}
              data-testid="gaps-section"
            >
              <h3 data-testid="gaps-title">
                {lists
                  ? d('gaps.title', { gaps: gaps.length, proposals: proposals.length })
                  : d(listsNeedSignIn ? 'gaps.signIn' : listsLoading ? 'gaps.loading' : 'gaps.unknown')}
              </h3>
              <p className="overlay-legend muted" data-testid="overlay-legend">
                <span className="swatch gap" style={{ background: OVERLAY_COLOURS.gap }} />
                {d('gaps.legendGap')}
                <span className="swatch proposal" style={{ borderColor: OVERLAY_COLOURS.proposal }} />
                {d('gaps.legendProposal')}
              </p>
              {lists && (
                <>
                  <h4>{d('gaps.listTitle', { n: gaps.length })}</h4>
                  <Paged items={gaps} testid="gaps" t={d} resetKey={lists}>
                    {(g) => (
                      <li key={`g${g.index}`}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => onZoom?.(polygonBbox(g.geometry), 18)}
                        >
                          {d(g.kind === 'hole' ? 'gaps.hole' : 'gaps.sliver', { m2: Math.round(g.area_m2) })}
                        </button>
                        <span className="muted" data-testid="gap-buildings">
                          {d('gaps.buildings', { n: g.buildings })}
                        </span>
                        {onDraft && (
                          <button
                            type="button"
                            className="link"
                            data-testid="gap-fill"
                            title={d('draft.fillTitle')}
                            onClick={() => draft(g.geometry)}
                          >
                            {d('draft.fill')}
                          </button>
                        )}
                      </li>
                    )}
                  </Paged>
                  <h4>{d('proposal.listTitle', { n: proposals.length })}</h4>
                  <Paged items={proposals} testid="proposals" t={d} resetKey={lists}>
                    {(p) => (
                      <li key={`p${p.index}`}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => onZoom?.(polygonBbox(p.geometry), 17)}
                        >
                          {d('proposal.label', { m2: Math.round(p.area_m2) })}
                        </button>
                        <span className="muted" data-testid="proposal-covers">
                          {d('proposal.covers', { covers: p.covers, total: p.building_ids.length })}
                        </span>
                        {onDraft && (
                          <button
                            type="button"
                            className="link"
                            data-testid="proposal-accept"
                            title={d('draft.acceptDraftTitle')}
                            onClick={() => draft(p.geometry, proposalAttributes[proposals.indexOf(p)])}
                          >
                            {d('draft.acceptDraft')}
                          </button>
                        )}
                      </li>
                    )}
                  </Paged>
                </>
              )}
            </section>
          )}

          <section className="exports">
            <a href={links.coverageXlsx}>{d('export.coverageXlsx')}</a>
            <a href={links.coverageCsv}>{d('export.coverageCsv')}</a>
            <a href={links.ledgerXlsx}>{d('export.ledgerXlsx')}</a>
            <a href={links.uncoveredGeojson}>{d('export.uncoveredGeojson')}</a>
            {mapImage && (
              <button
                type="button"
                className="link"
                data-testid="map-png"
                onClick={() =>
                  mapViewPng(mapImage, {
                    title: d('png.title', { place: placeName(place) }),
                    date: d('png.date', { date: today() }),
                    legend: (category, covered) =>
                      d('png.legend', {
                        category: d(`png.${category}`),
                        state: d(covered ? 'png.covered' : 'png.uncovered'),
                      }),
                    failed: d('png.failed'),
                  })
                    .then((blob) => {
                      const a = document.createElement('a');
                      a.href = URL.createObjectURL(blob);
                      a.download = d('png.file', { place: placeName(place), date: today() });
                      a.click();
                      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
                    })
                    .catch((e: unknown) => setError(e))
                }
              >
                {d('export.mapPng')}
              </button>
            )}
          </section>
        </div>
      )}
    </aside>
  );
}

/** 三无 coverage % over the snapshots, as a small SVG line. */
function Trend({ snapshots, t }: { snapshots: CoverageSnapshot[]; t: DashboardT }) {
  const pts = snapshots
    .filter((s) => s.category === 'three_no' && s.buildings > 0)
    .map((s) => ({ t: Date.parse(s.taken_at), p: (100 * s.covered) / s.buildings }));
  if (pts.length < 2) return <p className="muted">{t('trend.tooFew')}</p>;
  const t0 = pts[0]!.t;
  const t1 = pts[pts.length - 1]!.t;
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * 280) + 10;
  const y = (p: number) => 90 - (p / 100) * 80;
  return (
    <svg className="trend" viewBox="0 0 300 100" role="img" aria-label={t('trend.title')}>
      <line x1="10" y1="90" x2="290" y2="90" className="axis" />
      <polyline points={pts.map((p) => `${x(p.t)},${y(p.p)}`).join(' ')} />
      <text x="10" y="8">
        {pts[0]!.p.toFixed(1)}%
      </text>
      <text x="290" y="8" textAnchor="end">
        {pts[pts.length - 1]!.p.toFixed(1)}%
      </text>
    </svg>
  );
}

/** A numbered list shown a page at a time, with 上一页 / 下一页; back to page 1 when `resetKey` changes. */
function Paged<T>({
  items,
  testid,
  t,
  resetKey,
  children,
}: {
  items: T[];
  testid: string;
  t: DashboardT;
  resetKey: unknown;
  children: (item: T) => ReactNode;
}) {
  const [page, setPage] = useState({ n: 0, key: resetKey });
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const n = page.key === resetKey ? Math.min(page.n, pages - 1) : 0;
  const go = (to: number) => setPage({ n: to, key: resetKey });
  if (!items.length) return <p className="muted">{t('list.empty')}</p>;
  return (
    <>
      <ol className="worst" start={n * PAGE + 1} data-testid={testid}>
        {items.slice(n * PAGE, (n + 1) * PAGE).map(children)}
      </ol>
      {pages > 1 && <Pager testid={testid} page={n} pages={pages} onGo={go} t={t} />}
    </>
  );
}
