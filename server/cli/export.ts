/**
 * npm run export -- --layer <layer> FILE
 *
 * Writes every feature of a layer as one GeoJSON FeatureCollection (`-` writes to stdout). What it
 * writes imports again with `npm run import` into the same geometries.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATA_LAYERS, isOneOf } from '../../core/vocabulary.ts';
import { layerFeatureCollection } from '../src/layer-features.ts';
import { loadConfig } from '../src/config.ts';
import { migrate, openDb } from '../src/db/index.ts';

const USAGE = `usage: npm run export -- --layer <${DATA_LAYERS.join('|')}> FILE   (FILE "-" is stdout)`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: { layer: { type: 'string' } } });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const layer = args.values.layer;
  if (!isOneOf(DATA_LAYERS, layer) || args.positionals.length !== 1) {
    console.error(USAGE);
    process.exit(2);
  }
  const file = args.positionals[0]!;
  const db = await openDb(loadConfig());
  try {
    await migrate(db);
    const { json, count } = await layerFeatureCollection(db, layer);
    if (file === '-') process.stdout.write(json + '\n');
    else {
      writeFileSync(file, json + '\n');
      console.error(`${file}: exported ${count.toLocaleString('en-US')} ${layer}`);
    }
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  console.error(`export failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(2);
});
