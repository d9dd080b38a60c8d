import type wkx from 'wkx';
import type { ExportSrs } from '../../../core/exchange.ts';
import { gaussKrugerZone, toGaussKruger } from '../importer/crs.ts';

/**
 * The coordinate systems an export writes: WGS84 and CGCS2000 lon/lat (the same numbers here), and
 * the city's CGCS2000 Gauss-Krüger zone (3° zone 35, central meridian 105°E: EPSG:4544, and 4523 with
 * the zone number in front of x), projected by proj4 as the import reads it back. Each names itself
 * in a Shapefile's .prj (ESRI's WKT, as ArcGIS and GDAL write it) and in a GeoPackage's
 * gpkg_spatial_ref_sys (OGC WKT with its EPSG code).
 */
export interface ExportCrs {
  prj: string;
  gpkgName: string;
  gpkgWkt: string;
  /** Moves a lon/lat geometry into this CRS, in place; null when its numbers stay. */
  project: ((g: wkx.Geometry) => void) | null;
}

const GCS_CGCS2000_ESRI =
  'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
const GCS_CGCS2000_OGC =
  'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]';

const GEOGRAPHIC: Record<4326 | 4490, ExportCrs> = {
  4326: {
    prj: 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
    gpkgName: 'WGS 84 geodetic',
    gpkgWkt:
      'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
    project: null,
  },
  4490: {
    prj: GCS_CGCS2000_ESRI,
    gpkgName: 'China Geodetic Coordinate System 2000',
    gpkgWkt: GCS_CGCS2000_OGC,
    project: null,
  },
};

/** Every position of a wkx geometry through `f`, in place. */
function eachPoint(g: wkx.Geometry, f: (p: wkx.Point) => void): void {
  const o = g as unknown as {
    x?: number;
    points?: wkx.Point[];
    exteriorRing?: wkx.Point[];
    interiorRings?: wkx.Point[][];
    lineStrings?: wkx.Geometry[];
    polygons?: wkx.Geometry[];
    geometries?: wkx.Geometry[];
  };
  if (typeof o.x === 'number') f(g as wkx.Point);
  o.points?.forEach(f);
  o.exteriorRing?.forEach(f);
  o.interiorRings?.forEach((r) => r.forEach(f));
  for (const part of [...(o.lineStrings ?? []), ...(o.polygons ?? []), ...(o.geometries ?? [])])
    eachPoint(part, f);
}

const num = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

export function exportCrs(srs: ExportSrs): ExportCrs {
  if (srs === 4326 || srs === 4490) return GEOGRAPHIC[srs];
  const z = gaussKrugerZone(srs)!;
  const esriName = `CGCS2000_${z.width === 3 ? '3_Degree_' : ''}GK_${z.zone === null ? `CM_${z.centralMeridian}E` : `Zone_${z.zone}`}`;
  const to = toGaussKruger(z);
  return {
    prj:
      `PROJCS["${esriName}",${GCS_CGCS2000_ESRI},PROJECTION["Gauss_Kruger"],` +
      `PARAMETER["False_Easting",${num(z.falseEasting)}],PARAMETER["False_Northing",0.0],` +
      `PARAMETER["Central_Meridian",${num(z.centralMeridian)}],PARAMETER["Scale_Factor",1.0],` +
      `PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`,
    gpkgName: z.title,
    gpkgWkt:
      `PROJCS["${z.title}",${GCS_CGCS2000_OGC},PROJECTION["Transverse_Mercator"],` +
      `PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",${z.centralMeridian}],` +
      `PARAMETER["scale_factor",1],PARAMETER["false_easting",${z.falseEasting}],` +
      `PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],` +
      `AUTHORITY["EPSG","${srs}"]]`,
    project: (g) =>
      eachPoint(g, (p) => {
        [p.x, p.y] = to(p.x, p.y);
      }),
  };
}
