import gjv from 'geojson-validation';
import { because, fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import type { CrsFound } from '../crs.ts';
import { chunks, readHead, type SourceInput } from './input.ts';
import type { FormatReader } from './types.ts';

const GEOMETRY_TYPES: readonly string[] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
];

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Comma = 0x2c,
  Space = 0x20,
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Rs = 0x1e,
}

const blank = (c: number) =>
  c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab || c === C.Rs || c === 0xfeff;

/**
 * Splits GeoJSON text, given in pieces, into features without parsing the whole document: the
 * elements of a FeatureCollection's `features` array are cut out and parsed one by one as they
 * complete, the rest of the collection (type, bbox, crs …) is kept small and checked at its end.
 * A GeoJSON text sequence (RFC 8142, RS-separated, or one Feature per line) is a series of top-level
 * values, each a Feature. Memory stays at one feature plus one chunk.
 */
export class GeoJsonSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Text of the current top-level value, with its features' elements left out. */
  private top = '';
  private topActive = false;
  private inFeatures = false;
  private elem = '';
  private elemActive = false;
  private elemStart = 0;
  private segStart = 0;
  private index = 0;
  private sawCollection = false;

  /** Features completed by this piece of text. */
  push(text: string, out: SourceFeature[]): void {
    this.segStart = 0;
    this.elemStart = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === C.Backslash) this.escaped = true;
        else if (c === C.Quote) this.inString = false;
        continue;
      }
      if (this.inFeatures && this.depth === 2) {
        if (c === C.Comma || c === C.CloseBracket) {
          if (this.elemActive) {
            this.emit(this.elem + text.slice(this.elemStart, i), out);
            this.elem = '';
            this.elemActive = false;
          }
          if (c === C.CloseBracket) {
            this.depth = 1;
            this.inFeatures = false;
            this.segStart = i; // the top text goes on with this "]"
          }
          continue;
        }
        if (blank(c)) continue;
        if (!this.elemActive) {
          this.elemActive = true;
          this.elemStart = i;
        }
      }
      if (this.depth === 0) {
        if (blank(c)) continue;
        if (!this.topActive) {
          this.topActive = true;
          this.top = '';
          this.segStart = i;
        }
      }
      if (c === C.Quote) this.inString = true;
      else if (c === C.OpenBrace || c === C.OpenBracket) {
        if (c === C.OpenBracket && this.depth === 1 && !this.inFeatures) {
          const before = (this.top + text.slice(this.segStart, i)).slice(-64);
          if (/"features"\s*:\s*$/.test(before)) {
            this.top += text.slice(this.segStart, i + 1);
            this.inFeatures = true;
            this.sawCollection = true;
            this.depth = 2;
            continue;
          }
        }
        this.depth++;
      } else if (c === C.CloseBrace || c === C.CloseBracket) {
        this.depth--;
        if (this.depth === 0) {
          this.finishTop(this.top + text.slice(this.segStart, i + 1), out);
          this.top = '';
          this.topActive = false;
        } else if (this.depth < 0) throw fileProblem('not_json', { detail: `unexpected "${text[i]}"` });
      }
    }
    if (this.elemActive) this.elem += text.slice(this.elemStart);
    else if (this.topActive && !this.inFeatures) this.top += text.slice(this.segStart);
  }

  /** Checks the end of the text: a document cut short is a problem of the file. */
  end(): void {
    if (this.topActive || this.depth !== 0 || this.inString) throw fileProblem('json_truncated');
    if (this.index === 0 && !this.sawCollection) throw fileProblem('no_geojson');
  }

  private emit(text: string, out: SourceFeature[]): void {
    const index = this.index++;
    try {
      out.push({ feature: JSON.parse(text), fromText: false, index });
    } catch (e) {
      out.push({
        feature: null,
        fromText: false,
        index,
        problems: [because('not_json', { detail: (e as Error).message })],
      });
    }
  }

  private finishTop(text: string, out: SourceFeature[]): void {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw fileProblem('not_json', { detail: (e as Error).message });
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw fileProblem('not_geojson', { found: Array.isArray(doc) ? 'array' : typeof doc });
    }
    const o = doc as { type?: unknown; features?: unknown; bbox?: unknown };
    if (o.type === 'FeatureCollection') {
      if (!Array.isArray(o.features)) throw fileProblem('no_features_array');
      if (o.bbox !== undefined) {
        const bad = gjv.isBbox(o.bbox, true);
        if (bad.length) throw fileProblem('bad_bbox', { detail: bad.join('; ') });
      }
      return;
    }
    if (Array.isArray(o.features)) {
      throw fileProblem('not_geojson', { found: typeof o.type === 'string' ? o.type : '' });
    }
    if (o.type === 'Feature') {
      out.push({ feature: doc, fromText: false, index: this.index++ });
      return;
    }
    // A bare geometry is one feature without properties (what many tools write for a single shape).
    if (typeof o.type === 'string' && GEOMETRY_TYPES.includes(o.type)) {
      out.push({
        feature: { type: 'Feature', properties: {}, geometry: doc },
        fromText: false,
        index: this.index++,
      });
      return;
    }
    throw fileProblem('not_geojson', { found: typeof o.type === 'string' ? o.type : '' });
  }
}

/** Features of GeoJSON text already in memory (a FeatureCollection, a Feature, a geometry, or a sequence). */
export function splitGeoJson(text: string): SourceFeature[] {
  const out: SourceFeature[] = [];
  const s = new GeoJsonSplitter();
  s.push(text, out);
  s.end();
  return out;
}

/** GeoJSON's legacy `crs` member (`urn:ogc:def:crs:EPSG::4490`), when it comes before the features. */
function legacyCrs(head: string): CrsFound {
  const m = /"crs"\s*:\s*\{\s*"type"\s*:\s*"name"\s*,\s*"properties"\s*:\s*\{\s*"name"\s*:\s*"([^"]+)"/.exec(
    head,
  );
  return m ? { source: 'geojson', text: m[1]! } : { source: 'none', text: null };
}

async function* streamFeatures(input: SourceInput): AsyncGenerator<SourceFeature> {
  const decoder = new TextDecoder('utf-8');
  const splitter = new GeoJsonSplitter();
  const out: SourceFeature[] = [];
  for await (const chunk of chunks(input)) {
    splitter.push(decoder.decode(chunk, { stream: true }), out);
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
  splitter.push(decoder.decode(), out);
  yield* out;
  splitter.end();
}

/** GeoJSON (RFC 7946: WGS84 lon/lat unless a legacy `crs` member says otherwise) and GeoJSON sequences, streamed. */
export async function openGeoJson(input: SourceInput): Promise<FormatReader> {
  const head = readHead(input, 1 << 20).toString('utf8');
  const fields = new Set<string>();
  let sampled = 0;
  for await (const s of streamFeatures(input)) {
    const p = (s.feature as { properties?: unknown } | null)?.properties;
    if (p && typeof p === 'object') for (const k of Object.keys(p)) fields.add(k);
    if (++sampled >= 100) break;
  }
  return {
    format: 'geojson',
    layers: [{ name: 'features', fields: [...fields] }],
    crsFound: () => legacyCrs(head),
    defaultCrs: 'EPSG:4326',
    read: () => streamFeatures(input),
  };
}
