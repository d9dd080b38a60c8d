import { readFileSync } from 'node:fs';
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { route } from '../http.ts';

const SEARCH_SQL = readFileSync(new URL('./search.sql', import.meta.url), 'utf8');

/** Longest query accepted: names are short, and a LIKE over a huge pattern is wasted work. */
export const SEARCH_MAX_LENGTH = 100;
/** Most hits per kind (jurisdictions, compounds, service areas). */
export const SEARCH_LIMIT = 20;

export interface SearchHit {
  kind: 'compound' | 'jurisdiction' | 'service-area';
  /** Compound or service area id, or jurisdiction code. */
  id: string;
  name: string;
  /** Compound category, jurisdiction level or a service area's management mode. */
  detail: string;
  /** Street of a compound or service area, parent of a jurisdiction. */
  parent: string | null;
  /** The same in English, where the data has it. */
  parent_en: string | null;
  /** A jurisdiction's English name. */
  name_en: string | null;
  /** Which field held the query: a compound's or jurisdiction's name, its code, or a compound's address. */
  matched: 'name' | 'code' | 'address';
  /** Compound code (小区编码) or jurisdiction code. */
  code: string | null;
  /** A compound's address. */
  address: string | null;
  /** [minLon, minLat, maxLon, maxLat]; null for a compound with neither outline nor buildings. */
  bbox: [number, number, number, number] | null;
}

interface Row {
  kind: SearchHit['kind'];
  id: string;
  name: string;
  detail: string;
  parent: string | null;
  parent_en: string | null;
  name_en: string | null;
  matched: SearchHit['matched'];
  code: string | null;
  address: string | null;
  w: number | null;
  s: number | null;
  e: number | null;
  n: number | null;
}

/** `q` as a LIKE pattern matching names that contain it: its own % _ and \ are taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * `GET /api/search?q=…` → `{ results: SearchHit[] }`: jurisdictions (街道, 社区, 区) whose name or
 * English name contains `q` or whose code starts with it, and compounds (小区) whose name, code or
 * address contains `q` or whose id it is (case-insensitive), and service areas whose name contains
 * it, best matches first, each with the extent to fly to.
 * An empty or missing `q` is a 400.
 */
export function searchRouter(ctx: AppContext): Router {
  const router = Router();
  router.get(
    '/',
    route(async (req, res) => {
      const raw = req.query.q;
      if (raw !== undefined && typeof raw !== 'string')
        throw badRequest('bad_request', 'q must be given once');
      const q = (raw ?? '').trim();
      if (!q) throw badRequest('bad_request', 'q is required: /api/search?q=<part of a name>');
      if (q.length > SEARCH_MAX_LENGTH) {
        throw badRequest('bad_request', `q is longer than ${SEARCH_MAX_LENGTH} characters`, {
          max: SEARCH_MAX_LENGTH,
        });
      }
      const r = await ctx.db.query<Row>(SEARCH_SQL, [containsPattern(q), q, SEARCH_LIMIT]);
      const results: SearchHit[] = r.rows.map((row) => ({
        kind: row.kind,
        id: row.id,
        name: row.name,
        detail: row.detail,
        parent: row.parent,
        parent_en: row.parent_en,
        name_en: row.name_en,
        matched: row.matched,
        code: row.code,
        address: row.address,
        bbox:
          row.w === null || row.s === null || row.e === null || row.n === null
            ? null
            : [Number(row.w), Number(row.s), Number(row.e), Number(row.n)],
      }));
      res.json({ results });
    }),
  );
  return router;
}
