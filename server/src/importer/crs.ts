import gcoord from 'gcoord';
import proj4 from 'proj4';
import type { ImportProblemCode, ImportProblemParams, ProblemReason } from '../../../core/import-problems.ts';
import { importProblemText } from '../../../core/import-words.ts';

/**
 * Coordinate systems an import reads, and their way to WGS84 lon/lat (what the database stores).
 *
 * CGCS2000 (国家2000) is taken as equal to WGS84: the two differ by centimetres, below the accuracy
 * of any footprint a street office holds. Its Gauss-Krüger (高斯-克吕格) zones are EPSG:4491–4554:
 * 6° zones 13–23 with the zone number in front of the easting (4491–4501) and without (4502–4512),
 * 3° zones 25–45 with (4513–4533) and without (4534–4554). 遂宁 (≈105.6°E) lies in 3° zone 35,
 * central meridian 105°E: EPSG:4523 with the prefix, EPSG:4544 without.
 */
export interface Crs {
  /** How a user names it: `EPSG:4544`, `GCJ-02`, … */
  id: string;
  /** What it is, for messages: "CGCS2000 / 3-degree Gauss-Kruger CM 105E". */
  title: string;
  /** Projected (metres) rather than lon/lat. */
  projected: boolean;
  /** One position to WGS84 [lon, lat]; may return the same array. */
  toWgs84(p: number[]): number[];
}

/** What a file says about its coordinate system, before anything is resolved. */
export interface CrsFound {
  /** Where it was read: a .prj, a GeoPackage srs_id, GeoJSON's legacy `crs` member … */
  source: 'prj' | 'gpkg' | 'geojson' | 'kml' | 'none';
  /** The text found (WKT, `EPSG:4490`, `urn:ogc:def:crs:EPSG::4326`), null when the file says nothing. */
  text: string | null;
}

/**
 * An unreadable --crs value or a CRS this importer cannot convert: `reason` is the code the client
 * words (with how to name one); `message` is its English wording.
 */
export class CrsError extends Error {
  readonly reason: ProblemReason;
  constructor(code: ImportProblemCode, params?: ImportProblemParams) {
    const reason: ProblemReason = params ? { code, params } : { code };
    super(importProblemText('en', reason));
    this.reason = reason;
    this.name = 'CrsError';
  }
}

export const CRS_HELP =
  'name it with --crs: EPSG:4326 (WGS84 lon/lat), EPSG:4490 (CGCS2000 lon/lat), EPSG:4491–4554 ' +
  '(CGCS2000 Gauss-Krüger; 遂宁 is 3° zone 35: EPSG:4544 without the zone number in front of x, ' +
  'EPSG:4523 with it), EPSG:3857, GCJ-02 or BD-09';

const WGS84: Crs = { id: 'EPSG:4326', title: 'WGS 84', projected: false, toWgs84: (p) => p };
const CGCS2000: Crs = { id: 'EPSG:4490', title: 'CGCS2000', projected: false, toWgs84: (p) => p };

function fromProj4(id: string, title: string, def: string): Crs {
  const c = proj4(def, 'WGS84');
  const transform = (p: number[]) => {
    const q = c.forward([p[0]!, p[1]!]);
    return [q[0]!, q[1]!];
  };
  return { id, title, projected: true, toWgs84: inverseOnly(def) ?? transform };
}

/** proj4's "no datum" (an ellipsoid without +towgs84 or a named datum): its transform shifts nothing. */
const PJD_NODATUM = 5;
/** proj4's radians to degrees (its R2D, 180 / π). */
const R2D = 180 / Math.PI;

interface Proj4Projection {
  inverse(p: { x: number; y: number }): { x: number; y: number } | undefined | null;
  to_meter?: number;
  from_greenwich?: number;
  datum?: { datum_type?: number };
}

/**
 * The projection's inverse alone, in degrees, where proj4's transform to WGS84 lon/lat does nothing
 * else: no unit factor, no prime meridian, no datum step (the CGCS2000 zones are `+ellps=GRS80`
 * without `+towgs84`, which proj4 shifts by nothing). It gives the same numbers as the transform
 * (crs.test.ts compares them) without building and dropping four objects per position around it:
 * 200,000 Gauss-Krüger buildings' positions took 0.4 s that way. Null otherwise.
 */
function inverseOnly(def: string): ((p: number[]) => number[]) | null {
  const from = proj4.Proj(def) as unknown as Proj4Projection;
  if ((from.to_meter !== undefined && from.to_meter !== 1) || from.from_greenwich) return null;
  if (from.datum?.datum_type !== PJD_NODATUM) return null;
  return (p) => {
    const q = from.inverse({ x: p[0]!, y: p[1]! });
    return q ? [q.x * R2D, q.y * R2D] : [NaN, NaN];
  };
}

function gk(centralMeridian: number, falseEasting: number): string {
  return `+proj=tmerc +lat_0=0 +lon_0=${centralMeridian} +k=1 +x_0=${falseEasting} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
}

/** A CGCS2000 Gauss-Krüger zone: its central meridian, false easting and EPSG title. */
export interface GaussKrugerZone {
  code: number;
  centralMeridian: number;
  falseEasting: number;
  /** 3° or 6° zones. */
  width: 3 | 6;
  /** The zone number when x carries it in front (EPSG:4491–4501, 4513–4533), else null. */
  zone: number | null;
  title: string;
}

/** EPSG:4491–4554: the CGCS2000 Gauss-Krüger zones, with and without the zone number in front of x. */
export function gaussKrugerZone(code: number): GaussKrugerZone | null {
  const z = (width: 3 | 6, cm: number, zone: number | null): GaussKrugerZone => ({
    code,
    centralMeridian: cm,
    falseEasting: zone === null ? 500000 : zone * 1e6 + 500000,
    width,
    zone,
    title:
      width === 6
        ? `CGCS2000 / Gauss-Kruger ${zone === null ? `CM ${cm}E` : `zone ${zone}`}`
        : `CGCS2000 / 3-degree Gauss-Kruger ${zone === null ? `CM ${cm}E` : `zone ${zone}`}`,
  });
  if (code >= 4491 && code <= 4501) return z(6, (code - 4491 + 13) * 6 - 3, code - 4491 + 13);
  if (code >= 4502 && code <= 4512) return z(6, 75 + (code - 4502) * 6, null);
  if (code >= 4513 && code <= 4533) return z(3, (code - 4513 + 25) * 3, code - 4513 + 25);
  if (code >= 4534 && code <= 4554) return z(3, 75 + (code - 4534) * 3, null);
  return null;
}

function gaussKruger(code: number): Crs | null {
  const z = gaussKrugerZone(code);
  return z ? fromProj4(`EPSG:${code}`, z.title, gk(z.centralMeridian, z.falseEasting)) : null;
}

/**
 * Lon/lat (WGS84, taken as CGCS2000: the same numbers within centimetres) to a Gauss-Krüger zone's
 * easting and northing, by proj4's projection alone (as the import's inverse: no datum step).
 */
export function toGaussKruger(z: GaussKrugerZone): (lon: number, lat: number) => [number, number] {
  const to = proj4.Proj(gk(z.centralMeridian, z.falseEasting)) as unknown as {
    forward(p: { x: number; y: number }): { x: number; y: number };
  };
  return (lon, lat) => {
    const q = to.forward({ x: lon / R2D, y: lat / R2D });
    return [q.x, q.y];
  };
}

function chinaOffset(id: string, title: string, from: string): Crs {
  return {
    id,
    title,
    projected: false,
    toWgs84: (p) => gcoord.transform([p[0]!, p[1]!], from as never, gcoord.WGS84) as number[],
  };
}

/** The CRS an EPSG code names, or null when this importer does not know it. */
export function crsFromEpsg(code: number): Crs | null {
  if (code === 4326 || code === 4979 || code === 4167)
    return code === 4326 ? WGS84 : { ...WGS84, id: `EPSG:${code}` };
  if (code === 4490) return CGCS2000;
  if (code === 3857 || code === 900913 || code === 102100) {
    return fromProj4(
      'EPSG:3857',
      'WGS 84 / Pseudo-Mercator',
      '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
    );
  }
  return gaussKruger(code);
}

/**
 * A CRS as a user writes it: `EPSG:4544`, `4544`, `wgs84`, `cgcs2000`, `gcj02` / `GCJ-02`,
 * `bd09` / `BD-09`, a `urn:ogc:def:crs:EPSG::4490`, or WKT. Throws CrsError naming what it got.
 */
export function parseCrs(text: string): Crs {
  const t = text.trim();
  const key = t.toLowerCase().replace(/[\s_-]/g, '');
  if (key === 'wgs84' || key === 'crs84' || key.endsWith('ogc:1.3:crs84') || key.endsWith('ogc::crs84'))
    return WGS84;
  if (key === 'cgcs2000') return CGCS2000;
  if (key === 'gcj02') return chinaOffset('GCJ-02', 'GCJ-02 (Amap, Tencent)', gcoord.GCJ02);
  if (key === 'bd09') return chinaOffset('BD-09', 'BD-09 (Baidu)', gcoord.BD09);
  const code = /^(?:epsg:?|urn:ogc:def:crs:epsg:[\d.]*:)?(\d{4,6})$/.exec(key)?.[1];
  if (code) {
    const c = crsFromEpsg(Number(code));
    if (c) return c;
    throw new CrsError('crs_not_supported', { code });
  }
  if (/^(PROJCS|GEOGCS|PROJCRS|GEOGCRS)\[/i.test(t)) {
    const c = crsFromWkt(t);
    if (c) return c;
    throw new CrsError('crs_unknown', { name: wktName(t) });
  }
  throw new CrsError('crs_unreadable', { text });
}

/** The quoted name of a WKT's outer node, for messages. */
export function wktName(wkt: string): string {
  const m = /^\s*(\w+)\[\s*"([^"]*)"/.exec(wkt);
  return m ? `${m[1]}["${m[2]}"]` : `"${wkt.slice(0, 60)}"`;
}

/**
 * The CRS of WKT as GDAL, ArcGIS and QGIS write it (ESRI-flavoured in a .prj: `PROJCS["CGCS2000_3_
 * Degree_GK_CM_105E", …]`): an AUTHORITY["EPSG", …] when present, else the name, else a transverse
 * Mercator on CGCS2000/WGS84 read from its parameters. Null when none of that identifies it (e.g.
 * Xian 1980 or Beijing 1954, which need datum-shift parameters nobody ships with the file).
 */
export function crsFromWkt(wkt: string): Crs | null {
  const outer = /^\s*(\w+)\[\s*"([^"]*)"/.exec(wkt);
  if (!outer) return null;
  const kind = outer[1]!.toUpperCase();
  const name = outer[2]!;
  const geographic = kind === 'GEOGCS' || kind === 'GEOGCRS';
  // The outer node's authority is the last AUTHORITY/ID of the text in WKT1/WKT2.
  const auth = [...wkt.matchAll(/(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]/gi)].pop()?.[1];
  if (auth) {
    const c = crsFromEpsg(Number(auth));
    if (c) return c;
  }
  const n = name.toLowerCase().replace(/[\s-]+/g, '_');
  const datum = /DATUM\[\s*"([^"]*)"/i.exec(wkt)?.[1]?.toLowerCase() ?? '';
  const onCgcs = /china_(geodetic_coordinate_system_)?2000|cgcs_?2000/.test(datum) || n.includes('cgcs2000');
  const onWgs84 = /wgs_?(19)?84/.test(datum);
  if (geographic) {
    if (onCgcs) return CGCS2000;
    if (onWgs84) return WGS84;
    return null;
  }
  if (/web_mercator|pseudo_mercator|popular_visualisation/.test(n)) return crsFromEpsg(3857);
  // CGCS2000_3_Degree_GK_CM_105E / CGCS2000_3_Degree_GK_Zone_35 / CGCS2000_GK_CM_105E / CGCS2000_GK_Zone_18
  const gkName = /cgcs_?2000_(3_degree_)?gk_(cm_(\d+)e|zone_(\d+))$/.exec(n);
  if (gkName) {
    const three = Boolean(gkName[1]);
    if (gkName[3]) {
      const cm = Number(gkName[3]);
      const code = three ? 4534 + (cm - 75) / 3 : 4502 + (cm - 75) / 6;
      const c = Number.isInteger(code) ? crsFromEpsg(code) : null;
      if (c) return c;
    } else {
      const zone = Number(gkName[4]);
      const c = crsFromEpsg(three ? 4513 + zone - 25 : 4491 + zone - 13);
      if (c) return c;
    }
  }
  // Any other transverse Mercator on CGCS2000 or WGS84, from its parameters.
  if ((onCgcs || onWgs84) && /PROJECTION\[\s*"(Gauss_Kruger|Transverse_Mercator)"/i.test(wkt)) {
    const param = (p: string, dflt: number) => {
      const m = new RegExp(`PARAMETER\\[\\s*"${p}"\\s*,\\s*([-\\d.eE+]+)`, 'i').exec(wkt);
      return m ? Number(m[1]) : dflt;
    };
    const unit = /UNIT\[\s*"(Meter|metre)"/i.test(wkt) || !/UNIT\[\s*"(Foot|US survey foot)/i.test(wkt);
    if (!unit) return null;
    const def =
      `+proj=tmerc +lat_0=${param('latitude_of_origin', 0)} +lon_0=${param('central_meridian', NaN)}` +
      ` +k=${param('scale_factor', 1)} +x_0=${param('false_easting', 0)} +y_0=${param('false_northing', 0)}` +
      ` +ellps=GRS80 +units=m +no_defs`;
    if (def.includes('NaN')) return null;
    return fromProj4(name, name, def);
  }
  return null;
}

/**
 * The CRS to read a file in: the user's --crs when given (it wins over the file), else what the
 * file says, else `fallback` (GeoJSON, KML and lon/lat CSV are WGS84 by definition). Throws a CrsError
 * naming what was found and how to name it when neither resolves.
 */
export function resolveCrs(found: CrsFound, given: string | undefined, fallback: Crs | null): Crs {
  if (given) return parseCrs(given);
  if (found.text) {
    try {
      return parseCrs(found.text);
    } catch {
      const what = /^\s*\w+\[/.test(found.text) ? wktName(found.text) : `"${found.text}"`;
      throw new CrsError('crs_file_unknown', {
        source: found.source === 'prj' ? '.prj' : found.source,
        name: what,
      });
    }
  }
  if (fallback) return fallback;
  throw new CrsError('crs_missing');
}

export const WGS84_CRS = WGS84;

/** Roughly mainland China, Hainan and Taiwan included: a point outside is likely a wrong CRS. */
export function insideChina(lon: number, lat: number): boolean {
  return lon >= 73 && lon <= 135.5 && lat >= 3 && lat <= 54;
}
