/**
 * npm run basemap -- add FILE [--name NAME] | list | remove ID
 *
 * Offline basemaps (离线底图) from the command line: `add` checks an MBTiles or PMTiles file, copies
 * it into BASEMAP_DIR and registers it in the database (the app then offers it in the layer panel);
 * `list` prints them; `remove` unregisters one and deletes its file. A file that is not a basemap is
 * refused with the reason, and nothing is copied or registered (exit 1).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { BasemapFileError } from '../src/basemaps/archive.ts';
import { BasemapStore } from '../src/basemaps/store.ts';
import { ConfigError, loadBatchConfig, type Config } from '../src/config.ts';
import { migrate, openDb, type Db } from '../src/db/index.ts';

const USAGE = 'usage: npm run basemap -- add FILE [--name NAME] | list | remove ID';

/** What a run printed and its exit code (the command line's logic, callable from tests). */
export interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export async function runBasemapCli(argv: string[], db: Db, config: Config): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const done = (code: number) => ({ code, out, err });
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' } } });
  } catch (e) {
    err.push((e as Error).message, USAGE);
    return done(2);
  }
  const [command, arg, ...rest] = args.positionals;
  const store = new BasemapStore({
    dir: config.basemaps.dir,
    mbtilesMaxBytes: config.basemaps.mbtilesMaxBytes,
  });
  try {
    if (command === 'list' && !arg) {
      const list = await store.list(db);
      if (!list.length) out.push('no offline basemaps');
      for (const b of list)
        out.push(
          `${b.id}\t${b.name}\t${b.container} ${b.tileType}\tz${b.minZoom}–${b.maxZoom}\t${b.bounds.map((n) => n.toFixed(5)).join(',')}\t${mb(b.bytes)}`,
        );
      return done(0);
    }
    if (command === 'add' && arg && !rest.length) {
      const b = await store.add(db, arg, { name: args.values.name, createdBy: null });
      out.push(
        `${arg}: added basemap ${b.id} "${b.name}" (${b.container}, ${b.tileType} tiles, z${b.minZoom}–${b.maxZoom}, ${mb(b.bytes)})`,
      );
      return done(0);
    }
    if (command === 'remove' && arg && !rest.length) {
      const id = Number(arg);
      if (!Number.isSafeInteger(id) || id <= 0) {
        err.push(`remove needs the basemap's id (see list), got "${arg}"`);
        return done(2);
      }
      if (!(await store.remove(db, id))) {
        err.push(`no basemap ${id}`);
        return done(1);
      }
      out.push(`removed basemap ${id}`);
      return done(0);
    }
    err.push(USAGE);
    return done(2);
  } catch (e) {
    if (e instanceof BasemapFileError) {
      err.push(`${arg}: refused (${e.reason}): ${e.message}`);
      return done(1);
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      err.push(`${arg}: no such file`);
      return done(1);
    }
    throw e;
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  let db: Db | undefined;
  try {
    const config = loadBatchConfig();
    // As the owner where there is one: row-level security lets only a signed-in admin write basemaps.
    db = await openDb({ ...config, databaseUrl: config.migrationDatabaseUrl ?? config.databaseUrl });
    await migrate(db);
    const r = await runBasemapCli(process.argv.slice(2), db, config);
    for (const l of r.out) console.log(l);
    for (const l of r.err) console.error(l);
    process.exitCode = r.code;
  } catch (e) {
    console.error(
      e instanceof ConfigError
        ? `Configuration error: ${e.message}`
        : `basemap failed: ${(e as Error).message}`,
    );
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
