import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';

/**
 * What the embedded database needs of pglite-postgis's bundle: the `postgis` extension (its library,
 * control file and install and update scripts) and PROJ's data. The bundle also carries
 * postgis_raster and postgis_topology, which the app never creates (migrations/0001 creates
 * `postgis` only).
 */
export function keepInPostgisBundle(name: string): boolean {
  return (
    name === 'lib/postgresql/postgis-3.so' ||
    name === 'share/postgresql/extension/postgis.control' ||
    name.startsWith('share/postgresql/extension/postgis--') ||
    name.startsWith('share/proj/')
  );
}

/** Where pglite-postgis keeps its bundle, and the installed version (the cached copy's key). */
export function packageBundle(): { file: string; version: string } {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite-postgis');
  const file = join(dirname(entry), 'postgis.tar.gz');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { file, version: pkg.version };
}

/** node_modules/.cache/wuyou-map: beside the package it is made from, gone with node_modules. */
function cacheDir(bundle: string): string {
  // …/node_modules/@electric-sql/pglite-postgis/dist/postgis.tar.gz → …/node_modules/.cache/wuyou-map
  return join(dirname(bundle), '..', '..', '..', '.cache', 'wuyou-map');
}

/** Copies `from` (a .tar.gz) to `to`, keeping only the entries `keep` names. */
export async function filterTarGz(from: string, to: string, keep: (name: string) => boolean): Promise<void> {
  const src = extract();
  const out = pack();
  src.on('entry', (header, stream, next) => {
    const done = (err?: Error | null) => next(err ?? undefined);
    if (!keep(header.name)) {
      stream.on('end', done);
      stream.resume();
    } else if (header.type === 'file' || header.type === 'contiguous-file') {
      stream.pipe(out.entry(header, done));
    } else {
      // A link (122 of the update scripts are symlinks) or a folder: a header alone.
      stream.resume();
      out.entry(header, done);
    }
  });
  src.on('finish', () => out.finalize());
  await Promise.all([
    pipeline(createReadStream(from), createGunzip(), src),
    pipeline(out, createGzip({ level: 1 }), createWriteStream(to)),
  ]);
}

/**
 * The PostGIS bundle for PGlite to load: a copy of pglite-postgis's holding only what
 * `keepInPostgisBundle` names, made once per installed version and kept in node_modules/.cache.
 *
 * Why: PGlite compiles every library of an extension bundle when it starts. The package's bundle
 * holds three (postgis 16 MB, postgis_raster 15 MB, postgis_topology 15 MB of WebAssembly), and the
 * two never used cost each embedded database ~250 MB of memory (measured: a process holding PGlite
 * with PostGIS 699–724 MB resident with the package's bundle, 451–453 MB with this one).
 *
 * Returns undefined (use the package's own bundle) when the copy cannot be written, e.g. a
 * read-only install. Processes starting at once each write their own temporary file and rename it
 * into place, so none reads a half-written copy.
 */
export async function postgisBundle(): Promise<string | undefined> {
  const { file, version } = packageBundle();
  const dir = cacheDir(file);
  const target = join(dir, `postgis-${version}-postgis-only.tar.gz`);
  if (existsSync(target)) return target;
  const part = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
  try {
    mkdirSync(dir, { recursive: true });
    await filterTarGz(file, part, keepInPostgisBundle);
    renameSync(part, target);
    return target;
  } catch {
    rmSync(part, { force: true });
    return undefined;
  }
}
