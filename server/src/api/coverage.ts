import { heavy, keptHeavyQuery } from '../limits.ts';
import { Router, type Request, type Response } from 'express';
import {
  CATEGORY_LABELS,
  COVERAGE_LEVELS,
  type CoverageGap,
  type CoverageLevel,
  type CoverageNode,
} from '../../../core/coverage.ts';
import { isOneOf, type CompoundCategory } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import { assertCanWrite } from '../auth.ts';
import {
  DEFAULT_GAP_OPTIONS,
  DEFAULT_PROPOSAL_OPTIONS,
  NoSuchPlace,
  compoundCoverage,
  coverageGaps,
  coverageOf,
  coverageProposals,
  coverageTrend,
  ensureDailySnapshot,
  streetExists,
  takeCoverageSnapshot,
  uncoveredBuildings,
  uncoveredPage,
} from '../coverage/repository.ts';
import { streetResultJson } from '../coverage/street-results.ts';
import { TABLE_FORMATS, sendTable, type Table } from '../coverage/table-file.ts';
import { HttpError, badRequest, notFound } from '../errors.ts';
import { parseBbox, route } from '../http.ts';
import { placeFilter, queryCategory, queryInt, queryNumber, queryString } from '../input/query.ts';
import { BBOX_FEATURE_LIMIT } from '../layer-features.ts';

function queryLevel(req: Request): { level: CoverageLevel; code?: string } {
  const level = queryString(req, 'level') ?? 'city';
  if (!isOneOf(COVERAGE_LEVELS, level)) {
    throw badRequest('bad_request', `level must be one of ${COVERAGE_LEVELS.join(', ')}`, { level });
  }
  const code = queryString(req, 'code');
  if (level === 'city' && code !== undefined) throw badRequest('bad_request', 'The city level takes no code');
  if (level !== 'city' && code === undefined) throw badRequest('bad_request', `level=${level} needs code=…`);
  return { level, code };
}

async function requireStreet(ctx: AppContext, req: Request): Promise<string> {
  const street = queryString(req, 'street');
  if (!street) throw badRequest('bad_request', 'street=<街道 code> is required');
  if (!(await streetExists(ctx.db, street))) throw notFound(`No street with code ${street}`);
  return street;
}

/**
 * `{"street": …, "<kind>": […]}` around a kept answer's JSON text as it was stored (or as it was just
 * computed): what `res.json` would send, without parsing and writing the list again.
 */
function sendKept(res: Response, street: string, kind: 'gaps' | 'proposals', json: string): void {
  res.type('application/json').send(`{"street":${JSON.stringify(street)},"${kind}":${json}}`);
}

/** Longest search text of the uncovered list. */
const UNCOVERED_QUERY_MAX = 100;

const COUNT_HEADERS = ['楼栋数', '户数', '已覆盖', '未覆盖', '跨界'];
const countCells = (n: CoverageNode, k: 'all' | CompoundCategory) => {
  const c = n[k];
  return [c.buildings, c.households, c.covered, c.uncovered, c.straddling];
};
const pct = (covered: number, all: number) => (all ? Math.round((covered / all) * 1000) / 10 : null);

/** The coverage table of one node's children (and the node as the last row), Chinese headers. */
function coverageTable(tree: Awaited<ReturnType<typeof coverageOf>>): Table {
  const cats = ['all', 'three_no', 'self_managed', 'professional'] as const;
  const catName = (k: (typeof cats)[number]) => (k === 'all' ? '全部' : CATEGORY_LABELS[k]);
  const headers = [
    '级别',
    '编码',
    '名称',
    ...cats.flatMap((k) => COUNT_HEADERS.map((h) => `${catName(k)}${h}`)),
    '三无覆盖率(%)',
  ];
  const levelName = { city: '市', district: '区县', street: '街道', community: '社区', compound: '小区' };
  const row = (n: CoverageNode) => [
    levelName[n.level],
    n.code,
    n.name,
    ...cats.flatMap((k) => countCells(n, k)),
    pct(n.three_no.covered, n.three_no.buildings),
  ];
  return {
    title: `覆盖统计-${tree.name}`,
    headers,
    rows: [...tree.children.map(row), row(tree)],
  };
}

/**
 * Coverage of 三无 buildings: GET /api/coverage (tree counts), /compounds, /gaps, /proposals, /trend,
 * /export.(csv|xlsx); POST /snapshots (city_admin) records the counts for the trend. Reading /trend
 * takes the day's snapshot when none exists yet, so the trend fills itself daily.
 */
export function coverageRouter(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  /** The node's counts; with `children_limit` (1–10,000) and `children_offset`, a page of its children. */
  const tree = async (req: Request, paged = false) => {
    const { level, code } = queryLevel(req);
    const page =
      paged && queryString(req, 'children_limit') !== undefined
        ? {
            limit: queryInt(req, 'children_limit', 0, 1, 10_000),
            offset: queryInt(req, 'children_offset', 0, 0, Number.MAX_SAFE_INTEGER),
          }
        : undefined;
    try {
      return await coverageOf(db, level, code, page);
    } catch (e) {
      if (e instanceof NoSuchPlace) throw notFound(e.message, { level, code });
      throw e;
    }
  };

  router.get(
    '/',
    route(async (req, res) => {
      res.json(await tree(req, true));
    }),
  );

  router.get(
    '/export.:format',
    route(async (req, res) => {
      const format = req.params.format;
      if (!isOneOf(TABLE_FORMATS, format)) throw notFound(`No export format ${format}; csv or xlsx`);
      await sendTable(res, coverageTable(await tree(req)), format);
    }),
  );

  router.get(
    '/compounds',
    route(async (req, res) => {
      const limit = queryInt(req, 'limit', 10_000, 1, 10_000);
      res.json({
        compounds: await compoundCoverage(db, { ...placeFilter(req), category: queryCategory(req), limit }),
      });
    }),
  );

  // Which 三无 buildings no area covers yet, per street, a page at a time (issue 9).
  router.get(
    '/uncovered',
    route(async (req, res) => {
      const street = await requireStreet(ctx, req);
      const q = queryString(req, 'q')?.trim();
      if (q !== undefined && q.length > UNCOVERED_QUERY_MAX)
        throw badRequest('bad_request', `q must be at most ${UNCOVERED_QUERY_MAX} characters`, {
          max: UNCOVERED_QUERY_MAX,
        });
      const limit = queryInt(req, 'limit', 20, 1, 200);
      const offset = queryInt(req, 'offset', 0, 0, 1_000_000);
      res.json(await uncoveredPage(db, { street, q: q || undefined, limit, offset }));
    }),
  );

  // Gaps and proposals are heavy reads (issue 10 #5): rate-limited, a few at a time, time-limited;
  // embedded, a street's answer past the deadline is still computed and kept for the next request.
  router.get(
    '/gaps',
    ...heavy(ctx),
    route(async (req, res) => {
      const street = await requireStreet(ctx, req);
      const d = DEFAULT_GAP_OPTIONS;
      const o = {
        widthM: queryNumber(req, 'width', d.widthM, 0, 100),
        maxAreaM2: queryNumber(req, 'max_area', d.maxAreaM2, 0, 1_000_000),
        minAreaM2: queryNumber(req, 'min_area', d.minAreaM2, 0, 1_000_000),
        emptyMinAreaM2: queryNumber(req, 'empty_min_area', d.emptyMinAreaM2, 0, 1_000_000),
        emptyMinWidthM: queryNumber(req, 'empty_min_width', d.emptyMinWidthM, 0, 100),
      };
      const gaps = await keptHeavyQuery(ctx, `gaps|${street}|${JSON.stringify(o)}`, (q) =>
        streetResultJson(q, street, 'gaps', o, () => coverageGaps(q, street, o)),
      );
      if (queryString(req, 'format') !== 'geojson') {
        sendKept(res, street, 'gaps', gaps);
        return;
      }
      const parsed = JSON.parse(gaps) as CoverageGap[];
      res.type('application/geo+json').json({
        type: 'FeatureCollection',
        features: parsed.map(({ geometry, ...properties }) => ({ type: 'Feature', geometry, properties })),
      });
    }),
  );

  router.get(
    '/proposals',
    ...heavy(ctx),
    route(async (req, res) => {
      const street = await requireStreet(ctx, req);
      const d = DEFAULT_PROPOSAL_OPTIONS;
      const o = {
        distanceM: queryNumber(req, 'distance', d.distanceM, 1, 500),
        marginM: queryNumber(req, 'margin', d.marginM, 0, 50),
        roadM: queryNumber(req, 'road', d.roadM, 0, 50),
      };
      const proposals = await keptHeavyQuery(ctx, `proposals|${street}|${JSON.stringify(o)}`, (q) =>
        streetResultJson(q, street, 'proposals', o, () => coverageProposals(q, street, o)),
      );
      sendKept(res, street, 'proposals', proposals);
    }),
  );

  router.get(
    '/trend',
    route(async (req, res) => {
      const { level, code } = queryLevel(req);
      await ensureDailySnapshot(db);
      res.json({ level, code: code ?? null, snapshots: await coverageTrend(db, level, code) });
    }),
  );

  router.post(
    '/snapshots',
    ctx.auth.required(),
    route(async (req, res) => {
      assertCanWrite(req.user);
      if (req.user.role !== 'city_admin')
        throw new HttpError(403, 'forbidden', 'Only a city admin records snapshots');
      res.status(201).json({ rows: await takeCoverageSnapshot(db) });
    }),
  );

  return router;
}

/**
 * GET /api/buildings/uncovered?category=three_no&bbox=…&street=… → FeatureCollection. Mounted at
 * /api/buildings before the generic /api/:layer routes; anything else falls through.
 */
export function uncoveredBuildingsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get(
    '/uncovered',
    route(async (req, res) => {
      const bbox = parseBbox(req.query.bbox, false);
      const out = await uncoveredBuildings(ctx.db, {
        ...placeFilter(req),
        category: queryCategory(req),
        bbox,
        limit: BBOX_FEATURE_LIMIT,
      });
      if (out.count > BBOX_FEATURE_LIMIT) {
        throw new HttpError(
          400,
          'invalid_bbox',
          `More than ${BBOX_FEATURE_LIMIT} uncovered buildings; ask for a smaller bbox`,
          {
            limit: BBOX_FEATURE_LIMIT,
          },
        );
      }
      if (queryString(req, 'download') !== undefined) {
        res.set('Content-Disposition', 'attachment; filename="uncovered-buildings.geojson"');
      }
      res.type('application/geo+json').send(out.json);
    }),
  );
  return router;
}
