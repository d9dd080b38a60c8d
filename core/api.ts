/**
 * Requests and responses of the service-area API (/api/service-areas), and the point layers' history
 * (/api/cameras, /api/gates), shared by the server and the client's API modules.
 */
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import type { AreaStatus, ManagementMode } from './vocabulary.ts';
import type { AreaStats, CheckIssue } from './checks/codes.ts';

/** The attributes of a 物业服务区域 a client sends and gets back. */
export interface ServiceAreaAttributes {
  name: string;
  /** 街道 code; a street editor's areas default to (and must be) its own street. */
  street_code?: string | null;
  /** 社区 code. */
  community_code?: string | null;
  management_mode: ManagementMode;
  /** 物业服务人. */
  provider?: string | null;
  /** 帮扶单位. */
  helper_unit?: string | null;
  /** 网格员. */
  grid_worker?: string | null;
  status?: AreaStatus;
  notes?: string | null;
}

/** What the server adds; clients may send these back unchanged, they are ignored. */
export interface ServiceAreaMeta {
  id: number;
  version: number;
  created_by: string | null;
  created_at: string;
  updated_by: string | null;
  updated_at: string;
}

export type ServiceAreaProperties = Required<ServiceAreaAttributes> & ServiceAreaMeta;
export type ServiceAreaFeature = Feature<Polygon, ServiceAreaProperties> & { id: number };

/** Body of POST /api/service-areas and PUT /api/service-areas/:id. */
export type SaveServiceAreaRequest = Feature<Polygon, ServiceAreaAttributes>;

/** 201 of POST, 200 of PUT. */
export interface SaveServiceAreaResponse {
  id: number;
  version: number;
  feature: ServiceAreaFeature;
  /** Warnings (cut_building, empty) the save went through with. */
  warnings: CheckIssue[];
  stats: AreaStats;
}

/** Body of POST /api/service-areas/:id/split (with If-Match: "<version>"). */
export interface SplitServiceAreaRequest {
  /** Two or more parts whose union is the area; the first keeps the area's id. */
  parts: Polygon[];
}

/** 200 of POST /api/service-areas/:id/split: the area (as part 1) and the new areas, in order. */
export interface SplitServiceAreaResponse {
  areas: ServiceAreaFeature[];
  /** Per part, the warnings (cut_building, empty) it was saved with. */
  warnings: CheckIssue[][];
}

/** Body of POST /api/service-areas/merge; the answer is the kept area's Feature (200, with ETag). */
export interface MergeServiceAreasRequest {
  /** [kept area, area merged into it and deleted]. */
  ids: [number, number];
  versions: [number, number];
  keep_attributes_of?: number;
  /** The merged polygon; by default the union of both. */
  geometry?: Polygon;
}

/** Body of POST /api/service-areas/validate. */
export interface ValidateServiceAreaRequest {
  feature: Feature<Polygon, Partial<ServiceAreaAttributes> | null>;
  /** The area being edited: it is not its own neighbour. */
  id?: number | null;
}

export interface ValidateServiceAreaResponse {
  valid: boolean;
  issues: CheckIssue[];
  stats: AreaStats;
}

/** 422 validation_failed details. */
export interface ValidationFailedDetails {
  issues: CheckIssue[];
  stats?: AreaStats;
}

/** 409 version_conflict details: what is stored now, so nothing the user typed is lost. */
export interface VersionConflictDetails {
  current_version: number;
  current: ServiceAreaFeature;
}

/**
 * Who edited, in a history answer (GET /api/service-areas/:id/history, /api/cameras/:id/history,
 * /api/gates/:id/history, /api/ledger/:id/history) — issue 10, least privilege. The history itself
 * is public, like the layers it records; who made each change is told only to a signed-in reader
 * (any role), as the live feed tells only signed-in clients who made a change. For an anonymous
 * reader (no token, or one no longer valid) the server sends `changed_by: null` (the field stays,
 * so both readers get one shape) and every author field of the recorded row in `attributes`
 * (created_by, updated_by, closed_by, reopened_by: isAuthorField) null too. `null` therefore means
 * "not told or not recorded" (rows loaded by an import or the seed may have no author); a client
 * shows the author only when it is a string. No history answer carries an internal user id: only
 * usernames are recorded.
 */
export const isAuthorField = (key: string): boolean => key.endsWith('_by');

/**
 * Who made a history entry, for display: the username when the answer tells it (a signed-in
 * reader), else null (anonymous reader, unknown author, or an answer without the field), so a view
 * shows the author only when there is one and never "null" or "undefined".
 */
export const historyAuthor = (entry: { changed_by?: unknown }): string | null => authorName(entry.changed_by);

/**
 * An author field of a live record (created_by, updated_by, closed_by … of a service area, camera,
 * gate or ledger item) for display: the username when told (a signed-in reader), else null. The live
 * reads follow the history's rule (isAuthorField): anonymous readers get these fields null.
 */
export const authorName = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v : null;

/** One entry of GET /api/service-areas/:id/history. */
export interface ServiceAreaHistoryEntry {
  version: number;
  operation: 'create' | 'update' | 'delete' | 'restore' | 'split' | 'merge' | 'import';
  attributes: ServiceAreaAttributes;
  geometry: Polygon | null;
  /** Username of who made this version; null for an anonymous reader (isAuthorField) or when unknown. */
  changed_by: string | null;
  changed_at: string;
}

export interface ServiceAreaHistoryResponse {
  id: number;
  entries: ServiceAreaHistoryEntry[];
}

/** The two point layers with the service areas' CRUD API: /api/cameras and /api/gates. */
export type PointLayer = 'cameras' | 'gates';

/** One entry of GET /api/cameras/:id/history and /api/gates/:id/history. */
export interface PointHistoryEntry {
  version: number;
  operation: 'create' | 'update' | 'delete' | 'import';
  attributes: Record<string, unknown>;
  geometry: Point | null;
  /** Username of who made this version; null for an anonymous reader (isAuthorField) or when unknown. */
  changed_by: string | null;
  changed_at: string;
}

/** GET /api/service-areas?bbox=… */
export type ServiceAreaCollection = FeatureCollection<Polygon, ServiceAreaProperties>;
