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

/** One entry of GET /api/service-areas/:id/history. */
export interface ServiceAreaHistoryEntry {
  version: number;
  operation: 'create' | 'update' | 'delete' | 'restore' | 'split' | 'merge' | 'import';
  attributes: ServiceAreaAttributes;
  geometry: Polygon | null;
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
  changed_by: string | null;
  changed_at: string;
}

/** GET /api/service-areas?bbox=… */
export type ServiceAreaCollection = FeatureCollection<Polygon, ServiceAreaProperties>;
