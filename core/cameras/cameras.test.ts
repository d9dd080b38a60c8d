import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compassBearing, parseDirection } from './direction.ts';
import { camerasFromGbt28181, isGbt28181Header } from './gbt28181.ts';
import { camerasFromOsm, camerasFromOsmFeature } from './osm.ts';
import { sectorProblems } from './record.ts';

const views = (raw: unknown) => {
  const r = parseDirection(raw);
  if (!r.ok) throw new Error(r.message);
  return r.views;
};

describe('parseDirection', () => {
  it('reads bearings, negatives and degree signs', () => {
    expect(views('90')).toEqual([{ directionDeg: 90 }]);
    expect(views('-8')).toEqual([{ directionDeg: 352 }]);
    expect(views('-140')).toEqual([{ directionDeg: 220 }]);
    expect(views('360')).toEqual([{ directionDeg: 0 }]);
    expect(views('15°')).toEqual([{ directionDeg: 15 }]);
    expect(views(270)).toEqual([{ directionDeg: 270 }]);
    expect(views('')).toEqual([]);
    expect(views(undefined)).toEqual([]);
  });

  it('reads compass points and words', () => {
    expect(views('NW')).toEqual([{ directionDeg: 315 }]);
    expect(views('NNE')).toEqual([{ directionDeg: 22.5 }]);
    expect(views('south')).toEqual([{ directionDeg: 180 }]);
    expect(views('North')).toEqual([{ directionDeg: 0 }]);
    expect(views('north-east')).toEqual([{ directionDeg: 45 }]);
    expect(views('south_west')).toEqual([{ directionDeg: 225 }]);
    expect(compassBearing('WNW')).toBe(292.5);
    expect(compassBearing('up')).toBeNull();
  });

  it('reads lists as several views and ranges as a clockwise sweep', () => {
    expect(views('90;160;270').map((v) => v.directionDeg)).toEqual([90, 160, 270]);
    expect(views('180, 270').map((v) => v.directionDeg)).toEqual([180, 270]);
    expect(views('190-100')).toEqual([{ directionDeg: 325, fovDeg: 270 }]);
    expect(views('350-10')).toEqual([{ directionDeg: 0, fovDeg: 20 }]);
    expect(views('-20-40')).toEqual([{ directionDeg: 10, fovDeg: 60 }]);
    expect(views('W-N')).toEqual([{ directionDeg: 315, fovDeg: 90 }]);
    expect(views('N-E')).toEqual([{ directionDeg: 45 }]); // read as the word NE
  });

  it('rejects unknown words and NaN with a clear message', () => {
    for (const bad of ['up', 'northish', 'NaN', '90;;180', '10-x', 'east-ish']) {
      const r = parseDirection(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/direction "|empty list entry/);
    }
    expect(parseDirection(NaN)).toEqual({
      ok: false,
      code: 'direction_unreadable',
      value: 'NaN',
      message: 'direction NaN is not a number of degrees',
    });
  });
});

describe('sectorProblems', () => {
  it('rejects range 0, FOV over 360 and NaN', () => {
    expect(sectorProblems({ direction_deg: 0, fov_deg: 85, range_m: 0 })).toEqual([
      {
        field: 'range_m',
        code: 'out_of_range',
        params: { field: 'range_m', value: 0, range: '(0, 1000]' },
        message: 'range_m 0 must be > 0 and ≤ 1000 metres',
      },
    ]);
    expect(sectorProblems({ direction_deg: 0, fov_deg: 400, range_m: 30 })).toEqual([
      {
        field: 'fov_deg',
        code: 'out_of_range',
        params: { field: 'fov_deg', value: 400, range: '(0, 360]' },
        message: 'fov_deg 400 must be > 0 and ≤ 360 degrees',
      },
    ]);
    expect(sectorProblems({ direction_deg: NaN, fov_deg: NaN, range_m: 30 }).map((p) => p.field)).toEqual([
      'direction_deg',
      'fov_deg',
    ]);
    expect(sectorProblems({ direction_deg: null, fov_deg: 360, range_m: 1000 })).toEqual([]);
  });
});

describe('camerasFromOsmFeature', () => {
  it('gives FOV defaults by camera:type and reads tilt, height and indoor', () => {
    const dome = camerasFromOsmFeature(
      { 'camera:type': 'dome', height: '3.5', surveillance: 'indoor' },
      8,
      47,
      0,
      'node/1',
    );
    expect(dome.problems).toEqual([]);
    expect(dome.cameras[0]).toMatchObject({
      code: 'node/1',
      type: 'dome',
      fov_deg: 360,
      height_m: 3.5,
      indoor: true,
    });
    const pan = camerasFromOsmFeature({ 'camera:type': 'panning' }, 8, 47, 0);
    expect(pan.cameras[0]).toMatchObject({ type: 'ptz', fov_deg: 360, code: null });
    const fixed = camerasFromOsmFeature(
      { 'camera:type': 'fixed', 'camera:direction': 'NW', 'camera:angle': '15' },
      8,
      47,
      0,
    );
    expect(fixed.cameras[0]).toMatchObject({ type: 'fixed', fov_deg: 85, direction_deg: 315, tilt_deg: 15 });
  });

  it('makes one camera per listed direction', () => {
    const r = camerasFromOsmFeature({ '@id': 'node/9', 'camera:direction': '90;160;270' }, 8, 47, 4);
    expect(r.cameras.map((c) => [c.code, c.direction_deg, c.row])).toEqual([
      ['node/9#1', 90, 4],
      ['node/9#2', 160, 4],
      ['node/9#3', 270, 4],
    ]);
    expect(r.problems).toMatchObject([{ row: 4, field: 'camera:direction', severity: 'warning' }]);
  });

  it('rejects a row by field: unknown direction word, range 0, FOV over 360, a guard', () => {
    const bad = (props: Record<string, unknown>) => camerasFromOsmFeature(props, 8, 47, 7);
    expect(bad({ 'camera:direction': 'upwards' })).toEqual({
      cameras: [],
      problems: [
        {
          row: 7,
          field: 'camera:direction',
          code: 'direction_unreadable',
          params: { field: 'camera:direction', value: '"upwards"' },
          severity: 'error',
        },
      ],
    });
    expect(bad({ range_m: '0' }).problems).toMatchObject([{ field: 'range_m', severity: 'error' }]);
    expect(bad({ fov_deg: 361 }).problems).toMatchObject([{ field: 'fov_deg', severity: 'error' }]);
    expect(bad({ fov_deg: 'wide' }).problems).toMatchObject([
      { field: 'fov_deg', code: 'not_number', params: { field: 'fov_deg', value: '"wide"' } },
    ]);
    expect(bad({ 'surveillance:type': 'guard' }).problems).toMatchObject([{ field: 'surveillance:type' }]);
    expect(camerasFromOsmFeature({}, 200, 47, 1).problems).toMatchObject([{ field: 'lon' }]);
  });

  it('warns, but imports, an odd camera:type or height', () => {
    const r = camerasFromOsmFeature(
      { 'camera:type': 'webcam', height: 'tall', 'camera:angle': '180' },
      8,
      47,
      0,
    );
    expect(r.cameras).toHaveLength(1);
    expect(r.problems.map((p) => [p.field, p.severity])).toEqual([
      ['camera:type', 'warning'],
      ['height', 'warning'],
      ['camera:angle', 'warning'],
    ]);
  });
});

describe('camerasFromGbt28181', () => {
  const row = (o: Record<string, string>) => ({
    DeviceID: '51090300001310000001',
    Name: '船山路口',
    CivilCode: '510903',
    Longitude: '105.59',
    Latitude: '30.53',
    PTZType: '3',
    RoomType: '1',
    UseType: '1',
    DirectionType: '6',
    ...o,
  });
  it('maps PTZType, RoomType and DirectionType', () => {
    expect(isGbt28181Header(Object.keys(row({})))).toBe(true);
    const r = camerasFromGbt28181([
      row({}),
      row({ DeviceID: '51090300001310000002', PTZType: '1', RoomType: '2', DirectionType: '' }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.cameras[0]).toMatchObject({
      code: '51090300001310000001',
      type: 'fixed',
      fov_deg: 85,
      direction_deg: 45,
      indoor: false,
      lon: 105.59,
    });
    expect(r.cameras[1]).toMatchObject({ type: 'dome', fov_deg: 360, direction_deg: null, indoor: true });
    expect(camerasFromGbt28181([row({ DirectionType: '2' })]).cameras[0]!.direction_deg).toBe(270);
    expect(camerasFromGbt28181([row({ DirectionType: '3' })]).cameras[0]!.direction_deg).toBe(180);
  });
  it('reports bad rows by row and field', () => {
    const r = camerasFromGbt28181([
      row({}),
      row({ DeviceID: '123', PTZType: '9', DirectionType: '0', Longitude: 'abc' }),
      row({ range_m: '0' }),
    ]);
    expect(r.cameras).toHaveLength(1);
    expect(r.problems.map((p) => [p.row, p.field])).toEqual([
      [1, 'DeviceID'],
      [1, 'Longitude'],
      [1, 'PTZType'],
      [1, 'DirectionType'],
      [2, 'range_m'],
    ]);
    expect(r.problems[1]).toMatchObject({
      code: 'not_number',
      params: { field: 'Longitude', value: '"abc"' },
    });
    expect(r.problems[0]).toMatchObject({
      code: 'gbt_device_id',
      params: { field: 'DeviceID', value: '"123"' },
    });
  });
});

const REAL = new URL('../../../shared/data/cameras/switzerland_osm_surveillance.geojson', import.meta.url);
describe.skipIf(!existsSync(REAL))('the 2,144 real OSM cameras (../shared/data; skipped when absent)', () => {
  it('all parse or are reported row by row, never a crash', () => {
    const fc = JSON.parse(readFileSync(REAL, 'utf8')) as { features: unknown[] };
    expect(fc.features).toHaveLength(2144);
    const r = camerasFromOsm(fc.features);
    const rejected = new Set(r.problems.filter((p) => p.severity === 'error').map((p) => p.row));
    const imported = new Set(r.cameras.map((c) => c.row));
    // Every row is either imported or rejected with a reason.
    expect(imported.size + rejected.size).toBe(2144);
    for (const row of rejected) expect(imported.has(row)).toBe(false);
    // The forms the file holds: -8, NW, south, 90;160;270, 190-100, 180, 270 all read.
    expect(r.problems.filter((p) => p.field === 'camera:direction' && p.severity === 'error')).toEqual([]);
    expect(r.cameras.filter((c) => c.direction_deg !== null).length).toBeGreaterThanOrEqual(497);
    expect(r.cameras.every((c) => c.fov_deg > 0 && c.fov_deg <= 360 && c.range_m > 0)).toBe(true);
    expect(rejected.size).toBeLessThan(10);
  });
});

if (!existsSync(REAL)) console.warn(`skipped the real-camera test: ${REAL.pathname} is absent`);
