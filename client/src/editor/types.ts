import type { Feature, Polygon } from 'geojson';
import type { AreaStatus, ManagementMode } from '../../../core/vocabulary.ts';

/** The attributes of a 物业服务区域 as the form edits them (empty string = not filled in). */
export interface AreaAttributes {
  name: string;
  street_code: string;
  community_code: string;
  management_mode: ManagementMode | '';
  /** 物业服务人 */
  provider: string;
  /** 帮扶单位 */
  helper_unit: string;
  /** 网格员 */
  grid_worker: string;
  status: AreaStatus;
  notes: string;
}

export const ATTRIBUTE_FIELDS = [
  'name',
  'street_code',
  'community_code',
  'management_mode',
  'provider',
  'helper_unit',
  'grid_worker',
  'status',
  'notes',
] as const satisfies readonly (keyof AreaAttributes)[];
export type AttributeField = (typeof ATTRIBUTE_FIELDS)[number];

export function emptyAttributes(streetCode = ''): AreaAttributes {
  return {
    name: '',
    street_code: streetCode,
    community_code: '',
    management_mode: '',
    provider: '',
    helper_unit: '',
    grid_worker: '',
    status: 'draft',
    notes: '',
  };
}

/** The area being edited: a new one (id null) or a stored one at `version`. */
export interface Draft {
  id: number | null;
  version: number | null;
  geometry: Polygon | null;
  attributes: AreaAttributes;
}

/** A stored area as the server sends it. */
export interface StoredArea {
  id: number;
  version: number;
  geometry: Polygon;
  attributes: AreaAttributes;
  updated_by?: string | null;
  updated_at?: string | null;
}

/** What the map draws and what a split/merge leaves to be saved besides the draft itself. */
export interface PendingParts {
  /** New areas cut off by a split: created with the draft's attributes on save. */
  splitOff: Polygon[];
  /** Areas merged into the draft: deleted on save (the name, for the save's words). */
  mergedAway: { id: number; version: number; name: string }[];
}

export type Tool = 'idle' | 'draw' | 'edit' | 'split' | 'merge';

/** Someone else saved the area first: their copy and ours, side by side until the user chooses. */
export interface Conflict {
  mine: Draft;
  theirs: StoredArea;
}

export interface EditorState {
  tool: Tool;
  draft: Draft | null;
  /** The stored copy the draft started from (null for a new area). */
  base: StoredArea | null;
  pending: PendingParts;
  /** Undo stack, most recent last. */
  past: Snapshot[];
  future: Snapshot[];
  /** Key of the last recorded action when it may be merged with the next one (typing in one field). */
  coalesceKey: string | null;
  snapping: boolean;
  avoidOverlap: boolean;
  selectedVertex: number | null;
  conflict: Conflict | null;
}

/** What undo restores. */
export interface Snapshot {
  draft: Draft | null;
  pending: PendingParts;
  selectedVertex: number | null;
}

export type AreaFeature = Feature<Polygon, Record<string, unknown>>;
