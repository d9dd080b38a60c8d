import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Polygon, Position } from 'geojson';
import pino from 'pino';
import type { Browser, Page, Request } from 'playwright-core';
import { CHECK_CODES } from '../../core/checks/codes.ts';
import { ERROR_CODES, ERROR_REASONS } from '../../core/errors.ts';
import { localPlane, toLocal, toLonLat } from '../../core/viewshed/index.ts';
import type { Language } from '../../client/src/i18n/messages.ts';
import { EDITOR_MESSAGES, type EditorMessageKey } from '../../client/src/panels/editor/messages.ts';
import { createApp } from '../../server/src/app.ts';
import { ensureDemoAccounts } from '../../server/src/auth.ts';
import { loadConfig } from '../../server/src/config.ts';
import type { Db } from '../../server/src/db/index.ts';
import { CLIENT_DIST } from '../helpers/browser.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/**
 * Model-based random walk through the service-area editor (issue 9): a seeded sequence of user
 * actions — open the editor, sign in as the street's editor, select an area, draw a new one vertex by
 * vertex, drag a vertex, undo, redo, split, merge, save, close, switch language, open the dashboard,
 * switch the right-hand dock's tab (editor / dashboard), adopt a proposal — and after every step the invariants: no page error, no panel's fault, the app
 * is not blank, no control a step clicks is covered by another element, nothing but service areas
 * (and what a save derives from them) was written, and after each save the server's stored geometry
 * is what the editor shows.
 *
 * The walk aims at work the server takes, so the main invariant is checked on most saves: new areas
 * are drawn in empty space of the street in view, vertices are moved only where the area stays valid,
 * merges pick a neighbour the area touches (the database answers where). 'draw-refused' (two draws in
 * seven) and one drag in eight aim at a refusal instead — across the street's edge (a bite out of the
 * street lies in view) or into a stored area — and one merge in eight picks any area in view, so the error path is walked
 * regularly: after each refused save the editor must say why in the glossary's words and nothing may
 * have been written. The guards' native confirmations are answered yes or no at random, and every
 * wait is for a condition.
 *
 * The world is small and hand-made (one street, six areas with gaps between them, buildings inside
 * and a cluster of uncovered 三无 buildings outside, a camera and a gate), so a step costs a few
 * round trips and any seed replays the same walk.
 */

export const STREET = '510903001';
export const PASSWORD = 'walk-password-2026';
const O = localPlane(105.59, 30.53);
export const pt = (x: number, y: number): Position => toLonLat(O, x, y);
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]],
});
const wkt = (p: Polygon) => `POLYGON((${p.coordinates[0]!.map((c) => `${c[0]} ${c[1]}`).join(',')}))`;
/**
 * The street: the district's square but for a bite out of its north-east, whose edges (x = 0 north
 * of y = 180 m, y = 180 m east of x = 0) lie in view from home and after adopting the proposal, so
 * the walk can draw across the street's edge (the server refuses: out_of_jurisdiction). The square's
 * own edges are off-screen.
 */
const BITE = { x: 0, y: 180 };
const STREET_SHAPE: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      pt(-600, -600),
      pt(600, -600),
      pt(600, BITE.y),
      pt(BITE.x, BITE.y),
      pt(BITE.x, 600),
      pt(-600, 600),
      pt(-600, -600),
    ],
  ],
};
/** The view: zoom 17 centred east of the world, so the editor panel on the right hides none of it. */
const ZOOM = 17;
const CENTRE = pt(120, 0);

/** A deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WalkWorld {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** The world on a fresh test database (embedded, or DATABASE_URL's server), served by the real app. */
export async function startWalkWorld(): Promise<WalkWorld> {
  const t: TestDb = await createTestDb();
  const q = t.db;
  try {
    await q.query(
      `INSERT INTO jurisdictions (code, name, name_en, level, parent_code, geom) VALUES
          ('510903', '船山区', 'Chuanshan', 'district', NULL, ST_Multi(ST_GeomFromText($1, 4326))),
          ($2, '漫步街道', 'Walk Street', 'street', '510903', ST_Multi(ST_GeomFromText($3, 4326)))`,
      [wkt(rect(-600, -600, 600, 600)), STREET, wkt(STREET_SHAPE)],
    );
    // Six areas, 80 × 60 m, 10 m apart; a building in each.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        const x0 = -300 + i * 90;
        const y0 = -80 + j * 70;
        await q.query(
          `INSERT INTO service_areas (name, street_code, management_mode, geom)
           VALUES ($1, $2, 'resident_self', ST_GeomFromText($3, 4326))`,
          [`漫步区域${i}${j}`, STREET, wkt(rect(x0, y0, x0 + 80, y0 + 60))],
        );
        await q.query(
          "INSERT INTO buildings (category, geom) VALUES ('three_no', ST_GeomFromText($1, 4326))",
          [wkt(rect(x0 + 30, y0 + 20, x0 + 50, y0 + 40))],
        );
      }
    }
    // A cluster of uncovered 三无 buildings north of the areas (a proposal to adopt).
    for (let k = 0; k < 6; k++) {
      const x0 = -280 + (k % 3) * 30;
      const y0 = 90 + Math.floor(k / 3) * 30;
      await q.query("INSERT INTO buildings (category, geom) VALUES ('three_no', ST_GeomFromText($1, 4326))", [
        wkt(rect(x0, y0, x0 + 15, y0 + 12)),
      ]);
    }
    await q.query(
      `INSERT INTO cameras (system, direction_deg, fov_deg, range_m, geom)
       VALUES ('xueliang', 90, 60, 40, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
      pt(-320, -50),
    );
    await q.query(
      `INSERT INTO gates (kind, geom) VALUES ('pedestrian', ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
      pt(-300, -50),
    );
    await ensureDemoAccounts(q, PASSWORD);
    const config = loadConfig({
      ...process.env,
      CLIENT_DIST,
      LOG_LEVEL: 'silent',
      AUTH_SECRET: 'walk-test',
      TIANDITU_TK: '',
    });
    const app = createApp({ db: q, config, logger: pino({ level: 'silent' }) });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      db: q,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await t.drop();
      },
    };
  } catch (e) {
    await t.drop();
    throw e;
  }
}

/** Tables the editor must never write, with their history. */
const PROTECTED = [
  'cameras',
  'camera_history',
  'gates',
  'gate_history',
  'ledger_items',
  'ledger_history',
  'five_target_assessments',
  'compounds',
  'jurisdictions',
];

/** What a refused save must leave as it was: the areas (count, versions, polygons) and their history. */
const AREA_TABLES = ['service_areas', 'service_area_history'];

async function fingerprint(db: Db, tables = PROTECTED): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const r = await db.query<{ h: string }>(
      `SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`,
    );
    out[table] = r.rows[0]!.h;
  }
  return out;
}

interface EditorView {
  open: boolean;
  /** The editor and the dashboard both open, sharing the right-hand dock under two tabs. */
  docked: boolean;
  signedIn: boolean;
  draftId: number | null;
  hasGeometry: boolean;
  dirty: boolean;
  tool: string | null;
  /** The draft's polygon, as JSON. */
  geometry: string;
}

const view = (page: Page): Promise<EditorView> =>
  page.evaluate(() => {
    const s = window.__wuyouEditor?.getState() as
      { draft: { id: number | null; geometry: unknown } | null; tool?: string } | undefined;
    return {
      // Open and shown: behind the dashboard in the right-hand dock it is open but not to hand.
      open: !!document.querySelector('[data-testid=editor-panel]')?.getClientRects().length,
      docked: !!document.querySelector('[data-testid=dock-tabs]'),
      signedIn: !!document.querySelector('[data-testid=editor-user]'),
      draftId: s?.draft?.id ?? null,
      hasGeometry: !!s?.draft?.geometry,
      dirty: !!document.querySelector('[data-testid=editor-dirty]'),
      tool: s?.tool ?? null,
      geometry: JSON.stringify(s?.draft?.geometry ?? null),
    };
  });

/** Whether a condition came true within `ms` (a step that the app may refuse is not a failure). */
const within = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => true,
    () => false,
  );

/** What the server acknowledged of one service area: its version and the polygon the walk asked for. */
interface AckedArea {
  version: number;
  /** GeoJSON of the polygon sent (or, for a merge without one, the union the server answered). */
  geometry: string;
}

/**
 * The service areas as the walk's acknowledged writes leave them: every 2xx answer to a write the page
 * sent (create, update, delete, split, merge) moves it on. After each step the database must hold
 * exactly these areas, at these versions, with these polygons: nothing acknowledged lost, nothing
 * written that no acknowledged request asked for.
 */
export class AreaLedger {
  readonly areas = new Map<number, AckedArea>();
  /** Acknowledged writes since the start, and those the database has been compared with. */
  acked = 0;
  verified = 0;
  private unverified = 0;

  /** Applies one answered write; returns a complaint when it is a write the ledger does not know. */
  apply(method: string, path: string, status: number, request: unknown, answer: unknown): string | null {
    if (status < 200 || status >= 300) return null;
    const req = (request ?? {}) as Record<string, unknown>;
    const ans = (answer ?? {}) as Record<string, unknown>;
    const feature = (f: unknown) => f as { id: number; properties: { version: number }; geometry: unknown };
    const set = (id: number, version: number, geometry: unknown) => {
      this.areas.set(Number(id), { version: Number(version), geometry: JSON.stringify(geometry) });
      this.acked++;
      this.unverified++;
    };
    const one = path.match(/^\/api\/service-areas\/(\d+)$/);
    const split = path.match(/^\/api\/service-areas\/(\d+)\/split$/);
    if (method === 'POST' && path === '/api/service-areas/validate') return null;
    if (method === 'POST' && path === '/api/service-areas') {
      set(ans.id as number, ans.version as number, (req.geometry ?? null) as unknown);
    } else if (method === 'PUT' && one) {
      set(Number(one[1]), ans.version as number, req.geometry);
    } else if (method === 'DELETE' && one) {
      this.areas.delete(Number(one[1]));
      this.acked++;
      this.unverified++;
    } else if (method === 'POST' && split) {
      const parts = (req.parts ?? []) as unknown[];
      (ans.areas as unknown[]).forEach((a, i) => {
        const f = feature(a);
        set(f.id, f.properties.version, parts[i] ?? f.geometry);
      });
    } else if (method === 'POST' && path === '/api/service-areas/merge') {
      const f = feature(ans);
      for (const id of (req.ids ?? []) as number[])
        if (Number(id) !== Number(f.id)) this.areas.delete(Number(id));
      set(f.id, f.properties.version, req.geometry ?? f.geometry);
    } else {
      return `an acknowledged ${method} ${path} the walk does not know how to check`;
    }
    return null;
  }

  /** Takes the database's areas as they are (at the start, or after a write whose answer was lost). */
  async reset(db: Db): Promise<void> {
    this.areas.clear();
    const r = await db.query<{ id: number; version: number; g: string }>(
      'SELECT id::int AS id, version, ST_AsGeoJSON(geom, 15) AS g FROM service_areas',
    );
    for (const row of r.rows) this.areas.set(row.id, { version: row.version, geometry: row.g });
    this.unverified = 0;
  }

  /** What differs between the database and the acknowledged writes (empty when they agree). */
  async compare(db: Db): Promise<string[]> {
    const want = [...this.areas].map(([id, a]) => ({ id, version: a.version, geometry: a.geometry }));
    const r = await db.query<{ id: number; stored: number | null; want: number | null; diff: number | null }>(
      `WITH want AS (
         SELECT (w->>'id')::bigint AS id, (w->>'version')::int AS version,
                ST_SetSRID(ST_GeomFromGeoJSON(w->>'geometry'), 4326) AS geom
         FROM json_array_elements($1::json) w)
       SELECT COALESCE(s.id, w.id)::int AS id, s.version AS stored, w.version AS want,
              CASE WHEN s.id IS NOT NULL AND w.id IS NOT NULL
                   THEN ST_Area(ST_SymDifference(s.geom, w.geom)::geography) END AS diff
       FROM service_areas s FULL JOIN want w ON w.id = s.id
       WHERE s.id IS NULL OR w.id IS NULL OR s.version IS DISTINCT FROM w.version
          OR ST_Area(ST_SymDifference(s.geom, w.geom)::geography) > 0.01`,
      [JSON.stringify(want)],
    );
    const out = r.rows.map((x) =>
      x.want === null
        ? `area ${x.id} (version ${x.stored}) is stored, but no acknowledged save made it`
        : x.stored === null
          ? `area ${x.id} (version ${x.want}) was acknowledged, but is not stored`
          : x.stored !== x.want
            ? `area ${x.id} is stored at version ${x.stored}, the acknowledged one is ${x.want}`
            : `area ${x.id}: the stored polygon differs from the acknowledged one by ${x.diff} m²`,
    );
    if (!out.length) {
      this.verified += this.unverified;
      this.unverified = 0;
    }
    return out;
  }
}

export interface WalkOptions {
  seed: number;
  steps: number;
  /** Stop early at this time (ms since the epoch), reporting the steps done: a long walk's time budget. */
  deadline?: number;
  /** Actions that hit a known defect owned elsewhere: skipped, with the reason logged. */
  knownFailing?: Record<string, string>;
  /**
   * Refusals the walk must check: from half way on, while fewer were checked, 'draw-refused' is picked
   * far more often. Which steps a seed takes depends on timing (what the page offers when), so on a busy
   * machine a seed's own mix may meet too few refusals: seed 23 met 8 here and 1 in CI.
   */
  minRefusals?: number;
  log?: (line: string) => void;
}

export interface WalkReport {
  seed: number;
  steps: number;
  actions: Record<string, number>;
  saves: number;
  /** Acknowledged service-area writes (create, update, delete, split, merge) found in the database as answered. */
  checkedSaves: number;
  /** Acknowledged writes in all. */
  acknowledgedWrites: number;
  /** Writes whose answer never reached the page (the ledger then re-read the database). */
  unanswered: number;
  /** Saves after which the editor showed exactly the stored polygon (the main invariant, checked). */
  shownSaves: number;
  /** Saves the server acknowledged (2xx). */
  savesAcknowledged: number;
  /** Saves the server refused, by the error code it answered (overlap, out_of_jurisdiction, …). */
  savesRefused: Record<string, number>;
  /** Saves the client refused before sending (a blocking live check, a missing field). */
  savesRefusedInClient: number;
  /** Refused saves (by the editor or the server) after which the message and the untouched areas were checked. */
  refusalsChecked: number;
}

/** The editor's messages for a save it or the server refused. */
const REFUSAL_KEYS = [
  'save.blocked',
  'save.outOfJurisdiction',
  'save.formErrors',
  'save.forbidden',
  'save.failed',
] as const satisfies readonly EditorMessageKey[];
/** A message's template as a pattern for the whole text, its {parameters} standing for any words. */
const wording = (lang: Language, key: EditorMessageKey) =>
  new RegExp(
    `^${EDITOR_MESSAGES[lang][key]
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
    's',
  );
/** The codes (checks, errors, reasons) a text shows raw: any in Chinese, any with an underscore in English. */
const CODES: readonly string[] = [...CHECK_CODES, ...ERROR_CODES, ...Object.keys(ERROR_REASONS)];
const rawCodes = (lang: Language, text: string) =>
  CODES.filter(
    (c) => (lang === 'zh-CN' || c.includes('_')) && new RegExp(`(^|[^A-Za-z_])${c}($|[^A-Za-z_])`).test(text),
  );

/** A failed invariant, with the walk so far to replay it. */
export class WalkError extends Error {}

type Action = { name: string; when: (v: EditorView) => boolean; run: () => Promise<void> };

/**
 * How often each action is picked among those the state allows (editing more than browsing); a user
 * with unsaved edits mostly saves them, so most edits reach the server and are checked there, unless
 * the server or the editor just refused that very polygon: then they mostly undo.
 */
const weight = (name: string, v: EditorView, refusedAgain: boolean, chaseRefusals: boolean) =>
  chaseRefusals && name === 'draw-refused'
    ? 40
    : refusedAgain && (name === 'save' || name === 'undo' || name === 'discard')
      ? { save: 1, undo: 6, discard: 10 }[name]
      : name === 'save' && v.dirty
        ? 40
        : (WEIGHT[name] ?? 1);
const WEIGHT: Record<string, number> = {
  open: 3,
  'sign-in': 5,
  select: 6,
  draw: 5,
  'draw-refused': 2,
  'drag-vertex': 6,
  undo: 3,
  redo: 2,
  split: 2,
  merge: 2,
  save: 4,
  close: 2,
  language: 1,
  dashboard: 1,
  dock: 1,
  adopt: 1,
  discard: 1,
};

/**
 * Walks `steps` random actions on `page` (a fresh page of `browser`) over `world`. Throws WalkError
 * on the first broken invariant, naming the seed, the step and the actions so far.
 */
export async function walk(browser: Browser, world: WalkWorld, opts: WalkOptions): Promise<WalkReport> {
  const random = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (a: number, b: number) => a + random() * (b - a);
  const log = opts.log ?? (() => {});
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A panel's error boundary catches its fault (no page error) and logs it: the walk counts it as one.
  const panelFaults: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /^panel \S+ failed:/.test(m.text()))
      panelFaults.push(m.text().slice(0, 2000));
  });
  const history: string[] = [];
  const report: WalkReport = {
    seed: opts.seed,
    steps: 0,
    actions: {},
    saves: 0,
    checkedSaves: 0,
    acknowledgedWrites: 0,
    unanswered: 0,
    shownSaves: 0,
    savesAcknowledged: 0,
    savesRefused: {},
    savesRefusedInClient: 0,
    refusalsChecked: 0,
  };
  // The guards' native confirmations (close, new, switch area with unsaved edits): yes or no at random.
  let lastDialog: boolean | null = null;
  page.on('dialog', (d) => {
    lastDialog = random() < 0.7;
    void (lastDialog ? d.accept() : d.dismiss()).catch(() => {});
  });
  const baseline = await fingerprint(world.db);

  // Every write the page sends to /api/service-areas, and what the server answered it.
  const ledger = new AreaLedger();
  await ledger.reset(world.db);
  const inFlight = new Set<Request>();
  const handling: Promise<void>[] = [];
  const complaints: string[] = [];
  let writesSent = 0;
  let lostAnswer = false;
  let lastRefusal = '';
  /** The next step saves (after a draw aimed at a refusal). */
  let saveNext = false;
  /** The polygon of the last refused save (JSON). */
  let refusedGeometry = '';
  const isWrite = (r: Request) =>
    r.method() !== 'GET' && new URL(r.url()).pathname.startsWith('/api/service-areas');
  const sentAt = new Map<Request, number>();
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api')) sentAt.set(r, Date.now());
    if (!isWrite(r)) return;
    inFlight.add(r);
    writesSent++;
  });
  page.on('requestfinished', (r) => {
    const t = sentAt.get(r);
    if (t !== undefined) {
      sentAt.delete(r);
      if (Date.now() - t > 300)
        log(`    ${r.method()} ${r.url().replace(world.url, '')} ${Date.now() - t} ms`);
    }
    if (!isWrite(r)) return;
    handling.push(
      (async () => {
        const res = await r.response();
        const answer: unknown = res && res.status() !== 204 ? await res.json().catch(() => null) : null;
        let request: unknown;
        try {
          request = r.postDataJSON();
        } catch {
          request = null;
        }
        const status = res?.status() ?? 0;
        if (status >= 400)
          lastRefusal = (answer as { error?: { code?: string } } | null)?.error?.code ?? `http_${status}`;
        const why = ledger.apply(r.method(), new URL(r.url()).pathname, status, request, answer);
        if (why) complaints.push(why);
      })()
        .catch((e: unknown) => {
          lostAnswer = true;
          log(`  (the answer of ${r.method()} ${r.url()} could not be read: ${(e as Error).message})`);
        })
        .finally(() => inFlight.delete(r)),
    );
  });
  page.on('requestfailed', (r) => {
    if (!isWrite(r)) return;
    inFlight.delete(r);
    lostAnswer = true;
  });
  /** Until every write the page sent has its answer applied to the ledger (false if that took too long). */
  const writesSettled = async (ms: number) => {
    const until = Date.now() + ms;
    while (inFlight.size && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(handling.splice(0));
    return inFlight.size === 0;
  };

  const fail = (what: string): never => {
    throw new WalkError(
      `walk seed ${opts.seed}, step ${history.length}: ${what}\n  actions: ${history.join(' → ')}`,
    );
  };
  const home = async () => {
    await page.goto(`${world.url}/#${ZOOM}/${CENTRE[1]}/${CENTRE[0]}`);
    await page.waitForSelector('[data-testid=map][data-map-state=idle] canvas', { timeout: 120_000 });
  };
  const pixel = async (p: Position) => {
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const xy = await page.evaluate((q) => window.__wuyouEditor!.project(q), p);
    return { x: box.x + xy.x, y: box.y + xy.y };
  };
  /**
   * Where points are on the page, and whether a click there reaches the map (not a panel, the legend or
   * the dashboard over it, not off the screen).
   */
  const onScreen = (ps: Position[]) =>
    page.evaluate((qs) => {
      const map = document.querySelector('[data-testid=map]')!;
      const box = map.getBoundingClientRect();
      return qs.map((q) => {
        const xy = window.__wuyouEditor!.project(q);
        const x = box.x + xy.x;
        const y = box.y + xy.y;
        const at = document.elementFromPoint(x, y);
        return { x, y, onMap: at?.tagName === 'CANVAS' && map.contains(at) };
      });
    }, ps);
  /** Metres per screen pixel here and now (the view may have moved: adopting a proposal flies to it). */
  const metresPerPixel = async () => {
    const [a, b] = await onScreen([pt(0, 0), pt(100, 0)]);
    return 100 / Math.max(1e-6, Math.hypot(b!.x - a!.x, b!.y - a!.y));
  };
  /** The part of the street the map shows, in the world's metres (the map is north up). */
  const viewMetres = async () => {
    const [o] = await onScreen([pt(0, 0)]);
    const mpp = await metresPerPixel();
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const x = (px: number) => (px - o!.x) * mpp;
    const y = (py: number) => (o!.y - py) * mpp;
    return {
      x0: Math.max(-580, x(box.x)),
      x1: Math.min(580, x(box.x + box.width)),
      y0: Math.max(-580, y(box.y + box.height)),
      y1: Math.min(580, y(box.y)),
    };
  };
  /** The snapping tolerance (area-draw.ts: 12 px) with a margin, in metres. */
  const snapReach = async () => 16 * (await metresPerPixel());
  /**
   * The first of the candidate polygons the server would take as a new or edited area: valid, at least
   * `minM2`, inside the street, overlapping no stored area (but `except`) nor any of `extra` (parts a
   * save will create), and keeping `clearance` metres from the others' edges at `points` (so snapping
   * cannot pull a vertex onto a neighbour). Null when none is.
   */
  const firstValid = async (
    candidates: { rings: Position[][]; points: Position[] }[],
    opts: { except: number[]; extra: Polygon[]; clearance: number; minM2: number },
  ): Promise<number | null> => {
    if (!candidates.length) return null;
    const r = await world.db.query<{ i: number }>(
      `WITH c AS (
         SELECT (e.ordinality - 1)::int AS i, e.value AS v
         FROM json_array_elements($1::json) WITH ORDINALITY e),
       v AS (
         SELECT c.i, ST_SetSRID(ST_GeomFromGeoJSON(json_build_object('type', 'Polygon',
                  'coordinates', json_build_array(r.value))::text), 4326) AS g
         FROM c, json_array_elements(c.v->'rings') r),
       p AS (
         SELECT c.i, ST_SetSRID(ST_MakePoint((q.value->>0)::float8, (q.value->>1)::float8), 4326) AS g
         FROM c, json_array_elements(c.v->'points') q),
       extra AS (
         SELECT ST_SetSRID(ST_GeomFromGeoJSON(x.value::text), 4326) AS g FROM json_array_elements($4::json) x),
       others AS (
         SELECT geom AS g FROM service_areas WHERE NOT (id = ANY($3::bigint[]))
         UNION ALL SELECT g FROM extra),
       street AS (SELECT geom FROM jurisdictions WHERE code = $2)
       SELECT c.i FROM c
       WHERE NOT EXISTS (
         SELECT 1 FROM v WHERE v.i = c.i AND CASE WHEN NOT ST_IsValid(v.g) THEN true ELSE
           ST_Area(v.g::geography) < $5
           OR NOT ST_CoveredBy(v.g, (SELECT geom FROM street))
           OR EXISTS (SELECT 1 FROM others o WHERE ST_Intersects(o.g, v.g)
                        AND ST_Area(ST_Intersection(o.g, v.g)::geography) > 0.001) END)
       AND NOT EXISTS (
         SELECT 1 FROM p, others o WHERE p.i = c.i AND ST_DWithin(o.g::geography, p.g::geography, $6))
       ORDER BY c.i LIMIT 1`,
      [
        JSON.stringify(candidates),
        STREET,
        opts.except,
        JSON.stringify(opts.extra),
        opts.minM2,
        opts.clearance,
      ],
    );
    return r.rows[0]?.i ?? null;
  };
  const drawnNow = () => page.evaluate(() => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features));
  const clickMap = async (p: Position, waitForDrawing: boolean) => {
    const { x, y } = await pixel(p);
    const was = waitForDrawing ? await drawnNow() : '';
    await page.mouse.click(x, y);
    if (waitForDrawing)
      await within(
        page.waitForFunction(
          (w) => JSON.stringify(window.__wuyouEditor!.drawSnapshot().features) !== w,
          was,
          { timeout: 4000, polling: 50 },
        ),
      );
  };
  /** Answers an unsaved-changes or delete confirmation, if one is up, at random. */
  const answerDialogs = async () => {
    for (let i = 0; i < 3; i++) {
      if (await page.isVisible('[data-testid=confirm-yes]')) {
        await page.click(random() < 0.7 ? '[data-testid=confirm-yes]' : '[data-testid=confirm-no]');
      } else if (await page.isVisible('[data-testid=merge-keep-mine]')) {
        await page.click(
          random() < 0.5 ? '[data-testid=merge-keep-mine]' : '[data-testid=merge-keep-theirs]',
        );
      } else if (await page.isVisible('[data-testid=conflict-take-theirs]')) {
        await page.click('[data-testid=conflict-take-theirs]');
      } else return;
    }
  };
  const button = async (id: string) => {
    const sel = `[data-testid=editor-${id}]`;
    if (!(await page.isVisible(sel)) || !(await page.isEnabled(sel))) return false;
    await page.click(sel);
    return true;
  };
  const areas = async () =>
    (
      await world.db.query<{
        id: number;
        x: number;
        y: number;
        minx: number;
        maxx: number;
        miny: number;
        maxy: number;
      }>(
        `SELECT id::int AS id, ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y,
                ST_XMin(geom) AS minx, ST_XMax(geom) AS maxx, ST_YMin(geom) AS miny, ST_YMax(geom) AS maxy
         FROM service_areas WHERE street_code = $1 ORDER BY id`,
        [STREET],
      )
    ).rows;

  /**
   * After a refused save: the editor says so in the glossary's words (one of its save messages, no raw
   * code such as `overlap` in the Chinese UI, no underscored code in the English one), and nothing was
   * written (the areas, their versions and their history are as before the click). No page error and
   * a page that is not blank are checked after every step.
   */
  const refused = async (by: string, before: Record<string, string>) => {
    if (await page.isVisible('[data-testid=login-username]')) return; // signed out: it asks to sign in
    const shown = await within(page.waitForSelector('[data-testid=editor-message]', { timeout: 10_000 }));
    if (!shown) fail(`a save refused by ${by} showed no message`);
    const m = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=editor-message]');
      const issues = [...document.querySelectorAll('[data-testid=editor-checks] li')].map(
        (li) => li.textContent ?? '',
      );
      return {
        lang: document.documentElement.lang,
        role: el?.getAttribute('role') ?? '',
        text: el?.textContent ?? '',
        issues,
      };
    });
    const lang = m.lang === 'en' ? 'en' : 'zh-CN';
    const worded = REFUSAL_KEYS.some((key) => wording(lang, key).test(m.text));
    if (m.role !== 'alert' || !worded)
      fail(
        `a save refused by ${by} said “${m.text}” (role ${m.role}), not one of the editor's refusals in ${lang}`,
      );
    for (const text of [m.text, ...m.issues]) {
      const raw = rawCodes(lang, text);
      if (raw.length) fail(`a save refused by ${by} shows the raw code ${raw.join(', ')} in “${text}”`);
    }
    report.refusalsChecked++;
    refusedGeometry = (await view(page)).geometry;
    log(`  (save refused by ${by}: “${m.text}” ${m.issues.map((i) => `“${i}”`).join(' ')})`);
    const after = await fingerprint(world.db, AREA_TABLES);
    const changed = AREA_TABLES.filter((t) => after[t] !== before[t]);
    if (changed.length) fail(`a save refused by ${by} wrote ${changed.join(', ')}`);
  };

  const actions: Action[] = [
    {
      name: 'open',
      when: (v) => !v.open,
      run: async () => {
        // Open, or (open behind the dashboard) brought to the front by its tab.
        if (await page.isVisible('[data-testid=dock-tab-editor]'))
          await page.click('[data-testid=dock-tab-editor]');
        else await page.click('[data-testid=editor-open]');
        await page.waitForSelector('[data-testid=editor-panel]', { state: 'visible' });
      },
    },
    {
      name: 'sign-in',
      when: (v) => v.open && !v.signedIn,
      run: async () => {
        await page.click('[data-testid=editor-login]');
        await page.fill('[data-testid=login-username]', `editor-${STREET}`);
        await page.fill('[data-testid=login-password]', PASSWORD);
        await page.click('[data-testid=login-submit]');
        await page.waitForSelector('[data-testid=editor-user]');
        await page.waitForFunction(() => !!window.__wuyouEditor);
      },
    },
    {
      name: 'select',
      // (While drawing or splitting a click on the map is a vertex; while merging it picks the other area.)
      when: (v) => v.open && v.signedIn && v.tool !== 'draw' && v.tool !== 'split' && v.tool !== 'merge',
      run: async () => {
        const v = await view(page);
        // Not an area whose point the draft covers (a drawing aimed over it): the click would land on the draft.
        const under = new Set(
          v.geometry === 'null'
            ? []
            : (
                await world.db.query<{ id: number }>(
                  `SELECT id::int AS id FROM service_areas
                   WHERE ST_Intersects(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)), ST_PointOnSurface(geom))`,
                  [v.geometry],
                )
              ).rows.map((r) => r.id),
        );
        const all = (await areas()).filter((x) => x.id !== v.draftId && !under.has(x.id));
        const seen = await onScreen(all.map((a) => [a.x, a.y]));
        const shown = all.filter((_, i) => seen[i]!.onMap);
        if (!shown.length) return;
        const a = pick(shown);
        lastDialog = null;
        await clickMap([a.x, a.y], false);
        // With unsaved edits the editor asks first; a "no" keeps the draft as it was.
        if (lastDialog === false) return;
        await within(
          page.waitForFunction((want) => window.__wuyouEditor?.getState().draft?.id === want, a.id, {
            timeout: 15_000,
          }),
        );
      },
    },
    // Drawing: 'draw' into empty space the server will take; 'draw-refused' aimed at a refusal, across
    // the street's edge (out_of_jurisdiction, which only the server judges) or, when that edge is out
    // of view, over a stored area's corner (overlap: the editor refuses it, or clips it when 避免重叠 is on).
    ...(['draw', 'draw-refused'] as const).map((name): Action => ({
      name,
      when: (v) => v.open && v.signedIn,
      run: async () => {
        // Candidate shapes in the part of the street in view (adopting a proposal flies the map to it):
        // quadrilaterals 20-70 m a side, corners jittered.
        const v = await viewMetres();
        const quad = (cx: number, cy: number, w: number, h: number) => {
          const j = Math.min(w, h) * 0.2;
          return [
            [-1, -1],
            [1, -1],
            [1, 1],
            [-1, 1],
          ].map(([sx, sy]) => pt(cx + (sx! * w) / 2 + between(-j, j), cy + (sy! * h) / 2 + between(-j, j)));
        };
        const shapes: Position[][] = [];
        for (let k = 0; k < 24; k++)
          shapes.push(quad(between(v.x0, v.x1), between(v.y0, v.y1), between(20, 70), between(20, 70)));
        const aimed = name === 'draw-refused';
        if (aimed) {
          // A point of the edge from `from` on, in the part of the street in view if any is.
          const span = (from: number, lo: number, hi: number) =>
            Math.max(from, lo) < Math.min(600, hi)
              ? between(Math.max(from, lo), Math.min(600, hi))
              : between(from, 600);
          const across = Array.from({ length: 6 }, () =>
            random() < 0.5
              ? quad(BITE.x, span(BITE.y, v.y0, v.y1), between(30, 60), between(30, 60))
              : quad(span(BITE.x, v.x0, v.x1), BITE.y, between(30, 60), between(30, 60)),
          );
          const over = (await areas()).map((a) => {
            const [x0, y0] = toLocal(O, a.minx, a.miny);
            const [x1, y1] = toLocal(O, a.maxx, a.maxy);
            return quad(pick([x0!, x1!]), pick([y0!, y1!]), between(30, 50), between(30, 50));
          });
          shapes.splice(0, shapes.length, ...across, ...over);
        }
        // A user who drew a polygon mostly saves it next (an aimed one always: refused, unless 避免重叠
        // clips it free); the rest of the time the drawing meets the guards (close, new, select) unsaved.
        saveNext = aimed || random() < 3 / 4;
        const snap = random() < 0.5;
        const avoid = random() < 0.5;
        if (!(await button('new'))) return;
        // With unsaved edits the editor asks first; a "no" keeps the draft and no drawing starts.
        if ((await view(page)).tool !== 'draw') return;
        if (await page.isEnabled('[data-testid=editor-snapping]').catch(() => false))
          await page.setChecked('[data-testid=editor-snapping]', snap);
        if (aimed && (await page.isEnabled('[data-testid=editor-avoid-overlap]').catch(() => false)))
          await page.setChecked('[data-testid=editor-avoid-overlap]', avoid);
        const snapping = await page.isChecked('[data-testid=editor-snapping]');
        const px = await onScreen(shapes.flat());
        const visible = shapes.filter((_, k) => px.slice(k * 4, k * 4 + 4).every((q) => q.onMap));
        let ring: Position[] | undefined = visible[0];
        if (!aimed) {
          const i = await firstValid(
            visible.map((r) => ({ rings: [[...r, r[0]!]], points: r })),
            { except: [], extra: [], clearance: snapping ? await snapReach() : 1, minM2: 150 },
          );
          ring = i === null ? undefined : visible[i];
        }
        if (!ring) {
          log('  (draw: no free space in view)');
          return;
        }
        for (const p of ring) await clickMap(p, true);
        await clickMap(ring[0]!, false);
        await within(
          page.waitForFunction(() => window.__wuyouEditor!.getState().draft?.geometry != null, undefined, {
            timeout: 10_000,
          }),
        );
      },
    })),
    {
      name: 'drag-vertex',
      when: (v) => v.open && v.hasGeometry && v.tool === 'edit',
      run: async () => {
        const s = await page.evaluate(() => {
          const st = window.__wuyouEditor!.getState() as {
            draft: { id: number | null; geometry: Polygon | null } | null;
            pending: { mergedAway: { id: number }[]; splitOff: Polygon[] };
          };
          return {
            ring: st.draft?.geometry?.coordinates[0] ?? null,
            id: st.draft?.id ?? null,
            mergedAway: st.pending.mergedAway.map((m) => m.id),
            splitOff: st.pending.splitOff,
          };
        });
        const ring = s.ring;
        if (!ring || ring.length < 4) return;
        const k = Math.floor(random() * (ring.length - 1));
        const [vx, vy] = toLocal(O, ring[k]![0]!, ring[k]![1]!);
        // Eight moves of 3-15 m; each is tried with the vertex also 1.5 m off each way, so the pixel
        // the mouse lands on cannot turn a valid move into an overlap.
        const moves = Array.from({ length: 8 }, () => {
          const d = between(3, 15);
          const a = between(0, 2 * Math.PI);
          const tx = vx + d * Math.cos(a);
          const ty = vy + d * Math.sin(a);
          const rings = [
            [0, 0],
            [1.5, 0],
            [-1.5, 0],
            [0, 1.5],
            [0, -1.5],
          ].map(([ex, ey]) => {
            const r = ring.slice();
            r[k] = pt(tx + ex!, ty + ey!);
            if (k === 0) r[r.length - 1] = r[0]!;
            return r;
          });
          return { target: pt(tx, ty), rings, points: [pt(tx, ty)] };
        });
        // Most moves keep the area valid; one in eight is aimed at a refusal: the vertex goes 8 m past
        // the nearest point of the street's edge or into the nearest other area, whichever is within 80 m.
        const except = [...(s.id === null ? [] : [s.id]), ...s.mergedAway];
        let move: { target: Position } | undefined = moves[0];
        if (random() < 1 / 8) {
          const nearest = await world.db.query<{ x: number; y: number }>(
            `WITH v AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
             SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (
               (SELECT ST_ClosestPoint(ST_Boundary(j.geom), v.g) AS p FROM jurisdictions j, v WHERE j.code = $3)
               UNION ALL
               (SELECT ST_ClosestPoint(a.geom, v.g) FROM service_areas a, v
                WHERE NOT (a.id = ANY($4::bigint[])) ORDER BY a.geom <-> v.g LIMIT 1)) n`,
            [ring[k]![0], ring[k]![1], STREET, except],
          );
          const targets = nearest.rows.flatMap((r) => {
            const [nx, ny] = toLocal(O, r.x, r.y);
            const d = Math.hypot(nx! - vx!, ny! - vy!);
            return d >= 0.5 && d <= 80 ? [pt(nx! + ((nx! - vx!) / d) * 8, ny! + ((ny! - vy!) / d) * 8)] : [];
          });
          if (targets.length) move = { target: pick(targets) };
          log(`  (drag-vertex: aimed at a refusal, ${targets.length} targets within 80 m)`);
        } else {
          const snapping = await page.isChecked('[data-testid=editor-snapping]');
          const i = await firstValid(moves, {
            except,
            extra: s.splitOff,
            clearance: snapping ? await snapReach() : 0.5,
            minM2: 110,
          });
          move = i === null ? undefined : moves[i];
        }
        if (!move) return;
        const [from, to] = await onScreen([ring[k]!, move.target]);
        if (!from!.onMap || !to!.onMap) return;
        await page.mouse.move(from!.x, from!.y);
        await page.mouse.down();
        for (let i = 1; i <= 8; i++)
          await page.mouse.move(from!.x + ((to!.x - from!.x) * i) / 8, from!.y + ((to!.y - from!.y) * i) / 8);
        await page.mouse.up();
        await within(
          page.waitForFunction(
            (r0) =>
              JSON.stringify(
                (window.__wuyouEditor!.getState().draft?.geometry as Polygon | null)?.coordinates[0],
              ) !== r0,
            JSON.stringify(ring),
            { timeout: 5000 },
          ),
        );
      },
    },
    { name: 'undo', when: (v) => v.open, run: async () => void (await button('undo')) },
    // 放弃修改: back to the stored area (or no draft), without a question.
    { name: 'discard', when: (v) => v.open && v.dirty, run: async () => void (await button('discard')) },
    { name: 'redo', when: (v) => v.open, run: async () => void (await button('redo')) },
    {
      name: 'split',
      when: (v) => v.open && v.draftId != null && !v.dirty,
      run: async () => {
        const id = (await view(page)).draftId;
        const box = (await areas()).find((x) => x.id === id);
        if (!box || !(await button('split'))) return;
        const x = between(box.minx + (box.maxx - box.minx) * 0.3, box.minx + (box.maxx - box.minx) * 0.7);
        const dy = (box.maxy - box.miny) * 0.2;
        await clickMap([x, box.miny - dy], true);
        await clickMap([x, box.maxy + dy], true);
        await clickMap([x, box.maxy + dy], false);
        await within(
          page.waitForFunction(
            () => window.__wuyouEditor!.getState().pending.splitOff.length > 0,
            undefined,
            {
              timeout: 5000,
            },
          ),
        );
      },
    },
    {
      name: 'merge',
      when: (v) => v.open && v.draftId != null && !v.dirty,
      run: async () => {
        const id = (await view(page)).draftId;
        const touching = new Set(
          (
            await world.db.query<{ id: number }>(
              `SELECT b.id::int AS id FROM service_areas a, service_areas b
               WHERE a.id = $1 AND b.id <> a.id AND ST_DWithin(a.geom::geography, b.geom::geography, 0.05)`,
              [id],
            )
          ).rows.map((r) => r.id),
        );
        const all = (await areas()).filter((x) => x.id !== id);
        const seen = await onScreen(all.map((a) => [a.x, a.y]));
        const shown = all.filter((_, i) => seen[i]!.onMap);
        // Mostly a neighbour it touches; one in eight any area in view (the editor refuses: not adjacent).
        const near = shown.filter((x) => touching.has(x.id));
        const others = near.length && random() >= 1 / 8 ? near : shown;
        if (!others.length || !(await button('merge'))) return;
        const o = pick(others);
        await clickMap([o.x, o.y], false);
        await within(page.waitForSelector('[data-testid=merge-keep-mine]', { timeout: 15_000 }));
        await answerDialogs();
      },
    },
    {
      name: 'save',
      when: (v) => v.open && v.hasGeometry,
      run: async () => {
        if (!(await page.isEnabled('[data-testid=editor-save]'))) return;
        // What a user fills before saving a new area: a name and the management mode.
        if (await page.isVisible('[data-testid=field-name]')) {
          if (!(await page.inputValue('[data-testid=field-name]')))
            await page.fill('[data-testid=field-name]', `漫步新区域${Math.floor(random() * 1000)}`);
          const mode = '[data-testid=field-management_mode]';
          if ((await page.isVisible(mode)) && !(await page.inputValue(mode)))
            await page.selectOption(mode, 'community_custodial');
        }
        // The click either refuses at once in the client (a blocking live check, a missing field: a
        // message, no request) or starts saving (the button busy): the editor decides within the click's
        // own event, so two frames later the button says which. Then the save runs to its end, however
        // long the loaded machine takes, so its answer is seen and checked.
        const sent = writesSent;
        const acked = ledger.acked;
        const before = await fingerprint(world.db, AREA_TABLES);
        lastRefusal = '';
        await page.click('[data-testid=editor-save]');
        await page.evaluate(
          () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))),
        );
        const started =
          writesSent > sent ||
          (await page.evaluate(
            () => document.querySelector('[data-testid=editor-save]')?.getAttribute('aria-busy') === 'true',
          ));
        if (started)
          await within(
            page.waitForFunction(
              () => document.querySelector('[data-testid=editor-save]')?.getAttribute('aria-busy') !== 'true',
              undefined,
              { timeout: 180_000 },
            ),
          );
        await writesSettled(60_000);
        if (writesSent === sent) {
          report.savesRefusedInClient++;
          await refused('the editor', before);
          await answerDialogs();
          return;
        }
        report.saves++;
        if (ledger.acked === acked) {
          // Refused by the server (out of the street, overlap, …): it said why.
          const code = lastRefusal || 'unknown';
          report.savesRefused[code] = (report.savesRefused[code] ?? 0) + 1;
          // A version conflict answers with the conflict dialog (their version beside the draft), not a message.
          if (code !== 'version_conflict') await refused(`the server (${code})`, before);
          await answerDialogs();
          return;
        }
        await answerDialogs();
        report.savesAcknowledged++;
        // The stored geometry is what the editor shows once the save has settled.
        const settled = await within(
          page.waitForFunction(
            () => {
              const s = window.__wuyouEditor?.getState() as
                { draft: { id: number | null } | null; pending: { splitOff: unknown[] } } | undefined;
              return (
                !!s?.draft?.id &&
                s.pending.splitOff.length === 0 &&
                !document.querySelector('[data-testid=editor-dirty]')
              );
            },
            undefined,
            { timeout: 20_000 },
          ),
        );
        if (!settled) return;
        const shown = await page.evaluate(() => {
          const d = window.__wuyouEditor!.getState().draft!;
          return { id: d.id!, geometry: d.geometry };
        });
        const row = (
          await world.db.query<{ diff: number | null }>(
            `SELECT ST_Area(ST_SymDifference(geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326))::geography) AS diff
             FROM service_areas WHERE id = $1`,
            [shown.id, JSON.stringify(shown.geometry)],
          )
        ).rows[0];
        if (!row) fail(`saved area ${shown.id} is not stored`);
        if (row!.diff == null || row!.diff > 0.01)
          fail(`saved area ${shown.id}: stored geometry differs from the editor's by ${row!.diff} m²`);
        report.shownSaves++;
      },
    },
    {
      name: 'close',
      when: (v) => v.open,
      run: async () => {
        await page.click('[data-testid=editor-close]');
        await answerDialogs();
        await within(page.waitForSelector('[data-testid=editor-open]', { timeout: 5000 }));
      },
    },
    {
      name: 'language',
      when: () => true,
      run: async () => {
        const before = await page.textContent('[data-testid=lang-switch]');
        await page.click('[data-testid=lang-switch]');
        await within(
          page.waitForFunction(
            (b) => document.querySelector('[data-testid=lang-switch]')?.textContent !== b,
            before,
            { timeout: 5000 },
          ),
        );
      },
    },
    {
      name: 'dashboard',
      when: () => true,
      run: async () => {
        if (await page.isVisible('[data-testid=dashboard-close]')) {
          await page.click('[data-testid=dashboard-close]');
          return;
        }
        await page.click('[data-testid=dashboard-button]');
        await within(page.waitForSelector('[data-testid=dashboard-child]', { timeout: 20_000 }));
      },
    },
    {
      // The right-hand dock's other tab, while the editor and the dashboard share it.
      name: 'dock',
      when: (v) => v.docked,
      run: async () => {
        const behind = page.locator('[data-testid=dock-tabs] [role=tab][aria-selected=false]');
        const panel = await behind.getAttribute('data-panel');
        await behind.click();
        await page.waitForSelector(
          panel === 'editor' ? '[data-testid=editor-panel]' : '[data-testid=dashboard]',
          {
            state: 'visible',
          },
        );
      },
    },
    {
      name: 'adopt',
      when: (v) => !v.dirty,
      run: async () => {
        if (!(await page.isVisible('[data-testid=dashboard-close]'))) {
          await page.click('[data-testid=dashboard-button]');
        }
        // Down to the street: its crumb is the third.
        for (let level = 0; level < 2; level++) {
          if ((await page.locator('[data-testid=dashboard] nav button').count()) >= 3) break;
          const child = page.locator('[data-testid=dashboard-child] button').first();
          if (!(await within(child.waitFor({ timeout: 20_000 })))) return;
          await child.click();
          await within(
            page.waitForFunction(
              (n) => document.querySelectorAll('[data-testid=dashboard] nav button').length > n,
              level + 1,
              { timeout: 20_000 },
            ),
          );
        }
        // The street's lists loaded (or refused: signed out), then a proposal to adopt if there is one.
        // Waiting for the button itself cost 20 s whenever the street had none, or the editor was
        // closed (no 采纳 without it), and seed 11 adopts in 6 of its 100 steps.
        const loaded = await within(
          page.waitForFunction(
            () => {
              const s = document.querySelector('[data-testid=gaps-section]');
              return !!s && s.getAttribute('aria-busy') !== 'true';
            },
            undefined,
            { timeout: 20_000 },
          ),
        );
        const accept = page.locator('[data-testid=proposal-accept]').first();
        if (!loaded || !(await accept.isVisible())) return;
        await accept.click();
        await answerDialogs();
        await within(
          page.waitForFunction(() => window.__wuyouEditor?.getState().draft?.geometry != null, undefined, {
            timeout: 20_000,
          }),
        );
      },
    },
  ];

  const check = async (after: string) => {
    if (errors.length) fail(`page error after ${after}: ${errors.join(' | ')}`);
    // A panel that failed shows its fault box (over the editor's buttons, top right) instead.
    const fault = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=panel-fault]');
      return el ? `${el.getAttribute('data-panel')}: ${el.textContent ?? ''}` : null;
    });
    if (fault || panelFaults.length)
      fail(`a panel failed after ${after}: ${fault ?? ''} ${panelFaults.join(' | ')}`);
    const blank = await page.evaluate(
      () =>
        !document.querySelector('[data-testid=topbar]') ||
        !document.querySelector('[data-testid=map] canvas'),
    );
    if (blank) fail(`the app went blank after ${after}`);
    const now = await fingerprint(world.db);
    const changed = PROTECTED.filter((t) => now[t] !== baseline[t]);
    if (changed.length) fail(`${after} wrote ${changed.join(', ')} (only service areas may change)`);
    // The stored areas are exactly what the acknowledged writes made them.
    if (!(await writesSettled(120_000))) {
      log(`  (a write is still unanswered after ${after}: compared at the next step)`);
      return;
    }
    if (complaints.length) fail(complaints.join(' | '));
    if (lostAnswer) {
      // The page never read an answer (a request cut off): the ledger cannot know it; start again from the database.
      report.unanswered++;
      lostAnswer = false;
      await ledger.reset(world.db);
    }
    const diffs = await ledger.compare(world.db);
    if (diffs.length) fail(`after ${after}: ${diffs.join(' | ')}`);
    report.acknowledgedWrites = ledger.acked;
    report.checkedSaves = ledger.verified;
  };

  try {
    await home();
    await check('load');
    for (let step = 0; step < opts.steps && !(opts.deadline && Date.now() > opts.deadline); step++) {
      const v = await view(page);
      const enabled = actions.filter((a) => a.when(v) && !opts.knownFailing?.[a.name]);
      // A user whose save was refused does not click 保存 again on the same polygon: mostly discards or undoes.
      const again = v.dirty && v.geometry === refusedGeometry;
      const chase = step >= opts.steps / 2 && report.refusalsChecked < (opts.minRefusals ?? 0);
      let r = random() * enabled.reduce((t, x) => t + weight(x.name, v, again, chase), 0);
      const chosen =
        enabled.find((x) => (r -= weight(x.name, v, again, chase)) < 0) ?? enabled[enabled.length - 1]!;
      const a = (saveNext && enabled.find((x) => x.name === 'save')) || chosen;
      saveNext = false;
      history.push(a.name);
      report.actions[a.name] = (report.actions[a.name] ?? 0) + 1;
      const t0 = Date.now();
      try {
        await a.run();
      } catch (e) {
        if (e instanceof WalkError) throw e;
        // A step the UI did not offer (a button gone, a timeout): a defect only if an invariant broke.
        // With Playwright's call log (what the click waited for: an element over the button, a
        // button never enabled or never still), so a long walk's log says why.
        const lines = (e as Error).message.split('\n').filter((l) => l.trim());
        const why = lines
          .slice(1)
          .filter((l) => !/^\s*(Call log:|=+)/.test(l))
          .slice(-4);
        const said = [lines[0], ...why.map((l) => l.trim())].join(' | ');
        // A visible, enabled control the step clicked but another element covers: the user cannot
        // click it either (the merge choice under the dashboard did this).
        if (/intercepts pointer events/.test((e as Error).message))
          fail(`${a.name}: what it clicked is covered by something else: ${said}`);
        log(`  (${a.name} did not complete: ${said})`);
      }
      await check(a.name);
      log(`#${step} ${a.name} (${Date.now() - t0} ms)`);
      report.steps++;
    }
    return report;
  } finally {
    await context.close();
  }
}
