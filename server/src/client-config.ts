import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { configElement, type ClientConfig } from '../../core/client-config.ts';
import { publicBasemap } from './basemaps/store.ts';
import type { AppContext } from './context.ts';
import { sqlFiles } from './sql-files.ts';

const sql = sqlFiles(new URL('.', import.meta.url));
const HOME = sql('client-home.sql');

/** GET /api/config, and the same written into the page: key, database, offline basemaps, the district's extent. */
export async function clientConfig({ db, config, basemaps }: AppContext): Promise<ClientConfig> {
  const [list, home] = await Promise.all([
    basemaps.list(db.light),
    db.light.query<{ w: number | null; s: number; e: number; n: number }>(HOME),
  ]);
  const h = home.rows[0];
  return {
    tiandituKey: config.tiandituKey ?? null,
    db: db.kind,
    basemaps: list.map(publicBasemap),
    home: h && h.w != null ? [h.w, h.s, h.e, h.n] : null,
  };
}

/**
 * client/dist/index.html with the client's config in its head (issue 9 #14): the map starts with
 * the script, at the district's extent, with no request in between. The file is read again when it
 * changes (a rebuild while the server runs). Without the config (database down) the page is served
 * as built and the client asks GET /api/config itself.
 */
export function indexPage(ctx: AppContext, clientDist: string): () => Promise<string> {
  const file = join(clientDist, 'index.html');
  let cached: { mtimeMs: number; html: string } | null = null;
  return async () => {
    const { mtimeMs } = await stat(file);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: await readFile(file, 'utf8') };
    const html = cached.html;
    let block = '';
    try {
      block = configElement(await clientConfig(ctx));
    } catch (e) {
      ctx.logger.warn({ err: (e as Error).message }, 'index.html served without the client config');
    }
    return html.replace('</head>', `  ${block}\n  </head>`);
  };
}
