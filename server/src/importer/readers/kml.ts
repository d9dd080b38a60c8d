import { DOMParser } from '@xmldom/xmldom';
import { kml } from '@tmcw/togeojson';
import JSZip from 'jszip';
import { fileProblem } from '../errors.ts';
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

/**
 * KML and KMZ (Google Earth, 奥维互动地图): every Placemark a feature, through @tmcw/togeojson —
 * points, polygons (MultiGeometry as multi-parts), ExtendedData Data and SchemaData/SimpleData
 * values as attributes, name and description too. Always WGS84 (the KML standard). The XML is
 * parsed whole: KML files are small next to the formats that hold building footprints.
 */
export async function openKml(input: SourceInput, kmz: boolean): Promise<FormatReader> {
  const text = await kmlText(input, kmz);
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level: string, msg: string) => {
      if (level !== 'warning') errors.push(msg);
    },
  }).parseFromString(text, 'text/xml');
  if (errors.length || !doc.documentElement)
    throw fileProblem('not_kml', { detail: errors[0] ?? 'no document' });
  if (doc.getElementsByTagName('Placemark').length === 0) throw fileProblem('kml_no_placemark');
  const fc = kml(doc as never);
  const features = fc.features;
  if (!features.some((f) => f.geometry)) {
    throw fileProblem('kml_no_geometry', { n: features.length });
  }
  const fields = new Set<string>();
  for (const f of features)
    for (const k of Object.keys(f.properties ?? {})) if (!k.startsWith('styleUrl')) fields.add(k);
  return {
    format: kmz ? 'kmz' : 'kml',
    layers: [{ name: 'placemarks', count: features.length, fields: [...fields] }],
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: 'EPSG:4326',
    async *read(): AsyncGenerator<SourceFeature> {
      let index = 0;
      for (const f of features) {
        yield { feature: structuredClone(f), fromText: true, index: index++ };
      }
    },
  };
}
