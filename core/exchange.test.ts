import { describe, expect, it } from 'vitest';
import { geometryFamily, pickLayer } from './exchange.ts';

const layerFor = (layers: { name: string; geometryType?: string }[], accepts: string[]) =>
  pickLayer(layers, accepts).layer;

describe('pickLayer: the source layer a target takes when none is named', () => {
  const ovital = [
    { name: 'placemarks|Polygon', geometryType: 'Polygon' },
    { name: 'placemarks|LineString', geometryType: 'LineString' },
    { name: 'placemarks|Point', geometryType: 'Point' },
  ];

  it('takes the points of a mixed KML for gates and its polygons for compounds', () => {
    expect(layerFor(ovital, ['Point'])?.name).toBe('placemarks|Point');
    expect(layerFor(ovital, ['Polygon', 'MultiPolygon'])?.name).toBe('placemarks|Polygon');
  });

  it('falls back to the first layer when none declares a fitting type', () => {
    expect(layerFor([{ name: 'a' }, { name: 'b', geometryType: 'GEOMETRY' }], ['Point'])?.name).toBe('a');
    expect(layerFor([], ['Point'])).toBeUndefined();
  });

  it('reads the ways formats declare types', () => {
    expect(['MULTIPOLYGON', 'PolygonZ', 'Polygon'].map(geometryFamily)).toEqual([
      'polygon',
      'polygon',
      'polygon',
    ]);
    expect(
      ['POINT', 'MultiPoint', 'PolyLine', 'LINESTRING', 'GEOMETRY', undefined].map(geometryFamily),
    ).toEqual(['point', 'point', 'line', 'line', null, null]);
  });
});

describe('pickLayer among the folders of an 奥维 KML', () => {
  const layers = [
    { name: 'placemarks|Polygon', geometryType: 'Polygon' },
    { name: 'placemarks|Point', geometryType: 'Point' },
    { name: '小区范围', geometryType: 'Polygon', folder: '小区范围' },
    { name: '设施/出入口', geometryType: 'Point', folder: '设施/出入口' },
    { name: '设施/摄像头', geometryType: 'Point', folder: '设施/摄像头' },
  ];

  it('takes the one folder named for the target (helper 45: gates and cameras went in as cameras)', () => {
    expect(pickLayer(layers, ['Point'], 'cameras')).toEqual({ layer: layers[4], mixedFolders: [] });
    expect(pickLayer(layers, ['Point'], 'gates')).toEqual({ layer: layers[3], mixedFolders: [] });
    // One folder of polygons: the whole file's polygons are that folder's.
    expect(pickLayer(layers, ['Polygon'], 'compounds')).toEqual({ layer: layers[0], mixedFolders: [] });
  });

  it('says which folders the whole file mixes when no single folder is named for the target', () => {
    expect(pickLayer(layers, ['Point'], 'buildings')).toEqual({
      layer: layers[1],
      mixedFolders: ['设施/出入口', '设施/摄像头'],
    });
    // Every folder named for it (社区A/小区, 社区B/小区): the whole file, nothing mixed.
    const two = [
      { name: 'placemarks', geometryType: 'Polygon' },
      { name: '社区A/小区', geometryType: 'Polygon', folder: '社区A/小区' },
      { name: '社区B/小区', geometryType: 'Polygon', folder: '社区B/小区' },
    ];
    expect(pickLayer(two, ['Polygon'], 'compounds')).toEqual({ layer: two[0], mixedFolders: [] });
  });
});

describe('pickLayer judges a folder by its own name (helper 46)', () => {
  it('监控/东门 is a gate folder: cameras take 监控 alone', () => {
    const layers = [
      { name: 'placemarks|Point', geometryType: 'Point' },
      { name: '监控', geometryType: 'Point', folder: '监控' },
      { name: '监控/东门', geometryType: 'Point', folder: '监控/东门' },
    ];
    expect(pickLayer(layers, ['Point'], 'cameras')).toEqual({ layer: layers[1], mixedFolders: [] });
    expect(pickLayer(layers, ['Point'], 'gates')).toEqual({ layer: layers[2], mixedFolders: [] });
  });

  it('one folder a compound: its polygons go in whole, without a question', () => {
    const layers = [
      { name: 'placemarks|Polygon', geometryType: 'Polygon' },
      { name: 'placemarks|Point', geometryType: 'Point' },
      { name: '锦华苑|Polygon', geometryType: 'Polygon', folder: '锦华苑' },
      { name: '锦华苑/摄像头', geometryType: 'Point', folder: '锦华苑/摄像头' },
      { name: '开善苑|Polygon', geometryType: 'Polygon', folder: '开善苑' },
      { name: '开善苑/出入口', geometryType: 'Point', folder: '开善苑/出入口' },
    ];
    expect(pickLayer(layers, ['Polygon', 'MultiPolygon'], 'service-areas')).toEqual({
      layer: layers[0],
      mixedFolders: [],
    });
    // Points of unnamed folders may be gates or cameras: asked (点位一, 点位二).
    const unnamed = [
      { name: 'placemarks', geometryType: 'Point' },
      { name: '点位一', geometryType: 'Point', folder: '点位一' },
      { name: '点位二', geometryType: 'Point', folder: '点位二' },
    ];
    expect(pickLayer(unnamed, ['Point'], 'cameras').mixedFolders).toEqual(['点位一', '点位二']);
  });
});
