/**
 * Loads the synthetic demo city (data/demo-city) into a database: clears the data tables and inserts
 * the whole city in one transaction. On a PostgreSQL server rows go in through COPY; on the embedded
 * PGlite through multi-row INSERTs of unnested arrays. The generator runs twice — once for everything
 * but the buildings, once streaming the buildings — so memory stays bounded at 500,000 buildings.
 */
import { readFileSync } from 'node:fs';
import {
  demoCity,
  type BuildingRow,
  type CameraRow,
  type CityChunk,
  type CompoundRow,
  type FlatRing,
  type GateRow,
  type ServiceAreaRow,
} from '../../data/demo-city/index.ts';
import type { Db, Queryable } from './db/index.ts';

const CLEAR_SQL = readFileSync(new URL('./seed-clear.sql', import.meta.url), 'utf8');
const FINISH_SQL = readFileSync(new URL('./seed-finish.sql', import.meta.url), 'utf8');

/** Who the seeded rows say made them. */
const SEEDED_BY = 'demo-seed';

export interface SeedOptions {
  buildings: number;
  seed?: number;
  onProgress?: (msg: string) => void;
}

type ColumnType = 'bigint' | 'integer' | 'text' | 'boolean' | 'double precision' | 'geometry' | 'timestamptz';
type Value = string | number | boolean | null;

interface Table {
  name: string;
  columns: readonly (readonly [string, ColumnType])[];
}

// Table and column names come only from here.
const T = {
  jurisdictions: {
    name: 'jurisdictions',
    columns: [
      ['code', 'text'],
      ['name', 'text'],
      ['name_en', 'text'],
      ['level', 'text'],
      ['parent_code', 'text'],
      ['geom', 'geometry'],
    ],
  },
  roads: {
    name: 'basemap_roads',
    columns: [
      ['name', 'text'],
      ['kind', 'text'],
      ['geom', 'geometry'],
    ],
  },
  water: {
    name: 'basemap_water',
    columns: [
      ['name', 'text'],
      ['geom', 'geometry'],
    ],
  },
  blocks: { name: 'basemap_blocks', columns: [['geom', 'geometry']] },
  compounds: {
    name: 'compounds',
    columns: [
      ['id', 'bigint'],
      ['code', 'text'],
      ['name', 'text'],
      ['address', 'text'],
      ['category', 'text'],
      ['households', 'integer'],
      ['year_built', 'integer'],
      ['street_code', 'text'],
      ['community_code', 'text'],
      ['wy_self_governance', 'text'],
      ['wy_security', 'text'],
      ['wy_basic_service', 'text'],
      ['wy_clean_environment', 'text'],
      ['wy_long_term_mechanism', 'text'],
      ['helper_unit', 'text'],
      ['grid_worker', 'text'],
      ['geom', 'geometry'],
    ],
  },
  buildings: {
    name: 'buildings',
    columns: [
      ['id', 'bigint'],
      ['compound_id', 'bigint'],
      ['category', 'text'],
      ['name', 'text'],
      ['address', 'text'],
      ['floors', 'integer'],
      ['households', 'integer'],
      ['covered', 'boolean'],
      ['geom', 'geometry'],
    ],
  },
  gates: {
    name: 'gates',
    columns: [
      ['id', 'bigint'],
      ['name', 'text'],
      ['kind', 'text'],
      ['access_control', 'boolean'],
      ['compound_id', 'bigint'],
      ['updated_by', 'text'],
      ['geom', 'geometry'],
    ],
  },
  cameras: {
    name: 'cameras',
    columns: [
      ['id', 'bigint'],
      ['code', 'text'],
      ['name', 'text'],
      ['system', 'text'],
      ['type', 'text'],
      ['direction_deg', 'double precision'],
      ['fov_deg', 'double precision'],
      ['range_m', 'double precision'],
      ['height_m', 'double precision'],
      ['status', 'text'],
      ['compound_id', 'bigint'],
      ['updated_by', 'text'],
      ['geom', 'geometry'],
    ],
  },
  serviceAreas: {
    name: 'service_areas',
    columns: [
      ['id', 'bigint'],
      ['name', 'text'],
      ['street_code', 'text'],
      ['community_code', 'text'],
      ['management_mode', 'text'],
      ['provider', 'text'],
      ['helper_unit', 'text'],
      ['grid_worker', 'text'],
      ['status', 'text'],
      ['created_by', 'text'],
      ['created_at', 'timestamptz'],
      ['updated_by', 'text'],
      ['updated_at', 'timestamptz'],
      ['geom', 'geometry'],
    ],
  },
} as const satisfies Record<string, Table>;

// ——— EWKT ———

function coords(ring: FlatRing): string {
  let s = '';
  for (let i = 0; i < ring.length; i += 2) s += (i ? ',' : '') + ring[i] + ' ' + ring[i + 1];
  return s;
}
const polygon = (ring: FlatRing) => `SRID=4326;POLYGON((${coords(ring)}))`;
const multiPolygon = (ring: FlatRing) => `SRID=4326;MULTIPOLYGON(((${coords(ring)})))`;
const lineString = (line: number[]) => `SRID=4326;LINESTRING(${coords(line)})`;
const point = (lon: number, lat: number) => `SRID=4326;POINT(${lon} ${lat})`;

// ——— rows ———

const compoundValues = (c: CompoundRow): Value[] => [
  c.id,
  c.code,
  c.name,
  c.address,
  c.category,
  c.households,
  c.yearBuilt,
  c.streetCode,
  c.communityCode,
  c.fiveTargets.wy_self_governance,
  c.fiveTargets.wy_security,
  c.fiveTargets.wy_basic_service,
  c.fiveTargets.wy_clean_environment,
  c.fiveTargets.wy_long_term_mechanism,
  c.helperUnit,
  c.gridWorker,
  multiPolygon(c.ring),
];
const buildingValues = (b: BuildingRow): Value[] => [
  b.id,
  b.compoundId,
  b.category,
  b.name,
  b.address,
  b.floors,
  b.households,
  b.covered,
  polygon(b.ring),
];
const gateValues = (g: GateRow): Value[] => [
  g.id,
  g.name,
  g.kind,
  g.accessControl,
  g.compoundId,
  SEEDED_BY,
  point(g.lon, g.lat),
];
const cameraValues = (c: CameraRow): Value[] => [
  c.id,
  c.code,
  c.name,
  c.system,
  c.type,
  c.directionDeg,
  c.fovDeg,
  c.rangeM,
  c.heightM,
  c.status,
  c.compoundId,
  SEEDED_BY,
  point(c.lon, c.lat),
];
const areaValues = (a: ServiceAreaRow): Value[] => [
  a.id,
  a.name,
  a.streetCode,
  a.communityCode,
  a.managementMode,
  a.provider,
  a.helperUnit,
  a.gridWorker,
  a.status,
  SEEDED_BY,
  a.createdAt,
  SEEDED_BY,
  a.createdAt,
  polygon(a.ring),
];

// ——— writers ———

/** COPY text format: tab-separated, `\N` for null, backslash escapes. */
function copyField(v: Value): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : v;
}

function* copyChunks(rows: Iterable<Value[]>, perChunk = 500): Generator<string> {
  let buf = '';
  let n = 0;
  for (const r of rows) {
    buf += r.map(copyField).join('\t') + '\n';
    if (++n === perChunk) {
      yield buf;
      buf = '';
      n = 0;
    }
  }
  if (buf) yield buf;
}

/** INSERT … SELECT … FROM unnest($1::type[], …): one statement and one parameter per column per batch. */
function unnestInsert(t: Table): string {
  const names = t.columns.map(([n]) => n);
  const arrays = t.columns.map(([, type], i) => `$${i + 1}::${type === 'geometry' ? 'text' : type}[]`);
  const select = t.columns.map(([n, type]) => (type === 'geometry' ? `ST_GeomFromEWKT(u.${n})` : `u.${n}`));
  return `INSERT INTO ${t.name} (${names.join(', ')}) SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})`;
}

async function load(
  db: Db,
  tx: Queryable,
  t: Table,
  rows: Iterable<Value[]>,
  report: (msg: string) => void,
): Promise<number> {
  const started = Date.now();
  const n = await loadRows(db, tx, t, rows);
  report(`${t.name}: ${n.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return n;
}

async function loadRows(
  db: Db,
  tx: Queryable,
  t: Table,
  rows: Iterable<Value[]>,
  batch = 2000,
): Promise<number> {
  let count = 0;
  const counted = function* () {
    for (const r of rows) {
      count++;
      yield r;
    }
  };
  if (db.copyFrom) {
    const cols = t.columns.map(([n]) => n).join(', ');
    if (await db.copyFrom(`COPY ${t.name} (${cols}) FROM STDIN`, copyChunks(counted()), tx)) return count;
    count = 0;
  }
  const sql = unnestInsert(t);
  let cols: Value[][] = t.columns.map(() => []);
  const flush = async () => {
    if (cols[0].length) await tx.query(sql, cols);
    cols = t.columns.map(() => []);
  };
  for (const r of counted()) {
    for (let i = 0; i < r.length; i++) cols[i].push(r[i]);
    if (cols[0].length >= batch) await flush();
  }
  await flush();
  return count;
}

function* progress(
  rows: Iterable<Value[]>,
  total: number,
  report: (msg: string) => void,
): Generator<Value[]> {
  const start = Date.now();
  let last = start;
  let n = 0;
  for (const r of rows) {
    yield r;
    n++;
    const now = Date.now();
    if (now - last >= 1000 || n === total) {
      last = now;
      const rate = Math.round(n / Math.max(0.001, (now - start) / 1000));
      report(
        `buildings ${n.toLocaleString('en-US')} / ~${total.toLocaleString('en-US')} (${rate.toLocaleString('en-US')}/s)`,
      );
    }
  }
}

/**
 * Replaces everything in the database with the demo city of about `opts.buildings` buildings.
 * @returns rows loaded per table
 */
export async function seedDemoCity(db: Db, opts: SeedOptions): Promise<Record<string, number>> {
  const report = opts.onProgress ?? (() => undefined);
  const city = demoCity({ buildings: opts.buildings, seed: opts.seed });
  const counts: Record<string, number> = {};
  const started = Date.now();

  await db.transaction(async (tx) => {
    await tx.query("SET LOCAL wuyou.bulk_load = 'on'");
    await tx.query('SET LOCAL statement_timeout = 0');
    await tx.exec(CLEAR_SQL);

    counts.jurisdictions = await load(
      db,
      tx,
      T.jurisdictions,
      city.jurisdictions.map((j) => [j.code, j.name, j.nameEn, j.level, j.parentCode, multiPolygon(j.ring)]),
      report,
    );
    counts.basemap_roads = await load(
      db,
      tx,
      T.roads,
      city.roads().map((r) => [r.name, r.kind, lineString(r.line)]),
      report,
    );
    counts.basemap_water = await load(
      db,
      tx,
      T.water,
      city.water().map((w) => [w.name, multiPolygon(w.ring)]),
      report,
    );

    // The generator runs once per big table and each pass streams its rows into the database, so
    // memory stays flat at any size; the small tables ride along as side buffers.
    const pass = function* <T>(
      pick: (c: CityChunk) => T[],
      values: (row: T) => Value[],
      side?: (c: CityChunk) => void,
    ) {
      for (const chunk of city.chunks({ buildingGeometry: false })) {
        side?.(chunk);
        for (const r of pick(chunk)) yield values(r);
      }
    };
    const blocks: Value[][] = [];
    counts.compounds = await load(
      db,
      tx,
      T.compounds,
      pass(
        (c) => c.compounds,
        compoundValues,
        (c) => blocks.push(...c.blocks.map((b) => [polygon(b.ring)])),
      ),
      report,
    );
    counts.basemap_blocks = await load(db, tx, T.blocks, blocks, report);
    blocks.length = 0;

    // The buildings. One COPY fills the table faster without its GiST index, which is rebuilt in one
    // sorted pass afterwards (embedded, each batch's triggers need the index).
    const rebuildIndex = db.kind === 'postgres';
    if (rebuildIndex) await tx.query('DROP INDEX IF EXISTS buildings_geom_idx');
    const buildingRows = function* () {
      for (const chunk of city.chunks()) for (const b of chunk.buildings) yield buildingValues(b);
    };
    counts.buildings = await load(
      db,
      tx,
      T.buildings,
      progress(buildingRows(), opts.buildings, report),
      report,
    );
    if (rebuildIndex) {
      const t0 = Date.now();
      await tx.query('CREATE INDEX buildings_geom_idx ON buildings USING gist (geom)');
      report(`buildings: spatial index in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }

    const areas: Value[][] = [];
    counts.gates = await load(
      db,
      tx,
      T.gates,
      pass(
        (c) => c.gates,
        gateValues,
        (c) => areas.push(...c.serviceAreas.map(areaValues)),
      ),
      report,
    );
    counts.service_areas = await load(db, tx, T.serviceAreas, areas, report);
    areas.length = 0;
    counts.cameras = await load(
      db,
      tx,
      T.cameras,
      pass((c) => c.cameras, cameraValues),
      report,
    );
    report('service-area history, sequences, building coverage');
    await tx.exec(FINISH_SQL);
    counts.service_area_history = (
      await tx.query<{ n: number }>('SELECT count(*)::integer AS n FROM service_area_history')
    ).rows[0].n;
  });
  report('analyze');
  await db.query(
    'ANALYZE jurisdictions, compounds, buildings, service_areas, service_area_history, cameras, gates, basemap_roads, basemap_water, basemap_blocks',
  );
  report(`demo city loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return counts;
}
