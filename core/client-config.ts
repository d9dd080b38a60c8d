/**
 * What the client needs before it can draw the map (GET /api/config), shared by both sides. The
 * server also writes it into the page itself, as a JSON block in index.html, so the map starts in
 * the same moment as the script instead of after a round trip — and at the view it keeps, instead
 * of a default view it leaves at once (issue 9 #14: tiles were fetched for a view never shown).
 */
import type { Basemap } from './basemaps.ts';

export interface ClientConfig {
  /** 天地图 key; null → the offline basemap only. */
  tiandituKey: string | null;
  /** Which database the server runs on. */
  db: 'embedded' | 'postgres';
  /** The offline basemaps (离线底图) this server serves, as GET /api/basemaps lists them. */
  basemaps: Basemap[];
  /** WGS84 [west, south, east, north] of the district (区县): the view the map opens on. Null when none is loaded. */
  home: [number, number, number, number] | null;
}

/** id of the `<script type="application/json">` block in index.html that carries the config. */
export const CONFIG_ELEMENT_ID = 'wuyou-config';

/**
 * The config as an HTML block for the page's head. JSON is not executed (the CSP allows no inline
 * script), and `<` is escaped so no value can close the element.
 */
export function configElement(config: ClientConfig): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<script id="${CONFIG_ELEMENT_ID}" type="application/json">${json}</script>`;
}
