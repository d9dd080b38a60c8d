import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { crsFromWkt, parseCrs, resolveCrs, type CrsError } from './crs.ts';

describe('CRS', () => {
  it('knows the CGCS2000 Gauss-Krüger zones with and without zone prefix', () => {
    expect(parseCrs('EPSG:4544').title).toBe('CGCS2000 / 3-degree Gauss-Kruger CM 105E');
    expect(parseCrs('4523').title).toBe('CGCS2000 / 3-degree Gauss-Kruger zone 35');
    expect(parseCrs('EPSG:4491').title).toBe('CGCS2000 / Gauss-Kruger zone 13');
    expect(parseCrs('EPSG:4512').title).toBe('CGCS2000 / Gauss-Kruger CM 135E');
    const a = parseCrs('EPSG:4544').toWgs84([500000, 3378000]);
    expect(a[0]).toBeCloseTo(105, 9);
    const b = parseCrs('EPSG:4523').toWgs84([35500000, 3378000]);
    expect(b).toEqual(a);
  });

  it('reads ESRI WKT names as GDAL writes them in a .prj', () => {
    const prj =
      'PROJCS["CGCS2000_3_Degree_GK_CM_105E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
    expect(crsFromWkt(prj)?.id).toBe('EPSG:4544');
    expect(crsFromWkt(prj.replace('CM_105E', 'Zone_35').replace('500000.0', '35500000.0'))?.id).toBe(
      'EPSG:4523',
    );
    expect(
      crsFromWkt(
        'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]]]',
      )?.id,
    ).toBe('EPSG:4490');
    expect(
      crsFromWkt(
        'PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]]',
      )?.id,
    ).toBe('EPSG:3857');
    // A custom name with GK parameters still reads.
    const custom = prj.replace('CGCS2000_3_Degree_GK_CM_105E', 'My_Local_GK');
    expect(crsFromWkt(custom)!.toWgs84([500000, 0])[0]).toBeCloseTo(105, 9);
  });

  it("gives exactly proj4's transform for the Gauss-Krüger zones and Web Mercator (the zones by their inverse alone)", () => {
    const tm = (cm: number, fe: number) =>
      `+proj=tmerc +lat_0=0 +lon_0=${cm} +k=1 +x_0=${fe} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
    const cases: [string, string, number][] = [
      // code, proj4 definition, central meridian
      ['EPSG:4544', tm(105, 500000), 105], // 3° zone 35, no zone number
      ['EPSG:4523', tm(105, 35500000), 105], // the same with it
      ['EPSG:4496', tm(105, 18500000), 105], // 6° zone 18
      ['EPSG:4534', tm(75, 500000), 75],
      ['EPSG:4554', tm(135, 500000), 135],
    ];
    for (const [code, def, cm] of cases) {
      const ours = parseCrs(code).toWgs84;
      const theirs = proj4(def, 'WGS84');
      for (let i = 0; i < 200; i++) {
        // Across the zone and beyond its edge, north and south of 遂宁.
        const lon = cm - 4 + (i % 20) * 0.4;
        const lat = 18 + Math.floor(i / 20) * 3.5;
        const [x, y] = proj4('WGS84', def, [lon, lat]);
        const p = [x! + (i % 7) * 0.123, y! - (i % 5) * 0.456];
        const want = theirs.forward([p[0]!, p[1]!]);
        expect(ours(p), `${code} ${p.join(' ')}`).toEqual([want[0], want[1]]);
      }
    }
    const merc = parseCrs('EPSG:3857').toWgs84([11_760_000, 3_570_000]);
    expect(merc).toEqual(proj4('EPSG:3857', 'WGS84', [11_760_000, 3_570_000]));
  });

  it('refuses Xian 1980 naming what was found and how to say it', () => {
    const prj =
      'PROJCS["Xian_1980_3_Degree_GK_CM_105E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980"]],PROJECTION["Gauss_Kruger"]]';
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as CrsError;
      }
      throw new Error('no CrsError');
    };
    const xian = error(() => resolveCrs({ source: 'prj', text: prj }, undefined, null));
    expect(xian.reason).toEqual({
      code: 'crs_file_unknown',
      params: { source: '.prj', name: 'PROJCS["Xian_1980_3_Degree_GK_CM_105E"]' },
    });
    expect(xian.message).toMatch(/The \.prj says PROJCS\["Xian_1980_3_Degree_GK_CM_105E"\].*EPSG:4544/);
    expect(error(() => resolveCrs({ source: 'none', text: null }, undefined, null)).reason).toEqual({
      code: 'crs_missing',
    });
  });

  it('converts GCJ-02 and BD-09 (Amap and Baidu) towards WGS84', () => {
    const g = parseCrs('gcj02').toWgs84([105.6, 30.5]);
    expect(g[0]).toBeLessThan(105.6);
    const b = parseCrs('BD-09').toWgs84([105.6, 30.5]);
    expect(b[0]).toBeLessThan(g[0]!);
  });
});
