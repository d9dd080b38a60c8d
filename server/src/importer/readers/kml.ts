import { DOMParser } from '@xmldom/xmldom';
import { kmlGen } from '@tmcw/togeojson';
import JSZip from 'jszip';
import { because, fileProblem } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { detectEncoding } from './encoding.ts';
import { readAll, type SourceInput } from './input.ts';
import type { FormatReader } from './types.ts';

/** KML text from a .kml (its XML declaration's encoding, else UTF-8/GB18030 detected) or a .kmz (doc.kml, else the first .kml). */
async function kmlText(input: SourceInput, kmz: boolean): Promise<string> {
  let bytes = readAll(input);
  if (kmz) {
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(bytes);
    } catch (e) {
      throw fileProblem('not_kmz', { detail: (e as Error).message });
    }
    const entries = Object.values(zip.files).filter((f) => !f.dir && /\.kml$/i.test(f.name));
    const doc = entries.find((f) => /(^|\/)doc\.kml$/i.test(f.name)) ?? entries[0];
    if (!doc) throw fileProblem('kmz_no_kml');
    bytes = Buffer.from(await doc.async('uint8array'));
  }
  const declared = /^<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(
    bytes.subarray(0, 200).toString('latin1'),
  )?.[1];
  let encoding = declared?.toLowerCase() ?? detectEncoding(bytes, true);
  if (/^(gbk|gb2312|gb18030)$/.test(encoding)) encoding = 'gb18030';
  try {
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A Placemark's start tag, with or without a namespace prefix (`<Placemark id="…">`, `<kml:Placemark>`). */
const PLACEMARK_START = /<((?:[\w.-]+:)?Placemark)(?=[\s>/])/g;
const GEOMETRY_TAG =
  /<(?:[\w.-]+:)?(?:Point|Polygon|LineString|LinearRing|MultiGeometry|Track|MultiTrack)[\s>]/;
/** What togeojson makes of a placemark's style (`fill`, `icon-scale`, `styleUrl` …): no attribute to map. */
const STYLE_KEY = /^(?:stroke|fill|icon|label)(?:-|$)|^styleUrl/;
/** Placemarks parsed to list the fields and judge the file before reading it. */
const SAMPLE = 1000;

/** Folder and Placemark tags, opening or closing, with or without a namespace prefix. */
const FOLDER_OR_PLACEMARK = /<(\/?)((?:[\w.-]+:)?(Folder|Placemark))(?=[\s>/])/g;
const NAME = /<((?:[\w.-]+:)?name)(?=[\s>])[^>]*>([\s\S]*?)<\/\1>/y;
const CHILD_START = /<(?:[\w.-]+:)?(?:Folder|Placemark|Document)(?=[\s>/])/g;
const HAS_POINT = /<(?:[\w.-]+:)?Point[\s>]/;
const HAS_LINE = /<(?:[\w.-]+:)?(?:LineString|Track|MultiTrack)[\s>]/;
const HAS_POLYGON = /<(?:[\w.-]+:)?Polygon[\s>]/;

/** A placemark's geometry type, judged from its tags: mixed parts are a GeometryCollection. */
type Family = 'Polygon' | 'LineString' | 'Point' | 'GeometryCollection' | 'None';
const FAMILY_ORDER: Family[] = ['Polygon', 'LineString', 'Point', 'GeometryCollection', 'None'];

function familyOf(placemark: string): Family {
  const found: Family[] = [];
  if (HAS_POLYGON.test(placemark)) found.push('Polygon');
  if (HAS_LINE.test(placemark)) found.push('LineString');
  if (HAS_POINT.test(placemark)) found.push('Point');
  return found.length === 1 ? found[0]! : found.length ? 'GeometryCollection' : 'None';
}

/** A `<name>`'s text: CDATA unwrapped, entities decoded (by the XML parser). */
function nameText(inner: string): string {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(`<n>${inner}</n>`, 'text/xml');
  return (doc.documentElement?.textContent ?? inner).trim();
}

interface Span {
  start: number;
  end: number;
  /** The folders it lies in, outermost first ('' for none). */
  folder: string;
  family: Family;
}

/**
 * The Placemarks of the text, one by one, as [start, end) offsets with their folder path: placemarks
 * do not nest, so each ends at the first closing tag of its own name. A folder's name is its own
 * `<name>` child, the one before its first placemark or subfolder.
 */
function* placemarkSpans(text: string): Generator<Span> {
  const folders: string[] = [];
  FOLDER_OR_PLACEMARK.lastIndex = 0;
  for (let m = FOLDER_OR_PLACEMARK.exec(text); m; m = FOLDER_OR_PLACEMARK.exec(text)) {
    const start = m.index;
    const tagEnd = text.indexOf('>', start);
    if (m[3] === 'Folder') {
      if (m[1]) folders.pop();
      else if (text[tagEnd - 1] === '/') continue;
      else {
        CHILD_START.lastIndex = tagEnd;
        const child = CHILD_START.exec(text)?.index ?? text.length;
        const nameAt = text.slice(tagEnd + 1, child).search(/<(?:[\w.-]+:)?name[\s>]/);
        let name = '';
        if (nameAt >= 0) {
          NAME.lastIndex = tagEnd + 1 + nameAt;
          const n = NAME.exec(text);
          if (n) name = nameText(n[2]!);
        }
        folders.push(name.replace(/\//g, '／'));
      }
      continue;
    }
    if (m[1]) continue;
    const folder = folders.filter((f) => f !== '').join('/');
    if (tagEnd > 0 && text[tagEnd - 1] === '/') {
      yield { start, end: tagEnd + 1, folder, family: 'None' };
      FOLDER_OR_PLACEMARK.lastIndex = tagEnd + 1;
      continue;
    }
    const close = `</${m[2]}>`;
    const end = text.indexOf(close, start);
    const stop = end < 0 ? text.length : end + close.length;
    yield { start, end: stop, folder, family: familyOf(text.slice(start, stop)) };
    FOLDER_OR_PLACEMARK.lastIndex = stop;
  }
}

/** The whole file's layer: its name alone when it holds one geometry type. */
const WHOLE = 'placemarks';

interface KmlLayer {
  name: string;
  count: number;
  fields: Set<string>;
  geometryType: Family;
  /** The placemarks of this folder (exactly: not its subfolders) belong to it; null: of any. */
  folder: string | null;
  /** …and of this geometry type; null: of any. */
  family: Family | null;
}

/**
 * The layers offered: the whole file, split by geometry type when it mixes them (`placemarks|Polygon`,
 * `placemarks|Point` …); and, when placemarks lie in more than one folder, each folder the same way
 * (`社区/小区|Polygon`). So a street office takes the polygons of an 奥维 file for 小区 and its points
 * for 出入口, from the whole file or one folder, as QGIS offers a KML's sublayers by geometry type.
 */
function layersOf(spans: Span[]): KmlLayer[] {
  const families = (of: Span[]) => FAMILY_ORDER.filter((f) => of.some((s) => s.family === f && f !== 'None'));
  const groups = (base: string, folder: string | null, of: Span[]): KmlLayer[] => {
    const fams = families(of);
    if (fams.length <= 1) {
      return [
        {
          name: base,
          count: of.length,
          fields: new Set(),
          geometryType: fams[0] ?? 'None',
          folder,
          family: null,
        },
      ];
    }
    return fams.map((family) => ({
      name: `${base}|${family}`,
      count: of.filter((s) => s.family === family).length,
      fields: new Set<string>(),
      geometryType: family,
      folder,
      family,
    }));
  };
  const out = groups(WHOLE, null, spans);
  const folders = [...new Set(spans.map((s) => s.folder))];
  if (folders.length > 1) {
    for (const folder of folders.filter((f) => f !== '')) {
      out.push(
        ...groups(
          folder,
          folder,
          spans.filter((s) => s.folder === folder),
        ),
      );
    }
  }
  return out;
}

/** Whether a placemark belongs to a layer (its folder exactly; its geometry type when split). */
const inLayer = (l: KmlLayer, s: Span) =>
  (l.folder === null || s.folder === l.folder) && (l.family === null || s.family === l.family);

/**
 * KML and KMZ (Google Earth, 奥维互动地图): every Placemark a feature, through @tmcw/togeojson —
 * points, polygons (MultiGeometry as multi-parts), ExtendedData Data and SchemaData/SimpleData
 * values as attributes, name and description too. Always WGS84 (the KML standard).
 *
 * Parsed one Placemark at a time, inside the file's own `<kml …>` start tag (its namespaces) and
 * its `<Schema>` definitions: a DOM of a whole 50 MB KML took over 3 GB; one placemark's DOM is
 * small. Shared styles are not read: they give no attributes to import.
 */
export async function openKml(input: SourceInput, kmz: boolean): Promise<FormatReader> {
  const text = await kmlText(input, kmz);
  const root = /<(?:[\w.-]+:)?kml(?=[\s>])[^>]*>/.exec(text)?.[0];
  if (!root) throw fileProblem('not_kml', { detail: 'no <kml> element' });
  const firstPlacemark = text.search(PLACEMARK_START);
  const head = firstPlacemark < 0 ? text : text.slice(0, firstPlacemark);
  const schemas = (head.match(/<(?:[\w.-]+:)?Schema[\s>][\s\S]*?<\/(?:[\w.-]+:)?Schema>/g) ?? []).join('');
  const rootName = /^<([\w.:-]+)/.exec(root)![1]!;
  const wrap = (placemark: string) => `${root}<Document>${schemas}${placemark}</Document></${rootName}>`;

  /** The features of one placemark's text (one, or none when togeojson skips it), or why it is unreadable. */
  const parse = (placemark: string): { features: GeoJSON.Feature[] } | { error: string } => {
    const errors: string[] = [];
    let doc;
    try {
      doc = new DOMParser({
        onError: (level: string, msg: string) => {
          if (level !== 'warning') errors.push(msg);
        },
      }).parseFromString(wrap(placemark), 'text/xml');
    } catch (e) {
      // xmldom throws on a fatal error (a tag left open) after reporting it
      return { error: errors[0] ?? (e as Error).message };
    }
    if (errors.length || !doc.documentElement) return { error: errors[0] ?? 'no document' };
    const features = [...kmlGen(doc as never)] as GeoJSON.Feature[];
    // Styles are no attributes: the preview offered icon and label-color as columns (helper 45).
    for (const f of features)
      for (const k of Object.keys(f.properties ?? {})) if (STYLE_KEY.test(k)) delete f.properties![k];
    return { features };
  };

  const spans = [...placemarkSpans(text)];
  if (spans.length === 0) throw fileProblem('kml_no_placemark');
  const layers = layersOf(spans);
  // The first placemarks of each layer list its fields and judge the file.
  let withGeometry = false;
  for (const l of layers) {
    let seen = 0;
    for (const s of spans) {
      if (seen >= SAMPLE) break;
      if (!inLayer(l, s)) continue;
      seen++;
      const r = parse(text.slice(s.start, s.end));
      if ('error' in r) throw fileProblem('not_kml', { detail: r.error });
      for (const f of r.features) {
        if (f.geometry) withGeometry = true;
        for (const k of Object.keys(f.properties ?? {})) l.fields.add(k);
      }
    }
  }
  if (!withGeometry && !GEOMETRY_TAG.test(text.slice(spans[0]!.start)))
    throw fileProblem('kml_no_geometry', { n: spans.length });
  const byName = new Map(layers.map((l) => [l.name, l]));
  return {
    format: kmz ? 'kmz' : 'kml',
    layers: layers.map((l) => ({
      name: l.name,
      count: l.count,
      fields: [...l.fields],
      ...(l.geometryType === 'None' ? {} : { geometryType: l.geometryType }),
      ...(l.folder === null ? {} : { folder: l.folder }),
    })),
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(layer: string): AsyncGenerator<SourceFeature> {
      const l = byName.get(layer)!;
      let index = 0;
      for (const s of spans) {
        if (!inLayer(l, s)) continue;
        const r = parse(text.slice(s.start, s.end));
        if ('error' in r) {
          yield {
            feature: null,
            fromText: true,
            index: index++,
            problems: [because('not_kml', { detail: r.error })],
          };
          continue;
        }
        for (const feature of r.features) yield { feature, fromText: true, index: index++ };
      }
    },
  };
}
