import type { Polygon } from 'geojson';
import { useCallback, useEffect, useState } from 'react';
import {
  CATEGORY_LABELS,
  TARGET_LABELS,
  type CompoundCoverage,
  type CoverageCounts,
  type CoverageNode,
  type CoverageResponse,
  type CoverageGap,
  type CoverageProposal,
  type CoverageSnapshot,
  type LedgerStats,
  PHASE_LABELS,
} from '../../../core/coverage.ts';
import { FIVE_TARGETS, type CompoundCategory } from '../../../core/vocabulary.ts';
import {
  canRecordSnapshot,
  exportLinks,
  recordSnapshot,
  fetchCoverage,
  fetchGaps,
  fetchLedgerStats,
  fetchProposals,
  polygonBbox,
  fetchScorecards,
  fetchTrend,
  fetchWorstCompounds,
  type Place,
  type ScorecardSummary,
} from './dashboard-api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { mapViewPng, type MapImageSource } from './map-png.ts';
import './dashboard.css';

type Bbox = [number, number, number, number];

export interface DashboardProps {
  /** Zooms the map to a place the user clicked. */
  onZoom?: (bbox: Bbox, maxZoom: number) => void;
  onClose: () => void;
  /** The map, for the report image of the current view. */
  mapImage?: MapImageSource | null;
  /** Seconds between refreshes while open (an area saved elsewhere shows up). */
  refreshSeconds?: number;
  /** 填补 / 采纳为草稿: hands a gap's or proposal's polygon to the editor as a new draft area. */
  onDraft?: (geometry: Polygon, attributes: { street_code: string; name: string }) => void;
  /** The proposals of the street shown (empty when none or left), for the map to draw as ghosts. */
  onProposals?: (polygons: Polygon[]) => void;
}

const CATEGORIES: CompoundCategory[] = ['three_no', 'self_managed', 'professional'];
const NEXT_LEVEL: Record<Place['level'], Place['level'] | null> = {
  city: 'district',
  district: 'street',
  street: 'community',
  community: null,
};

const pct = (c: CoverageCounts) => (c.buildings ? (100 * c.covered) / c.buildings : null);
const fmtPct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)}%`);

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
  onProposals,
}: DashboardProps) {
  const { t } = useI18n();
  const [path, setPath] = useState<Place[]>([{ level: 'city', name: '全市' }]);
  const place = path[path.length - 1]!;
  const [cov, setCov] = useState<CoverageResponse | null>(null);
  const [trend, setTrend] = useState<CoverageSnapshot[]>([]);
  const [worst, setWorst] = useState<CompoundCoverage[]>([]);
  const [five, setFive] = useState<ScorecardSummary | null>(null);
  const [ledger, setLedger] = useState<LedgerStats | null>(null);
  const [gaps, setGaps] = useState<CoverageGap[]>([]);
  const [proposals, setProposals] = useState<CoverageProposal[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    const street = place.level === 'street' ? place.code : undefined;
    Promise.all([
      fetchCoverage(place, ac.signal),
      fetchTrend(place, ac.signal),
      fetchWorstCompounds(street, ac.signal),
      street ? fetchScorecards(street, ac.signal).then((r) => r.summary) : Promise.resolve(null),
      fetchLedgerStats(street, ac.signal),
    ])
      .then(([c, t, w, f, l]) => {
        setLedger(l);
        setCov(c);
        setTrend(t);
        setWorst(w);
        setFive(f);
        setError(null);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e.message);
      });
    return () => ac.abort();
  }, [place, tick]);

  // Gaps and draft proposals of a street: heavier, so only on entering the street or on ↻.
  const street = place.level === 'street' ? place.code : undefined;
  useEffect(() => {
    setGaps([]);
    setProposals([]);
    if (!street) return;
    const ac = new AbortController();
    Promise.all([fetchGaps(street, ac.signal), fetchProposals(street, ac.signal)])
      .then(([g, p]) => {
        setGaps(g);
        setProposals(p);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e.message);
      });
    return () => ac.abort();
  }, [street]);

  useEffect(() => {
    onProposals?.(proposals.map((p) => p.geometry));
  }, [proposals, onProposals]);
  useEffect(() => () => onProposals?.([]), [onProposals]);

  const draft = (geometry: Polygon) => {
    if (!street) return;
    onZoom?.(polygonBbox(geometry), 18);
    onDraft?.(geometry, { street_code: street, name: t('dashboard.draftName', { street: place.name }) });
  };

  useEffect(() => {
    const id = setInterval(() => setTick((x) => x + 1), refreshSeconds * 1000);
    return () => clearInterval(id);
  }, [refreshSeconds]);

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
  const maxBuildings = Math.max(1, ...(cov?.children ?? []).map((c) => c.all.buildings));

  return (
    <aside className="dashboard" data-testid="dashboard">
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
              {p.name}
            </button>
          ))}
        </nav>
        <button type="button" className="button" onClick={() => setTick((x) => x + 1)} title="刷新">
          ↻
        </button>
        <button type="button" className="button" onClick={onClose} data-testid="dashboard-close">
          ×
        </button>
      </header>
      {error && <div className="dash-error">{error}</div>}
      {cov && (
        <>
          <section className="kpis">
            <div>
              <span className="kpi" data-testid="uncovered-three-no">
                {cov.three_no.uncovered}
              </span>
              <span>未覆盖三无楼栋</span>
            </div>
            <div>
              <span className="kpi" data-testid="three-no-coverage">
                {fmtPct(pct(cov.three_no))}
              </span>
              <span>三无覆盖率</span>
            </div>
            <div>
              <span className="kpi">{fmtPct(pct(cov.all))}</span>
              <span>全部覆盖率</span>
            </div>
            <div>
              <span className="kpi">{cov.all.straddling}</span>
              <span>跨界楼栋</span>
            </div>
            {five && (
              <div>
                <span className="kpi" data-testid="five-have">
                  {fmtPct(five.compounds ? (100 * five.five_have) / five.compounds : null)}
                </span>
                <span>
                  五有达标（{five.five_have}/{five.compounds}）
                </span>
              </div>
            )}
          </section>

          <section>
            <h3>下级（楼栋数，按类别；右为三无覆盖率）</h3>
            <div className="legend">
              {CATEGORIES.map((k) => (
                <span key={k}>
                  <i className={`sw ${k}`} />
                  {CATEGORY_LABELS[k]}
                </span>
              ))}
            </div>
            <table className="bars">
              <tbody>
                {cov.children.map((c) => (
                  <tr key={c.code ?? 'none'} data-testid="dashboard-child">
                    <td>
                      <button type="button" className="link" onClick={() => drill(c)}>
                        {c.name}
                      </button>
                    </td>
                    <td className="bar">
                      {CATEGORIES.map((k) => (
                        <span
                          key={k}
                          className={`seg ${k}`}
                          style={{ width: `${(100 * c[k].buildings) / maxBuildings}%` }}
                          title={`${CATEGORY_LABELS[k]}：${c[k].buildings} 栋，已覆盖 ${c[k].covered}`}
                        />
                      ))}
                    </td>
                    <td className="num">{fmtPct(pct(c.three_no))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section>
            <h3>三无覆盖率趋势</h3>
            <Trend snapshots={trend} />
            {canRecordSnapshot() && (
              <button
                type="button"
                className="button"
                onClick={() =>
                  recordSnapshot()
                    .then(() => setTick((x) => x + 1))
                    .catch((e: Error) => setError(e.message))
                }
              >
                记录快照
              </button>
            )}
          </section>

          {five && (
            <section>
              <h3>五有各项达标</h3>
              <table className="targets">
                <tbody>
                  {FIVE_TARGETS.map((t) => (
                    <tr key={t}>
                      <td>{TARGET_LABELS[t]}</td>
                      <td className="num">{five.by_target[t].met}</td>
                      <td className="num muted">部分 {five.by_target[t].partly}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          {ledger && (
            <section>
              <h3>
                问题台账：未销号 {ledger.total.open}，已销号 {ledger.total.closed}，逾期{' '}
                <span data-testid="ledger-overdue">{ledger.total.overdue}</span>
              </h3>
              <table className="targets">
                <tbody>
                  {ledger.phases.map((p) => (
                    <tr key={p.phase}>
                      <td>{PHASE_LABELS[p.phase]}</td>
                      <td className="num">未销号 {p.open}</td>
                      <td className="num">已销号 {p.closed}</td>
                      <td className="num muted">逾期 {p.overdue}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          <section>
            <h3>未覆盖三无楼栋最多的小区</h3>
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
                      {w.uncovered}/{w.buildings} 栋未覆盖
                    </span>
                  </li>
                ))}
            </ol>
          </section>

          {street && (
            <section>
              <h3>
                区域间空隙 {gaps.length} 处 · 建议新划区域 {proposals.length} 个
              </h3>
              <ol className="worst" data-testid="gaps">
                {gaps.slice(0, 5).map((g) => (
                  <li key={`g${g.index}`}>
                    <button
                      type="button"
                      className="link"
                      onClick={() => onZoom?.(polygonBbox(g.geometry), 18)}
                    >
                      {g.kind === 'hole' ? '区域内空洞' : '区域间缝隙'} {Math.round(g.area_m2)} m²
                    </button>
                    <span className="muted">{g.buildings} 栋楼</span>
                    {onDraft && (
                      <button
                        type="button"
                        className="link"
                        data-testid="gap-fill"
                        title={t('dashboard.fillTitle')}
                        onClick={() => draft(g.geometry)}
                      >
                        {t('dashboard.fill')}
                      </button>
                    )}
                  </li>
                ))}
                {proposals.slice(0, 5).map((p) => (
                  <li key={`p${p.index}`}>
                    <button
                      type="button"
                      className="link"
                      onClick={() => onZoom?.(polygonBbox(p.geometry), 17)}
                    >
                      建议区域 {Math.round(p.area_m2)} m²
                    </button>
                    <span className="muted">
                      覆盖 {p.covers}/{p.building_ids.length} 栋三无楼
                    </span>
                    {onDraft && (
                      <button
                        type="button"
                        className="link"
                        data-testid="proposal-accept"
                        title={t('dashboard.acceptDraftTitle')}
                        onClick={() => draft(p.geometry)}
                      >
                        {t('dashboard.acceptDraft')}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            </section>
          )}

          <section className="exports">
            <a href={links.coverageXlsx}>覆盖统计 XLSX</a>
            <a href={links.coverageCsv}>CSV</a>
            <a href={links.ledgerXlsx}>问题台账 XLSX</a>
            <a href={links.uncoveredGeojson}>未覆盖三无楼栋 GeoJSON</a>
            {mapImage && (
              <button
                type="button"
                className="link"
                data-testid="map-png"
                onClick={() =>
                  mapViewPng(mapImage, `五有地图 · ${place.name} · 物业服务区域与三无楼栋`)
                    .then((blob) => {
                      const a = document.createElement('a');
                      a.href = URL.createObjectURL(blob);
                      a.download = `五有地图-${place.name}-${new Date().toISOString().slice(0, 10)}.png`;
                      a.click();
                      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
                    })
                    .catch((e: Error) => setError(e.message))
                }
              >
                当前地图 PNG
              </button>
            )}
          </section>
        </>
      )}
    </aside>
  );
}

/** 三无 coverage % over the snapshots, as a small SVG line. */
function Trend({ snapshots }: { snapshots: CoverageSnapshot[] }) {
  const pts = snapshots
    .filter((s) => s.category === 'three_no' && s.buildings > 0)
    .map((s) => ({ t: Date.parse(s.taken_at), p: (100 * s.covered) / s.buildings }));
  if (pts.length < 2) return <p className="muted">快照不足两次（城市管理员登录后可记录快照）。</p>;
  const t0 = pts[0]!.t;
  const t1 = pts[pts.length - 1]!.t;
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * 280) + 10;
  const y = (p: number) => 90 - (p / 100) * 80;
  return (
    <svg className="trend" viewBox="0 0 300 100" role="img" aria-label="三无覆盖率趋势">
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
