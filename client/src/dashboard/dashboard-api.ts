/** The dashboard's reads of the coverage, compounds and ledger API (and the snapshot it records). */
import type {
  CompoundCoverage,
  CoverageGap,
  CoverageProposal,
  CoverageLevel,
  CoverageResponse,
  CoverageSnapshot,
  LedgerStats,
  ScorecardSummary,
  UncoveredPage,
} from '../../../core/coverage.ts';
import { call, getJson, getJsonSignedIn, sessionUser } from '../api.ts';

export interface Place {
  level: CoverageLevel;
  code?: string;
  name: string;
}

const q = (p: Place) => `level=${p.level}${p.code ? `&code=${encodeURIComponent(p.code)}` : ''}`;

/**
 * The place a list is narrowed to, as the list routes read it (`district=`, `street=` or
 * `community=`; nothing for the city), each part starting with `&`: a list under a place's title is
 * that place's alone (issue 9 #5).
 */
const within = (p: Place) =>
  p.level !== 'city' && p.code ? `&${p.level}=${encodeURIComponent(p.code)}` : '';
/** `within` as a whole query string. */
const withinQuery = (p: Place) => within(p).replace(/^&/, '?');

/** A place's counts and one page of its children (`limit` from `offset`, in code order). */
export const fetchCoverage = (p: Place, children: { limit: number; offset: number }, signal?: AbortSignal) =>
  getJson<CoverageResponse>(
    `/api/coverage?${q(p)}&children_limit=${children.limit}&children_offset=${children.offset}`,
    signal,
  );

export const fetchTrend = (p: Place, signal?: AbortSignal) =>
  getJson<{ snapshots: CoverageSnapshot[] }>(`/api/coverage/trend?${q(p)}`, signal).then((r) => r.snapshots);

/** The compounds of a place with the most uncovered 三无 buildings. */
export const fetchWorstCompounds = (p: Place, signal?: AbortSignal) =>
  getJson<{ compounds: CompoundCoverage[] }>(
    `/api/coverage/compounds?category=three_no&limit=10${within(p)}`,
    signal,
  ).then((r) => r.compounds);

/** A street's 五有 summary: the counts alone (`limit=0`); the cards are paged by the same route. */
export const fetchScorecardSummary = (street: string, signal?: AbortSignal) =>
  getJson<{ summary: ScorecardSummary }>(
    `/api/compounds/scorecards?street=${encodeURIComponent(street)}&limit=0`,
    signal,
  ).then((r) => r.summary);

/** Download links of the exports. */
export const exportLinks = (p: Place) => ({
  coverageCsv: `/api/coverage/export.csv?${q(p)}`,
  coverageXlsx: `/api/coverage/export.xlsx?${q(p)}`,
  ledgerXlsx: `/api/ledger/export.xlsx${withinQuery(p)}`,
  // Through the exporter: streamed page by page, so a district's or the city's hundreds of thousands
  // download whole (GET /api/buildings/uncovered answers at most 50,000, for the map).
  uncoveredGeojson: `/api/export/uncovered-buildings.geojson?category=three_no${within(p)}`,
});

/** Records a coverage snapshot (city admins; the signed-in user's token from the editor's session). */
export async function recordSnapshot(): Promise<void> {
  await call('POST', '/api/coverage/snapshots');
}

export const canRecordSnapshot = () => sessionUser()?.role === 'city_admin';

// Gaps and proposals are heavy reads: they need a login (a 401 without one).
export const fetchGaps = (street: string, signal?: AbortSignal) =>
  getJsonSignedIn<{ gaps: CoverageGap[] }>(
    `/api/coverage/gaps?street=${encodeURIComponent(street)}`,
    signal,
  ).then((r) => r.gaps);

export const fetchProposals = (street: string, signal?: AbortSignal) =>
  getJsonSignedIn<{ proposals: CoverageProposal[] }>(
    `/api/coverage/proposals?street=${encodeURIComponent(street)}`,
    signal,
  ).then((r) => r.proposals);

/** [w, s, e, n] of a polygon's outer ring. */
export function polygonBbox(p: GeoJSON.Polygon): [number, number, number, number] {
  const ring = p.coordinates[0] ?? [];
  const xs = ring.map((c) => c[0]!);
  const ys = ring.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The 台账 counts of a place. */
export const fetchLedgerStats = (p: Place, signal?: AbortSignal) =>
  getJson<LedgerStats>(`/api/ledger/stats${withinQuery(p)}`, signal);

/** A page of the street's uncovered 三无 buildings matching `q` (GET /api/coverage/uncovered). */
export const fetchUncoveredPage = (
  street: string,
  o: { q: string; limit: number; offset: number },
  signal?: AbortSignal,
) =>
  getJson<UncoveredPage>(
    `/api/coverage/uncovered?street=${encodeURIComponent(street)}&limit=${o.limit}&offset=${o.offset}${
      o.q.trim() ? `&q=${encodeURIComponent(o.q.trim())}` : ''
    }`,
    signal,
  );
