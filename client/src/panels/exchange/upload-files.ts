/**
 * What the import page sends for the files a user chose or dropped: one file as it is; the parts of
 * a Shapefile (.shp with its .dbf, .prj, .cpg …, as offices keep them, loose) packed into one zip in
 * the browser, which the server reads like any zipped Shapefile (one layer per .shp); anything else
 * several at once is refused before a byte is sent, naming the files.
 */

/** Extensions of a Shapefile's parts: geometry, index, attributes, CRS, encoding, memo, metadata. */
const SHAPEFILE_PARTS = new Set([
  'shp',
  'shx',
  'dbf',
  'prj',
  'cpg',
  'qix',
  'sbn',
  'sbx',
  'fbn',
  'fbx',
  'ain',
  'aih',
  'atx',
  'ixs',
  'mxs',
  'dbt',
  'fpt',
  'xml',
]);

const extOf = (name: string) => /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const baseOf = (name: string) => name.replace(/(\.shp)?\.[^./\\]+$/i, '');

export type UploadPlan<F extends { name: string }> =
  | { kind: 'one'; file: F }
  /** Packed as `zipName`; `shown` says what the user chose (`门岗.shp + .cpg .dbf .prj .shx`). */
  | { kind: 'shapefile'; zipName: string; shown: string; files: F[] }
  | { kind: 'several'; names: string[] };

export function planUpload<F extends { name: string }>(files: readonly F[]): UploadPlan<F> | null {
  if (files.length === 0) return null;
  if (files.length === 1) return { kind: 'one', file: files[0]! };
  const shps = files.filter((f) => extOf(f.name) === 'shp');
  if (shps.length === 0 || !files.every((f) => SHAPEFILE_PARTS.has(extOf(f.name)))) {
    return { kind: 'several', names: files.map((f) => f.name) };
  }
  const bases = [...new Set(shps.map((f) => baseOf(f.name)))];
  const shown = bases
    .map((b) => {
      const others = files
        .filter((f) => baseOf(f.name) === b && extOf(f.name) !== 'shp')
        .map((f) => f.name.slice(b.length))
        .sort();
      return others.length ? `${b}.shp + ${others.join(' ')}` : `${b}.shp`;
    })
    .join('、');
  return {
    kind: 'shapefile',
    zipName: `${bases.length === 1 ? bases[0]! : 'shapefiles'}.zip`,
    shown,
    files: [...files],
  };
}

/** The parts in one zip, stored (not compressed: the server reads them at once, and it is quick). */
export async function packShapefile(zipName: string, files: readonly File[]): Promise<File> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  for (const f of files) zip.file(f.name, f);
  const blob = await zip.generateAsync({ type: 'blob', compression: 'STORE' });
  return new File([blob], zipName, { type: 'application/zip' });
}
