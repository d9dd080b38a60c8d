/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named: `npm run bench -- tiles import`) in
 * turn. Each compares ours with a reference measured in the same run and writes
 * bench/results/<name>.json; the tables are printed as they finish.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

if (!files.length) {
  console.error(
    `No benchmark matches ${wanted.join(', ')}; have: ${readdirSync(dir)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}

let failed = 0;
for (const f of files) {
  const t0 = performance.now();
  console.log(`\n### ${f}`);
  try {
    const mod = (await import(pathToFileURL(dir + f).href)) as { run: () => Promise<void> };
    await mod.run();
  } catch (e) {
    failed++;
    console.error(`${f} failed:`, e);
  }
  console.log(`(${f}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
