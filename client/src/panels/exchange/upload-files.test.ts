import { describe, expect, it } from 'vitest';
import { planUpload } from './upload-files.ts';

const files = (...names: string[]) => names.map((name) => ({ name }));

describe('planUpload', () => {
  it('sends one file as it is, and nothing for none', () => {
    expect(planUpload(files('门岗.geojson'))).toEqual({ kind: 'one', file: { name: '门岗.geojson' } });
    expect(planUpload([])).toBeNull();
  });

  it("packs a Shapefile's loose parts (defect: the page took the first file only)", () => {
    const plan = planUpload(
      files('门岗.shp', '门岗.dbf', '门岗.PRJ', '门岗.cpg', '门岗.shx', '门岗.shp.xml'),
    );
    expect(plan).toMatchObject({
      kind: 'shapefile',
      zipName: '门岗.zip',
      shown: '门岗.shp + .PRJ .cpg .dbf .shp.xml .shx',
    });
    expect(plan?.kind === 'shapefile' && plan.files).toHaveLength(6);
  });

  it('packs two Shapefiles together (each a layer of the zip)', () => {
    expect(planUpload(files('a.shp', 'a.dbf', 'b.shp', 'b.dbf'))).toMatchObject({
      kind: 'shapefile',
      zipName: 'shapefiles.zip',
      shown: 'a.shp + .dbf、b.shp + .dbf',
    });
  });

  it('refuses several datasets, or parts without their .shp, naming them', () => {
    expect(planUpload(files('a.geojson', 'b.csv'))).toEqual({
      kind: 'several',
      names: ['a.geojson', 'b.csv'],
    });
    expect(planUpload(files('a.shp', 'a.dbf', 'notes.txt'))).toEqual({
      kind: 'several',
      names: ['a.shp', 'a.dbf', 'notes.txt'],
    });
    expect(planUpload(files('a.dbf', 'a.prj'))).toEqual({ kind: 'several', names: ['a.dbf', 'a.prj'] });
  });
});
