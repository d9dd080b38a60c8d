import { readFileSync } from 'node:fs';
import type {
  CompoundCoverage,
  CoverageByCategory,
  CoverageCounts,
  CoverageGap,
  CoverageLevel,
  CoverageNode,
  CoverageProposal,
  CoverageResponse,
  CoverageSnapshot,
  UncoveredPage,
} from '../../../core/coverage.ts';
import { DEFAULT_MIN_AREA_M2 } from '../../../core/checks/codes.ts';
import { COMPOUND_CATEGORIES, type CompoundCategory } from '../../../core/vocabulary.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Bbox } from '../http.ts';
import type { PlaceFilter } from '../input/query.ts';

const sql = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const COUNTS_SQL = sql('counts.sql');
const COMPOUNDS_SQL = sql('compounds.sql');
const UNCOVERED_SQL = sql('uncovered.sql');
const UNCOVERED_PAGE_SQL = sql('uncovered-page.sql');
const GAPS_SQL = sql('gaps.sql');
const PROPOSALS_SQL = sql('proposals.sql');
const SNAPSHOT_SQL = sql('snapshot.sql');

/** The city's name: the root of the tree (jurisdictions hold 区县 and below). */
export const CITY_NAME = '遂宁市';

/**
 * Per level (allow-list, see counts.sql): the tally column that holds its children (migration 0024;
 * the tallies write '' and 0 for "none"), which tally, how its own rows are picked, which children
 * exist, and their order.
 */
const LEVELS: Record<
  CoverageLevel,
  {
    key: string;
    none: string;
    table: string;
    where: string;
    kids: string;
    order: string;
    childLevel: CoverageNode['level'];
  }
> = {
  city: {
    key: 'district_code',
    none: "''",
    table: 'coverage_place_figures',
    where: 'true',
    kids: "SELECT code AS key FROM jurisdictions WHERE level = 'district'",
    order: 'extra, key',
    childLevel: 'district',
  },
  district: {
    key: 'street_code',
    none: "''",
    table: 'coverage_place_figures',
    where: 'district_code = $3',
    kids: "SELECT code AS key FROM jurisdictions WHERE level = 'street' AND parent_code = $3",
    order: 'extra, key',
    childLevel: 'street',
  },
  street: {
    key: 'community_code',
    none: "''",
    table: 'coverage_place_figures',
    where: 'street_code = $3',
    kids: "SELECT code AS key FROM jurisdictions WHERE level = 'community' AND parent_code = $3",
    order: 'extra, key',
    childLevel: 'community',
  },
  community: {
    key: 'compound_id',
    none: '0',
    table: 'coverage_compound_figures',
    where: 'community_code = $3',
    kids: 'SELECT id AS key FROM compounds WHERE community_code = $3',
    order: 'key',
    childLevel: 'compound',
  },
};

export const emptyCounts = (): CoverageCounts => ({
  buildings: 0,
  households: 0,
  covered: 0,
  uncovered: 0,
  straddling: 0,
});

const emptyByCategory = (): CoverageByCategory => ({
  all: emptyCounts(),
  three_no: emptyCounts(),
  self_managed: emptyCounts(),
  professional: emptyCounts(),
});

function add(to: CoverageCounts, row: CountRow): void {
  to.buildings += row.buildings;
  to.households += row.households;
  to.covered += row.covered;
  to.uncovered += row.buildings - row.covered;
  to.straddling += row.straddling;
}

interface CountRow {
  child: string | null;
  category: CompoundCategory | null;
  buildings: number;
  households: number;
  covered: number;
  straddling: number;
}

interface Kid {
  code: string;
  name: string;
  /** Compounds only: the id, and the compound's own code. */
  id?: number;
  ccode?: string | null;
  bbox: [number, number, number, number] | null;
}

const BBOX =
  'CASE WHEN geom IS NULL THEN NULL ELSE ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)] END';

export class NoSuchPlace extends Error {}

const STALE_SQL = `SELECT EXISTS (SELECT 1 FROM settings
  WHERE key IN ('building_places_stale', 'coverage_tallies_stale') AND value = 'true') AS stale`;

/** Placings under way in this process, per database: one run that every read waiting for it shares. */
const placing = new WeakMap<object, Promise<void>>();

/**
 * Places the buildings a bulk load left unplaced (see ensure_building_places in migration 0004) and
 * rebuilds the coverage tallies it left stale (0024): a one-row check when nothing is stale. Placing every building is a batch job (about a minute at
 * 2,000,000 buildings), so it runs in a transaction of its own without the requests' statement limit:
 * under that limit it was cancelled and rolled back, and every later read started it again (issue 12).
 * Reads that find it stale meanwhile wait for the same run; other processes wait on the function's
 * advisory lock and then find nothing stale. Given a transaction (no `transaction` of its own), it
 * places within it, as before.
 */
export async function ensurePlaces(db: Queryable): Promise<void> {
  const r = await db.query<{ stale: boolean }>(STALE_SQL);
  if (!r.rows[0]?.stale) return;
  if (!('transaction' in db)) {
    await db.query('SELECT ensure_building_places()');
    return;
  }
  const primary = db as Db;
  let run = placing.get(primary);
  if (!run) {
    run = primary
      .transaction(async (tx) => {
        if (primary.kind === 'postgres') await tx.query('SET LOCAL statement_timeout = 0');
        await tx.query('SELECT ensure_building_places()');
      })
      .finally(() => placing.delete(primary));
    placing.set(primary, run);
  }
  await run;
}

/**
 * Coverage of one node (the city, a 区县, a 街道 or a 社区) and of each of its children, overall and
 * per category. Counts come from the tallies (migration 0024), which the statements that change
 * buildings, their places and areas keep true, so this reflects a save at once.
 *
 * `page` returns only those children (in code order, "未划入" last): a 社区 of the 2,000,000-building
 * city has 45,368 compounds, a 21 MB answer that took 1.3 s to assemble; only the page's names, boxes
 * and counts are read. The node's own counts are always over all its buildings, summed by the database
 * (counts.sql): reading its 45,366 rows to add them up here took twice as long.
 * @throws NoSuchPlace when `code` is not a jurisdiction of that level
 */
export async function coverageOf(
  db: Queryable,
  level: CoverageLevel,
  code?: string,
  page?: { limit: number; offset: number },
): Promise<CoverageResponse> {
  let name = CITY_NAME;
  if (level !== 'city') {
    const r = await db.query<{ name: string }>(
      'SELECT name FROM jurisdictions WHERE code = $1 AND level = $2',
      [code, level],
    );
    if (!r.rows[0]) throw new NoSuchPlace(`No ${level} with code ${code}`);
    name = r.rows[0].name;
  }
  await ensurePlaces(db);
  const def = LEVELS[level];
  let q = COUNTS_SQL;
  for (const k of ['key', 'none', 'table', 'where', 'kids', 'order'] as const)
    q = q.replaceAll(`{{${k}}}`, def[k]);
  const pageArgs = page ? [page.limit, page.offset] : [null, 0];
  const r = (
    await db.query<{ children_total: number; keys: string; totals: string; rows: string }>(
      q,
      level === 'city' ? pageArgs : [...pageArgs, code],
    )
  ).rows[0]!;
  const shown = JSON.parse(r.keys) as (string | null)[];
  const offset = page ? Math.min(page.offset, r.children_total) : 0;

  // Names and boxes of the children shown.
  const codes = shown.filter((k): k is string => k !== null);
  const kids =
    def.childLevel === 'compound'
      ? await db.query<Kid>(
          `SELECT id::text AS code, name, id, code AS ccode, ${BBOX} AS bbox FROM compounds
           WHERE id = ANY($1::bigint[])`,
          [codes],
        )
      : await db.query<Kid>(
          `SELECT code, name, ${BBOX} AS bbox FROM jurisdictions WHERE code = ANY($1::text[])`,
          [codes],
        );
  const found = new Map(kids.rows.map((k) => [k.code, k]));
  const children = new Map<string | null, CoverageNode>();
  for (const key of shown) {
    const k = key === null ? undefined : found.get(key);
    const node: CoverageNode = k
      ? { level: def.childLevel, code: k.code, name: k.name, bbox: k.bbox, ...emptyByCategory() }
      : {
          level: def.childLevel,
          code: key,
          name: key === null ? '未划入' : key,
          ...emptyByCategory(),
        };
    if (k?.id !== undefined) Object.assign(node, { id: k.id, code: k.ccode ?? String(k.id) });
    children.set(key, node);
  }
  const total: CoverageResponse = {
    level,
    code: code ?? null,
    name,
    ...emptyByCategory(),
    children: [],
    children_total: r.children_total,
    children_offset: offset,
  };
  // The node's counts per category, and its shown children's per category.
  const addTo = (node: CoverageByCategory, row: CountRow) => {
    add(node.all, row);
    if (row.category && (COMPOUND_CATEGORIES as readonly string[]).includes(row.category))
      add(node[row.category], row);
  };
  for (const row of JSON.parse(r.totals) as CountRow[]) addTo(total, row);
  for (const row of JSON.parse(r.rows) as CountRow[]) addTo(children.get(row.child)!, row);
  total.children = [...children.values()];
  return total;
}

/** Coverage per compound, the most uncovered buildings first. */
export async function compoundCoverage(
  db: Queryable,
  f: PlaceFilter & { category?: CompoundCategory; limit?: number },
): Promise<CompoundCoverage[]> {
  await ensurePlaces(db); // the tallies a bulk load left stale
  const r = await db.query<CompoundCoverage>(COMPOUNDS_SQL, [
    f.street ?? null,
    f.community ?? null,
    f.category ?? null,
    f.limit ?? 10_000,
    f.district ?? null,
  ]);
  return r.rows;
}

/** Uncovered buildings as a GeoJSON FeatureCollection text; `count` is at most limit + 1. */
export async function uncoveredBuildings(
  db: Queryable,
  f: PlaceFilter & { category?: CompoundCategory; bbox?: Bbox; limit: number },
): Promise<{ json: string; count: number }> {
  if (f.street || f.community || f.district) await ensurePlaces(db);
  const b = f.bbox ?? [null, null, null, null];
  const r = await db.query<{ json: string; count: number }>(UNCOVERED_SQL, [
    f.category ?? null,
    ...b,
    f.street ?? null,
    f.limit + 1,
    f.community ?? null,
    f.district ?? null,
  ]);
  return r.rows[0]!;
}

/**
 * A page of the uncovered 三无 buildings of `street` (see uncovered-page.sql), matching `q` in the
 * building's or its compound's name, code or address when given.
 */
export async function uncoveredPage(
  db: Queryable,
  f: { street: string; q?: string; limit: number; offset: number },
): Promise<UncoveredPage> {
  await ensurePlaces(db);
  const r = await db.query<{ total: number; compounds: number; items: string }>(UNCOVERED_PAGE_SQL, [
    f.street,
    f.q ?? null,
    f.limit,
    f.offset,
  ]);
  const row = r.rows[0]!;
  return {
    street: f.street,
    q: f.q ?? null,
    total: row.total,
    compounds: row.compounds,
    limit: f.limit,
    offset: f.offset,
    items: JSON.parse(row.items) as UncoveredPage['items'],
  };
}

export interface GapOptions {
  /** Gaps narrower than this (m) are found between areas that do not touch. */
  widthM: number;
  maxAreaM2: number;
  minAreaM2: number;
  /** A gap that holds no building is listed only from this area (m²) … */
  emptyMinAreaM2: number;
  /** … and this mean width (m, twice its area over its perimeter) on. */
  emptyMinWidthM: number;
}
/**
 * A gap with a building in it is always listed (someone there is left out, or sits across two
 * areas). One without is land no area covers: it matters when it could be an area of some size, not
 * when it is the lane or crack two compounds' areas leave between them. The demo city's first street
 * listed 203 gaps, every one empty, most lanes about 4 m wide and 100–500 m² (issue 9 #4). 500 m² is
 * the footprint of a small compound (a building or two with their yard); under 1 m wide is a crack.
 */
export const DEFAULT_GAP_OPTIONS: GapOptions = {
  widthM: 5,
  maxAreaM2: 2000,
  minAreaM2: 1,
  emptyMinAreaM2: 500,
  emptyMinWidthM: 1,
};

/** Slivers and holes between the service areas of one street (see gaps.sql). */
export async function coverageGaps(
  db: Queryable,
  street: string,
  o: GapOptions = DEFAULT_GAP_OPTIONS,
): Promise<CoverageGap[]> {
  const r = await db.query<CoverageGap>(GAPS_SQL, [
    street,
    o.widthM,
    o.maxAreaM2,
    o.minAreaM2,
    o.emptyMinAreaM2,
    o.emptyMinWidthM,
  ]);
  return r.rows;
}

export interface ProposalOptions {
  /** Buildings at most this far apart (m) fall into one cluster. */
  distanceM: number;
  /** Margin around the buildings (m). */
  marginM: number;
  /** Half the width kept free along roads (m). */
  roadM: number;
}
export const DEFAULT_PROPOSAL_OPTIONS: ProposalOptions = { distanceM: 30, marginM: 3, roadM: 4 };

/**
 * Draft areas for the uncovered 三无 buildings of one street (see proposals.sql): each lies in the street,
 * overlaps no area and is not too small, so the street's editor can save it unchanged.
 */
export async function coverageProposals(
  db: Queryable,
  street: string,
  o: ProposalOptions = DEFAULT_PROPOSAL_OPTIONS,
): Promise<CoverageProposal[]> {
  await ensurePlaces(db);
  const r = await db.query<CoverageProposal>(PROPOSALS_SQL, [
    street,
    o.distanceM,
    o.marginM,
    o.roadM,
    DEFAULT_MIN_AREA_M2,
  ]);
  return r.rows;
}

export async function streetExists(db: Queryable, code: string): Promise<boolean> {
  const r = await db.query("SELECT 1 FROM jurisdictions WHERE code = $1 AND level = 'street'", [code]);
  return r.rowCount > 0;
}

/** Records the counts of every node and category now (the trend's data); returns the rows written. */
export async function takeCoverageSnapshot(db: Queryable): Promise<number> {
  await ensurePlaces(db);
  const r = await db.query(SNAPSHOT_SQL, [false]);
  return r.rowCount;
}

const TODAY_TAKEN_SQL = `SELECT 1 FROM coverage_snapshots
  WHERE level = 'city' AND code = '' AND taken_at >= date_trunc('day', now(), 'Asia/Shanghai') LIMIT 1`;

/**
 * Takes today's snapshot (a 遂宁 day, Asia/Shanghai) unless one exists, so the trend fills itself as it
 * is read, without a scheduler or in-process state. Several processes may race: the check and the
 * insert run under one transaction-scoped advisory lock, so only the first writes. Returns rows written.
 */
export async function ensureDailySnapshot(db: Db): Promise<number> {
  if ((await db.query(TODAY_TAKEN_SQL)).rowCount > 0) return 0;
  await ensurePlaces(db);
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('wuyou.coverage_snapshots.daily'))");
    // READ COMMITTED: this statement sees a snapshot taken after the lock, so a row another process
    // committed meanwhile counts.
    return (await tx.query(SNAPSHOT_SQL, [true])).rowCount;
  });
}

/** The snapshots of one node, oldest first. */
export async function coverageTrend(
  db: Queryable,
  level: CoverageLevel,
  code?: string,
): Promise<CoverageSnapshot[]> {
  const r = await db.query<CoverageSnapshot>(
    `SELECT taken_at, category, buildings, households, covered, buildings - covered AS uncovered, straddling
     FROM coverage_snapshots WHERE level = $1 AND code = $2 ORDER BY taken_at, category`,
    [level, code ?? ''],
  );
  return r.rows.map((x) => ({ ...x, taken_at: new Date(x.taken_at).toISOString() }));
}
