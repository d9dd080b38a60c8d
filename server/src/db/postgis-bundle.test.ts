import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { filterTarGz, keepInPostgisBundle, packageBundle, postgisBundle } from './postgis-bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'wuyou-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every entry of a .tar.gz: header and the sha256 of its body. */
async function entries(file: string): Promise<Map<string, { header: Header; sha: string }>> {
  const out = new Map<string, { header: Header; sha: string }>();
  const src = extract();
  src.on('entry', (header, stream, next) => {
    const h = createHash('sha256');
    stream.on('data', (c) => h.update(c as Buffer));
    stream.on('end', () => {
      out.set(header.name, { header, sha: h.digest('hex') });
      next();
    });
  });
  await pipeline(createReadStream(file), createGunzip(), src);
  return out;
}

describe('the PostGIS-only bundle (issue 11: embedded import memory)', () => {
  it('keeps the postgis extension and PROJ data, not raster, topology or the non-extension scripts', () => {
    expect(keepInPostgisBundle('lib/postgresql/postgis-3.so')).toBe(true);
    expect(keepInPostgisBundle('share/postgresql/extension/postgis.control')).toBe(true);
    expect(keepInPostgisBundle('share/postgresql/extension/postgis--3.6.2.sql')).toBe(true);
    expect(keepInPostgisBundle('share/postgresql/extension/postgis--3.5.0--ANY.sql')).toBe(true);
    expect(keepInPostgisBundle('share/proj/proj.db')).toBe(true);
    expect(keepInPostgisBundle('lib/postgresql/postgis_raster-3.so')).toBe(false);
    expect(keepInPostgisBundle('lib/postgresql/postgis_topology-3.so')).toBe(false);
    expect(keepInPostgisBundle('share/postgresql/extension/postgis_raster--3.6.2.sql')).toBe(false);
    expect(keepInPostgisBundle('share/postgresql/extension/postgis_topology.control')).toBe(false);
    expect(keepInPostgisBundle('share/postgresql/contrib/postgis-3.6/postgis.sql')).toBe(false);
  });

  it('copies kept files byte for byte and links as links, and leaves the rest out', async () => {
    const from = join(dir, 'in.tar.gz');
    const p = pack();
    const written = pipeline(p, createGzip(), createWriteStream(from));
    p.entry({ name: 'keep/a.so', size: 5 }, Buffer.from('hello'));
    p.entry({ name: 'keep/empty.sql', size: 0 }, Buffer.alloc(0));
    p.entry({ name: 'keep/link.sql', type: 'symlink', linkname: 'a.so' });
    p.entry({ name: 'drop/big.so' }, Buffer.alloc(100_000, 7));
    p.entry({ name: 'keep/b.txt' }, Buffer.from('数据 ✓'));
    p.finalize();
    await written;

    const to = join(dir, 'out.tar.gz');
    await filterTarGz(from, to, (name) => name.startsWith('keep/'));
    const got = await entries(to);
    const want = await entries(from);
    expect([...got.keys()]).toEqual(['keep/a.so', 'keep/empty.sql', 'keep/link.sql', 'keep/b.txt']);
    for (const [name, e] of got) {
      expect(e.sha, name).toBe(want.get(name)!.sha);
      expect(e.header.type, name).toBe(want.get(name)!.header.type);
    }
    expect(got.get('keep/link.sql')!.header.linkname).toBe('a.so');
  });

  it('is made from the installed pglite-postgis and holds its postgis library unchanged', async () => {
    const file = await postgisBundle();
    expect(file).toMatch(/node_modules\/\.cache\/wuyou-map\/postgis-[\d.]+-postgis-only\.tar\.gz$/);
    const got = await entries(file!);
    expect(got.has('lib/postgresql/postgis-3.so')).toBe(true);
    expect([...got.keys()].filter((n) => n.startsWith('lib/'))).toEqual(['lib/postgresql/postgis-3.so']);
    expect([...got.keys()].every(keepInPostgisBundle)).toBe(true);
    // every kept entry as the package has it (the library byte for byte), and none left behind
    const pkg = await entries(packageBundle().file);
    for (const [name, e] of got) expect(e.sha, name).toBe(pkg.get(name)!.sha);
    expect([...pkg.keys()].filter(keepInPostgisBundle).sort()).toEqual([...got.keys()].sort());
    // Asked again, the same file (made once per installed version).
    expect(await postgisBundle()).toBe(file);
  });
});
