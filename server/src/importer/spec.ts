import {
  CAMERA_STATUSES,
  CAMERA_SYSTEMS,
  CAMERA_TYPES,
  COMPOUND_CATEGORIES,
  FIVE_TARGETS,
  GATE_KINDS,
  JURISDICTION_LEVELS,
  MANAGEMENT_MODES,
  AREA_STATUSES,
  TARGET_STATES,
  type DataLayer,
} from '../../../core/vocabulary.ts';

/**
 * What an import may write into each layer's table: the columns a feature's properties map to,
 * their types and the ranges of migrations/0001_schema.sql's CHECKs, and which geometry types fit.
 * Table and column names reach SQL only from here.
 */
export type ColumnType = 'text' | 'integer' | 'double precision' | 'boolean';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Allowed values (text enums from core/vocabulary.ts). */
  values?: readonly string[];
  /** Inclusive bounds unless `minExclusive` / `maxExclusive`. */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  required?: boolean;
  /** The schema's default for a NOT NULL DEFAULT column: written when the property is absent. */
  default?: string | number | boolean;
  /** Most characters a text may hold (the table's *_text_lengths check, migration 0014). */
  maxLength?: number;
  /** Another table's key this column references (checked per feature before the insert). */
  references?: { table: string; column: string };
  /** Unique in the table (checked per feature, within the file and against stored rows). */
  unique?: boolean;
}

export type GeometryKind = 'Point' | 'Polygon' | 'MultiPolygon';

export interface ImportSpec {
  layer: DataLayer;
  table: string;
  /** GeoJSON geometry types a feature may have. */
  accepts: readonly GeometryKind[];
  /** How the geometry is stored: as it comes, always MultiPolygon, or exactly one Polygon. */
  store: 'as-is' | 'multi' | 'single-polygon';
  polygonal: boolean;
  columns: readonly ColumnSpec[];
  /**
   * The layer can be loaded straight into its table (ImportOptions.direct): an identity `id`, no
   * unique column, no history, stored as it comes, and every foreign key DEFERRABLE (migrations/0028).
   */
  directLoad?: true;
}

const text = (name: string, more: Partial<ColumnSpec> = {}): ColumnSpec => ({ name, type: 'text', ...more });
const enumOf = (name: string, values: readonly string[], more: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  type: 'text',
  values,
  ...more,
});
const jurisdiction = { table: 'jurisdictions', column: 'code' };
const compound = { table: 'compounds', column: 'id' };

export const IMPORT_SPECS: Record<DataLayer, ImportSpec> = {
  buildings: {
    layer: 'buildings',
    table: 'buildings',
    accepts: ['Polygon', 'MultiPolygon'],
    store: 'as-is',
    polygonal: true,
    directLoad: true,
    columns: [
      { name: 'compound_id', type: 'integer', min: 1, references: compound },
      enumOf('category', COMPOUND_CATEGORIES),
      text('name'),
      text('address'),
      { name: 'floors', type: 'integer', min: 1, max: 200 },
      { name: 'households', type: 'integer', min: 0 },
    ],
  },
  compounds: {
    layer: 'compounds',
    table: 'compounds',
    accepts: ['Polygon', 'MultiPolygon'],
    store: 'multi',
    polygonal: true,
    columns: [
      text('code', { unique: true, maxLength: 500 }),
      text('name', { required: true, maxLength: 500 }),
      text('address', { maxLength: 500 }),
      enumOf('category', COMPOUND_CATEGORIES, { required: true }),
      { name: 'households', type: 'integer', min: 0 },
      { name: 'year_built', type: 'integer', min: 1900, max: 2100 },
      text('street_code', { references: jurisdiction }),
      text('community_code', { references: jurisdiction }),
      ...FIVE_TARGETS.map((t) => enumOf(t, TARGET_STATES, { default: 'not_met' })),
      text('helper_unit', { maxLength: 500 }),
      text('grid_worker', { maxLength: 500 }),
    ],
  },
  'service-areas': {
    layer: 'service-areas',
    table: 'service_areas',
    accepts: ['Polygon'],
    store: 'single-polygon',
    polygonal: true,
    columns: [
      text('name', { required: true, maxLength: 200 }),
      text('street_code', { references: jurisdiction, maxLength: 32 }),
      text('community_code', { references: jurisdiction, maxLength: 32 }),
      enumOf('management_mode', MANAGEMENT_MODES, { required: true }),
      text('provider', { maxLength: 200 }),
      text('helper_unit', { maxLength: 200 }),
      text('grid_worker', { maxLength: 200 }),
      text('notes', { maxLength: 4000 }),
      enumOf('status', AREA_STATUSES, { default: 'draft' }),
      text('created_by'),
      text('updated_by'),
    ],
  },
  jurisdictions: {
    layer: 'jurisdictions',
    table: 'jurisdictions',
    accepts: ['Polygon', 'MultiPolygon'],
    store: 'multi',
    polygonal: true,
    columns: [
      text('code', { required: true, unique: true }),
      text('name', { required: true }),
      text('name_en'),
      enumOf('level', JURISDICTION_LEVELS, { required: true }),
      // Required except for a top-level district (checked in attributes.ts).
      text('parent_code', { references: jurisdiction }),
    ],
  },
  cameras: {
    layer: 'cameras',
    table: 'cameras',
    accepts: ['Point'],
    store: 'as-is',
    polygonal: false,
    columns: [
      text('code', { unique: true, maxLength: 64 }),
      text('name', { maxLength: 200 }),
      enumOf('system', CAMERA_SYSTEMS, { default: 'other' }),
      enumOf('type', CAMERA_TYPES, { default: 'fixed' }),
      { name: 'direction_deg', type: 'double precision', min: 0, max: 360, maxExclusive: true },
      {
        name: 'fov_deg',
        type: 'double precision',
        min: 0,
        minExclusive: true,
        max: 360,
        default: 85,
      },
      { name: 'range_m', type: 'double precision', min: 0, minExclusive: true, max: 1000, default: 30 },
      { name: 'height_m', type: 'double precision', min: 0, max: 500 },
      { name: 'indoor', type: 'boolean', default: false },
      enumOf('status', CAMERA_STATUSES, { default: 'active' }),
      { name: 'compound_id', type: 'integer', min: 1, references: compound },
      text('updated_by'),
    ],
  },
  gates: {
    layer: 'gates',
    table: 'gates',
    accepts: ['Point'],
    store: 'as-is',
    polygonal: false,
    columns: [
      text('name', { maxLength: 200 }),
      enumOf('kind', GATE_KINDS, { default: 'pedestrian' }),
      { name: 'access_control', type: 'boolean', default: false },
      { name: 'compound_id', type: 'integer', min: 1, references: compound },
      text('updated_by'),
    ],
  },
};
