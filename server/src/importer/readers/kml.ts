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
/** Placemarks parsed to list the fields and judge the file before reading it. */
const SAMPLE = 1000;

/**
 * The Placemarks of the text, one by one, as [start, end) offsets: placemarks do not nest, so each
 * ends at the first closing tag of its own name.
 */
function* placemarkSpans(text: string): Generator<[number, number]> {
  PLACEMARK_START.lastIndex = 0;
  for (let m = PLACEMARK_START.exec(text); m; m = PLACEMARK_START.exec(text)) {
    const start = m.index;
    const selfClosing = text.indexOf('>', start);
    if (selfClosing > 0 && text[selfClosing - 1] === '/') {
      yield [start, selfClosing + 1];
      PLACEMARK_START.lastIndex = selfClosing + 1;
      continue;
    }
    const close = `</${m[1]}>`;
    const end = text.indexOf(close, start);
    const stop = end < 0 ? text.length : end + close.length;
    yield [start, stop];
    PLACEMARK_START.lastIndex = stop;
  }
}

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
    return { features: [...kmlGen(doc as never)] as GeoJSON.Feature[] };
  };

  let count = 0;
  let withGeometry = false;
  const fields = new Set<string>();
  for (const [start, end] of placemarkSpans(text)) {
    count++;
    if (count > SAMPLE) continue;
    const r = parse(text.slice(start, end));
    if ('error' in r) throw fileProblem('not_kml', { detail: r.error });
    for (const f of r.features) {
      if (f.geometry) withGeometry = true;
      for (const k of Object.keys(f.properties ?? {})) if (!k.startsWith('styleUrl')) fields.add(k);
    }
  }
  if (count === 0) throw fileProblem('kml_no_placemark');
  if (!withGeometry && !GEOMETRY_TAG.test(text.slice(firstPlacemark)))
    throw fileProblem('kml_no_geometry', { n: count });
  return {
    format: kmz ? 'kmz' : 'kml',
    layers: [{ name: 'placemarks', count, fields: [...fields] }],
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(): AsyncGenerator<SourceFeature> {
      let index = 0;
      for (const [start, end] of placemarkSpans(text)) {
        const r = parse(text.slice(start, end));
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
