import DxfParser from 'dxf-parser';
import { because, fileProblem, type ProblemReason } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { chunks, readHead, type SourceInput } from './input.ts';
import type { FormatReader } from './types.ts';

interface DxfVertex {
  x: number;
  y: number;
}
interface DxfEntity {
  type: string;
  layer?: string;
  handle?: string | number;
  shape?: boolean;
  vertices?: DxfVertex[];
  position?: DxfVertex;
}

/** One (group code, value) pair of a DXF. */
type Pair = [number, string];
/** One entity of the ENTITIES section as its pairs (a POLYLINE with its VERTEXes and SEQEND). */
interface RawEntity {
  type: string;
  pairs: Pair[];
}

const KEPT = new Set(['LWPOLYLINE', 'POLYLINE', 'POINT', 'HATCH']);
const CODEPAGES: Record<string, string> = { ANSI_936: 'gb18030', ANSI_1252: 'windows-1252', UTF8: 'utf-8' };

/**
 * Largest distance (in drawing units: 1 cm for a drawing in metres) between an arc or elliptic arc
 * of a HATCH boundary and the segments that stand for it.
 */
export const DXF_ARC_TOLERANCE = 0.01;

/**
 * DXF from surveying companies: each closed LWPOLYLINE / POLYLINE a polygon, each HATCH a polygon
 * (its boundary paths: outer rings and holes, told apart by which ring lies inside which), each
 * POINT a point, with the DXF layer name (图层) as attribute `layer`; an open polyline is a feature
 * with a problem (it encloses nothing). Other entities (lines, text, blocks) are skipped. A DXF has
 * no coordinate system, so the import needs one named (--crs).
 *
 * HATCH boundaries: polyline paths (with bulges) and edge paths of lines, circular and elliptic arcs;
 * arcs become segments no further than DXF_ARC_TOLERANCE from the arc. A spline edge is refused.
 * A clockwise arc edge (73 = 0) stores its angles mirrored (360° − angle), as AutoCAD writes them.
 *
 * Bounded memory: a DXF is a sequence of (group code, value) line pairs. dxf-parser only parses a
 * whole document held as one string (and builds every entity at once: a 20 MB file of 100,000
 * LWPOLYLINEs took 500 MB), and it has no HATCH at all. So this module splits the stream into
 * pairs itself (the pair format is trivial), cuts the ENTITIES section into entities, and hands each
 * LWPOLYLINE / POLYLINE / POINT to dxf-parser on its own (a one-entity document); only HATCH, which
 * the library does not know, is read from its pairs here. The file is read twice: once at open to
 * count the entities and check it is a DXF, then per read().
 *
 * Text is UTF-8 from AutoCAD 2007 on ($ACADVER ≥ AC1021); older files are in their $DWGCODEPAGE
 * (ANSI_936 = GBK), and a value that is valid UTF-8 is read as UTF-8 (what GDAL writes).
 */
export async function openDxf(input: SourceInput): Promise<FormatReader> {
  const head = readHead(input, 1 << 16).toString('latin1');
  const page = /\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)/.exec(head)?.[1];
  const version = /\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*AC(\d+)/.exec(head)?.[1];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const legacy = new TextDecoder(
    version && Number(version) >= 1021 ? 'utf-8' : (CODEPAGES[page ?? ''] ?? 'gb18030'),
  );
  const decode = (b: Buffer): string => {
    for (let i = 0; i < b.length; i++) {
      if (b[i]! >= 0x80) {
        try {
          return utf8.decode(b).trim();
        } catch {
          return legacy.decode(b).trim();
        }
      }
    }
    return b.toString('latin1').trim();
  };

  let count = 0;
  try {
    for await (const e of entities(input, decode)) if (KEPT.has(e.type)) count++;
  } catch (e) {
    throw fileProblem('not_dxf', { detail: (e as Error).message });
  }
  if (count === 0) throw fileProblem('dxf_empty');
  return {
    format: 'dxf',
    layers: [{ name: 'entities', count, fields: ['layer', 'handle'] }],
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: null,
    async *read(): AsyncGenerator<SourceFeature> {
      let index = 0;
      const parser = new DxfParser();
      for await (const raw of entities(input, decode)) {
        if (!KEPT.has(raw.type)) continue;
        yield { ...toFeature(raw, parser), fromText: false, index: index++ };
      }
    },
  };
}

/** The entities of the ENTITIES section, one at a time, from the file read in chunks. */
async function* entities(input: SourceInput, decode: (b: Buffer) => string): AsyncGenerator<RawEntity> {
  const cut = new EntityCutter(decode);
  for await (const chunk of chunks(input)) {
    const done = cut.push(chunk);
    for (const e of done) yield e;
  }
  for (const e of cut.end()) yield e;
}

/** A small state machine: bytes in, finished ENTITIES-section entities out. */
class EntityCutter {
  private rest: Buffer | null = null;
  private code: number | null = null;
  private line = 0;
  private section: string | null = null;
  private sectionNext = false;
  private current: RawEntity | null = null;
  private inPolyline = false;
  private out: RawEntity[] = [];
  private ended = false;

  constructor(private decode: (b: Buffer) => string) {}

  push(chunk: Buffer): RawEntity[] {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, at);
      if (nl < 0) break;
      this.take(buf.subarray(at, nl));
      at = nl + 1;
    }
    this.rest = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
    const out = this.out;
    this.out = [];
    return out;
  }

  end(): RawEntity[] {
    if (this.rest?.toString('latin1').trim()) this.take(this.rest);
    this.rest = null;
    if (this.section === 'ENTITIES' && !this.ended) throw new Error('the ENTITIES section has no end');
    this.finish();
    const out = this.out;
    this.out = [];
    return out;
  }

  private take(line: Buffer): void {
    this.line++;
    if (this.ended) return;
    if (this.code === null) {
      const text = line.toString('latin1').trim();
      if (!/^-?\d+$/.test(text))
        throw new Error(`line ${this.line}: "${text.slice(0, 20)}" is not a group code`);
      this.code = Number(text);
      return;
    }
    const code = this.code;
    this.code = null;
    const value = this.decode(line);
    if (code === 0) {
      if (value === 'EOF') {
        this.finish();
        this.ended = true;
      } else if (value === 'SECTION') {
        this.sectionNext = true;
      } else if (value === 'ENDSEC') {
        this.finish();
        this.section = null;
      } else if (this.section === 'ENTITIES') {
        if (this.inPolyline && (value === 'VERTEX' || value === 'SEQEND')) {
          this.current!.pairs.push([0, value]);
          if (value === 'SEQEND') this.inPolyline = false;
        } else {
          this.finish();
          this.current = { type: value, pairs: [] };
          this.inPolyline = value === 'POLYLINE';
        }
      }
      return;
    }
    if (this.sectionNext && code === 2) {
      this.section = value;
      this.sectionNext = false;
      return;
    }
    if (this.current && KEPT.has(this.current.type)) this.current.pairs.push([code, value]);
  }

  private finish(): void {
    if (this.current) this.out.push(this.current);
    this.current = null;
    this.inPolyline = false;
  }
}

const attr = (raw: RawEntity, code: number): string | null => {
  for (const [c, v] of raw.pairs) {
    if (c === code) return v;
    if (c === 0) break; // a POLYLINE's VERTEX: its own pairs
  }
  return null;
};

function toFeature(
  raw: RawEntity,
  parser: DxfParser,
): {
  feature: { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };
  problems: ProblemReason[];
} {
  const layer = attr(raw, 8);
  const handle = attr(raw, 5);
  const properties = { layer, handle };
  const problems: ProblemReason[] = [];
  let geometry: unknown = null;
  if (raw.type === 'HATCH') {
    const where = { layer: layer ?? '', handle: handle ?? '?' };
    try {
      const rings = hatchRings(raw.pairs);
      if (rings === 'spline') problems.push(because('dxf_hatch_spline', where));
      else if (rings.length === 0) problems.push(because('dxf_hatch_unreadable', where));
      else geometry = polygonsOf(rings);
    } catch {
      problems.push(because('dxf_hatch_unreadable', where));
    }
    return { feature: { type: 'Feature', properties, geometry }, problems };
  }
  const text = `0\nSECTION\n2\nENTITIES\n0\n${raw.type}\n${raw.pairs.map(([c, v]) => `${c}\n${v}`).join('\n')}\n0\nENDSEC\n0\nEOF\n`;
  let e: DxfEntity | undefined;
  try {
    e = (parser.parseSync(text) as { entities?: DxfEntity[] } | null)?.entities?.[0];
  } catch (err) {
    problems.push(because('unreadable_geometry', { detail: (err as Error).message }));
  }
  if (!e) return { feature: { type: 'Feature', properties, geometry }, problems };
  if (e.type === 'POINT') {
    geometry = e.position ? { type: 'Point', coordinates: [e.position.x, e.position.y] } : null;
  } else {
    const ring = (e.vertices ?? []).map((v) => [v.x, v.y]);
    const first = ring[0];
    const last = ring[ring.length - 1];
    const closedByPoint = ring.length > 3 && first![0] === last![0] && first![1] === last![1];
    if (!e.shape && !closedByPoint) {
      problems.push(
        because('dxf_open_polyline', { entity: e.type, layer: layer ?? '', handle: handle ?? '?' }),
      );
    } else {
      if (!closedByPoint && first) ring.push([first[0]!, first[1]!]);
      geometry = { type: 'Polygon', coordinates: [ring] };
    }
  }
  return { feature: { type: 'Feature', properties, geometry }, problems };
}

type Ring = number[][];

/** Points along a circular arc from angle a0 (radians) over `sweep` (signed), both ends included. */
function arc(cx: number, cy: number, r: number, a0: number, sweep: number): Ring {
  const step = r > DXF_ARC_TOLERANCE ? 2 * Math.acos(1 - DXF_ARC_TOLERANCE / r) : Math.PI / 2;
  const n = Math.min(3600, Math.max(1, Math.ceil(Math.abs(sweep) / step)));
  const out: Ring = [];
  for (let k = 0; k <= n; k++) {
    const a = a0 + (sweep * k) / n;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

/** Sweep (radians) from a0 to a1 degrees going counter-clockwise (ccw) or clockwise. */
function sweepOf(a0: number, a1: number, ccw: boolean): number {
  let d = ccw ? a1 - a0 : a0 - a1;
  d = ((d % 360) + 360) % 360;
  if (d === 0) d = 360;
  return ((ccw ? d : -d) * Math.PI) / 180;
}

/**
 * The boundary paths of a HATCH as closed rings, or 'spline' when an edge is a spline. Reads the
 * pairs after code 91 (number of paths): each path 92 (flags; 2 = polyline), then either
 * 72 (has bulge) 73 (closed) 93 (n) and n × 10/20[/42], or 93 (edges) and per edge 72 (type) and
 * its values; then 97 (source objects) and as many 330.
 */
function hatchRings(p: Pair[]): Ring[] | 'spline' {
  let i = p.findIndex(([c]) => c === 91);
  if (i < 0) return [];
  const paths = Number(p[i]![1]);
  i++;
  const num = (code: number): number => {
    const pair = p[i];
    if (!pair || pair[0] !== code) throw new Error(`expected ${code}`);
    i++;
    const v = Number(pair[1]);
    if (!Number.isFinite(v)) throw new Error(`${code} is not a number`);
    return v;
  };
  const skipTo = (code: number) => {
    while (i < p.length && p[i]![0] !== code) i++;
  };
  const rings: Ring[] = [];
  for (let k = 0; k < paths; k++) {
    skipTo(92);
    const flags = num(92);
    const ring: Ring = [];
    const add = (pts: Ring) => {
      for (const q of pts) {
        const l = ring[ring.length - 1];
        if (!l || Math.abs(l[0]! - q[0]!) > 1e-9 || Math.abs(l[1]! - q[1]!) > 1e-9) ring.push(q);
      }
    };
    if (flags & 2) {
      let bulged = false;
      while (i < p.length && p[i]![0] !== 93) {
        if (p[i]![0] === 72) bulged = Number(p[i]![1]) !== 0;
        i++;
      }
      const n = num(93);
      const v: [number, number, number][] = [];
      for (let j = 0; j < n; j++) {
        const x = num(10);
        const y = num(20);
        const b = bulged && p[i]?.[0] === 42 ? num(42) : 0;
        v.push([x, y, b]);
      }
      for (let j = 0; j < n; j++) {
        const [x1, y1, b] = v[j]!;
        const [x2, y2] = v[(j + 1) % n]!;
        if (b === 0 || (x1 === x2 && y1 === y2)) {
          add([[x1, y1]]);
          continue;
        }
        // Bulge b = tan(θ/4), θ the arc's signed angle; the centre lies off the chord's midpoint.
        const dx = x2 - x1;
        const dy = y2 - y1;
        const len = Math.hypot(dx, dy);
        const off = ((1 - b * b) / (4 * b)) * len;
        const cx = (x1 + x2) / 2 - (dy / len) * off;
        const cy = (y1 + y2) / 2 + (dx / len) * off;
        const r = Math.hypot(x1 - cx, y1 - cy);
        add(arc(cx, cy, r, Math.atan2(y1 - cy, x1 - cx), 4 * Math.atan(b)).slice(0, -1));
      }
    } else {
      const edges = num(93);
      for (let j = 0; j < edges; j++) {
        const type = num(72);
        if (type === 1) {
          const x1 = num(10);
          const y1 = num(20);
          const x2 = num(11);
          const y2 = num(21);
          add([
            [x1, y1],
            [x2, y2],
          ]);
        } else if (type === 2) {
          const cx = num(10);
          const cy = num(20);
          const r = num(40);
          let a0 = num(50);
          let a1 = num(51);
          const ccw = p[i]?.[0] === 73 ? num(73) !== 0 : true;
          if (!ccw) [a0, a1] = [360 - a0, 360 - a1];
          add(arc(cx, cy, r, (a0 * Math.PI) / 180, sweepOf(a0, a1, ccw)));
        } else if (type === 3) {
          const cx = num(10);
          const cy = num(20);
          const mx = num(11);
          const my = num(21);
          const ratio = num(40);
          let a0 = num(50);
          let a1 = num(51);
          const ccw = p[i]?.[0] === 73 ? num(73) !== 0 : true;
          if (!ccw) [a0, a1] = [360 - a0, 360 - a1];
          // The unit circle's arc, stretched onto the ellipse's axes (tolerance on the major radius).
          const major = Math.hypot(mx, my);
          add(
            arc(0, 0, major, (a0 * Math.PI) / 180, sweepOf(a0, a1, ccw)).map(([u, w]) => {
              const c = u! / major;
              const s = w! / major;
              return [cx + c * mx - s * ratio * my, cy + c * my + s * ratio * mx];
            }),
          );
        } else if (type === 4) {
          return 'spline';
        } else {
          throw new Error(`edge type ${type}`);
        }
      }
    }
    if (p[i]?.[0] === 97) i += 1 + num(97);
    const f = ring[0];
    const l = ring[ring.length - 1];
    if (f && l && (f[0] !== l[0] || f[1] !== l[1])) ring.push([f[0]!, f[1]!]);
    if (ring.length >= 4) rings.push(ring);
  }
  return rings;
}

const area = (r: Ring): number => {
  let s = 0;
  for (let k = 0; k + 1 < r.length; k++) s += r[k]![0]! * r[k + 1]![1]! - r[k + 1]![0]! * r[k]![1]!;
  return s / 2;
};

function inside(pt: number[], r: Ring): boolean {
  let c = false;
  const [x, y] = pt as [number, number];
  for (let k = 0, j = r.length - 1; k < r.length; j = k++) {
    const [xi, yi] = r[k] as [number, number];
    const [xj, yj] = r[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/**
 * Rings → Polygon or MultiPolygon: a ring inside an odd number of others is a hole of the smallest
 * one holding it, else an outer ring (an island inside a hole is a polygon of its own).
 */
function polygonsOf(rings: Ring[]): unknown {
  const sorted = [...rings].sort((a, b) => Math.abs(area(b)) - Math.abs(area(a)));
  const polygons: Ring[][] = [];
  const owner = new Map<Ring, Ring[]>();
  sorted.forEach((ring, k) => {
    const holders = sorted.slice(0, k).filter((o) => inside(ring[0]!, o));
    if (holders.length % 2 === 1) {
      const polygon = owner.get(holders[holders.length - 1]!);
      if (polygon) {
        polygon.push(ring);
        return;
      }
    }
    const polygon = [ring];
    polygons.push(polygon);
    owner.set(ring, polygon);
  });
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
}
