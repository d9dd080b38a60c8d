import { CAMERA_FIELDS, GATE_FIELDS } from '../../core/cameras/index.ts';
import type { DataLayer, TileLayer } from '../../core/vocabulary.ts';

/**
 * The one registry of map layers: which table each URL name reads, which columns become feature
 * properties, and the zooms tiles are served at. Table and column names come only from here, so no
 * request value is ever spliced into SQL.
 */
export interface TableLayer {
  /** Layer name inside the tile (the URL segment, or a sub-layer of the basemap). */
  name: string;
  table: string;
  /** Columns exported as properties (tiles, bbox GeoJSON, export). */
  columns: readonly string[];
  /** Columns kept in tiles (a subset: tiles stay small). */
  tileColumns: readonly string[];
  /** Below this zoom the layer is left out of its tiles (too dense to draw). */
  minZoom: number;
}

export interface LayerDef {
  name: TileLayer;
  parts: readonly TableLayer[];
  /** Zooms a tile may be asked for; outside → 404-free empty tile is not offered, it is a 400. */
  minZoom: number;
  maxZoom: number;
}

const FIVE = [
  'wy_self_governance',
  'wy_security',
  'wy_basic_service',
  'wy_clean_environment',
  'wy_long_term_mechanism',
];

export const LAYERS: Record<TileLayer, LayerDef> = {
  buildings: {
    name: 'buildings',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'buildings',
        table: 'buildings',
        columns: [
          'id',
          'compound_id',
          'category',
          'name',
          'address',
          'floors',
          'households',
          'covered',
          'straddling',
        ],
        tileColumns: ['id', 'compound_id', 'category', 'floors', 'households', 'covered', 'straddling'],
        // Below z14 raw footprints make tiles of megabytes; the client shows compounds there instead.
        minZoom: 14,
      },
    ],
  },
  compounds: {
    name: 'compounds',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'compounds',
        table: 'compounds',
        columns: [
          'id',
          'code',
          'name',
          'address',
          'category',
          'households',
          'year_built',
          'street_code',
          'community_code',
          ...FIVE,
          'helper_unit',
          'grid_worker',
          'version',
        ],
        tileColumns: ['id', 'name', 'category', 'households', 'street_code'],
        minZoom: 11,
      },
    ],
  },
  'service-areas': {
    name: 'service-areas',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'service-areas',
        table: 'service_areas',
        columns: [
          'id',
          'name',
          'street_code',
          'community_code',
          'management_mode',
          'provider',
          'helper_unit',
          'grid_worker',
          'notes',
          'status',
          'version',
          'created_by',
          'created_at',
          'updated_by',
          'updated_at',
        ],
        tileColumns: ['id', 'name', 'street_code', 'management_mode', 'status', 'version'],
        minZoom: 10,
      },
    ],
  },
  jurisdictions: {
    name: 'jurisdictions',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'jurisdictions',
        table: 'jurisdictions',
        columns: ['code', 'name', 'name_en', 'level', 'parent_code'],
        tileColumns: ['code', 'name', 'name_en', 'level', 'parent_code'],
        minZoom: 0,
      },
    ],
  },
  cameras: {
    name: 'cameras',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'cameras',
        table: 'cameras',
        columns: ['id', ...CAMERA_FIELDS, 'version'],
        tileColumns: ['id', 'system', 'type', 'direction_deg', 'fov_deg', 'range_m', 'status'],
        minZoom: 13,
      },
    ],
  },
  gates: {
    name: 'gates',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      {
        name: 'gates',
        table: 'gates',
        columns: ['id', ...GATE_FIELDS, 'version'],
        tileColumns: ['id', 'kind', 'access_control', 'compound_id'],
        minZoom: 14,
      },
    ],
  },
  basemap: {
    name: 'basemap',
    minZoom: 0,
    maxZoom: 22,
    parts: [
      { name: 'water', table: 'basemap_water', columns: ['id', 'name'], tileColumns: ['name'], minZoom: 0 },
      { name: 'blocks', table: 'basemap_blocks', columns: ['id'], tileColumns: [], minZoom: 13 },
      {
        name: 'roads',
        table: 'basemap_roads',
        columns: ['id', 'name', 'kind'],
        tileColumns: ['name', 'kind'],
        minZoom: 10,
      },
    ],
  },
};

/** The table behind a data layer (for bbox queries, import and export). */
export function dataLayer(name: DataLayer): TableLayer {
  return LAYERS[name].parts[0]!;
}
