/**
 * An offline basemap (离线底图) as GET /api/basemaps lists it: an MBTiles or PMTiles file an admin
 * added, served by this server at `tiles` (a relative URL template).
 */
export interface Basemap {
  id: number;
  name: string;
  container: 'mbtiles' | 'pmtiles';
  /** Raster orthophoto (png, jpg, webp) or vector basemap (mvt). */
  tileType: 'png' | 'jpg' | 'webp' | 'mvt';
  minZoom: number;
  maxZoom: number;
  /** WGS84 [west, south, east, north]. */
  bounds: [number, number, number, number];
  attribution: string;
  /** MVT only: the layers inside the tiles. */
  vectorLayers: string[];
  bytes: number;
  /** `/api/basemaps/<id>/{z}/{x}/{y}` */
  tiles: string;
  createdAt: string;
}

/** The choice of the layer panel's basemap switch: the app's own, a 天地图 one, or an offline one by id. */
export type BasemapChoice = 'own' | 'tianditu-vec' | 'tianditu-img' | `offline:${number}`;
